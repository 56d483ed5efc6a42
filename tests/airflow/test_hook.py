"""The hook without a server: connection fields map to client settings, bad settings name the
field and hide the password, the run URL template, provider metadata, and a lazy constructor."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest


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
                   "max_retry_time", "backoff_initial", "backoff_max", "retry_after_max",
                   "ui_url_template"}  # fmt: skip
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
