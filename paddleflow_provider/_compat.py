"""Airflow 2/3 import shim: the one place that knows where Airflow keeps things.

The provider supports Airflow 2.11 and 3.x. Class *locations* differ (``airflow.sdk`` in 3.x, the old
``airflow.models`` / ``airflow.hooks`` paths in 2.x); ``airflow.providers.common.compat`` maps them
lazily in both, so importing through it costs nothing extra. Behaviour forks use the version flags
below; every other module imports Airflow names from here and nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow import __version__ as _AIRFLOW_VERSION
from airflow.providers.common.compat.sdk import (
    AirflowException,
    AirflowFailException,
    AirflowSkipException,
    BaseHook,
    BaseOperator,
    BaseOperatorLink,
    BaseSensorOperator,
    PokeReturnValue,
    TaskDeferred,
    XCom,
    conf,
)
from airflow.triggers.base import BaseTrigger, TriggerEvent


def _version_tuple(version: str) -> tuple[int, int]:
    major, minor, *_ = (int("".join(ch for ch in part if ch.isdigit()) or 0) for part in version.split("."))
    return major, minor


AIRFLOW_VERSION: tuple[int, int] = _version_tuple(_AIRFLOW_VERSION)
AIRFLOW_V_3_0_PLUS = AIRFLOW_VERSION >= (3, 0)
#: Airflow 3.3 added the task state store (AIP-103) and ``BaseTrigger.on_kill`` (user kills a deferred task).
AIRFLOW_V_3_3_PLUS = AIRFLOW_VERSION >= (3, 3)

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import Context, TaskInstanceKey
else:
    Context = dict
    TaskInstanceKey = Any


async def get_async_connection(conn_id: str) -> Any:
    """Resolve a connection without blocking the event loop.

    Airflow 3 raises "You cannot use AsyncToSync in the same thread as an async event loop" when a
    trigger calls the sync ``get_connection``; the compat helper awaits ``BaseHook.aget_connection``
    where it exists (3.1+) and otherwise runs the sync lookup in a worker thread (2.x).
    """
    from airflow.providers.common.compat.connection import get_async_connection as _get

    return await _get(conn_id)


def default_deferrable() -> bool:
    """``[operators] default_deferrable``, read at operator construction like the core providers do."""
    return conf.getboolean("operators", "default_deferrable", fallback=False)


def task_state_store(context: Any) -> Any | None:
    """Return the task state store accessor (Airflow 3.3+) from a task context, or None.

    It is scoped to (dag run, task, map index) and shared by every try of the task, which is exactly
    the identity "the run this task instance started" needs across retries and reschedules.
    """
    if not AIRFLOW_V_3_3_PLUS:
        return None
    try:
        return context.get("task_state_store")
    except Exception:  # a context without the key, e.g. a hand-made dict in a unit test
        return None


__all__ = [
    "AIRFLOW_VERSION",
    "AIRFLOW_V_3_0_PLUS",
    "AIRFLOW_V_3_3_PLUS",
    "AirflowException",
    "AirflowFailException",
    "AirflowSkipException",
    "BaseHook",
    "BaseOperator",
    "BaseOperatorLink",
    "BaseSensorOperator",
    "BaseTrigger",
    "Context",
    "PokeReturnValue",
    "TaskDeferred",
    "TaskInstanceKey",
    "TriggerEvent",
    "XCom",
    "conf",
    "default_deferrable",
    "get_async_connection",
    "task_state_store",
]
