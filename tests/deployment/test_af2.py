"""Airflow 2.11 (``bash scripts/e2e.sh af2``): the kill, reattach and clear scenarios.

Airflow 2 has no task state store and never calls a trigger's ``on_kill``; a retry finds its run
by the run's client token alone, and tells a clear from a retry by the claim in the run's
description. Driven through the REST API v1 (basic auth) and signals.
"""

from __future__ import annotations

import signal

from tests.deployment.airflow_api import EmulatorRuns, Scenarios, task_process_af2
from tests.deployment.deployment import wait_for


def test_sigkill_of_the_task_process_retry_reattaches_to_the_same_run(
    scenarios: Scenarios, emulator_runs: EmulatorRuns
) -> None:
    run = scenarios["e2e_kill"]
    run.wait_ti("kill_create", {"running"})
    emulator_runs.wait_status("kill_create", {"running"}, timeout=90)

    task_process_af2(run, "kill_create").send_signal(signal.SIGKILL)

    wait_for(
        "the retry",
        lambda: (t := run.ti("kill_create"))["try_number"] == 2 and t["state"] == "running",
        timeout=240,
    )
    scenarios.release(run)
    assert run.wait_finished(timeout=240) == "success"
    final = run.ti("kill_create")
    assert (final["state"], final["try_number"]) == ("success", 2)
    assert [r.status for r in emulator_runs.of_task("kill_create")] == ["succeeded"]
    assert "Reattaching to PaddleFlow run" in run.log("kill_create", 2)


def test_losing_the_task_and_its_supervisor_the_retry_reattaches(
    scenarios: Scenarios, emulator_runs: EmulatorRuns
) -> None:
    """Like a lost worker: the raw task process and its ``airflow tasks run`` parent die together,
    so nothing reports the failure; the scheduler finds the zombie and retries."""
    run = scenarios["e2e_worker_loss"]
    run.wait_ti("worker_loss_create", {"running"})
    emulator_runs.wait_status("worker_loss_create", {"running"}, timeout=90)
    task = task_process_af2(run, "worker_loss_create")
    supervisor = task.parent()

    for proc in (supervisor, task):
        proc.send_signal(signal.SIGKILL)

    wait_for(
        "the retry",
        lambda: (t := run.ti("worker_loss_create"))["try_number"] == 2 and t["state"] == "running",
        timeout=240,
    )
    scenarios.release(run)
    assert run.wait_finished(timeout=240) == "success"
    final = run.ti("worker_loss_create")
    assert (final["state"], final["try_number"]) == ("success", 2)
    assert [r.status for r in emulator_runs.of_task("worker_loss_create")] == ["succeeded"]
    assert "Reattaching to PaddleFlow run" in run.log("worker_loss_create", 2)


def test_clearing_a_deferred_task_starts_a_new_run_and_the_new_try_succeeds(
    scenarios: Scenarios, emulator_runs: EmulatorRuns
) -> None:
    """No trigger ``on_kill`` on 2.11: the new try itself stops the old run, which the run's own
    description shows was taken before the clear (Airflow raised ``max_tries``)."""
    run = scenarios["e2e_clear"]
    run.wait_ti("clear_create", {"deferred"})
    (first,) = emulator_runs.wait_status("clear_create", {"running"}, timeout=90)

    run.clear("clear_create")

    # Released only once the new try has made its run: the old run must still be going when the
    # new try looks at it (2.11 counts the try as soon as the clear is made).
    wait_for("the new try's run", lambda: len(emulator_runs.of_task("clear_create")) == 2, timeout=240)
    scenarios.release(run)
    assert run.wait_finished(timeout=240) == "success"
    final = run.ti("clear_create")
    assert (final["state"], final["try_number"]) == ("success", 2)
    runs = {r.run_id: r.status for r in emulator_runs.of_task("clear_create")}
    assert runs.pop(first.run_id) == "terminated", runs
    assert list(runs.values()) == ["succeeded"], "exactly one new run, and it succeeded"
