"""Trigger construction: what a trigger serializes is plain JSON without secrets, a triggerer
rebuilds the same trigger from it, and bad arguments name themselves."""

from __future__ import annotations

import json

import pytest


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
