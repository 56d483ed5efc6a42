"""DAGs of the deployment scenarios (tests/deployment), parsed by a real dag-processor.

Each scenario has its own DAG and a task id of its own, so the emulator's runs of a scenario are
the ones named ``<task_id>-<token>`` (the provider's default run name). Steps print numbered lines
(``tick 1``, ``tick 2``, ...) twice a second, so a scenario can check that each line was logged
exactly once.

Most steps are *gated*: they tick until the file named by the DAG run's ``release`` conf exists,
then print four more lines and end. A scenario acts (kills, marks, clears, restarts) while the run
is certainly still going, then releases it. No scenario depends on how fast the machine is, and all
DAG runs can start at once, so their start-up latencies overlap.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.common.compat.sdk import DAG

from paddleflow_provider.operators.run import PaddleFlowCreateRunOperator
from paddleflow_provider.sensors.log import PaddleFlowRunLogSensor
from paddleflow_provider.sensors.run import PaddleFlowRunSensor

POLL = 1.0
#: Ticks until the release file exists, then four more. Rendered by Airflow (the conf), then run.
GATED = (
    "i=0; "
    'while [ ! -f {{ dag_run.conf.release }} ]; do i=$((i+1)); echo "tick $i"; sleep 0.5; done; '
    'for j in 1 2 3 4; do i=$((i+1)); echo "tick $i"; sleep 0.5; done; echo released'
)
#: Six ticks, then the end: the happy path needs no gate.
SIX = 'for i in 1 2 3 4 5 6; do echo "tick $i"; sleep 0.5; done'


def run_yaml(name: str, command: str, *, prep: bool = False) -> str:
    steps = '  prep:\n    command: "echo prep done"\n' if prep else ""
    deps = "    deps: prep\n" if prep else ""
    head = f"name: {name}\ndocker_env: python:3.11\nentry_points:\n"
    return f"{head}{steps}  work:\n{deps}    command: '{command}'\n"


def _dag(dag_id: str) -> DAG:
    return DAG(
        dag_id=dag_id,
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=1,
        default_args={"retry_delay": timedelta(seconds=1)},
    )


def gated(task_id: str, *, deferrable: bool, retries: int = 0) -> PaddleFlowCreateRunOperator:
    return PaddleFlowCreateRunOperator(
        task_id=task_id,
        run_yaml_raw=run_yaml(task_id, GATED),
        poll_interval=POLL,
        deferrable=deferrable,
        retries=retries,
    )


# Deferrable create, then a deferrable run sensor and log sensor on the created run.
with _dag("e2e_happy"):
    _create = PaddleFlowCreateRunOperator(
        task_id="happy_create",
        run_yaml_raw=run_yaml("happy", SIX, prep=True),
        poll_interval=POLL,
        deferrable=True,
    )
    _status = PaddleFlowRunSensor(
        task_id="happy_status", run_id=_create.output, poke_interval=POLL, deferrable=True, timeout=300
    )
    _log = PaddleFlowRunLogSensor(
        task_id="happy_log",
        run_id=_create.output,
        pattern=r"tick 6",
        poke_interval=POLL,
        deferrable=True,
        timeout=300,
    )
    _create >> [_status, _log]

with _dag("e2e_mark_sync"):
    gated("mark_sync_create", deferrable=False)
with _dag("e2e_mark_deferred"):
    gated("mark_deferred_create", deferrable=True)
with _dag("e2e_mark_success"):
    gated("mark_success_create", deferrable=True)
with _dag("e2e_kill"):
    gated("kill_create", deferrable=False, retries=1)
with _dag("e2e_clear"):
    gated("clear_create", deferrable=True)
with _dag("e2e_triggerer_restart"):
    gated("trigger_restart_create", deferrable=True)
# Celery: a retry on the other worker, and a worker lost while its task waits.
with _dag("e2e_other_worker"):
    gated("other_worker_create", deferrable=False, retries=1)
with _dag("e2e_worker_loss"):
    gated("worker_loss_create", deferrable=False, retries=1)
