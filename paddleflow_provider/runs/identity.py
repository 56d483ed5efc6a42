"""Who started a run: the identity of a task instance, and the run name and client token derived
from it.

A retried task must find the run its earlier try started, even when Airflow kept nothing (a
worker crash before the run id was stored, Airflow before 3.3). The identity is the same for every
try of one task instance (dag_id, task_id, dag run, map index); its hash goes into the run's client
token, which the client writes into the run's description and can look up again.
Plain Python: the context only needs a ``ti`` with those four attributes.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

_RUN_NAME_START = re.compile(r"[A-Za-z_]")
_NOT_IN_RUN_NAME = re.compile(r"[^A-Za-z0-9_-]")


def task_identity(context: Any) -> str:
    """Stable identity of the task instance across tries: dag_id, task_id, run_id, map_index."""
    ti = context["ti"]
    map_index = getattr(ti, "map_index", -1)  # absent on hand-made test TIs
    if map_index is None:
        map_index = -1
    return f"{ti.dag_id}|{ti.task_id}|{ti.run_id}|{map_index}"


def identity_token(context: Any) -> str:
    """A short hash of :func:`task_identity`, safe to put in a run name or description."""
    return hashlib.sha256(task_identity(context).encode()).hexdigest()[:16]


def client_token(token: str, generation: int | None = 0) -> str:
    """The run's client token: the same for every try of one task instance, unique across them.

    ``generation`` counts the runs the task instance submitted before: a resubmission after a
    failed run uses a new one, so the client's "did my create land?" check cannot mistake the
    failed run for the new one.
    """
    return f"airflow-{token}" if not generation else f"airflow-{token}.{generation}"


def default_run_name(task_id: str, token: str) -> str:
    """A valid PaddleFlow run name (``^[A-Za-z_][A-Za-z0-9_-]{0,127}$``) naming the task."""
    base = _NOT_IN_RUN_NAME.sub("_", task_id)[:100]
    if not base or not _RUN_NAME_START.match(base[0]):
        base = "_" + base
    return f"{base}-{token}"
