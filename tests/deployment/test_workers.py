"""Distributed workers: CeleryExecutor, Redis broker, two workers with no shared local state.

Each worker has its own AIRFLOW_HOME (logs), working directory and address (see worker_host.py),
so a task's log of one try is served by the worker that ran it, and a retry that lands on the other
worker only has what the provider keeps outside the worker (the run's client token on the
PaddleFlow server, Airflow's task state) to find its run again.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.deployment.airflow_api import EmulatorRuns, Scenarios, task_process
from tests.deployment.deployment import WORKER_ADDRESSES, Deployment, wait_for
from tests.deployment.test_scenarios import assert_each_line_once, ticks

pytestmark = pytest.mark.celery
CELERY_APP = "airflow.providers.celery.executors.celery_executor_utils.app"


def worker_named(address: str) -> str:
    (name,) = [n for n, a in WORKER_ADDRESSES.items() if a == address]
    return name


def other_worker(name: str) -> str:
    (other,) = [n for n in WORKER_ADDRESSES if n != name]
    return other


def celery_control(deployment: Deployment, *args: str) -> None:
    """``celery control ...`` against the deployment's broker (the Celery CLI, as an operator would)."""
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", CELERY_APP, "control", *args],
        env=deployment.base_env(),
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=60,
    )


@pytest.fixture
def workers_restored(deployment: Deployment) -> Iterator[None]:
    """Whatever a scenario does to a worker, both consume the default queue again afterwards."""
    yield
    for name in WORKER_ADDRESSES:
        component = deployment.components[name]
        if not component.running:
            component.start()
        else:
            celery_control(deployment, "add_consumer", "default", "-d", f"{name}@{socket.gethostname()}")


def test_a_retry_on_the_other_worker_reattaches_and_logs_stream_from_both(
    scenarios: Scenarios, emulator_runs: EmulatorRuns, deployment: Deployment, workers_restored: None
) -> None:
    run = scenarios["e2e_other_worker"]
    ti = run.wait_ti("other_worker_create", {"running"})
    first = worker_named(ti["hostname"])
    emulator_runs.wait_status("other_worker_create", {"running"}, timeout=90)
    # The first worker stops taking tasks, so the retry can only land on the other one.
    celery_control(deployment, "cancel_consumer", "default", "-d", f"{first}@{socket.gethostname()}")

    task_process(ti["id"]).send_signal(signal.SIGKILL)

    wait_for(
        "the retry",
        lambda: (t := run.ti("other_worker_create"))["try_number"] == 2 and t["state"] == "running",
    )
    scenarios.release(run)
    assert run.wait_finished() == "success"
    final = run.ti("other_worker_create")
    assert (final["state"], final["try_number"]) == ("success", 2)
    assert worker_named(final["hostname"]) == other_worker(first)
    assert [r.status for r in emulator_runs.of_task("other_worker_create")] == ["succeeded"]
    first_log, second_log = (run.log("other_worker_create", n) for n in (1, 2))
    assert ticks(first_log), first_log  # step lines, served by the first worker's log server
    assert "Reattaching to PaddleFlow run" in second_log
    assert "released" in second_log, second_log  # step lines to the end, served by the other worker
    assert_each_line_once(second_log)


def test_losing_a_worker_mid_wait_ends_in_exactly_one_run(
    scenarios: Scenarios, emulator_runs: EmulatorRuns, deployment: Deployment, workers_restored: None
) -> None:
    run = scenarios["e2e_worker_loss"]
    ti = run.wait_ti("worker_loss_create", {"running"})
    lost = worker_named(ti["hostname"])
    emulator_runs.wait_status("worker_loss_create", {"running"}, timeout=90)

    deployment.components[lost].kill()  # the worker, its pool, task supervisors and log server

    wait_for(
        "the retry after the heartbeat timeout",
        lambda: (t := run.ti("worker_loss_create"))["try_number"] == 2 and t["state"] == "running",
        timeout=240,
    )
    scenarios.release(run)
    assert run.wait_finished() == "success"
    final = run.ti("worker_loss_create")
    assert (final["state"], final["try_number"]) == ("success", 2)
    assert worker_named(final["hostname"]) == other_worker(lost)
    assert [r.status for r in emulator_runs.of_task("worker_loss_create")] == ["succeeded"]
    assert "Reattaching to PaddleFlow run" in run.log("worker_loss_create", 2)
