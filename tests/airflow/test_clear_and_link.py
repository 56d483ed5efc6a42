"""The operator faults seen in a real Airflow 3.3 deployment (issue 9), each reproduced under the
condition it was seen in: the extra link of a task that is still waiting, a deferred create task
cleared while its trigger is being killed, and a sync task killed while it waits."""

from __future__ import annotations

import asyncio
import os
import pathlib
import signal
import threading
import time
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from paddleflow_provider._compat import AIRFLOW_V_3_0_PLUS, HAS_TASK_STATE_STORE, HAS_TRIGGER_ON_KILL
from paddleflow_provider.links import PaddleFlowRunLink


def served_link(dag_id: str, dag_run_id: str, task_id: str) -> str | None:
    """The "PaddleFlow Run" link as the UI gets it: on Airflow 3, the API server's own route
    function (which reads the link's XCom key); on Airflow 2, the webserver's ``get_extra_links``."""
    from airflow.utils.session import create_session

    if AIRFLOW_V_3_0_PLUS:
        from airflow.api_fastapi.core_api.routes.public.extra_links import get_extra_links
        from airflow.models.dagbag import DBDagBag

        with create_session() as session:
            answer = get_extra_links(
                dag_id=dag_id, dag_run_id=dag_run_id, task_id=task_id, session=session, dag_bag=DBDagBag()
            )
        return answer.extra_links[PaddleFlowRunLink.name]
    from airflow.models import DagBag, TaskInstance

    with create_session() as session:
        ti = session.query(TaskInstance).filter_by(dag_id=dag_id, run_id=dag_run_id, task_id=task_id).one()
        dag = DagBag(read_dags_from_db=False, include_examples=False).get_dag(dag_id)
        return dag.get_task(task_id).get_extra_links(ti, PaddleFlowRunLink.name) or None


def while_waiting(
    dag_id: str, task_id: str, flag: pathlib.Path, look: Callable[[str], Any], limit: float = 60.0
) -> threading.Thread:
    """In a thread: once the task of the newest run of ``dag_id`` has pushed its ``run_id`` (the
    run exists and the task waits for it), call ``look(dag_run_id)``; then create ``flag`` so the
    held run ends. The flag is created whatever happens, so ``dag.test()`` never hangs."""
    from airflow.utils.session import create_session

    try:
        from airflow.models.xcom import XComModel as Model  # Airflow 3
    except ImportError:
        from airflow.models.xcom import BaseXCom as Model

    with create_session() as session:  # DAG runs of earlier tests are not the one to watch
        earlier = {row[0] for row in session.query(Model.run_id).filter(Model.dag_id == dag_id)}

    def watch() -> None:
        try:
            end = time.monotonic() + limit
            while time.monotonic() < end:
                with create_session() as session:
                    row = (
                        session.query(Model.run_id)
                        .filter(Model.dag_id == dag_id, Model.task_id == task_id, Model.key == "run_id")
                        .filter(Model.run_id.not_in(earlier))
                        .first()
                    )
                if row is not None:
                    look(row[0])
                    return
                time.sleep(0.1)
        finally:
            flag.touch()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_extra_link_is_served_while_a_sync_create_task_waits(pf_conn, pf_api, dagtest, tmp_path):
    # Deployment: the links endpoint answered None for a running non-deferrable create task,
    # although the run_url XCom was set.
    flag = tmp_path / "release"
    seen: dict[str, Any] = {}

    def look(dag_run_id: str) -> None:

        seen["link"] = served_link("pf_ops_held_sync", dag_run_id, "create")
        held = SimpleNamespace(dag_id="pf_ops_held_sync", run_id=dag_run_id)
        seen["returned"] = dagtest.xcom(held, "create")
        seen["run_status"] = pf_api.show_run(dagtest.xcom(held, "create", "run_id")).status

    watcher = while_waiting("pf_ops_held_sync", "create", flag, look)
    dr = dagtest.run_dag("pf_ops_held_sync", flag=str(flag))
    watcher.join()
    assert dagtest.ti_states(dr) == {"create": "success"}
    assert seen["returned"] is None  # the task was still waiting ...
    assert seen["run_status"] not in ("succeeded", "failed", "terminated")  # ... for a live run
    run_url = dagtest.xcom(dr, "create", "run_url")
    assert run_url.endswith(dagtest.xcom(dr, "create"))
    assert seen["link"] == run_url  # ... and the UI already had the link
    assert served_link(dr.dag_id, dr.run_id, "create") == run_url  # the same once it ended


def _wait_status(api: Any, run_id: str, statuses: tuple[str, ...], limit: float = 60.0) -> str:
    end = time.monotonic() + limit
    status = api.show_run(run_id).status
    while status not in statuses and time.monotonic() < end:
        time.sleep(0.05)
        status = api.show_run(run_id).status
    return str(status)


@pytest.mark.skipif(
    not AIRFLOW_V_3_0_PLUS,
    reason="Airflow 2's SIGTERM handler raises AirflowTaskTerminated right after on_kill: the wait "
    "never carries on to read the stopped run",
)
def test_a_killed_sync_task_ends_with_one_line_not_a_failure_report(
    pf_conn, pf_api, dagtest, tmp_path, capfd
):
    # Deployment: the worker's SIGTERM (a user marked the running task failed) ran on_kill, which
    # stopped the run; Airflow 3 then lets execute() carry on, and the wait loop logged the stopped
    # run's full failure report (ERROR) and a traceback.
    flag = tmp_path / "release"
    seen: dict[str, Any] = {}

    def kill(dag_run_id: str) -> None:
        run_id = dagtest.xcom(
            SimpleNamespace(dag_id="pf_ops_held_sync", run_id=dag_run_id), "create", "run_id"
        )
        os.kill(os.getpid(), signal.SIGTERM)  # what the supervisor sends the task process
        seen["status"] = _wait_status(pf_api, run_id, ("terminating", "terminated"))

    before = signal.getsignal(signal.SIGTERM)
    try:
        watcher = while_waiting("pf_ops_held_sync", "create", flag, kill)
        dr = dagtest.run_dag("pf_ops_held_sync", flag=str(flag))
        watcher.join()
    finally:
        signal.signal(signal.SIGTERM, before)  # the task runner's handler stays installed otherwise
    out = capfd.readouterr()
    log = out.out + out.err
    run_id = dagtest.xcom(dr, "create", "run_id")
    assert seen["status"] in ("terminating", "terminated")  # on_kill stopped the run ...
    assert dagtest.ti_states(dr) == {"create": "failed"}  # ... and the task did not succeed
    assert "ended with status terminated" not in log  # no failure report for a run we stopped
    assert "PaddleFlowRunFailedError" not in log
    assert f"The task was killed while it waited; PaddleFlow run {run_id} was stopped" in log
    assert "Traceback" not in log


# -- clearing a deferred create task ------------------------------------------------------------------

needs_trigger_on_kill = pytest.mark.skipif(
    not (HAS_TRIGGER_ON_KILL and HAS_TASK_STATE_STORE),
    reason="the race needs Airflow 3.3+: before it no trigger on_kill stops the old run and no task "
    "state store says which try holds the run now",
)


class TaskStateStore(dict):
    """Airflow 3.3's task state store as the operator sees it: one key/value map per task instance,
    shared by all its tries (here without the task runner that serves the real one)."""

    def set(self, key: str, value: Any) -> None:
        self[key] = value

    def delete(self, key: str) -> None:
        self.pop(key, None)


class TryOfTask:
    """What the operator reads of Airflow's RuntimeTaskInstance for one try of one task instance."""

    def __init__(self, dag_run_id: str, try_number: int, max_tries: int) -> None:
        self.dag_id, self.task_id, self.run_id, self.map_index = "pf_ops_clear", "create", dag_run_id, -1
        self.try_number, self.max_tries = try_number, max_tries
        self.xcoms: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcoms[key] = value


def held_yaml(flag: pathlib.Path) -> bytes:
    # Ignores SIGTERM like a step that takes its time to stop: once stopped, the run stays
    # "terminating" for the emulator's grace period (5 s), as in the deployment.
    command = f"trap '' TERM; echo holding; while [ ! -f {flag} ]; do sleep 0.1; done; echo released"
    yaml = f'name: held_demo\ndocker_env: python:3.11\nentry_points:\n  hold:\n    command: "{command}"\n'
    return yaml.encode()


def create_operator(flag: pathlib.Path) -> Any:
    from paddleflow_provider.operators.run import PaddleFlowCreateRunOperator

    return PaddleFlowCreateRunOperator(
        task_id="create", run_yaml_raw=held_yaml(flag), deferrable=True, poll_interval=0.2
    )


def defer(op: Any, context: dict[str, Any]) -> Any:
    """``op.execute`` up to its deferral; the trigger it defers with."""
    from paddleflow_provider._compat import TaskDeferred

    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    return deferred.value.trigger


def first_event(trigger: Any, limit: float = 60.0) -> dict[str, Any]:
    async def main() -> dict[str, Any]:
        events = trigger.run()
        try:
            return (await asyncio.wait_for(events.__anext__(), limit)).payload
        finally:
            await events.aclose()

    return asyncio.run(main())


@needs_trigger_on_kill
@pytest.mark.parametrize("first", ["new try", "old trigger on_kill"])
def test_clearing_a_deferred_create_task_redoes_the_work(first, pf_conn, pf_api, tmp_path):
    # Deployment (8 of 14 clears): the new try reattached to the still-active run about 1-2.5 s after
    # the clear; then the cleared try's trigger on_kill stopped that run, and the new try failed with
    # it. With on_kill first, the new try found the run "terminating" and reattached all the same.
    from airflow.jobs.triggerer_job_runner import TriggerRunner

    flag = tmp_path / "release"
    store = TaskStateStore()
    dag_run_id = f"manual__{uuid.uuid4().hex}"
    first_try = {"ti": TryOfTask(dag_run_id, try_number=1, max_tries=0), "task_state_store": store}
    old_trigger = defer(create_operator(flag), first_try)
    old_run = old_trigger.run_id
    # The clear: Airflow raises max_tries to try_number + retries and starts try 2 ...
    new_try = {"ti": TryOfTask(dag_run_id, try_number=2, max_tries=1), "task_state_store": store}
    new_op = create_operator(flag)

    async def clear() -> Any:
        runner = TriggerRunner()
        classpath, kwargs = old_trigger.serialize()
        rebuilt = runner.get_trigger_by_classpath(classpath)(**kwargs)  # as the triggerer runs it
        runner.triggers[1] = {
            "task": asyncio.create_task(runner.run_trigger(1, rebuilt)),
            "is_watcher": False,
            "name": "cleared try",
            "events": 0,
        }
        await asyncio.sleep(0.5)  # the old trigger is polling its running run

        async def kill_old_trigger() -> None:  # ... while the triggerer kills the old try's trigger
            runner.to_cancel.append(1)
            await runner.cancel_triggers()
            await asyncio.gather(runner.triggers[1]["task"], return_exceptions=True)

        if first == "new try":
            new_trigger = await asyncio.to_thread(defer, new_op, new_try)
            await kill_old_trigger()
        else:
            await kill_old_trigger()
            assert pf_api.show_run(old_run).status == "terminating"  # the condition that was missed
            new_trigger = await asyncio.to_thread(defer, new_op, new_try)
        return new_trigger

    try:
        new_trigger = asyncio.run(clear())
        flag.touch()  # the new run may finish now
        result = new_op.execute_complete(new_try, first_event(new_trigger))
    finally:
        flag.touch()
    assert result == new_trigger.run_id != old_run  # the new try succeeded with a run of its own
    assert pf_api.show_run(result).status == "succeeded"
    assert _wait_status(pf_api, old_run, ("terminated",)) == "terminated"  # the old run was stopped
    name = pf_api.show_run(old_run).name
    assert sorted(r.run_id for r in pf_api.iter_runs() if r.name == name) == sorted([old_run, result])


@needs_trigger_on_kill
def test_a_killed_old_try_leaves_the_run_a_newer_try_reattached_to(pf_conn, pf_api, tmp_path):
    # A try the scheduler gave up on (missed heartbeats) is killed after the next try has started
    # and reattached to the same run: the old try's on_kill must not stop the new try's run.
    flag = tmp_path / "release"
    store = TaskStateStore()
    dag_run_id = f"manual__{uuid.uuid4().hex}"
    old_op, new_op = create_operator(flag), create_operator(flag)
    old_op.wait_for_completion = new_op.wait_for_completion = False
    try:
        run_id = old_op.execute({"ti": TryOfTask(dag_run_id, 1, 1), "task_state_store": store})
        assert new_op.execute({"ti": TryOfTask(dag_run_id, 2, 1), "task_state_store": store}) == run_id
        old_op.on_kill()
        assert pf_api.show_run(run_id).status == "running"  # still the new try's
        new_op.on_kill()  # the try that holds it may stop it
        assert _wait_status(pf_api, run_id, ("terminating", "terminated")) in ("terminating", "terminated")
    finally:
        flag.touch()


@needs_trigger_on_kill
def test_a_retry_never_reattaches_to_a_run_being_stopped(pf_conn, pf_api, tmp_path):
    # A task cleared while it ran (Airflow sets it "restarting" without raising max_tries): its
    # on_kill stopped the run, which is still "terminating" when the next try starts.
    flag = tmp_path / "release"
    store = TaskStateStore()
    dag_run_id = f"manual__{uuid.uuid4().hex}"
    old_op, new_op = create_operator(flag), create_operator(flag)
    old_op.wait_for_completion = new_op.wait_for_completion = False
    try:
        old_run = old_op.execute({"ti": TryOfTask(dag_run_id, 1, 1), "task_state_store": store})
        old_op.on_kill()
        assert pf_api.show_run(old_run).status == "terminating"
        new_run = new_op.execute({"ti": TryOfTask(dag_run_id, 2, 1), "task_state_store": store})
        assert new_run != old_run
        assert pf_api.show_run(new_run).status in ("initiating", "pending", "running")
    finally:
        flag.touch()


# -- a clear on every Airflow version -------------------------------------------------------------------


def test_on_every_airflow_version_a_retry_carries_on_and_a_clear_redoes_the_work(pf_conn, pf_api, tmp_path):
    # No task state store (Airflow before 3.3): the run's own description records which clear its
    # try belonged to. Deployment on 2.11: a cleared deferred task's new try reattached to the old
    # run, so the user's "do it again" continued the old work instead.
    flag = tmp_path / "release"
    dag_run_id = f"manual__{uuid.uuid4().hex}"

    def take(try_number: int, max_tries: int) -> str:
        op = create_operator(flag)
        op.wait_for_completion = False
        return str(op.execute({"ti": TryOfTask(dag_run_id, try_number, max_tries)}))

    try:
        first = take(1, max_tries=0)
        assert take(2, max_tries=0) == first  # a retry (max_tries unchanged) carries on with the run
        assert pf_api.show_run(first).status == "running"

        cleared = take(3, max_tries=2)  # a clear raises max_tries to try_number + retries
        assert cleared != first
        assert _wait_status(pf_api, first, ("terminating", "terminated")) in ("terminating", "terminated")
        assert pf_api.show_run(cleared).status in ("initiating", "pending", "running")

        flag.touch()
        assert _wait_status(pf_api, cleared, ("succeeded",)) == "succeeded"
        assert take(4, max_tries=2) == cleared  # a retry after the run succeeded: nothing resubmitted
        again = take(5, max_tries=4)  # a clear after it succeeded: the user wants it run again
        assert again not in (first, cleared)
        assert _wait_status(pf_api, again, ("succeeded",)) == "succeeded"
    finally:
        flag.touch()
    name = pf_api.show_run(first).name
    assert len([r for r in pf_api.iter_runs() if r.name == name]) == 3  # one run per clear, none per retry
    assert "[airflow-try:1/0]" in pf_api.show_run(first).description


@pytest.mark.skipif(
    not HAS_TASK_STATE_STORE, reason="the retry operator keeps its new run in the 3.3 task state store"
)
def test_a_cleared_retry_task_retries_the_run_again_and_stops_its_earlier_retry(pf_conn, pf_api, tmp_path):
    from paddleflow_provider.operators.run import PaddleFlowRetryRunOperator

    flag = tmp_path / "fixed"
    command = f"if [ -f {flag} ]; then echo fixed; sleep 30; else exit 3; fi"
    yaml = f'name: retry_demo\ndocker_env: python:3.11\nentry_points:\n  step:\n    command: "{command}"\n'
    failed = pf_api.create_run(run_yaml_raw=yaml.encode())
    assert _wait_status(pf_api, failed, ("failed",)) == "failed"
    flag.touch()  # the cause is fixed: a retry's step now runs (for 30 s)
    store = TaskStateStore()
    dag_run_id = f"manual__{uuid.uuid4().hex}"

    def take(try_number: int, max_tries: int) -> str:
        op = PaddleFlowRetryRunOperator(task_id="retry", run_id=failed, wait_for_completion=False)
        return str(
            op.execute({"ti": TryOfTask(dag_run_id, try_number, max_tries), "task_state_store": store})
        )

    first = take(1, max_tries=0)
    try:
        assert _wait_status(pf_api, first, ("running",)) == "running"
        assert take(2, max_tries=0) == first  # an Airflow retry carries on with it
        again = take(3, max_tries=2)  # a clear: retried anew, the earlier retry stopped
        assert again not in (failed, first)
        assert _wait_status(pf_api, first, ("terminating", "terminated")) in ("terminating", "terminated")
        assert pf_api.show_run(again).status in ("initiating", "pending", "running")
    finally:
        for run_id in {first, *[r.run_id for r in pf_api.iter_runs() if r.name == "retry_demo"]}:
            if not pf_api.show_run(run_id).is_final:
                pf_api.stop_run(run_id, force=True)
