"""DAGs for the management operators (pipelines, schedules, queues, storage, clusters), run with
``dag.test()`` against the emulator by tests/airflow/test_admin_dags.py.

Each DAG walks one object through its life: create, create again with ``if_exists="reuse"``
(a retried task), change, delete, delete again (the default ``if_missing="ignore"``); the
``*_refused`` tasks show the default ``if_exists="fail"``, ``if_missing="fail"`` and a same-name
object with another definition.
Names carry ``{{ ts_nodash }}`` so every test run makes fresh objects.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from airflow.providers.common.compat.sdk import DAG

from paddleflow_provider.example_dags.example_paddleflow_pipeline import dag as _example_pipeline
from paddleflow_provider.operators.cluster import (
    PaddleFlowCreateClusterOperator,
    PaddleFlowDeleteClusterOperator,
    PaddleFlowUpdateClusterOperator,
)
from paddleflow_provider.operators.fs import (
    PaddleFlowCreateFsOperator,
    PaddleFlowCreateLinkOperator,
    PaddleFlowDeleteFsOperator,
    PaddleFlowDeleteLinkOperator,
)
from paddleflow_provider.operators.pipeline import (
    PaddleFlowCreatePipelineOperator,
    PaddleFlowDeletePipelineOperator,
    PaddleFlowDeletePipelineVersionOperator,
    PaddleFlowUpdatePipelineOperator,
)
from paddleflow_provider.operators.queue import (
    PaddleFlowCreateQueueOperator,
    PaddleFlowDeleteQueueOperator,
    PaddleFlowGrantQueueOperator,
    PaddleFlowStopQueueOperator,
    PaddleFlowUngrantQueueOperator,
)
from paddleflow_provider.operators.schedule import (
    PaddleFlowCreateScheduleOperator,
    PaddleFlowDeleteScheduleOperator,
    PaddleFlowStopScheduleOperator,
)
from paddleflow_provider.sensors.run import PaddleFlowRunSensor

try:
    from airflow.providers.standard.operators.python import PythonOperator
except ImportError:  # Airflow 2.11 without the standard provider
    from airflow.operators.python import PythonOperator

START = datetime(2026, 1, 1)
#: The secrets the tests look for everywhere (logs, XCom, rendered fields, serialized DAG).
S3_SECRET_KEY = "s3-secret-Zq81xPw"
CLUSTER_CREDENTIAL = "kube-credential-Hx29vLm"  # a test value
GRANTEE = "airflowu1"

PIPELINE_YAML = """\
name: ppl_{{ ts_nodash }}
docker_env: python:3.11
entry_points:
  train:
    parameters:
      epochs: 2
    command: "echo epochs {{epochs}}"
"""
PIPELINE_YAML_V2 = PIPELINE_YAML.replace("epochs: 2", "epochs: 3")
ALL_DONE = {"trigger_rule": "all_done"}


def _dag(dag_id: str) -> DAG:
    return DAG(dag_id=dag_id, schedule=None, start_date=START, catchup=False)


with _dag("pf_admin_pipeline") as pf_admin_pipeline:
    create = PaddleFlowCreatePipelineOperator(task_id="create", yaml_raw=PIPELINE_YAML, desc="from {{ ds }}")
    create_again = PaddleFlowCreatePipelineOperator(
        task_id="create_again", yaml_raw=PIPELINE_YAML, if_exists="reuse"
    )
    create_refused = PaddleFlowCreatePipelineOperator(task_id="create_refused", yaml_raw=PIPELINE_YAML)
    same = PaddleFlowUpdatePipelineOperator(
        task_id="update_unchanged", pipeline_id=create.output, yaml_raw=PIPELINE_YAML, if_unchanged="reuse"
    )
    update = PaddleFlowUpdatePipelineOperator(
        task_id="update", pipeline_id=create.output, yaml_raw=PIPELINE_YAML_V2, if_unchanged="reuse"
    )
    other_refused = PaddleFlowCreatePipelineOperator(
        task_id="other_refused", yaml_raw=PIPELINE_YAML.replace("epochs: 2", "epochs: 9"), if_exists="reuse"
    )
    schedule = PaddleFlowCreateScheduleOperator(
        task_id="schedule",
        name="sch_{{ ts_nodash }}",
        pipeline_id=create.output,
        pipeline_version_id=update.output,
        crontab="@every 1h",
        concurrency=1,
    )
    schedule_again = PaddleFlowCreateScheduleOperator(
        task_id="schedule_again",
        name="sch_{{ ts_nodash }}",
        pipeline_id=create.output,
        pipeline_version_id=update.output,
        crontab="@every 1h",
        concurrency=1,
        if_exists="reuse",
    )
    schedule_refused = PaddleFlowCreateScheduleOperator(
        task_id="schedule_refused",
        name="sch_{{ ts_nodash }}",
        pipeline_id=create.output,
        pipeline_version_id=update.output,
        crontab="@every 2h",
        if_exists="reuse",
    )
    stop = PaddleFlowStopScheduleOperator(task_id="stop_schedule", schedule_id=schedule.output)
    stop_again = PaddleFlowStopScheduleOperator(task_id="stop_schedule_again", schedule_id=schedule.output)
    delete_schedule = PaddleFlowDeleteScheduleOperator(task_id="delete_schedule", schedule_id=schedule.output)
    delete_schedule_again = PaddleFlowDeleteScheduleOperator(
        task_id="delete_schedule_again", schedule_id=schedule.output
    )
    delete_version = PaddleFlowDeletePipelineVersionOperator(
        task_id="delete_version", pipeline_id=create.output, pipeline_version_id="1"
    )
    delete = PaddleFlowDeletePipelineOperator(task_id="delete", pipeline_id=create.output)
    delete_again = PaddleFlowDeletePipelineOperator(task_id="delete_again", pipeline_id=create.output)
    delete_refused = PaddleFlowDeletePipelineOperator(
        task_id="delete_refused", pipeline_id=create.output, if_missing="fail", **ALL_DONE
    )
    create >> create_again >> create_refused
    create_again >> same >> update >> other_refused
    update >> schedule >> schedule_again >> schedule_refused
    schedule_again >> stop >> stop_again >> delete_schedule >> delete_schedule_again
    delete_schedule_again >> delete_version >> delete >> delete_again >> delete_refused


with _dag("pf_admin_queue") as pf_admin_queue:
    queue = "q-{{ ts_nodash | lower }}"
    spec = {"name": queue, "namespace": "default", "cpu": "2", "mem": "2Gi"}
    create = PaddleFlowCreateQueueOperator(task_id="create", **spec)
    create_again = PaddleFlowCreateQueueOperator(task_id="create_again", if_exists="reuse", **spec)
    create_refused = PaddleFlowCreateQueueOperator(task_id="create_refused", **spec)
    bigger_refused = PaddleFlowCreateQueueOperator(
        task_id="bigger_refused", if_exists="reuse", **{**spec, "cpu": "4"}
    )
    grant = PaddleFlowGrantQueueOperator(task_id="grant", username=GRANTEE, queuename=create.output)
    grant_again = PaddleFlowGrantQueueOperator(
        task_id="grant_again", username=GRANTEE, queuename=create.output, if_exists="reuse"
    )
    ungrant = PaddleFlowUngrantQueueOperator(task_id="ungrant", username=GRANTEE, queuename=create.output)
    ungrant_again = PaddleFlowUngrantQueueOperator(
        task_id="ungrant_again", username=GRANTEE, queuename=create.output, if_missing="ignore"
    )
    stop = PaddleFlowStopQueueOperator(task_id="stop", queuename=create.output)
    delete = PaddleFlowDeleteQueueOperator(task_id="delete", queuename=create.output)
    delete_refused = PaddleFlowDeleteQueueOperator(
        task_id="delete_refused", queuename=create.output, if_missing="fail"
    )
    delete_again = PaddleFlowDeleteQueueOperator(task_id="delete_again", queuename=create.output, **ALL_DONE)
    create >> create_again >> [create_refused, bigger_refused]
    create_again >> grant >> grant_again >> ungrant >> ungrant_again >> stop >> delete
    delete >> delete_refused >> delete_again


def _leak_secrets() -> None:
    """Log the secrets the way a careless callback might: the masker must hide them."""
    logging.getLogger("airflow.task").info("leak check: %s %s", S3_SECRET_KEY, CLUSTER_CREDENTIAL)


with _dag("pf_admin_storage") as pf_admin_storage:
    fs = "fs_{{ ts_nodash }}"
    props = {"accessKey": "AKIDEXAMPLE", "secretKey": S3_SECRET_KEY, "endpoint": "s3.example.com"}
    create_fs = PaddleFlowCreateFsOperator(
        task_id="create_fs", fsname=fs, url="s3://bucket/data", properties=props
    )
    create_fs_again = PaddleFlowCreateFsOperator(
        task_id="create_fs_again", fsname=fs, url="s3://bucket/data", properties=props, if_exists="reuse"
    )
    link = {"fsname": create_fs.output, "fspath": "/datasets", "url": "s3://bucket/datasets"}
    create_link = PaddleFlowCreateLinkOperator(task_id="create_link", properties=props, **link)
    create_link_again = PaddleFlowCreateLinkOperator(
        task_id="create_link_again", properties=props, if_exists="reuse", **link
    )
    delete_link = PaddleFlowDeleteLinkOperator(
        task_id="delete_link", fsname=create_fs.output, fspath="/datasets"
    )
    delete_link_again = PaddleFlowDeleteLinkOperator(
        task_id="delete_link_again", fsname=create_fs.output, fspath="/datasets", if_missing="ignore"
    )
    delete_fs = PaddleFlowDeleteFsOperator(task_id="delete_fs", fsname=create_fs.output)
    delete_fs_again = PaddleFlowDeleteFsOperator(
        task_id="delete_fs_again", fsname=create_fs.output, if_missing="ignore"
    )
    cluster = "c_{{ ts_nodash }}"
    create_cluster = PaddleFlowCreateClusterOperator(
        task_id="create_cluster",
        clustername=cluster,
        endpoint="127.0.0.1",
        clustertype="Local",
        credential=CLUSTER_CREDENTIAL,
    )
    create_cluster_again = PaddleFlowCreateClusterOperator(
        task_id="create_cluster_again",
        clustername=cluster,
        endpoint="127.0.0.1",
        clustertype="Local",
        credential=CLUSTER_CREDENTIAL,
        if_exists="reuse",
    )
    create_cluster_refused = PaddleFlowCreateClusterOperator(
        task_id="create_cluster_refused", clustername=cluster, endpoint="127.0.0.1", clustertype="Local"
    )
    update_cluster = PaddleFlowUpdateClusterOperator(
        task_id="update_cluster",
        clustername=cluster,
        description="updated {{ ds }}",
        credential=CLUSTER_CREDENTIAL,
    )
    leak = PythonOperator(task_id="leak", python_callable=_leak_secrets)
    delete_cluster = PaddleFlowDeleteClusterOperator(task_id="delete_cluster", clustername=cluster)
    delete_cluster_again = PaddleFlowDeleteClusterOperator(
        task_id="delete_cluster_again", clustername=cluster, if_missing="ignore"
    )
    create_fs >> create_fs_again >> create_link >> create_link_again >> delete_link >> delete_link_again
    delete_link_again >> delete_fs >> delete_fs_again
    create_cluster >> create_cluster_again >> [create_cluster_refused, update_cluster]
    update_cluster >> leak >> delete_cluster >> delete_cluster_again
    create_link_again >> leak


#: A user who is not root (tests/airflow/test_fail_at_once.py creates it and its connection).
PLAIN_USER_CONN = "paddleflow_plain_user"
#: root, with one attempt per request: the client gives a transient error straight to Airflow.
ONE_ATTEMPT_CONN = "paddleflow_one_attempt"
MISSING_RUN = "run-999999"
TRANSIENT_QUEUE = "q-transient"
RETRIES = {"retries": 2, "retry_delay": timedelta(seconds=0)}

with _dag("pf_fail_at_once") as pf_fail_at_once:
    # Refused for good (OnlyRootAllowed, NotFound): one attempt each, no Airflow retry.
    PaddleFlowCreateClusterOperator(
        task_id="create_cluster_as_user",
        clustername="c-{{ ts_nodash }}",
        endpoint="127.0.0.1",
        clustertype="Local",
        paddleflow_conn_id=PLAIN_USER_CONN,
        **RETRIES,
    )
    PaddleFlowRunSensor(
        task_id="watch_missing_run", run_id=MISSING_RUN, poke_interval=0.1, deferrable=False, **RETRIES
    )
    # A transient failure (503 every time, one client attempt): Airflow's retries still run.
    PaddleFlowStopQueueOperator(
        task_id="stop_queue_transient",
        queuename=TRANSIENT_QUEUE,
        paddleflow_conn_id=ONE_ATTEMPT_CONN,
        **RETRIES,
    )


# The shipped example, run from here (Airflow 3 test-runs DAGs from the DAGs folder only).
pf_example_pipeline = _example_pipeline
