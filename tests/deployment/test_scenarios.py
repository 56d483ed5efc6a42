"""What a user does to a running deployment, and what must come of it (LocalExecutor and Celery).

Driven only through the REST API v2, the CLI and signals; outcomes read from the REST API (states,
tries, task logs, extra links) and from the emulator (how many PaddleFlow runs each task made and
how they ended).
"""

from __future__ import annotations

import re
import signal

from tests.deployment.airflow_api import AirflowAPI, EmulatorRuns, Run, sleep_until, task_process
from tests.deployment.conftest import connection_body
from tests.deployment.deployment import EMULATOR_PASSWORD, Deployment, wait_for

LINK = "PaddleFlow Run"


def tick_counts(log: str, total: int) -> dict[int, int]:
    """How often each ``tick i of <total>`` step line appears in a task log."""
    found = re.findall(rf"tick (\d+) of {total}\b", log)
    return {i: found.count(str(i)) for i in range(1, total + 1)}


def wait_run_status(emulator_runs: EmulatorRuns, task_id: str, status: str) -> list[object]:
    return emulator_runs.wait_status(task_id, {status}, timeout=60)


def wait_for_ticks(emulator_runs: EmulatorRuns, task_id: str) -> None:
    """Until the task's PaddleFlow run is running (its step is printing)."""
    emulator_runs.wait_status(task_id, {"running"}, timeout=90)


def test_deferrable_run_with_sensors_succeeds_and_streams_step_logs(
    api: AirflowAPI, emulator_runs: EmulatorRuns
) -> None:
    run = api.trigger("e2e_happy")
    deferred = run.wait_ti("happy_create", {"deferred", "success"})
    during = run.links("happy_create").get(LINK, "")

    assert run.wait_finished() == "success"
    states = {t: run.ti(t)["state"] for t in ("happy_create", "happy_status", "happy_log")}
    assert states == dict.fromkeys(states, "success")
    runs = emulator_runs.of_task("happy_create")
    assert [r.status for r in runs] == ["succeeded"]
    run_id = runs[0].run_id
    log = run.log("happy_create", 1)
    assert tick_counts(log, 6) == dict.fromkeys(range(1, 7), 1), log
    assert "prep done" in log
    assert re.search(r"tick 6 of 6", run.log("happy_log", 1)), "the log sensor saw the line"
    assert EMULATOR_PASSWORD not in log
    assert run_id in run.links("happy_create")[LINK]  # the extra link after the run
    assert deferred["state"] == "success" or run_id in during  # and while it was deferred


def test_extra_link_while_a_sync_create_runs_and_mark_failed_stops_the_run(
    api: AirflowAPI, emulator_runs: EmulatorRuns
) -> None:
    run = api.trigger("e2e_mark_sync")
    run.wait_ti("mark_sync_create", {"running"})
    wait_for_ticks(emulator_runs, "mark_sync_create")
    (remote,) = emulator_runs.of_task("mark_sync_create")
    link_while_running = wait_for(
        "the extra link of the running task",
        lambda: run.links("mark_sync_create").get(LINK),
        timeout=20,
    )

    run.mark("mark_sync_create", "failed")

    (stopped,) = wait_run_status(emulator_runs, "mark_sync_create", "terminated")
    assert stopped.run_id == remote.run_id
    assert run.wait_finished() == "failed"
    assert run.ti("mark_sync_create")["state"] == "failed"
    assert remote.run_id in link_while_running


def test_mark_deferred_task_failed_stops_the_run(api: AirflowAPI, emulator_runs: EmulatorRuns) -> None:
    run = api.trigger("e2e_mark_deferred")
    run.wait_ti("mark_deferred_create", {"deferred"})
    wait_for_ticks(emulator_runs, "mark_deferred_create")

    run.mark("mark_deferred_create", "failed")

    (stopped,) = wait_run_status(emulator_runs, "mark_deferred_create", "terminated")
    assert run.wait_finished() == "failed"
    assert run.ti("mark_deferred_create")["state"] == "failed"
    assert run.links("mark_deferred_create")[LINK].endswith(stopped.run_id)


def test_mark_deferred_task_success_stops_the_run_and_the_dag_run_succeeds(
    api: AirflowAPI, emulator_runs: EmulatorRuns
) -> None:
    run = api.trigger("e2e_mark_success")
    run.wait_ti("mark_success_create", {"deferred"})
    wait_for_ticks(emulator_runs, "mark_success_create")

    run.mark("mark_success_create", "success")

    wait_run_status(emulator_runs, "mark_success_create", "terminated")
    assert run.wait_finished() == "success"
    assert len(emulator_runs.of_task("mark_success_create")) == 1
    assert run.ti("mark_success_create")["state"] == "success"


def test_sigkill_of_the_task_process_retry_reattaches_to_the_same_run(
    api: AirflowAPI, emulator_runs: EmulatorRuns
) -> None:
    run = api.trigger("e2e_kill")
    ti = run.wait_ti("kill_create", {"running"})
    wait_for_ticks(emulator_runs, "kill_create")

    task_process(ti["id"]).send_signal(signal.SIGKILL)

    assert run.wait_finished() == "success"
    final = run.ti("kill_create")
    assert (final["state"], final["try_number"]) == ("success", 2)
    assert [r.status for r in emulator_runs.of_task("kill_create")] == ["succeeded"]
    assert "Reattaching to PaddleFlow run" in run.log("kill_create", 2)


def test_clearing_a_deferred_task_starts_a_new_run_and_the_new_try_succeeds(
    api: AirflowAPI, emulator_runs: EmulatorRuns
) -> None:
    run = api.trigger("e2e_clear")
    run.wait_ti("clear_create", {"deferred"})
    wait_for_ticks(emulator_runs, "clear_create")
    (first,) = emulator_runs.of_task("clear_create")

    run.clear("clear_create")

    assert run.wait_finished() == "success"
    final = run.ti("clear_create")
    assert (final["state"], final["try_number"]) == ("success", 2)
    runs = {r.run_id: r.status for r in emulator_runs.of_task("clear_create")}
    assert len(runs) == 2, runs
    assert runs.pop(first.run_id) == "terminated"
    assert list(runs.values()) == ["succeeded"]


def test_triggerer_restart_mid_wait_completes_without_repeating_a_line(
    api: AirflowAPI, emulator_runs: EmulatorRuns, deployment: Deployment
) -> None:
    run = api.trigger("e2e_triggerer_restart")
    run.wait_ti("trigger_restart_create", {"deferred"})
    wait_for_ticks(emulator_runs, "trigger_restart_create")
    sleep_until(2)  # a few lines are logged before the restart

    deployment.restart("triggerer")

    assert run.wait_finished() == "success"
    assert [r.status for r in emulator_runs.of_task("trigger_restart_create")] == ["succeeded"]
    final = run.ti("trigger_restart_create")
    assert (final["state"], final["try_number"]) == ("success", 1)
    counts = tick_counts(run.log("trigger_restart_create", 1), 24)
    assert counts == dict.fromkeys(range(1, 25), 1), counts


def test_connection_test_through_the_rest_api(api: AirflowAPI, deployment: Deployment) -> None:
    good = api.post("/api/v2/connections/test", connection_body(deployment, "pf_e2e_test"))
    bad = api.post(
        "/api/v2/connections/test", connection_body(deployment, "pf_e2e_test", password="wrong-Password-9")
    )

    assert good["status"] is True, good
    assert bad["status"] is False, bad
    assert "wrong-Password-9" not in bad["message"]


__all__ = ["Run"]
