"""The one seam between the server and the workflow engine (``emulator/workflow``).

:class:`Engine` is exactly what the backend uses of the engine, with types: parse and validate run YAML,
start and stop runs, run standalone job processes, read logs and statistics. The backend gets one
instance (``Backend(config, engine=...)``), so it never reaches into the engine's modules, and engine errors
come back as :class:`PFError`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from . import workflow
from .errors import PFError
from .workflow import (
    CacheEntry,
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

RunPrevious = tuple[dict[str, Any], dict[str, Any]]


def workflow_error(err: WorkflowError) -> PFError:
    """Translate the engine's ``WorkflowError`` (code + server text) into a wire error."""
    return PFError(err.code or "InvalidPipeline", err.message or str(err))


class Engine:
    """The workflow engine as the backend sees it (stateless here: the engine keeps its own registries)."""

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

    def load_yaml(self, text: str) -> Any:
        """Decode YAML as the server's yaml.v3 does (YAML 1.2 booleans, Go integers).

        :raises yaml.YAMLError | WorkflowError: the text is not YAML the server would decode.
        """
        return _load_yaml(text)

    # --- runs -----------------------------------------------------------------------------------
    def new_run(
        self,
        spec: WorkflowSpec,
        *,
        run_id: str,
        run_dir: Path,
        username: str,
        source: str,
        fs_roots: Mapping[str, Path],
        sink: RunSink,
        cache: CacheStore,
        platform: PlatformInfo,
        previous: RunPrevious | None = None,
    ) -> WorkflowRunner:
        """A runner for ``spec``, not started yet (the caller records it first, then calls ``start()``)."""
        return WorkflowRunner(
            spec,
            run_id=run_id,
            run_dir=run_dir,
            username=username,
            source=source,
            fs_roots=fs_roots,
            sink=sink,
            cache=cache,
            platform=platform,
            previous=previous,
        )

    def stop_all_runs(self, timeout: float) -> None:
        """Force-stop every live run and kill any process left (server shutdown)."""
        workflow.shutdown_all(timeout=timeout)

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
    def process_base_env(self) -> dict[str, str]:
        """The part of the server's environment a job process inherits."""
        return workflow.process_base_env()

    def start_process(
        self,
        job_id: str,
        command: str,
        *,
        run_dir: Path,
        cwd: Path,
        env: Mapping[str, str],
        on_exit: Callable[[ProcessHandle], None],
        marker: tuple[str, str] | None = None,
    ) -> ProcessHandle:
        """One job task as one local process, with a step's log, statistics and orphan records."""
        return workflow.start_process(
            job_id, command, run_dir=run_dir, cwd=cwd, env=env, on_exit=on_exit, marker=marker
        )

    def stop_process(self, handle: ProcessHandle, grace: float) -> None:
        workflow.stop_process(handle, grace)

    # --- logs and statistics --------------------------------------------------------------------
    def job_log_path(self, folder: Path, job_id: str) -> Path:
        return workflow.job_log_path(folder, job_id)

    def read_log_page(self, path: Path, *, page_no: int, page_size: int, position: str) -> LogPage:
        return workflow.read_log_page(path, page_no=page_no, page_size=page_size, position=position)

    def statistics_summary(self, folder: Path, job_id: str) -> dict[str, Any]:
        return workflow.statistics_summary(folder, job_id)

    def statistics_detail(
        self, folder: Path, job_id: str, start: int, end: int, step: int
    ) -> tuple[list[Any], bool]:
        return workflow.statistics_detail(folder, job_id, start, end, step)
