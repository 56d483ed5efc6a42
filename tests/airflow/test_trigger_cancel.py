"""A user's mark-failed / clear reaches the trigger's ``on_kill`` whatever the trigger is doing.

The Airflow 3.3 triggerer calls ``on_kill`` only when the ``CancelledError`` that ends a trigger
still carries its "user action" message; a trigger that swallows the cancellation, or re-raises it
without the message, leaves its PaddleFlow run going (issue 9: a deployment run marked failed was
not stopped). These tests cancel real triggers, streaming a real run's step lines and keeping their
progress in Variables, through Airflow's own ``TriggerRunner``:

* in the middle of a Variable write (a slow metadata store is the one thing here no server makes
  on demand, so ``Variable.set`` is slowed down);
* at twenty different moments of a streaming trigger's life.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
import uuid

import pytest

from paddleflow_provider._compat import HAS_TRIGGER_ON_KILL
from paddleflow_provider.triggers.run import PaddleFlowRunTrigger
from tests.airflow.test_trigger_restart import TaskInstanceKeys, variables_reachable

pytestmark = pytest.mark.skipif(
    not HAS_TRIGGER_ON_KILL, reason="before Airflow 3.3 the triggerer never calls BaseTrigger.on_kill"
)


@dataclasses.dataclass
class RunnerTaskInstance(TaskInstanceKeys):
    """What Airflow's ``TriggerRunner.run_trigger`` reads of a task instance besides its keys."""

    context_carrier: dict | None = None


STREAM = b"""\
name: stream
docker_env: python:3.11
entry_points:
  talk:
    command: "for i in $(seq 1 300); do echo line $i; sleep 0.1; done"
"""


def _owning_trigger(run_id: str, ti: RunnerTaskInstance) -> PaddleFlowRunTrigger:
    """As the triggerer rebuilds a deferrable create task's trigger, with its task instance."""
    _, kwargs = PaddleFlowRunTrigger(
        run_id=run_id, poll_interval=0.1, stream_logs=True, stop_on_kill=True
    ).serialize()
    trigger = PaddleFlowRunTrigger(**kwargs)
    trigger.task_instance = ti
    return trigger


async def _run_and_kill(runner, triggers: dict[int, PaddleFlowRunTrigger], cancel_at: dict) -> list:
    """Run every trigger in ``runner``; send trigger i the user-action cancel at ``cancel_at[i]``
    seconds (or when ``cancel_at[i]`` is an Event, once it is set); wait for them all to end."""
    for trigger_id, trigger in triggers.items():
        runner.triggers[trigger_id] = {
            "task": asyncio.create_task(runner.run_trigger(trigger_id, trigger)),
            "is_watcher": False,
            "name": f"trigger {trigger_id}",
            "events": 0,
        }

    async def kill(trigger_id: int, when) -> None:
        if isinstance(when, threading.Event):
            assert await asyncio.to_thread(when.wait, 60), "the moment to cancel never came"
        else:
            await asyncio.sleep(when)
        assert not runner.triggers[trigger_id]["task"].done(), f"trigger {trigger_id} ended on its own"
        runner.to_cancel.append(trigger_id)
        await runner.cancel_triggers()

    await asyncio.gather(*(kill(i, when) for i, when in cancel_at.items()))
    return await asyncio.gather(*(d["task"] for d in runner.triggers.values()), return_exceptions=True)


def _stopped(pf_api, run_ids: list[str], limit: float = 30.0) -> dict[str, str]:
    """Each run's status once every run has left ``running`` (or at ``limit``)."""
    end = time.monotonic() + limit
    while True:
        statuses = {run_id: pf_api.show_run(run_id).status for run_id in run_ids}
        if time.monotonic() > end or not any(s == "running" for s in statuses.values()):
            return statuses
        time.sleep(0.2)


def test_a_kill_during_a_slow_progress_write_still_stops_the_run(pf_conn, pf_api, monkeypatch):
    from airflow.jobs.triggerer_job_runner import TriggerRunner

    from paddleflow_provider._compat import Variable

    writing = threading.Event()
    real_set = Variable.set

    def slow_set(*args, **kwargs):
        writing.set()
        time.sleep(1.0)
        return real_set(*args, **kwargs)

    monkeypatch.setattr(Variable, "set", slow_set)
    ti = RunnerTaskInstance(id=uuid.uuid4(), task_id="slow_store")
    run_id = pf_api.create_run(run_yaml_raw=STREAM)
    try:
        with variables_reachable(ti):
            trigger = _owning_trigger(run_id, ti)
            outcomes = asyncio.run(_run_and_kill(TriggerRunner(), {1: trigger}, {1: writing}))
        assert [type(o) for o in outcomes] == [asyncio.CancelledError]
        assert _stopped(pf_api, [run_id])[run_id] in ("terminating", "terminated")
    finally:
        if not pf_api.show_run(run_id).is_final:
            pf_api.stop_run(run_id, force=True)


def test_a_kill_at_any_moment_of_a_streaming_trigger_stops_its_run(pf_conn, pf_api):
    from airflow.jobs.triggerer_job_runner import TriggerRunner

    moments = [0.05 + 0.13 * i for i in range(20)]  # from the first status round to well into streaming
    run_ids = [pf_api.create_run(run_yaml_raw=STREAM) for _ in moments]
    tis = [RunnerTaskInstance(id=uuid.uuid4(), task_id=f"moment_{i}") for i in range(len(moments))]
    triggers = {i: _owning_trigger(run_ids[i], ti) for i, ti in enumerate(tis)}
    try:
        with variables_reachable(tis[0]):
            outcomes = asyncio.run(_run_and_kill(TriggerRunner(), triggers, dict(enumerate(moments))))
        assert all(isinstance(o, asyncio.CancelledError) for o in outcomes), outcomes
        statuses = _stopped(pf_api, run_ids)
        not_stopped = {m: s for m, s in zip(moments, statuses.values(), strict=True) if s == "running"}
        assert not not_stopped, f"runs left going when killed at these seconds: {not_stopped}"
    finally:
        for run_id in run_ids:
            if not pf_api.show_run(run_id).is_final:
                pf_api.stop_run(run_id, force=True)
