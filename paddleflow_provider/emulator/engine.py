"""The one seam between the server and the workflow engine (``emulator/workflow``).

:class:`Engine` is exactly what the backend uses of the engine, with types: parse and validate run YAML,
start and stop runs, run standalone job processes, read logs and statistics. The backend gets one
instance (``Backend(config, engine=...)``), so it never reaches into the engine's modules, and engine errors
come back as :class:`PFError`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from . import workflow
from .errors import PFError
from .workflow import (
    CacheEntry,
    CacheRecord,
    CacheStore,
    LogPage,
    PlatformInfo,
    RunOverrides,
    RunSink,
    RunState,
    WorkflowError,
    WorkflowRunner,
    WorkflowSpec,
)
from .workflow.procs import ProcessHandle
from .workflow.yamlcore import load as _load_yaml

__all__ = [
    "CacheEntry",
    "CacheRecord",
    "CacheStore",
    "Engine",
    "LogPage",
    "PlatformInfo",
    "ProcessHandle",
    "RunOverrides",
    "RunSink",
    "RunState",
    "WorkflowError",
    "WorkflowRunner",
    "WorkflowSpec",
    "workflow_error",
]

log = logging.getLogger("paddleflow_provider.emulator")


def workflow_error(err: WorkflowError) -> PFError:
    """Translate the engine's ``WorkflowError`` (code + server text) into a wire error."""
    return PFError(err.code or "InvalidPipeline", err.message or str(err))


class Engine:
    """The workflow engine as the backend sees it (stateless here: the engine keeps its own registries).

    What needs no translation is the engine's own function, bound here as a ``staticmethod``: its signature
    is declared once, in the engine, and the backend still calls it with full types through this seam.
    """

    # --- YAML -----------------------------------------------------------------------------------
    def validate_pipeline_yaml(self, text: str) -> str:
        """Dry-run validation for pipeline create/update; returns the pipeline name."""
        try:
            return workflow.validate_pipeline_yaml(text)
        except WorkflowError as err:
            e = workflow_error(err)
            raise PFError(e.code, f"validateWorkflowForPipeline failed. err:{e.message}") from None

    def parse_run_yaml(self, text: str, overrides: RunOverrides | None = None) -> WorkflowSpec:
        """A validated spec of run YAML with the request's overrides applied; ``PFError`` if invalid."""
        try:
            return workflow.parse_run_yaml(text, overrides or RunOverrides())
        except WorkflowError as err:
            raise workflow_error(err) from None

    load_yaml = staticmethod(_load_yaml)
    """Decode YAML as the server's yaml.v3 does (YAML 1.2 booleans, Go integers).

    :raises yaml.YAMLError | WorkflowError: the text is not YAML the server would decode.
    """

    # --- runs -----------------------------------------------------------------------------------
    new_run = staticmethod(WorkflowRunner)
    """A runner for a spec, not started yet (the caller records it first, then calls ``start()``)."""

    stop_all_runs = staticmethod(workflow.shutdown_all)
    """Force-stop every live run and kill any process left (server shutdown)."""

    def kill_leftover_processes(self, folder: Path, what: str) -> list[int]:
        """SIGKILL the ``what`` (step/job) processes a previous server of this data dir left running under
        ``folder``; returns their pids. Never raises: start-up must go on whatever happens here."""
        try:
            killed = list(workflow.kill_leftovers(folder))
        except Exception:
            log.exception("looking for leftover %s processes failed", what)
            return []
        if killed:
            log.warning("killed %d %s processes left by a previous server: %s", len(killed), what, killed)
        return killed

    # --- standalone job processes ---------------------------------------------------------------
    process_base_env = staticmethod(workflow.process_base_env)
    """The part of the server's environment a job process inherits."""

    start_process = staticmethod(workflow.start_process)
    """One job task as one local process, with a step's log, statistics and orphan records."""

    stop_process = staticmethod(workflow.stop_process)

    # --- logs and statistics --------------------------------------------------------------------
    job_log_path = staticmethod(workflow.job_log_path)
    read_log_page = staticmethod(workflow.read_log_page)
    statistics_summary = staticmethod(workflow.statistics_summary)
    statistics_detail = staticmethod(workflow.statistics_detail)
