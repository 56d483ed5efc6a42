"""Test DAGs: the log sensor matches ``^``/``$``-anchored patterns against the line as the step printed it.

The step prints a decoy with the wanted text mid-line, then the wanted line; the server stamps each
line with an RFC 3339 prefix. One DAG per sensor mode: poke, reschedule and deferrable.
"""

from __future__ import annotations

from datetime import datetime

from airflow import DAG

from paddleflow_provider.operators.run import PaddleFlowCreateRunOperator
from paddleflow_provider.sensors.log import PaddleFlowRunLogSensor

ANCHORED_YAML = """\
name: anchored_demo
docker_env: python:3.11
entry_points:
  train:
    command: "echo 'decoy: READY acc=0.10 (mid-line)'; sleep 0.5; echo 'READY acc=0.93'; sleep 0.5"
"""

SENSOR_MODES = {
    "poke": {"mode": "poke"},
    "reschedule": {"mode": "reschedule"},
    "deferrable": {"deferrable": True},
}

for _name, _mode in SENSOR_MODES.items():
    with DAG(
        dag_id=f"pf_anchored_log_{_name}", schedule=None, start_date=datetime(2026, 1, 1), catchup=False
    ) as _dag:
        _create = PaddleFlowCreateRunOperator(
            task_id="create", run_yaml_raw=ANCHORED_YAML, wait_for_completion=False
        )
        PaddleFlowRunLogSensor(
            task_id="log",
            run_id=_create.output,
            pattern=r"^READY acc=(\S+)$",
            poke_interval=0.3,
            timeout=60,
            **_mode,
        ).set_upstream(_create)
    globals()[_dag.dag_id] = _dag
