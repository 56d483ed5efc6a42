"""Airflow 2/3 import shim: the one place that knows where Airflow keeps things.

The provider supports Airflow 2.11 and 3.x. Class *locations* differ (``airflow.sdk`` in 3.x, the old
``airflow.models`` / ``airflow.hooks`` paths in 2.x); ``airflow.providers.common.compat`` maps them
lazily in both, so importing through it costs nothing extra. Behaviour forks branch on the named
capability flags below (each says which Airflow version brought the capability), never on duck
typing; every other module imports Airflow names from here and nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from ._extras import require_airflow

require_airflow()  # one line naming the 'airflow' extra instead of an import error (or a late failure)

from airflow import __version__ as _AIRFLOW_VERSION
from airflow.exceptions import AirflowRescheduleException  # 3.x re-exports the Task SDK's class here
from airflow.providers.common.compat.sdk import (
    AirflowException,
    AirflowFailException,
    AirflowSensorTimeout,
    AirflowSkipException,
    BaseHook,
    BaseOperator,
    BaseOperatorLink,
    BaseSensorOperator,
    PokeReturnValue,
    TaskDeferred,
    Variable,
    XCom,
    XComArg,
    conf,
    mask_secret,
)
from airflow.triggers.base import BaseTrigger, TriggerEvent


def _version_tuple(version: str) -> tuple[int, int]:
    major, minor, *_ = (int("".join(ch for ch in part if ch.isdigit()) or 0) for part in version.split("."))
    return major, minor


AIRFLOW_VERSION: tuple[int, int] = _version_tuple(_AIRFLOW_VERSION)
AIRFLOW_V_3_0_PLUS = AIRFLOW_VERSION >= (3, 0)
AIRFLOW_V_3_3_PLUS = AIRFLOW_VERSION >= (3, 3)

# -- capability flags: branch on these, not on versions or attributes --------------------------------

#: Airflow 3.3 (AIP-103): ``context["task_state_store"]``, state shared by every try of a task instance.
HAS_TASK_STATE_STORE = AIRFLOW_V_3_3_PLUS
#: Airflow 3.3: the triggerer calls ``BaseTrigger.on_kill`` when a user kills a deferred task.
HAS_TRIGGER_ON_KILL = AIRFLOW_V_3_3_PLUS
#: ``BaseSensorOperator(never_fail=...)``: present in Airflow 2.11, the oldest version supported here.
SENSOR_HAS_NEVER_FAIL = AIRFLOW_VERSION >= (2, 11)
#: ``BaseSensorOperator(silent_fail=...)``: present in Airflow 2.11, the oldest version supported here.
SENSOR_HAS_SILENT_FAIL = AIRFLOW_VERSION >= (2, 11)

#: A templated string argument as a DAG author may pass it: text (Jinja included) or an ``XComArg``
#: (``task.output``) that Airflow resolves before ``execute``; see :func:`rendered`.
StrArg: TypeAlias = "str | XComArg"

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


def is_xcom_arg(value: Any) -> bool:
    """An ``XComArg`` (``task.output``): its value only exists at run time, so checks wait for it."""
    return isinstance(value, XComArg)


def rendered(value: StrArg) -> str:
    """A templated string argument as ``execute`` sees it.

    Airflow renders Jinja text and replaces an ``XComArg`` by its value before ``execute`` runs, so
    operators keep the attribute typed for that moment; this names the one place that says so.
    """
    return value  # type: ignore[return-value]  # an XComArg was resolved by render_template_fields


def xcom_db_model() -> Any:
    """The XCom table's ORM model, for tools reading XComs from the metadata DB (the demo).

    Airflow 3.0 split it out as ``XComModel``; 2.x stores XComs through ``BaseXCom`` itself.
    """
    if AIRFLOW_V_3_0_PLUS:
        from airflow.models.xcom import XComModel

        return XComModel
    from airflow.models.xcom import BaseXCom

    return BaseXCom


def sensor_never_fails(sensor: Any) -> bool:
    """Whether a sensor was built with ``never_fail=True`` (every error becomes a skip)."""
    return SENSOR_HAS_NEVER_FAIL and bool(sensor.never_fail)


def sensor_fails_silently(sensor: Any) -> bool:
    """Whether a sensor was built with ``silent_fail=True`` (a poke error means "not yet")."""
    return SENSOR_HAS_SILENT_FAIL and bool(sensor.silent_fail)


def task_state_store(context: Any) -> Any | None:
    """Return the task state store accessor (Airflow 3.3+) from a task context, or None.

    It is scoped to (dag run, task, map index) and shared by every try of the task, which is exactly
    the identity "the run this task instance started" needs across retries and reschedules.
    """
    if not HAS_TASK_STATE_STORE:
        return None
    try:
        return context.get("task_state_store")
    except Exception:  # a context without the key, e.g. a hand-made dict in a unit test
        return None


__all__ = [
    "AIRFLOW_VERSION",
    "AIRFLOW_V_3_0_PLUS",
    "AIRFLOW_V_3_3_PLUS",
    "HAS_TASK_STATE_STORE",
    "HAS_TRIGGER_ON_KILL",
    "SENSOR_HAS_NEVER_FAIL",
    "SENSOR_HAS_SILENT_FAIL",
    "AirflowException",
    "AirflowFailException",
    "AirflowRescheduleException",
    "AirflowSensorTimeout",
    "AirflowSkipException",
    "BaseHook",
    "BaseOperator",
    "BaseOperatorLink",
    "BaseSensorOperator",
    "BaseTrigger",
    "Context",
    "PokeReturnValue",
    "StrArg",
    "TaskDeferred",
    "TaskInstanceKey",
    "TriggerEvent",
    "Variable",
    "XCom",
    "XComArg",
    "conf",
    "default_deferrable",
    "get_async_connection",
    "is_xcom_arg",
    "mask_secret",
    "rendered",
    "sensor_fails_silently",
    "sensor_never_fails",
    "task_state_store",
    "xcom_db_model",
]
