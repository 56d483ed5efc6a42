"""The operator faults seen in a real Airflow 3.3 deployment (issue 9), each reproduced under the
condition it was seen in: the extra link of a task that is still waiting, a deferred create task
cleared while its trigger is being killed, and a sync task killed while it waits."""

from __future__ import annotations

import os
import pathlib
import signal
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from paddleflow_provider._compat import AIRFLOW_V_3_0_PLUS
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

    def watch() -> None:
        try:
            end = time.monotonic() + limit
            while time.monotonic() < end:
                with create_session() as session:
                    row = (
                        session.query(Model.run_id)
                        .filter(Model.dag_id == dag_id, Model.task_id == task_id, Model.key == "run_id")
                        .order_by(Model.timestamp.desc())
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
        from airflow.models import TaskInstance
        from airflow.utils.session import create_session

        seen["link"] = served_link("pf_ops_held_sync", dag_run_id, "create")
        with create_session() as session:
            ti = session.query(TaskInstance).filter_by(dag_id="pf_ops_held_sync", run_id=dag_run_id).one()
            seen["state"] = str(ti.state)
        held = SimpleNamespace(dag_id="pf_ops_held_sync", run_id=dag_run_id)
        seen["run_status"] = pf_api.show_run(dagtest.xcom(held, "create", "run_id")).status

    watcher = while_waiting("pf_ops_held_sync", "create", flag, look)
    dr = dagtest.run_dag("pf_ops_held_sync", flag=str(flag))
    watcher.join()
    assert dagtest.ti_states(dr) == {"create": "success"}
    assert seen["state"] in ("running", "TaskInstanceState.RUNNING")  # the task was still waiting ...
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
    if AIRFLOW_V_3_0_PLUS:  # Airflow 2's own SIGTERM handler raises (and logs) AirflowTaskTerminated
        assert f"The task was killed while it waited; PaddleFlow run {run_id} was stopped" in log
        assert "Traceback" not in log
