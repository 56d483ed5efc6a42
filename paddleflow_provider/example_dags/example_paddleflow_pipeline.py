"""Example: keep a pipeline and its nightly schedule in place from Airflow, safely re-runnable.

1. ``pipeline`` stores the YAML as a pipeline; on a re-run (or an Airflow retry) the pipeline of
   the same name and YAML is reused instead of failing (``if_exists="reuse"``);
2. ``new_version`` adds a version only if the YAML changed (``if_unchanged="reuse"``);
3. ``schedule`` runs that version every night, again reusing an identical schedule;
4. ``teardown`` (trigger it with ``{"teardown": true}``) stops and deletes the schedule, then the
   pipeline, treating anything already gone as done (``if_missing="ignore"``).
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG
from airflow.providers.common.compat.standard.operators import ShortCircuitOperator

from paddleflow_provider.operators.pipeline import (
    PaddleFlowCreatePipelineOperator,
    PaddleFlowDeletePipelineOperator,
    PaddleFlowUpdatePipelineOperator,
)
from paddleflow_provider.operators.schedule import (
    PaddleFlowCreateScheduleOperator,
    PaddleFlowDeleteScheduleOperator,
)

PIPELINE_YAML = """\
name: nightly_train
docker_env: python:3.11
entry_points:
  train:
    parameters:
      epochs: 3
    command: "for i in $(seq 1 {{epochs}}); do echo epoch $i; done"
"""

with DAG(
    dag_id="example_paddleflow_pipeline",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["example", "paddleflow"],
) as dag:
    # [START howto_paddleflow_pipeline]
    pipeline = PaddleFlowCreatePipelineOperator(task_id="pipeline", yaml_raw=PIPELINE_YAML, if_exists="reuse")
    new_version = PaddleFlowUpdatePipelineOperator(
        task_id="new_version", pipeline_id=pipeline.output, yaml_raw=PIPELINE_YAML, if_unchanged="reuse"
    )
    schedule = PaddleFlowCreateScheduleOperator(
        task_id="schedule",
        name="nightly_train",
        pipeline_id=pipeline.output,
        pipeline_version_id=new_version.output,
        crontab="0 2 * * *",
        concurrency=1,
        if_exists="reuse",
    )
    # [END howto_paddleflow_pipeline]
    teardown = ShortCircuitOperator(
        task_id="teardown", python_callable=lambda **ctx: bool(ctx["dag_run"].conf.get("teardown"))
    )
    delete_schedule = PaddleFlowDeleteScheduleOperator(
        task_id="delete_schedule", schedule_id=schedule.output, stop=True, if_missing="ignore"
    )
    delete_pipeline = PaddleFlowDeletePipelineOperator(
        task_id="delete_pipeline", pipeline_id=pipeline.output, if_missing="ignore"
    )
    schedule >> teardown >> delete_schedule >> delete_pipeline
