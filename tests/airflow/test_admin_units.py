"""No-server checks of the management operators: argument checks name the argument and the
accepted values, secrets are not templated, and the "create or reuse" / "delete or ignore" rules."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from paddleflow_provider.operators import cluster, fs, pipeline, queue, schedule
from paddleflow_provider.operators._base import PaddleFlowObjectExistsError, PaddleFlowObjectMissingError

YAML = "name: p1\nentry_points:\n  a:\n    command: echo\n"
SCHEDULE = {"name": "s1", "pipeline_id": "ppl-1", "pipeline_version_id": "1", "crontab": "@every 1h"}
QUEUE = {"name": "q1", "namespace": "default", "cpu": "2", "mem": "2Gi"}
CLUSTER = {"clustername": "c1", "endpoint": "127.0.0.1", "clustertype": "Local"}


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        (pipeline.PaddleFlowCreatePipelineOperator, {}, "a yaml source is required"),
        (pipeline.PaddleFlowCreatePipelineOperator, {"yaml_raw": YAML, "fs_name": "f"}, "not both"),
        (pipeline.PaddleFlowCreatePipelineOperator, {"yaml_raw": 3}, "'yaml_raw': must be str or bytes"),
        (
            pipeline.PaddleFlowCreatePipelineOperator,
            {"yaml_raw": YAML, "if_exists": "skip"},
            "if_exists must be one of 'fail', 'reuse'",
        ),
        (
            pipeline.PaddleFlowUpdatePipelineOperator,
            {"pipeline_id": "", "yaml_raw": YAML},
            "pipeline_id is required",
        ),
        (
            pipeline.PaddleFlowUpdatePipelineOperator,
            {"pipeline_id": "p", "yaml_raw": YAML, "if_unchanged": "x"},
            "if_unchanged must be one of 'new_version', 'reuse'",
        ),
        (pipeline.PaddleFlowDeletePipelineOperator, {"pipeline_id": None}, "pipeline_id is required"),
        (
            pipeline.PaddleFlowDeletePipelineOperator,
            {"pipeline_id": "p", "if_missing": "skip"},
            "if_missing must be one of 'fail', 'ignore'",
        ),
        (
            pipeline.PaddleFlowDeletePipelineVersionOperator,
            {"pipeline_id": "p", "pipeline_version_id": " "},
            "pipeline_version_id is required",
        ),
        (schedule.PaddleFlowCreateScheduleOperator, {**SCHEDULE, "crontab": ""}, "crontab is required"),
        (
            schedule.PaddleFlowCreateScheduleOperator,
            {**SCHEDULE, "concurrency": -1},
            "'concurrency': an integer >= 0",
        ),
        (
            schedule.PaddleFlowCreateScheduleOperator,
            {**SCHEDULE, "expire_interval": 1.5},
            "'expire_interval': an integer >= 0",
        ),
        (
            schedule.PaddleFlowCreateScheduleOperator,
            {**SCHEDULE, "concurrency_policy": "queue"},
            "'concurrency_policy': accepted values: suspend, replace, skip",
        ),
        (
            schedule.PaddleFlowCreateScheduleOperator,
            {**SCHEDULE, "catchup": "yes"},
            "'catchup': must be True, False or None",
        ),
        (schedule.PaddleFlowStopScheduleOperator, {"schedule_id": ""}, "schedule_id is required"),
        (
            schedule.PaddleFlowDeleteScheduleOperator,
            {"schedule_id": "s", "stop": 1},
            "stop must be True or False",
        ),
        (
            queue.PaddleFlowCreateQueueOperator,
            {**QUEUE, "cpu": ""},
            "'cpu': a quantity such as 4, '500m' or '8Gi' is required",
        ),
        (queue.PaddleFlowCreateQueueOperator, {**QUEUE, "namespace": None}, "namespace is required"),
        (
            queue.PaddleFlowCreateQueueOperator,
            {**QUEUE, "scalar_resources": ["gpu"]},
            "scalar_resources must be a dict",
        ),
        (
            queue.PaddleFlowCreateQueueOperator,
            {**QUEUE, "scheduling_policy": "priority"},
            "scheduling_policy must be a list",
        ),
        (queue.PaddleFlowStopQueueOperator, {"queuename": ""}, "queuename is required"),
        (
            queue.PaddleFlowDeleteQueueOperator,
            {"queuename": "q", "if_missing": True},
            "if_missing must be one of",
        ),
        (queue.PaddleFlowGrantQueueOperator, {"username": "", "queuename": "q"}, "username is required"),
        (queue.PaddleFlowUngrantQueueOperator, {"username": "u", "queuename": ""}, "queuename is required"),
        (
            fs.PaddleFlowCreateFsOperator,
            {"fsname": "f", "url": "bucket/dir"},
            "url must look like <type>://<path>",
        ),
        (
            fs.PaddleFlowCreateFsOperator,
            {"fsname": "f", "url": "s3://b/d", "properties": "k=v"},
            "properties must be a dict",
        ),
        (fs.PaddleFlowCreateFsOperator, {"fsname": "", "url": "s3://b/d"}, "fsname is required"),
        (fs.PaddleFlowDeleteFsOperator, {"fsname": "f", "username": 3}, "username must be a string"),
        (
            fs.PaddleFlowCreateLinkOperator,
            {"fsname": "f", "fspath": "", "url": "s3://b/d"},
            "fspath is required",
        ),
        (fs.PaddleFlowDeleteLinkOperator, {"fsname": "f", "fspath": None}, "fspath is required"),
        (
            cluster.PaddleFlowCreateClusterOperator,
            {**CLUSTER, "clustertype": "kubernetes"},
            "'clustertype': accepted values: Kubernetes, K3S, Local",
        ),
        (cluster.PaddleFlowCreateClusterOperator, {**CLUSTER, "endpoint": ""}, "endpoint is required"),
        (
            cluster.PaddleFlowCreateClusterOperator,
            {**CLUSTER, "credential": 42},
            "credential must be str, bytes or None",
        ),
        (
            cluster.PaddleFlowCreateClusterOperator,
            {**CLUSTER, "status": "up"},
            "'status': accepted values: online, offline",
        ),
        (
            cluster.PaddleFlowCreateClusterOperator,
            {**CLUSTER, "namespacelist": "default"},
            "namespacelist must be a list",
        ),
        (
            cluster.PaddleFlowUpdateClusterOperator,
            {"clustername": "c1", "clustertype": "k3s"},
            "'clustertype': accepted values",
        ),
        (cluster.PaddleFlowDeleteClusterOperator, {"clustername": ""}, "clustername is required"),
        (
            cluster.PaddleFlowDeleteClusterOperator,
            {"clustername": "c", "paddleflow_conn_id": ""},
            "paddleflow_conn_id must be a non-empty string",
        ),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else None,
)
def test_argument_checks_name_the_argument(cls, kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cls(task_id="t", **kwargs)


def test_templates_and_xcomargs_pass_the_checks():
    op = schedule.PaddleFlowCreateScheduleOperator(
        task_id="t", **{**SCHEDULE, "pipeline_id": "{{ ti.xcom_pull('p') }}", "concurrency": "{{ params.n }}"}
    )
    assert op.pipeline_id.startswith("{{")


def test_secrets_are_never_templated_fields():
    secret_bearing = {
        fs.PaddleFlowCreateFsOperator: "properties",
        fs.PaddleFlowCreateLinkOperator: "properties",
        cluster.PaddleFlowCreateClusterOperator: "credential",
        cluster.PaddleFlowUpdateClusterOperator: "credential",
    }
    for cls, field in secret_bearing.items():
        assert field not in cls.template_fields, cls.__name__


def _op(cls, **kwargs):
    return cls(task_id="t", **kwargs)


def test_create_or_reuse_rules():
    from paddleflow_provider.client import ConflictError

    def conflict():
        raise ConflictError(
            "already there", status_code=400, code="DuplicatedName", request_id=None, body=None
        )

    op = _op(queue.PaddleFlowCreateQueueOperator, **QUEUE)
    assert op.create_or_reuse("q", lambda: "new", lambda: (None, None)) == "new"
    with pytest.raises(
        PaddleFlowObjectExistsError, match=r"pass if_exists='reuse'.*accepted values: 'fail', 'reuse'"
    ):
        op.create_or_reuse("q", conflict, lambda: ("q1", None))
    op = _op(queue.PaddleFlowCreateQueueOperator, if_exists="reuse", **QUEUE)
    assert op.create_or_reuse("q", conflict, lambda: ("q1", None)) == "q1"
    with pytest.raises(PaddleFlowObjectExistsError, match=r"different definition \(cpu '4' != '2'\)"):
        op.create_or_reuse("q", conflict, lambda: ("q1", "cpu '4' != '2'"))


def test_delete_or_ignore_rules():
    from paddleflow_provider.client import NotFoundError

    def gone():
        raise NotFoundError(
            "no such queue", status_code=400, code="QueueNameNotFound", request_id=None, body=None
        )

    # The default counts a missing object as deleted; "fail" names the object and the choices.
    assert _op(queue.PaddleFlowDeleteQueueOperator, queuename="q").delete_or_ignore("queue q", gone) is False
    with pytest.raises(
        PaddleFlowObjectMissingError,
        match=r"^queue q does not exist \(no such queue\), so there is nothing to delete; "
        r"if_missing='fail' makes that an error \(accepted values: 'fail', 'ignore'",
    ):
        _op(queue.PaddleFlowDeleteQueueOperator, queuename="q", if_missing="fail").delete_or_ignore(
            "queue q", gone
        )
    assert _op(queue.PaddleFlowDeleteQueueOperator, queuename="q").delete_or_ignore("q", lambda: None) is True


def test_schedule_difference_lists_what_differs():
    op = _op(schedule.PaddleFlowCreateScheduleOperator, concurrency=2, **SCHEDULE)
    item = SimpleNamespace(
        status="running",
        pipeline_id="ppl-1",
        pipeline_version_id="1",
        crontab="@every 2h",
        options={"concurrency": 2, "concurrencyPolicy": "suspend"},
    )
    assert op._difference(item) == "crontab '@every 2h' != '@every 1h'"
    item.crontab = "@every 1h"
    assert op._difference(item) is None
    item.status = "terminated"
    assert op._difference(item) == "it is terminated; delete it first"


def test_storage_difference():
    assert fs.storage_difference("s3://bucket/data", "s3", "/data") is None
    assert fs.storage_difference("local://data/fs1", "local", "/data/fs1") is None
    assert fs.storage_difference("s3://bucket/data", "hdfs", "/data") == "type 'hdfs' != 's3'"
    assert "path '/other'" in fs.storage_difference("s3://bucket/data", "s3", "/other")


def test_pipeline_definition_ignores_yaml_formatting():
    op = _op(pipeline.PaddleFlowCreatePipelineOperator, yaml_raw=YAML)
    reformatted = SimpleNamespace(pipeline_yaml="name: 'p1'\nentry_points: {a: {command: echo}}\n")
    assert op.same_definition(reformatted)
    assert not op.same_definition(SimpleNamespace(pipeline_yaml=YAML.replace("echo", "ls")))
    by_path = _op(pipeline.PaddleFlowCreatePipelineOperator, fs_name="f", yaml_path="./a.yaml")
    assert by_path.same_definition(SimpleNamespace(fs_name="f", yaml_path="./a.yaml"))
    assert not by_path.same_definition(SimpleNamespace(fs_name="f", yaml_path="./run.yaml"))


def test_operators_make_no_connection_at_parse_time(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_PADDLEFLOW_DEFAULT", raising=False)
    op = _op(cluster.PaddleFlowCreateClusterOperator, credential="secret", **CLUSTER)
    assert "hook" not in vars(op)  # built on first use only
