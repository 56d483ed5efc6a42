"""Small per-task-instance key/value state that survives retries and sensor reschedules.

Airflow 3.3 has exactly this: the task state store (AIP-103), scoped to (dag run, task, map index)
and shared by every try. Older Airflow has nothing equivalent: XComs are cleared whenever a task
instance starts again (retry *and* reschedule), so the fallback keeps the values in Airflow
Variables under a key derived from the same identity, and deletes them when the task is done.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from paddleflow_provider._compat import task_state_store

log = logging.getLogger(__name__)


def task_identity(context: Any) -> str:
    """Stable identity of the task instance across tries: dag_id, task_id, run_id, map_index."""
    ti = context["ti"]
    map_index = getattr(ti, "map_index", -1)
    if map_index is None:
        map_index = -1
    return f"{ti.dag_id}|{ti.task_id}|{ti.run_id}|{map_index}"


def identity_token(context: Any) -> str:
    """A short hash of :func:`task_identity`, safe to put in a run name or description."""
    return hashlib.sha256(task_identity(context).encode()).hexdigest()[:16]


class TaskState:
    """``get``/``set``/``delete`` of JSON values for the current task instance."""

    def __init__(self, context: Any) -> None:
        self._store = task_state_store(context)
        self._prefix = f"paddleflow_provider.{identity_token(context)}." if self._store is None else ""

    @property
    def durable_store(self) -> bool:
        """True on Airflow 3.3+, where the task state store backs the values."""
        return self._store is not None

    def get(self, key: str, default: Any = None) -> Any:
        if self._store is not None:
            return self._store.get(key, default)
        from airflow.providers.common.compat.sdk import Variable

        try:
            raw = Variable.get(self._prefix + key)
        except Exception:  # KeyError (2.x) / AirflowRuntimeError (3.x) for a missing key
            return default
        if raw is None:
            return default
        try:
            return json.loads(raw)
        except ValueError:
            return default

    def set(self, key: str, value: Any) -> None:
        if self._store is not None:
            self._store.set(key, value)
            return
        from airflow.providers.common.compat.sdk import Variable

        Variable.set(self._prefix + key, json.dumps(value))

    def delete(self, key: str) -> None:
        """Best effort: leftover state must never fail a task."""
        try:
            if self._store is not None:
                self._store.delete(key)
                return
            from airflow.providers.common.compat.sdk import Variable

            Variable.delete(self._prefix + key)
        except Exception:
            log.debug("could not delete task state %r", key, exc_info=True)
