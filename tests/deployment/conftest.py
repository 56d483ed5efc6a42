"""Deployment scenarios: only collected when ``scripts/e2e.sh`` runs them (it sets PF_E2E_MODE and
provides PostgreSQL/Redis); a plain ``pytest`` of the suite leaves this folder out.

One Airflow deployment per pytest session (``PF_E2E_MODE``: ``local`` = LocalExecutor, ``celery`` =
CeleryExecutor with two workers), started once and stopped at the end, whatever happens.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deployment.airflow_api import AirflowAPI, EmulatorRuns
from tests.deployment.deployment import CONN_ID, EMULATOR_PASSWORD, Airflow2Deployment, Deployment

MODE = os.environ.get("PF_E2E_MODE", "")
EXECUTORS = {"local": "LocalExecutor", "celery": "CeleryExecutor", "af2": "LocalExecutor"}

if not MODE:
    collect_ignore_glob = ["test_*.py"]
elif MODE == "af2":
    collect_ignore_glob = ["test_scenarios.py", "test_celery.py"]
else:
    collect_ignore_glob = ["test_af2.py"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "celery: needs the CeleryExecutor deployment (two workers)")


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


@pytest.fixture(scope="session")
def emulator_runs(deployment: Deployment) -> EmulatorRuns:
    return EmulatorRuns(deployment.emulator_port)
