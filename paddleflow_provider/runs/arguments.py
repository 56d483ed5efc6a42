"""The one check of a run-id argument, shared by the run operators and the run sensors, and the
one test for "Airflow will still render this value" that parse-time checks skip.
"""

from __future__ import annotations

from typing import Any

from paddleflow_provider._compat import StrArg, is_xcom_arg, rendered


def is_templated(value: Any) -> bool:
    """A value Airflow will still render (Jinja text or an XComArg): check it after rendering."""
    return (isinstance(value, str) and "{{" in value) or is_xcom_arg(value)


def given_or_none(value: Any) -> Any:
    """An empty text or bytes argument counts as not given (operators send ``value or None``), so a
    YAML source left blank is checked, and sent, as absent."""
    return None if value in ("", b"") else value


def check_run_id(run_id: StrArg) -> str:
    """Reject a missing, empty or non-text run id early; templates and XComArgs are checked once
    rendered (the server answers for them). Returns the value typed as ``execute`` sees it."""
    if is_xcom_arg(run_id):
        return rendered(run_id)
    if run_id is None:
        raise ValueError("run_id is required: a PaddleFlow run id or an XComArg such as create.output")
    if not isinstance(run_id, str):
        raise ValueError(f"run_id must be a string or an XComArg (e.g. create.output), got {run_id!r}")
    if not run_id.strip():
        raise ValueError("run_id must be a non-empty PaddleFlow run id such as 'run-000001'")
    return run_id
