"""DAGs for the operator faults seen in a real deployment (clear, extra link, kill): each holds its
run open until the test lets it go, so the test can act while the task is still waiting."""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG

from paddleflow_provider.operators.run import PaddleFlowCreateRunOperator

POLL = 0.2

# Runs until the flag file named in the DAG run conf exists (the test creates it).
HELD_YAML = """\
name: held_demo
docker_env: python:3.11
entry_points:
  hold:
    command: "echo holding; while [ ! -f {{ dag_run.conf['flag'] }} ]; do sleep 0.1; done; echo released"
"""


def _dag(dag_id: str) -> DAG:
    return DAG(dag_id=dag_id, schedule=None, start_date=datetime(2026, 1, 1), catchup=False)


with _dag("pf_ops_held_sync") as pf_ops_held_sync:
    PaddleFlowCreateRunOperator(
        task_id="create", run_yaml_raw=HELD_YAML, poll_interval=POLL, deferrable=False
    )
