"""The one check of a run-id argument, shared by the run operators and the run sensors.

Plain Python: a value Airflow will still resolve (an ``XComArg``) is recognised by the ``resolve``
method every Airflow version gives it, so this module needs no Airflow import.
"""

from __future__ import annotations

from typing import Any


def is_xcom_arg(value: Any) -> bool:
    """An ``XComArg`` (``task.output``): its value only exists at run time."""
    return hasattr(value, "resolve")


def is_templated(value: Any) -> bool:
    """A value Airflow will still render (Jinja text or an XComArg): check it after rendering."""
    return (isinstance(value, str) and "{{" in value) or is_xcom_arg(value)


def check_run_id(run_id: Any) -> None:
    """Reject a missing, empty or non-text run id early; templates and XComArgs are checked once
    rendered (the server answers for them)."""
    if is_xcom_arg(run_id):
        return
    if run_id is None:
        raise ValueError("run_id is required: a PaddleFlow run id or an XComArg such as create.output")
    if not isinstance(run_id, str):
        raise ValueError(f"run_id must be a string or an XComArg (e.g. create.output), got {run_id!r}")
    if not run_id.strip():
        raise ValueError("run_id must be a non-empty PaddleFlow run id such as 'run-000001'")
