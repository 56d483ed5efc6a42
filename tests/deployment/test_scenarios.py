"""What a user does to a running deployment, and what must come of it (LocalExecutor and Celery).

Driven only through the REST API v2, the CLI and signals; outcomes read from the REST API (states,
tries, task logs, extra links) and from the emulator (how many PaddleFlow runs each task made and
how they ended). The DAG runs start together (conftest ``scenarios``); gated steps tick until their
scenario releases them (dags/e2e_dags.py). Scenarios that disturb shared components (the triggerer
restart here, then test_workers.py) come last: pytest runs the files in name order.
"""

from __future__ import annotations

import re
import signal

from tests.deployment.airflow_api import AirflowAPI, EmulatorRuns, Run, Scenarios, task_process
from tests.deployment.conftest import connection_body
from tests.deployment.deployment import EMULATOR_PASSWORD, Deployment, wait_for

LINK = "PaddleFlow Run"


def ticks(log: str) -> list[int]:
    """The step's numbered lines (``tick <n>``) in a task log, in order, repeats included."""
    return [int(n) for n in re.findall(r"\btick (\d+)\b", log)]


def assert_each_line_once(log: str) -> None:
    """Every step line from the first to the last seen appears exactly once."""
    seen = ticks(log)
    assert seen, log
    assert sorted(seen) == list(range(1, max(seen) + 1)), f"repeated or missing lines: {seen}"


def wait_remote_running(emulator_runs: EmulatorRuns, task_id: str) -> None:
    """Until the task's PaddleFlow run is running (its step is ticking)."""
    emulator_runs.wait_status(task_id, {"running"}, timeout=120)


def wait_for_trigger(run: Run, task_id: str, try_number: int = 1) -> None:
    """Until the triggerer runs the task's trigger (it logs the step's lines to the task log; the
    operator's check before deferring logs none).

    A deferred task marked or cleared *before* any triggerer picked its trigger up has no trigger
    to cancel, so nothing stops its run: these scenarios act on a trigger that is running.
    """
    wait_for(
        f"the trigger of {task_id} to stream step lines",
        lambda: ticks(run.log(task_id, try_number)),
        timeout=120,
    )


def test_deferrable_run_with_sensors_succeeds_and_streams_step_logs(
    scenarios: Scenarios, emulator_runs: EmulatorRuns
) -> None:
    run = scenarios["e2e_happy"]
    deferred = run.wait_ti("happy_create", {"deferred", "success"})
    link_while_deferred = run.links("happy_create").get(LINK) or ""

    assert run.wait_finished() == "success"
    states = {t: run.ti(t)["state"] for t in ("happy_create", "happy_status", "happy_log")}
    assert states == dict.fromkeys(states, "success")
    runs = emulator_runs.of_task("happy_create")
    assert [r.status for r in runs] == ["succeeded"]
    log = run.log("happy_create", 1)
    assert ticks(log) == [1, 2, 3, 4, 5, 6], log
    assert "prep done" in log
    assert "tick 6" in run.log("happy_log", 1), "the log sensor reports the matched line"
    assert EMULATOR_PASSWORD not in log
    assert runs[0].run_id in (run.links("happy_create").get(LINK) or "")  # the extra link after the run
    assert deferred["state"] == "success" or runs[0].run_id in link_while_deferred  # and while deferred


def test_mark_a_running_sync_task_failed_stops_the_run(
    scenarios: Scenarios, emulator_runs: EmulatorRuns
) -> None:
    run = scenarios["e2e_mark_sync"]
    run.wait_ti("mark_sync_create", {"running"})
    wait_remote_running(emulator_runs, "mark_sync_create")

    run.mark("mark_sync_create", "failed")

    (stopped,) = emulator_runs.wait_status("mark_sync_create", {"terminated"})
    assert run.wait_finished() == "failed"
    assert run.ti("mark_sync_create")["state"] == "failed"
    assert stopped.run_id in (run.links("mark_sync_create").get(LINK) or ""), (
        "the extra link of the killed task"
    )


def test_extra_link_while_a_sync_create_runs(scenarios: Scenarios, emulator_runs: EmulatorRuns) -> None:
    run = scenarios["e2e_kill"]
    run.wait_ti("kill_create", {"running"})
    wait_remote_running(emulator_runs, "kill_create")
    (remote,) = emulator_runs.of_task("kill_create")

    link = wait_for(
        "the extra link of the running task", lambda: run.links("kill_create").get(LINK), timeout=30
    )

    assert remote.run_id in link


def test_sigkill_of_the_task_process_retry_reattaches_to_the_same_run(
    scenarios: Scenarios, emulator_runs: EmulatorRuns
) -> None:
    run = scenarios["e2e_kill"]
    ti = run.wait_ti("kill_create", {"running"})
    wait_remote_running(emulator_runs, "kill_create")

    task_process(ti["id"]).send_signal(signal.SIGKILL)

    wait_for("the retry", lambda: (t := run.ti("kill_create"))["try_number"] == 2 and t["state"] == "running")
    scenarios.release(run)
    assert run.wait_finished() == "success"
    final = run.ti("kill_create")
    assert (final["state"], final["try_number"]) == ("success", 2)
    assert [r.status for r in emulator_runs.of_task("kill_create")] == ["succeeded"]
    assert "Reattaching to PaddleFlow run" in run.log("kill_create", 2)


def test_mark_a_deferred_task_failed_stops_the_run(scenarios: Scenarios, emulator_runs: EmulatorRuns) -> None:
    run = scenarios["e2e_mark_deferred"]
    run.wait_ti("mark_deferred_create", {"deferred"})
    wait_for_trigger(run, "mark_deferred_create")

    run.mark("mark_deferred_create", "failed")

    (stopped,) = emulator_runs.wait_status("mark_deferred_create", {"terminated"})
    assert run.wait_finished() == "failed"
    assert run.ti("mark_deferred_create")["state"] == "failed"
    assert stopped.run_id in (run.links("mark_deferred_create").get(LINK) or ""), "the extra link"


def test_mark_a_deferred_task_success_stops_the_run_and_the_dag_run_succeeds(
    scenarios: Scenarios, emulator_runs: EmulatorRuns
) -> None:
    run = scenarios["e2e_mark_success"]
    run.wait_ti("mark_success_create", {"deferred"})
    wait_for_trigger(run, "mark_success_create")

    run.mark("mark_success_create", "success")

    emulator_runs.wait_status("mark_success_create", {"terminated"})
    assert run.wait_finished() == "success"
    assert run.ti("mark_success_create")["state"] == "success"
    assert len(emulator_runs.of_task("mark_success_create")) == 1


def test_clearing_a_deferred_task_starts_a_new_run_and_the_new_try_succeeds(
    scenarios: Scenarios, emulator_runs: EmulatorRuns
) -> None:
    run = scenarios["e2e_clear"]
    run.wait_ti("clear_create", {"deferred"})
    wait_for_trigger(run, "clear_create")
    (first,) = emulator_runs.of_task("clear_create")

    run.clear("clear_create")

    wait_for("the new try", lambda: run.ti("clear_create")["try_number"] == 2)
    scenarios.release(run)
    assert run.wait_finished() == "success"
    final = run.ti("clear_create")
    assert (final["state"], final["try_number"]) == ("success", 2)
    runs = {r.run_id: r.status for r in emulator_runs.of_task("clear_create")}
    assert runs.pop(first.run_id) == "terminated", runs
    assert list(runs.values()) == ["succeeded"], "exactly one new run, and it succeeded"


def test_connection_test_through_the_rest_api(api: AirflowAPI, deployment: Deployment) -> None:
    good = api.post("/api/v2/connections/test", connection_body(deployment, "pf_e2e_test"))
    bad = api.post(
        "/api/v2/connections/test", connection_body(deployment, "pf_e2e_test", password="wrong-Password-9")
    )

    assert good["status"] is True, good
    assert bad["status"] is False, bad
    assert "wrong-Password-9" not in bad["message"]


def test_triggerer_restart_mid_wait_completes_without_repeating_a_line(
    scenarios: Scenarios, emulator_runs: EmulatorRuns, deployment: Deployment
) -> None:
    run = scenarios["e2e_triggerer_restart"]
    run.wait_ti("trigger_restart_create", {"deferred"})
    wait_for_trigger(run, "trigger_restart_create")

    deployment.restart("triggerer")

    wait_for("the restarted triggerer", deployment.healthy, timeout=120)
    scenarios.release(run)
    assert run.wait_finished() == "success"
    assert [r.status for r in emulator_runs.of_task("trigger_restart_create")] == ["succeeded"]
    final = run.ti("trigger_restart_create")
    assert (final["state"], final["try_number"]) == ("success", 1)
    log = run.log("trigger_restart_create", 1)
    assert "released" in log, "the new trigger streamed the step's lines to its end"
    assert_each_line_once(log)
