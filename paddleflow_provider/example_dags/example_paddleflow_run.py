"""Example: submit a multi-step PaddleFlow run, wait on a log line and on its end, show the result.

The run has three steps: ``prep`` -> ``train`` (prints one progress line per epoch; the number of
epochs is a run parameter) -> ``report``. The DAG:

1. ``submit`` creates the run (``param`` overrides ``epochs``) and returns at once, pushing
   ``run_id`` / ``run_url`` (the "PaddleFlow Run" link);
2. ``wait_for_epoch_2`` waits, deferred, until the ``train`` log prints ``epoch 2/...``, and returns
   that line;
3. ``wait_for_run`` waits, deferred, until the run has succeeded;
4. ``show_result`` prints each step's status and the log line the sensor caught.

Run it offline against the bundled emulator with ``python -m paddleflow_provider.example_dags.run_demo``.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG
from airflow.providers.common.compat.standard.operators import PythonOperator

from paddleflow_provider.operators.run import PaddleFlowCreateRunOperator
from paddleflow_provider.sensors.log import PaddleFlowRunLogSensor
from paddleflow_provider.sensors.run import PaddleFlowRunSensor

# [START howto_paddleflow_run_yaml]
RUN_YAML = """\
name: example_train
docker_env: python:3.11
entry_points:
  prep:
    command: "echo preparing data for run {{PF_RUN_ID}}; sleep 1; echo data ready"
  train:
    deps: prep
    parameters:
      epochs: 3
    command: >-
      for i in $(seq 1 {{epochs}}); do echo "epoch $i/{{epochs}} loss=0.$((10 - i))"; sleep 1; done
  report:
    deps: train
    command: "echo model trained by {{PF_USER_NAME}}"
"""
# [END howto_paddleflow_run_yaml]


def show_result(run_id: str, matched: str) -> dict[str, str]:
    """Print what happened; return each step's status (visible as this task's XCom)."""
    from paddleflow_provider.hooks.paddleflow import PaddleFlowHook

    hook = PaddleFlowHook()
    info = hook.api.show_run(run_id)
    steps = {job.step_name: job.status for job in info.iter_jobs()}
    print(f"PaddleFlow run {run_id} {info.status}: {info.message}")
    print(f"  UI: {hook.run_url(run_id)}")
    for step, status in steps.items():
        print(f"  step {step}: {status}")
    print(f"  log sensor caught: {matched}")
    return steps


with DAG(
    dag_id="example_paddleflow_run",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["example", "paddleflow"],
    doc_md=__doc__,
) as dag:
    # [START howto_paddleflow_create_run]
    submit = PaddleFlowCreateRunOperator(
        task_id="submit",
        run_yaml_raw=RUN_YAML,
        param={"epochs": 4},
        desc="example run from Airflow",
        wait_for_completion=False,
    )
    # [END howto_paddleflow_create_run]

    # [START howto_paddleflow_log_sensor]
    wait_for_epoch_2 = PaddleFlowRunLogSensor(
        task_id="wait_for_epoch_2",
        run_id=submit.output,
        pattern=r"epoch 2/\d+",
        deferrable=True,
        poke_interval=1,
        timeout=300,
    )
    # [END howto_paddleflow_log_sensor]

    # [START howto_paddleflow_run_sensor]
    wait_for_run = PaddleFlowRunSensor(
        task_id="wait_for_run",
        run_id=submit.output,
        deferrable=True,
        poke_interval=1,
        timeout=600,
    )
    # [END howto_paddleflow_run_sensor]

    show = PythonOperator(
        task_id="show_result",
        python_callable=show_result,
        op_kwargs={"run_id": submit.output, "matched": wait_for_epoch_2.output},
    )

    submit >> wait_for_epoch_2 >> wait_for_run >> show
