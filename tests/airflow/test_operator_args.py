"""Parse-time argument checks of the run operators and the sensors (no server): each names the
argument and what is accepted; templated values wait for rendering."""

from __future__ import annotations

import pytest


def _create(**kwargs):
    from paddleflow_provider.operators.run import PaddleFlowCreateRunOperator

    return PaddleFlowCreateRunOperator(task_id="t", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "no run source"),
        ({"run_yaml_raw": "a: 1", "pipeline_id": "ppl-000001"}, "exactly one run source"),
        ({"run_yaml_raw": 42}, "run_yaml_raw must be str or bytes"),
        ({"pipeline_version_id": "2", "fs_name": "fs"}, "'pipeline_version_id': needs pipeline_id"),
        ({"run_yaml_raw": "a: 1", "failure_options": {"strategy": "retry"}}, "failure_options"),
        ({"run_yaml_raw": "a: 1", "run_name": "1-bad name"}, "run_name"),
        ({"run_yaml_raw": "a: 1", "param": ["x"]}, "param must be a dict"),
        ({"run_yaml_raw": "a: 1", "poll_interval": -5}, "poll_interval"),
        ({"run_yaml_raw": "a: 1", "timeout": "1h"}, "timeout"),
        ({"run_yaml_raw": "a: 1", "wait_for_completion": "yes"}, "wait_for_completion"),
        ({"run_yaml_raw": "a: 1", "paddleflow_conn_id": ""}, "paddleflow_conn_id"),
        ({"run_yaml_raw": "a: 1", "reattach": 1}, "reattach"),
    ],
)
def test_create_operator_argument_checks(kwargs, message):
    with pytest.raises(ValueError, match=message):
        _create(**kwargs)


def test_create_operator_accepts_each_source_and_normalises_failure_strategy():
    assert _create(run_yaml_raw=b"name: x").run_yaml_raw == b"name: x"
    assert _create(run_yaml_path="./run.yaml", fs_name="fs").run_yaml_path == "./run.yaml"
    assert _create(pipeline_id="ppl-000001", pipeline_version_id="2").pipeline_version_id == "2"
    assert _create(fs_name="fs").fs_name == "fs"
    assert _create(run_yaml_raw="a: 1", failure_options="continue").failure_options == {
        "strategy": "continue"
    }


def test_default_run_name_is_valid_and_stable():
    import re

    from paddleflow_provider.runs.identity import default_run_name

    name = default_run_name("group.1 task!", "0123456789abcdef")
    assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]{0,127}", name)
    assert name == default_run_name("group.1 task!", "0123456789abcdef")
    assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]{0,127}", default_run_name("9" * 300, "ab"))


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        ("PaddleFlowStopRunOperator", {"run_id": ""}, "run_id"),
        ("PaddleFlowStopRunOperator", {"run_id": "run-1", "force": "yes"}, "force"),
        ("PaddleFlowDeleteRunOperator", {"run_id": "run-1", "check_cache": "no"}, "check_cache"),
        ("PaddleFlowRetryRunOperator", {"run_id": " "}, "run_id"),
    ],
)
def test_run_id_operators_argument_checks(cls, kwargs, message):
    from paddleflow_provider.operators import run

    with pytest.raises(ValueError, match=message):
        getattr(run, cls)(task_id="t", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"run_id": ""}, "run_id"),
        ({"run_id": "r", "target_statuses": ["done"]}, "target_statuses"),
        ({"run_id": "r", "failure_statuses": ["oops"]}, "failure_statuses"),
        ({"run_id": "r", "target_statuses": ["failed"], "failure_statuses": ["failed"]}, "overlap"),
        ({"run_id": "r", "target_statuses": []}, "at least one"),
    ],
)
def test_run_sensor_argument_checks(kwargs, message):
    from paddleflow_provider.sensors.run import PaddleFlowRunSensor

    with pytest.raises(ValueError, match=message):
        PaddleFlowRunSensor(task_id="s", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"run_id": "r", "pattern": "("}, "pattern"),
        ({"run_id": "r", "pattern": ""}, "pattern"),
        ({"run_id": "r", "pattern": "x", "fail_on_run_end": "no"}, "fail_on_run_end"),
        ({"run_id": "r", "pattern": "x", "job_id": ""}, "job_id"),
    ],
)
def test_log_sensor_argument_checks(kwargs, message):
    from paddleflow_provider.sensors.log import PaddleFlowRunLogSensor

    with pytest.raises(ValueError, match=message):
        PaddleFlowRunLogSensor(task_id="s", **kwargs)


def test_deferrable_defaults_to_the_airflow_setting(monkeypatch):
    from paddleflow_provider.sensors.run import PaddleFlowRunSensor

    monkeypatch.setenv("AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE", "True")
    assert PaddleFlowRunSensor(task_id="s", run_id="r").deferrable is True
    assert _create(run_yaml_raw="a: 1").deferrable is True
    monkeypatch.setenv("AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE", "False")
    assert _create(run_yaml_raw="a: 1").deferrable is False


# -- the operators' checks are the client's rules ------------------------------------------------

SCHEDULE = {"name": "s1", "pipeline_id": "ppl-1", "pipeline_version_id": "1", "crontab": "@daily"}
QUEUE = {"name": "q1", "namespace": "default", "cpu": "1", "mem": "1Gi"}
CLUSTER = {"clustername": "c1", "endpoint": "https://k", "clustertype": "Local"}

# (operator module, class, kwargs, client method): one bad value, given to both.
SAME_RULE = [
    ("run", "PaddleFlowCreateRunOperator", {"fs_name": "fs1", "run_name": "1bad"}, "create_run"),
    (
        "run",
        "PaddleFlowCreateRunOperator",
        {"fs_name": "fs1", "failure_options": {"strategy": "never"}},
        "create_run",
    ),
    ("run", "PaddleFlowCreateRunOperator", {"fs_name": "fs1", "disabled": 5}, "create_run"),
    ("run", "PaddleFlowCreateRunOperator", {"run_yaml_path": "./run.yaml"}, "create_run"),
    ("run", "PaddleFlowCreateRunOperator", {"pipeline_version_id": "1", "fs_name": "fs1"}, "create_run"),
    ("run", "PaddleFlowCreateRunOperator", {"run_yaml_raw": "a: 1", "pipeline_id": "p"}, "create_run"),
    ("schedule", "PaddleFlowCreateScheduleOperator", {**SCHEDULE, "name": "s"}, "create_schedule"),
    (
        "schedule",
        "PaddleFlowCreateScheduleOperator",
        {**SCHEDULE, "crontab": "61 * * * *"},
        "create_schedule",
    ),
    (
        "schedule",
        "PaddleFlowCreateScheduleOperator",
        {**SCHEDULE, "start_time": "2024/01/01"},
        "create_schedule",
    ),
    (
        "schedule",
        "PaddleFlowCreateScheduleOperator",
        {**SCHEDULE, "start_time": "2024-01-02 00:00:00", "end_time": "2024-01-01 00:00:00"},
        "create_schedule",
    ),
    (
        "schedule",
        "PaddleFlowCreateScheduleOperator",
        {**SCHEDULE, "concurrency_policy": "all"},
        "create_schedule",
    ),
    ("queue", "PaddleFlowCreateQueueOperator", {**QUEUE, "name": "Bad_Name"}, "create_queue"),
    ("queue", "PaddleFlowCreateQueueOperator", {**QUEUE, "namespace": "NS!"}, "create_queue"),
    ("queue", "PaddleFlowCreateQueueOperator", {**QUEUE, "mem": " "}, "create_queue"),
    ("queue", "PaddleFlowCreateQueueOperator", {**QUEUE, "quota_type": "hard"}, "create_queue"),
    (
        "cluster",
        "PaddleFlowCreateClusterOperator",
        {**CLUSTER, "clustertype": "Openshift"},
        "create_cluster",
    ),
    (
        "cluster",
        "PaddleFlowCreateClusterOperator",
        {**CLUSTER, "clustertype": "Kubernetes"},
        "create_cluster",
    ),
    ("cluster", "PaddleFlowCreateClusterOperator", {**CLUSTER, "clustername": "-c1"}, "create_cluster"),
    ("cluster", "PaddleFlowCreateClusterOperator", {**CLUSTER, "status": "broken"}, "create_cluster"),
]


@pytest.mark.parametrize(("module", "cls", "kwargs", "method"), SAME_RULE, ids=lambda v: str(v)[:40])
def test_operators_reject_at_parse_time_what_the_client_rejects(module, cls, kwargs, method):
    import importlib

    from paddleflow_provider.client import Client, InvalidArgumentError

    with pytest.raises(InvalidArgumentError) as client_err:
        api = Client("127.0.0.1", "root", "paddleflow", "1").api  # nothing is sent: checks come first
        getattr(api, method)(**kwargs)
    operator = getattr(importlib.import_module(f"paddleflow_provider.operators.{module}"), cls)
    with pytest.raises(ValueError) as operator_err:
        operator(task_id="t", **kwargs)
    assert str(operator_err.value) == str(client_err.value)  # one rule, one message
    assert repr(client_err.value.argument)[1:-1] in str(operator_err.value)


def test_templated_values_wait_for_the_client_at_execute():
    from paddleflow_provider.operators.queue import PaddleFlowCreateQueueOperator
    from paddleflow_provider.operators.run import PaddleFlowCreateRunOperator
    from paddleflow_provider.operators.schedule import PaddleFlowCreateScheduleOperator

    PaddleFlowCreateRunOperator(
        task_id="r", fs_name="fs1", run_name="{{ params.name }}", failure_options="{{ params.strategy }}"
    )
    PaddleFlowCreateScheduleOperator(
        task_id="s", **{**SCHEDULE, "name": "{{ params.n }}", "crontab": "{{ params.cron }}"}
    )
    PaddleFlowCreateQueueOperator(
        task_id="q", **{**QUEUE, "name": "{{ params.q }}", "cpu": "{{ params.cpu }}"}
    )
