"""A triggerer restart does not write a run's step lines twice (issue 9, item 3).

The restart is reproduced as the triggerer does it: the log-streaming trigger is cancelled
mid-stream, rebuilt from its ``serialize()`` output (which holds the cursor of the deferral), given
its task instance again, and run to the end. The progress lives in an Airflow Variable: on 2.11 in
the metadata DB, on 3.x through the supervisor comms, here those of Airflow's own in-process
supervisor (what ``dag.test()`` runs triggers with).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import re
import uuid

from paddleflow_provider._compat import AIRFLOW_V_3_0_PLUS
from paddleflow_provider.triggers._progress import REPEAT_MARKER
from paddleflow_provider.triggers.run import PaddleFlowRunTrigger

COUNT = b"""\
name: count
docker_env: python:3.11
entry_points:
  count:
    command: "for i in $(seq 1 13); do echo line $i; sleep 0.4; done"
"""
LINE = re.compile(r"\[count\] \S+ (line \d+)")


@dataclasses.dataclass
class TaskInstanceKeys:
    """What a trigger reads of the task instance the triggerer gives it (the identity of one try)."""

    id: uuid.UUID
    dag_id: str = "restart_dag"
    task_id: str = "run"
    run_id: str = "manual__1"
    map_index: int = -1
    try_number: int = 1


@contextlib.contextmanager
def variables_reachable(ti: TaskInstanceKeys):
    """Airflow 3.x: Variables answered as in a triggerer (supervisor comms); 2.11: the DB directly."""
    if not AIRFLOW_V_3_0_PLUS:
        yield
        return
    import psutil
    import structlog
    from airflow.sdk.execution_time.supervisor import (
        InProcessSupervisorComms,
        InProcessTestSupervisor,
        set_supervisor_comms,
    )

    supervisor = InProcessTestSupervisor(
        id=ti.id,
        pid=os.getpid(),
        process=psutil.Process(),
        process_log=structlog.get_logger(logger_name="task").bind(),
        client=InProcessTestSupervisor._api_client(),
    )
    supervisor.comms = InProcessSupervisorComms(supervisor=supervisor)
    with set_supervisor_comms(supervisor.comms):
        yield


def restart_mid_stream(run_id: str, ti: TaskInstanceKeys | None) -> dict:
    """Run a streaming trigger, cancel it once it wrote some lines, rebuild it from ``serialize()``
    and run the rebuilt one to its event."""

    def build(classpath_kwargs=None) -> PaddleFlowRunTrigger:
        if classpath_kwargs is None:
            trigger = PaddleFlowRunTrigger(run_id=run_id, poll_interval=0.2, stream_logs=True)
        else:
            trigger = PaddleFlowRunTrigger(**classpath_kwargs[1])
        trigger.task_instance = ti
        return trigger

    async def main() -> dict:
        first = build()
        serialized = first.serialize()
        task = asyncio.create_task(first.run().__anext__())
        await asyncio.sleep(1.5)  # some lines written: the run prints 13 over about 5 s
        assert not task.done()
        task.cancel()  # what a triggerer shutdown does to every trigger
        await asyncio.gather(task, return_exceptions=True)
        rebuilt = build(serialized)
        assert rebuilt.serialize() == serialized  # serialization does not change
        return (await asyncio.wait_for(rebuilt.run().__anext__(), 60)).payload

    return asyncio.run(main())


def _written(capfd, caplog) -> str:
    out = capfd.readouterr()
    # Airflow 3 routes trigger logs through structlog (stdout), Airflow 2 through logging.
    return out.out + out.err + caplog.text


def test_no_step_line_is_written_twice_after_a_triggerer_restart(pf_conn, pf_api, caplog, capfd):
    ti = TaskInstanceKeys(id=uuid.uuid4())
    run_id = pf_api.create_run(run_yaml_raw=COUNT)
    with caplog.at_level(logging.INFO), variables_reachable(ti):
        event = restart_mid_stream(run_id, ti)
    assert (event["status"], event["run_status"]) == ("ended", "succeeded")
    lines = LINE.findall(_written(capfd, caplog))
    assert lines == [f"line {i}" for i in range(1, 14)]  # each once, in order, none lost


def test_without_a_place_for_progress_repeated_lines_are_marked(pf_conn, pf_api, caplog, capfd):
    """A trigger run with no task instance (by hand, in a bare event loop) has nowhere to keep its
    progress: after the restart the lines may repeat, and a marker line says so before them."""
    run_id = pf_api.create_run(run_yaml_raw=COUNT)
    with caplog.at_level(logging.INFO):
        event = restart_mid_stream(run_id, None)
    assert event["status"] == "ended"
    text = _written(capfd, caplog)
    assert text.count(REPEAT_MARKER) == 2  # once per start of the trigger, before its first lines
    after_restart = text.split(REPEAT_MARKER)[2]
    lines = LINE.findall(after_restart)
    assert lines[0] == "line 1"  # the restarted trigger began again from the deferral's cursor
    assert lines[-1] == "line 13"
