"""Permanent errors end a task at once; transient ones keep Airflow's retries ("Bad input never
escapes", item 2). The rule is ``runs.failures``; every operator and sensor gets it through
``PaddleFlowHookMixin``."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import json
import pkgutil

import pytest
import requests

import paddleflow_provider.operators
import paddleflow_provider.sensors
from paddleflow_provider._compat import AirflowFailException
from paddleflow_provider.client import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitError,
    TransientError,
)
from paddleflow_provider.client._exceptions import ServerInvalidArgumentError
from paddleflow_provider.hooks.mixin import PaddleFlowHookMixin
from paddleflow_provider.runs.failures import (
    TASK_METHODS,
    PaddleFlowRequestRefusedError,
    fails_at_once,
    is_permanent,
)

PERMANENT = [
    InvalidArgumentError("run_id", "a non-empty string is required"),
    ServerInvalidArgumentError("bad name", status_code=400, code="InvalidNamePattern"),
    PermissionDeniedError("only root", status_code=403, code="OnlyRootAllowed"),
    AuthenticationError("wrong password", status_code=400, code="AuthFailed"),
    NotFoundError("no such run", status_code=404, code="RunNotFound"),
    ConflictError("exists", status_code=400, code="DuplicatedName"),
    BadRequestError("refused", status_code=400, code="ActionNotAllowed"),
]
TRANSIENT = [
    TransientError("gave up"),
    RateLimitError("slow down", status_code=429),
    InternalServerError("boom", status_code=503),
    APIConnectionError("refused", sent=False),
    APITimeoutError("read timeout"),
    OutcomeUnknownError("no clear answer"),
    ProtocolError("not JSON"),
    PermissionDeniedError("busy", status_code=403, code="FileSystemClientBusy"),
    BadRequestError("jobs still on it", status_code=400, code="QueueIsInUse"),
    RuntimeError("not a client error"),
]


@pytest.mark.parametrize("error", PERMANENT, ids=lambda e: type(e).__name__)
def test_errors_retrying_cannot_fix_are_permanent(error):
    assert is_permanent(error)


@pytest.mark.parametrize("error", TRANSIENT, ids=lambda e: f"{type(e).__name__}-{getattr(e, 'code', '')}")
def test_other_errors_keep_airflow_retries(error):
    assert not is_permanent(error)


class _Task:
    def __init__(self, error: Exception) -> None:
        self.error = error

    @fails_at_once
    def execute(self, context):
        raise self.error


def test_the_wrapper_fails_at_once_with_the_servers_message():
    error = PermissionDeniedError(
        "This operation is only allowed for root user", status_code=403, code="OnlyRootAllowed"
    )
    with pytest.raises(PaddleFlowRequestRefusedError) as info:
        _Task(error).execute({})
    assert isinstance(info.value, AirflowFailException) and info.value.__cause__ is error
    assert "only allowed for root user" in str(info.value) and "OnlyRootAllowed" in str(info.value)


def test_the_wrapper_lets_transient_errors_through():
    error = InternalServerError("boom", status_code=503)
    with pytest.raises(InternalServerError):
        _Task(error).execute({})


def _task_classes() -> list[type]:
    for package in (paddleflow_provider.operators, paddleflow_provider.sensors):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
    found, todo = [], [PaddleFlowHookMixin]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [c for c in found if c.__module__.startswith("paddleflow_provider.")]


def test_every_operator_and_sensor_method_airflow_calls_is_guarded():
    classes = _task_classes()
    assert len(classes) > 25
    for cls in classes:
        for name in TASK_METHODS:
            method = getattr(cls, name, None)
            if method is None or not inspect.getmodule(method).__name__.startswith("paddleflow_provider"):
                continue  # Airflow's own (e.g. BaseSensorOperator.execute calls the guarded poke)
            assert getattr(method, "__paddleflow_fails_at_once__", False), (cls, name)


# -- under dag.test() against the emulator ----------------------------------------------------------


def _connection(emulator, login: str, password: str, **extra: object) -> str:
    return json.dumps(
        {
            "conn_type": "paddleflow",
            "host": emulator.host,
            "port": emulator.port,
            "login": login,
            "password": password,
            "extra": {"backoff_max": 0.2, **extra},
        }
    )


@pytest.mark.slow
def test_a_refused_request_is_sent_once_and_a_transient_one_retried(
    pf_conn, pf_api, dagtest, monkeypatch, capfd, caplog
):
    import sys

    dagtest.get_dag("pf_fail_at_once")
    dags = sys.modules["paddleflow_admin_dags"]
    with contextlib.suppress(ConflictError):
        pf_api.add_user("plainu1", "passw0rd1")
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{dags.PLAIN_USER_CONN.upper()}", _connection(pf_conn, "plainu1", "passw0rd1")
    )
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{dags.ONE_ATTEMPT_CONN.upper()}",
        _connection(pf_conn, "root", pf_conn.root_password, max_attempts=1),
    )
    # Counting rules: each match uses one of ``times``; the first two only count, the third answers 503.
    rules = [
        {"path": "/cluster", "times": 1000},
        {"method": "GET", "path": f"/run/{dags.MISSING_RUN}$", "times": 1000},
        {"method": "PUT", "path": f"/queue/{dags.TRANSIENT_QUEUE}$", "status": 503, "times": 1000},
    ]
    faults = f"{pf_conn.url}/_emulator/faults"
    requests.post(faults, json={"rules": rules}, timeout=10).raise_for_status()

    dr = dagtest.run_dag("pf_fail_at_once")

    live = requests.get(faults, timeout=10).json()["rules"]
    sent = {rule["path"]: 1000 - rule["times"] for rule in live}
    assert sent == {
        # OnlyRootAllowed (for the look-up before the create): nothing sent again by the two retries
        "/cluster": 1,
        f"/run/{dags.MISSING_RUN}$": 1,  # RunNotFound: the sensor fails at its first poke
        f"/queue/{dags.TRANSIENT_QUEUE}$": 3,  # 503: the first try and both retries
    }
    assert dagtest.ti_states(dr) == {
        "create_cluster_as_user": "failed",
        "watch_missing_run": "failed",
        "stop_queue_transient": "failed",
    }
    assert dagtest.ti_tries(dr, "create_cluster_as_user") == 1
    assert dagtest.ti_tries(dr, "watch_missing_run") == 1
    assert dagtest.ti_tries(dr, "stop_queue_transient") == 3
    out = capfd.readouterr()  # where the task log goes depends on the Airflow version: look at both
    assert "only allowed for root user" in out.out + out.err + caplog.text
