"""DAGs for the OpenLineage tests (tests/airflow/test_openlineage.py), run with ``dag.test()``.

The run's storage and pipeline come from the DAG run conf, so one DAG covers storages of several
kinds. The workflow moves data through artifacts: ``prep`` writes ``train_data``, ``train`` reads
it and writes ``model``; PaddleFlow records each as an artifact event (input or output).
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG

from paddleflow_provider.operators.run import PaddleFlowCreateRunOperator

START = datetime(2026, 1, 1)

ARTIFACT_YAML = """\
name: lineage_demo
docker_env: python:3.11
entry_points:
  prep:
    command: "echo rows > {{train_data}}"
    artifacts:
      output:
      - train_data
  train:
    deps: prep
    command: "cat {{data}} > {{model}}"
    artifacts:
      input:
        data: "{{prep.train_data}}"
      output:
      - model
"""


def _artifacts_dag(dag_id: str, deferrable: bool) -> DAG:
    with DAG(dag_id=dag_id, schedule=None, start_date=START, catchup=False) as dag:
        PaddleFlowCreateRunOperator(
            task_id="train",
            # A run that is still going when the task first looks, so a deferrable task defers.
            run_yaml_raw=ARTIFACT_YAML.replace("cat {{data}}", "sleep 3; cat {{data}}")
            if deferrable
            else ARTIFACT_YAML,
            fs_name="{{ dag_run.conf['fs'] }}",
            poll_interval=0.2,
            deferrable=deferrable,
        )
    return dag


lineage_artifacts = _artifacts_dag("lineage_artifacts", deferrable=False)
# Waits in the trigger; the task resumes in execute_complete, which must still know its run.
lineage_artifacts_deferrable = _artifacts_dag("lineage_artifacts_deferrable", deferrable=True)

with DAG(dag_id="lineage_pipeline", schedule=None, start_date=START, catchup=False) as lineage_pipeline:
    PaddleFlowCreateRunOperator(
        task_id="train",
        pipeline_id="{{ dag_run.conf['pipeline_id'] }}",
        pipeline_version_id="{{ dag_run.conf.get('version', '') }}",
        fs_name="{{ dag_run.conf['fs'] }}",
        poll_interval=0.2,
        deferrable=False,
    )

# ``prep`` writes its artifact, then ``train`` fails: the FAIL event still names what was written.
FAILING_YAML = ARTIFACT_YAML.replace('"cat {{data}} > {{model}}"', '"echo broken; exit 3"')

with DAG(dag_id="lineage_failing", schedule=None, start_date=START, catchup=False) as lineage_failing:
    PaddleFlowCreateRunOperator(
        task_id="train",
        run_yaml_raw=FAILING_YAML,
        fs_name="{{ dag_run.conf['fs'] }}",
        poll_interval=0.2,
        log_tail_lines=0,
        deferrable=False,
    )
