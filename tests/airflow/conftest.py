"""Fixtures for the Airflow-facing tests (operators, sensors, triggers, hook).

The lead's tests/conftest.py already points AIRFLOW_HOME at a temp dir and DAGS_FOLDER at tests/dags
before Airflow is imported; here the metadata DB is created once per session (dag.test needs it).
"""

from __future__ import annotations

import json
import os
from importlib.metadata import version

import pytest

# Airflow 2.11 refuses SQLite with its default LocalExecutor; dag.test() needs no executor at all.
# Set before anything imports airflow (the lead's tests/conftest.py does not).
if version("apache-airflow").startswith("2."):
    os.environ.setdefault("AIRFLOW__CORE__EXECUTOR", "SequentialExecutor")


@pytest.fixture(scope="session", autouse=True)
def airflow_db() -> None:
    """A fresh metadata DB for the session (about a second on SQLite)."""
    from airflow.utils import db

    db.resetdb()


def conn_json(host: str, port: int, password: str, **extra: object) -> str:
    return json.dumps(
        {
            "conn_type": "paddleflow",
            "host": host,
            "port": port,
            "login": "root",
            "password": password,
            "extra": extra,
        }
    )


@pytest.fixture
def pf_conn(paddleflow_emulator, monkeypatch):
    """``paddleflow_default`` pointing at the session emulator (fault rules cleared before and after)."""
    import requests

    monkeypatch.setenv(
        "AIRFLOW_CONN_PADDLEFLOW_DEFAULT",
        conn_json(
            paddleflow_emulator.host,
            paddleflow_emulator.port,
            paddleflow_emulator.root_password,
            max_retry_time=10,
            backoff_max=0.2,
        ),
    )
    requests.delete(f"{paddleflow_emulator.url}/_emulator/faults", timeout=10)
    yield paddleflow_emulator
    requests.delete(f"{paddleflow_emulator.url}/_emulator/faults", timeout=10)


@pytest.fixture(scope="session")
def dagtest():
    """The ``dagtest.py`` helpers (importlib import mode: test folders are not packages)."""
    import importlib.util
    import pathlib
    import sys

    path = pathlib.Path(__file__).parent / "dagtest.py"
    spec = importlib.util.spec_from_file_location("paddleflow_airflow_dagtest", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def pf_api(pf_conn):
    """A logged-in typed client on the emulator, to check what the DAGs did remotely."""
    from paddleflow_provider.client import Client

    client = Client(pf_conn.host, "root", pf_conn.root_password, str(pf_conn.port))
    client.api.login()
    return client.api
