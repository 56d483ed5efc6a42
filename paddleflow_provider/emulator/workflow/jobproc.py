"""One job as one local process, with everything the engine keeps about it: the timestamped log, CPU and
memory samples and the orphan record. Used for a pipeline step's job and for a standalone job of the job
API (``/job/...``), so both behave alike.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

from .launch import process_base_env
from .logs import job_log_path
from .orphans import forget_process, record_process
from .procs import ProcessHandle, get_pump
from .stats import get_sampler, stats_path

log = logging.getLogger(__name__)

__all__ = ["process_base_env", "start_process", "stop_process"]


def start_process(
    job_id: str,
    command: str,
    *,
    run_dir: Path,
    cwd: Path,
    env: Mapping[str, str],
    on_exit: Callable[[ProcessHandle], None],
    marker: tuple[str, str] | None = None,
) -> ProcessHandle:
    """Run ``/bin/sh -c command`` for ``job_id``; files go under ``run_dir`` (``logs/``, ``stats/``,
    ``procs/``). ``on_exit`` runs on the process I/O thread once the exit sample is written.

    :param marker: ``(env name, value)`` the process carries, so leftovers can be found after their shell
        died (see ``orphans``).
    :raises OSError: the process could not be started.
    """
    samples = stats_path(run_dir, job_id)

    def spawned(handle: ProcessHandle) -> None:
        try:
            record_process(run_dir, job_id, handle.pid, marker=marker)
        except Exception:
            log.warning("recording the process of %s failed", job_id, exc_info=True)
        try:
            get_sampler().add(job_id, handle.pid, samples, handle.started)
        except Exception:
            log.warning("the first sample of %s failed", job_id, exc_info=True)

    def exited(handle: ProcessHandle) -> None:
        try:
            get_sampler().finish(
                job_id, samples, handle.rusage, started=handle.started, ended=handle.ended or handle.started
            )
        except Exception:  # the owner must hear about the exit whatever happens to statistics
            log.warning("writing the exit sample of %s failed", job_id, exc_info=True)
        finally:
            with contextlib.suppress(Exception):
                forget_process(run_dir, job_id)
            on_exit(handle)

    return get_pump().spawn(
        job_id,
        command,
        cwd=cwd,
        env=env,
        log_path=job_log_path(run_dir, job_id),
        on_exit=exited,
        on_spawned=spawned,
    )


def stop_process(handle: ProcessHandle, grace: float) -> None:
    """SIGTERM the job's process group now, SIGKILL after ``grace`` seconds."""
    get_pump().terminate(handle, grace)
