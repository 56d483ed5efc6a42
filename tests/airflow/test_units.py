"""No-server checks: argument validation, trigger serialization, connection mapping."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

# -- triggers --------------------------------------------------------------------------------------


def _round_trip(trigger):
    from importlib import import_module

    def import_string(path):
        module, _, name = path.rpartition(".")
        return getattr(import_module(module), name)

    classpath, kwargs = trigger.serialize()
    json.dumps(kwargs)  # plain values only
    rebuilt = import_string(classpath)(**kwargs)
    assert rebuilt.serialize() == (classpath, kwargs)
    return classpath, kwargs


def test_run_trigger_serializes_plain_values_without_secrets(monkeypatch):
    from paddleflow_provider.triggers.run import PaddleFlowRunTrigger

    monkeypatch.setenv(
        "AIRFLOW_CONN_PADDLEFLOW_DEFAULT",
        json.dumps({"conn_type": "paddleflow", "host": "h", "login": "root", "password": "s3cret-pw"}),
    )
    trigger = PaddleFlowRunTrigger(
        run_id="run-000001",
        poll_interval=2,
        deadline=1_900_000_000.5,
        stream_logs=True,
        log_cursor={"job-1": {"lines": 5, "tail": False, "anchor": ["x"], "done": False}},
        stop_on_kill=True,
    )
    classpath, kwargs = _round_trip(trigger)
    assert classpath == "paddleflow_provider.triggers.run.PaddleFlowRunTrigger"
    assert kwargs["deadline"] == 1_900_000_000.5
    assert kwargs["log_cursor"]["job-1"]["lines"] == 5
    assert "s3cret-pw" not in json.dumps(kwargs)
    assert set(kwargs) == {
        "run_id", "paddleflow_conn_id", "poll_interval", "deadline", "target_statuses",
        "failure_statuses", "stream_logs", "log_cursor", "stop_on_kill",
    }  # fmt: skip


def test_log_trigger_round_trip():
    from paddleflow_provider.triggers.log import PaddleFlowRunLogTrigger

    classpath, kwargs = _round_trip(
        PaddleFlowRunLogTrigger(
            run_id="run-000002", pattern=r"epoch \d+", job_id="job-x", fail_on_run_end=False
        )
    )
    assert classpath == "paddleflow_provider.triggers.log.PaddleFlowRunLogTrigger"
    assert kwargs["pattern"] == r"epoch \d+"
    assert kwargs["fail_on_run_end"] is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"run_id": ""}, "run_id"),
        ({"run_id": "r", "poll_interval": -1}, "poll_interval"),
        ({"run_id": "r", "deadline": "tomorrow"}, "deadline"),
        ({"run_id": "r", "target_statuses": ["done"]}, "target_statuses"),
    ],
)
def test_run_trigger_argument_checks(kwargs, message):
    from paddleflow_provider.triggers.run import PaddleFlowRunTrigger

    with pytest.raises(ValueError, match=message):
        PaddleFlowRunTrigger(**kwargs)


def test_log_trigger_rejects_a_bad_regex():
    from paddleflow_provider.triggers.log import PaddleFlowRunLogTrigger

    with pytest.raises(ValueError, match="pattern"):
        PaddleFlowRunLogTrigger(run_id="r", pattern="(unclosed")


# -- operator and sensor argument checks -----------------------------------------------------------


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


# -- connection mapping ----------------------------------------------------------------------------


def _conn(**kw):
    base = {
        "conn_id": "c",
        "host": "pf.example",
        "port": None,
        "login": "u",
        "password": "pw",
        "schema": None,
    }
    base.update(kw)
    extra = base.pop("extra", {})
    return SimpleNamespace(extra_dejson=extra, **base)


def test_connection_maps_to_client_settings():
    from paddleflow_provider.hooks.paddleflow import config_kwargs_from_connection

    kwargs = config_kwargs_from_connection(
        _conn(
            port=443,
            extra={
                "scheme": "https",
                "verify": "false",
                "ca_bundle": "/etc/ca.pem",
                "connect_timeout": "3",
                "read_timeout": 30,
                "max_attempts": "2",
                "max_retry_time": 15,
            },
        )
    )
    assert kwargs == {
        "host": "pf.example",
        "port": "443",
        "username": "u",
        "password": "pw",
        "scheme": "https",
        "verify": False,
        "ca_bundle": "/etc/ca.pem",
        "timeout": (3.0, 30.0),
        "max_attempts": 2,
        "max_retry_time": 15.0,
    }


def test_connection_defaults_and_ui_prefixed_extras():
    from paddleflow_provider.hooks.paddleflow import config_kwargs_from_connection

    kwargs = config_kwargs_from_connection(_conn(extra={"extra__paddleflow__verify": True}))
    assert kwargs["port"] == "8999"
    assert kwargs["verify"] is True
    assert "scheme" not in kwargs


@pytest.mark.parametrize(
    ("conn", "message"),
    [
        (_conn(host=""), "has no host"),
        (_conn(extra={"scheme": "ftp"}), "scheme"),
        (_conn(extra={"verify": "maybe"}), "verify"),
        (_conn(extra={"read_timeout": "slow"}), "read_timeout"),
        (_conn(extra={"max_attempts": -1}), "max_attempts"),
    ],
)
def test_bad_connection_settings_name_the_field_and_hide_the_password(conn, message):
    from paddleflow_provider.hooks.paddleflow import config_kwargs_from_connection

    with pytest.raises(ValueError, match=message) as err:
        config_kwargs_from_connection(conn)
    assert "pw" not in str(err.value).replace("paddleflow", "")


def test_run_url_template():
    from paddleflow_provider.hooks.paddleflow import format_run_url, ui_url_template_from_connection

    assert format_run_url("{base}/run/{run_id}", "http://h:8999/", "run-1") == "http://h:8999/run/run-1"
    assert format_run_url("{nope}", "http://h:8999", "run-1") == "http://h:8999/run/run-1"
    conn = _conn(extra={"ui_url_template": "https://ui.example/runs/{run_id}"})
    assert ui_url_template_from_connection(conn) == "https://ui.example/runs/{run_id}"


def test_provider_info_validates_and_describes_the_connection_form():
    import os

    import airflow
    import jsonschema

    from paddleflow_provider.get_provider_info import get_provider_info
    from paddleflow_provider.hooks.paddleflow import PaddleFlowHook

    info = get_provider_info()
    with open(os.path.join(os.path.dirname(airflow.__file__), "provider_info.schema.json")) as fh:
        jsonschema.validate(info, json.load(fh))
    (conn_type,) = info["connection-types"]
    assert conn_type["connection-type"] == PaddleFlowHook.conn_type == "paddleflow"
    assert conn_type["hook-class-name"] == "paddleflow_provider.hooks.paddleflow.PaddleFlowHook"
    assert {"scheme", "verify", "ca_bundle", "max_attempts", "ui_url_template"} <= set(
        conn_type["conn-fields"]
    )
    assert PaddleFlowHook.get_ui_field_behaviour()["placeholders"]["port"] == "8999"
    assert info["extra-links"] == ["paddleflow_provider.links.PaddleFlowRunLink"]
    # Every extra the hook reads has a form field; every declared module imports.
    hook_extras = {"scheme", "verify", "ca_bundle", "connect_timeout", "read_timeout", "max_attempts",
                   "max_retry_time", "backoff_initial", "backoff_max", "ui_url_template"}  # fmt: skip
    assert set(conn_type["conn-fields"]) == hook_extras
    modules = [
        m for kind in ("operators", "sensors", "hooks", "triggers") for m in info[kind][0]["python-modules"]
    ]
    assert {
        f"paddleflow_provider.operators.{n}"
        for n in ("run", "pipeline", "schedule", "queue", "fs", "cluster")
    } <= set(modules)
    import importlib

    for module in modules:
        importlib.import_module(module)


def test_hook_is_lazy_and_checks_its_argument(monkeypatch):
    from paddleflow_provider.hooks.paddleflow import PaddleFlowHook

    monkeypatch.delenv("AIRFLOW_CONN_NOWHERE", raising=False)
    PaddleFlowHook(paddleflow_conn_id="nowhere")  # no lookup in __init__
    with pytest.raises(ValueError, match="paddleflow_conn_id"):
        PaddleFlowHook(paddleflow_conn_id="")
