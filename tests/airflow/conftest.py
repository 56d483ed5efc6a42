"""Fixtures for the Airflow-facing tests (operators, sensors, triggers, hook).

The lead's tests/conftest.py already points AIRFLOW_HOME at a temp dir and DAGS_FOLDER at tests/dags
before Airflow is imported; here the metadata DB is created once per session (dag.test needs it).
"""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="session", autouse=True)
def airflow_db() -> None:
    """A fresh metadata DB for the session (about a second on SQLite)."""
    from airflow.utils import db

    db.resetdb()


def conn_json(host: str, port: int, **extra: object) -> str:
    return json.dumps(
        {
            "conn_type": "paddleflow",
            "host": host,
            "port": port,
            "login": "root",
            "password": "paddleflow",
            "extra": extra,
        }
    )


@pytest.fixture
def pf_conn(paddleflow_emulator, monkeypatch):
    """``paddleflow_default`` pointing at the session emulator (fault rules cleared before and after)."""
    import requests

    monkeypatch.setenv(
        "AIRFLOW_CONN_PADDLEFLOW_DEFAULT",
        conn_json(paddleflow_emulator.host, paddleflow_emulator.port, max_retry_time=10, backoff_max=0.2),
    )
    requests.delete(f"{paddleflow_emulator.url}/_emulator/faults", timeout=10)
    yield paddleflow_emulator
    requests.delete(f"{paddleflow_emulator.url}/_emulator/faults", timeout=10)
