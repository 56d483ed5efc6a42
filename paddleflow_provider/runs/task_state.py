"""Small per-task-instance key/value state that survives retries and sensor reschedules.

Airflow 3.3 has exactly this: the task state store (AIP-103), scoped to (dag run, task, map index)
and shared by every try. Older Airflow has nothing equivalent: XComs are cleared whenever a task
instance starts again (retry *and* reschedule), so the fallback keeps the values in Airflow
Variables under a key derived from the same identity, and deletes them when the task is done.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from paddleflow_provider._compat import Variable, task_state_store
from paddleflow_provider.runs.identity import identity_token

log = logging.getLogger(__name__)


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
        Variable.set(self._prefix + key, json.dumps(value))

    def delete(self, key: str) -> None:
        """Best effort: leftover state must never fail a task."""
        try:
            if self._store is not None:
                self._store.delete(key)
                return
            Variable.delete(self._prefix + key)
        except Exception:
            log.debug("could not delete task state %r", key, exc_info=True)
