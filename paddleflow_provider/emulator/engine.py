"""The one seam between the server and the workflow engine (``emulator/workflow``).

Everything the backend needs from the engine is imported here, so the server's own modules
never reach into the engine's internals, and errors come back as :class:`PFError`.
"""

from __future__ import annotations

import logging
from typing import Any

from .errors import PFError

log = logging.getLogger("paddleflow_provider.emulator")


def _wf() -> Any:
    from . import workflow

    return workflow


def workflow_error(err: Exception) -> PFError:
    """Translate the engine's ``WorkflowError`` (code + server text) into a wire error."""
    code = getattr(err, "code", None) or "InvalidPipeline"
    message = getattr(err, "message", None) or str(err)
    return PFError(code, message)


def validate_pipeline_yaml(text: str) -> str:
    """Dry-run validation for pipeline create/update; returns the pipeline name."""
    wf = _wf()
    try:
        return str(wf.validate_pipeline_yaml(text))
    except wf.WorkflowError as err:
        e = workflow_error(err)
        raise PFError(e.code, f"validateWorkflowForPipeline failed. err:{e.message}") from None


def parse_run_yaml(text: str, **overrides: Any) -> Any:
    wf = _wf()
    try:
        return wf.parse_run_yaml(text, wf.RunOverrides(**overrides))
    except wf.WorkflowError as err:
        raise workflow_error(err) from None


def names() -> Any:
    """The engine package (imported lazily: it is only needed once runs are involved)."""
    return _wf()


def load_yaml(text: str) -> Any:
    """Decode YAML as the server's yaml.v3 does (YAML 1.2 booleans, Go integers); may raise ``YAMLError``."""
    from .workflow.yamlcore import load

    return load(text)


def kill_leftover_processes(folder: Any, what: str) -> list[int]:
    """SIGKILL the ``what`` (step/job) processes a previous server of this data dir left running under
    ``folder``; returns their pids. Never raises: start-up must go on whatever happens here."""
    try:
        killed = list(_wf().kill_leftovers(folder))
    except Exception:
        log.exception("looking for leftover %s processes failed", what)
        return []
    if killed:
        log.warning("killed %d %s processes left by a previous server: %s", len(killed), what, killed)
    return killed
