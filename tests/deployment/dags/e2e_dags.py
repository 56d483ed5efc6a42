"""DAGs of the deployment scenarios (tests/deployment), parsed by a real dag-processor.

Each scenario has its own DAG and a task id of its own, so the emulator's runs of a scenario are
the ones named ``<task_id>-<token>`` (the provider's default run name). Steps print numbered lines
("tick 3 of 16") a few per second, so a scenario can check each line was logged exactly once; polls
are 1 s, so the whole set runs in minutes on two cores.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.common.compat.sdk import DAG

from paddleflow_provider.operators.run import PaddleFlowCreateRunOperator
from paddleflow_provider.sensors.log import PaddleFlowRunLogSensor
from paddleflow_provider.sensors.run import PaddleFlowRunSensor

POLL = 1.0


def ticks_yaml(name: str, count: int, every: float, *, prep: bool = False) -> str:
    """A run YAML whose ``work`` step prints ``tick i of <count>`` every ``every`` seconds."""
    loop = f'i=1; while [ $i -le {count} ]; do echo "tick $i of {count}"; sleep {every}; i=$((i+1)); done'
    steps = '  prep:\n    command: "echo prep done"\n' if prep else ""
    deps = "    deps: prep\n" if prep else ""
    return (
        f"name: {name}\ndocker_env: python:3.11\nentry_points:\n{steps}  work:\n{deps}    command: '{loop}'\n"
    )


def _dag(dag_id: str) -> DAG:
    return DAG(
        dag_id=dag_id,
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=1,
        default_args={"retry_delay": timedelta(seconds=1)},
    )


def create(task_id: str, yaml: str, *, deferrable: bool, retries: int = 0) -> PaddleFlowCreateRunOperator:
    return PaddleFlowCreateRunOperator(
        task_id=task_id, run_yaml_raw=yaml, poll_interval=POLL, deferrable=deferrable, retries=retries
    )


# Deferrable create, then a deferrable run sensor and log sensor on the created run.
with _dag("e2e_happy"):
    _create = create("happy_create", ticks_yaml("happy", 6, 0.5, prep=True), deferrable=True)
    _status = PaddleFlowRunSensor(
        task_id="happy_status", run_id=_create.output, poke_interval=POLL, deferrable=True, timeout=120
    )
    _log = PaddleFlowRunLogSensor(
        task_id="happy_log",
        run_id=_create.output,
        pattern=r"tick 6 of (\d+)",
        poke_interval=POLL,
        deferrable=True,
        timeout=120,
    )
    _create >> [_status, _log]

# A minute of ticks: the task is marked failed (or cleared) long before the run could end.
LONG = ticks_yaml("long", 120, 0.5)
with _dag("e2e_mark_sync"):
    create("mark_sync_create", LONG, deferrable=False)
with _dag("e2e_mark_deferred"):
    create("mark_deferred_create", LONG, deferrable=True)
with _dag("e2e_mark_success"):
    create("mark_success_create", LONG, deferrable=True)

# Eight seconds of ticks: long enough to kill, clear or restart something in the middle.
MEDIUM = ticks_yaml("medium", 16, 0.5)
with _dag("e2e_kill"):
    create("kill_create", MEDIUM, deferrable=False, retries=1)
with _dag("e2e_clear"):
    create("clear_create", MEDIUM, deferrable=True)
with _dag("e2e_triggerer_restart"):
    create("trigger_restart_create", ticks_yaml("restart", 24, 0.5), deferrable=True)

# Celery: a retry on the other worker, and a worker lost while its task waits.
with _dag("e2e_other_worker"):
    create("other_worker_create", MEDIUM, deferrable=False, retries=1)
with _dag("e2e_worker_loss"):
    create("worker_loss_create", ticks_yaml("loss", 40, 0.5), deferrable=False, retries=1)
