"""Deployment scenarios: only collected when ``scripts/e2e.sh`` runs them (it sets PF_E2E_MODE and
provides PostgreSQL/Redis); a plain ``pytest`` of the suite leaves this folder out.

One Airflow deployment per pytest session (``PF_E2E_MODE``: ``local`` = LocalExecutor, ``celery`` =
CeleryExecutor with two workers), started once and stopped at the end, whatever happens.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deployment.airflow_api import AirflowAPI, EmulatorRuns, Scenarios
from tests.deployment.deployment import CONN_ID, EMULATOR_PASSWORD, Airflow2Deployment, Deployment

MODE = os.environ.get("PF_E2E_MODE", "")
EXECUTORS = {"local": "LocalExecutor", "celery": "CeleryExecutor", "af2": "LocalExecutor"}

if not MODE:
    collect_ignore_glob = ["test_*.py"]
elif MODE == "af2":
    collect_ignore_glob = ["test_scenarios.py", "test_workers.py"]
else:
    collect_ignore_glob = ["test_af2.py"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "celery: needs the CeleryExecutor deployment (two workers)")
    if MODE:  # scripts/e2e.sh stops a run with SIGTERM: let the session's teardown stop the deployment
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Celery-only scenarios are deselected (not skipped) on the LocalExecutor deployment.
    if MODE == "celery":
        return
    keep = [item for item in items if item.get_closest_marker("celery") is None]
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep


@pytest.fixture(scope="session")
def deployment() -> Iterator[Deployment]:
    if MODE not in EXECUTORS:
        raise pytest.UsageError(f"PF_E2E_MODE must be one of {sorted(EXECUTORS)}, got {MODE!r}")
    sql_conn = os.environ["PF_E2E_SQL_CONN"]
    if MODE == "af2":
        # Airflow 2 allows only the SequentialExecutor on SQLite (.venv-af2 has no PostgreSQL driver).
        executor = "SequentialExecutor" if sql_conn.startswith("sqlite") else EXECUTORS[MODE]
        dep: Deployment = Airflow2Deployment(
            root=Path(os.environ["PF_E2E_ROOT"]), executor=executor, sql_conn=sql_conn
        )
    else:
        dep = Deployment(
            root=Path(os.environ["PF_E2E_ROOT"]),
            executor=EXECUTORS[MODE],
            sql_conn=sql_conn,
            broker=os.environ.get("PF_E2E_BROKER", ""),
            result_backend=os.environ.get("PF_E2E_RESULT_BACKEND", ""),
        )
    try:
        dep.start()
        yield dep
    finally:
        dep.stop()


@pytest.fixture(scope="session")
def api(deployment: Deployment) -> AirflowAPI:
    """A logged-in REST API v2 session, with the provider's connection created through it."""
    client = AirflowAPI(deployment.base_url, version=1 if MODE == "af2" else 2)
    client.post(f"{client.prefix}/connections", connection_body(deployment, CONN_ID))
    return client


def connection_body(deployment: Deployment, conn_id: str, password: str | None = None) -> dict[str, object]:
    return {
        "connection_id": conn_id,
        "conn_type": "paddleflow",
        "host": "127.0.0.1",
        "port": deployment.emulator_port,
        "login": "root",
        "password": password or EMULATOR_PASSWORD,
    }


#: Started together at the beginning of a session (their start-up latencies overlap); gated runs
#: wait for their scenario. Airflow 2's SequentialExecutor runs one task at a time, so there each
#: scenario starts its own DAG run when it begins.
UP_FRONT = {
    "local": (
        "e2e_happy",
        "e2e_mark_sync",
        "e2e_mark_deferred",
        "e2e_mark_success",
        "e2e_kill",
        "e2e_clear",
        "e2e_triggerer_restart",
    ),
    "celery": (
        "e2e_happy",
        "e2e_mark_sync",
        "e2e_mark_deferred",
        "e2e_mark_success",
        "e2e_kill",
        "e2e_clear",
        "e2e_triggerer_restart",
        "e2e_other_worker",
        "e2e_worker_loss",
    ),
}


@pytest.fixture(scope="session")
def scenarios(api: AirflowAPI, deployment: Deployment) -> Scenarios:
    runs = Scenarios(api, deployment.root / "release")
    runs.start(*UP_FRONT.get(MODE, ()))
    return runs


@pytest.fixture(scope="session")
def emulator_runs(deployment: Deployment) -> EmulatorRuns:
    return EmulatorRuns(deployment.emulator_port)
