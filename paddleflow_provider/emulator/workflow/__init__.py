"""The emulator's workflow engine: parse, validate and really execute PaddleFlow run YAML as local processes.

A pure library (no HTTP, no SQLite, no airflow): the emulator server calls it through the names below.
Behaviour follows ``paddleflow-semantics.md`` (§1 YAML, §2 lifecycle, §3 cache, §5 logs and job ids, §7.2
validation).

Local mapping of the platform
-----------------------------
* A step's job is ``/bin/sh -c <command>`` in its own process group; stopping sends SIGTERM to the group and
  SIGKILL after ``stop_grace`` seconds; when the shell exits, whatever it left in its group is killed, the way
  a container's processes end with it. ``docker_env`` is recorded and required (as on the server, a step
  without an image fails with ``validating step[..] failed: [required fields in {image} are empty, please fill
  it]``) but no container is used.
* Storage: ``fs_roots[name]`` is the local folder behind FS ``name``. A mount path maps 1:1 to that folder, so
  a step's working directory (and ``PF_WORK_DIR``) is ``fs_roots[main_fs.name]/<sub_path>`` (else its first
  ``extra_fs``; else, with no FS or ``PF_MOUNT_PATH: NONE``, ``<run_dir>/workdir``), and artifact paths given
  to commands and ``PF_INPUT_ARTIFACT_*``/``PF_OUTPUT_ARTIFACT_*`` are absolute local paths. The views and
  artifact events carry FS-relative paths (``.pipeline/<runID>/<run name>/<step>-<seq>-<md5>/<name>``), as the
  server.
* Files of a run under ``run_dir``: ``logs/<jobID>.log`` (timestamped lines, written as produced),
  ``stats/<jobID>.jsonl`` (CPU/memory samples), ``procs/<jobID>.json`` (while the job's process lives),
  ``workdir/``.
* Processes see a small part of the server's environment (PATH, HOME, locale, TMPDIR, user), the job-system
  variables (``PF_JOB_QUEUE_NAME`` default ``default-queue``, ``PF_JOB_PRIORITY``, ``PF_WORK_DIR``, ...), the
  step's env, artifact variables and the four system variables.

Additions to the agreed interface (all optional for the caller)
-------------------------------------------------------------------
* ``RunState.cache_source_runs``: runs whose cache this run reused; the server appends this run's id to each
  of *their* ``runCachedIDs`` (semantics §3.5). ``RunState.run_cached_ids`` stays ``""``.
* ``CacheStore.job_view(run_id, job_id) -> dict | None`` (optional): the stored JobView of a cached job, so
  records written before a server restart can still serve hits; without it only jobs seen by this process can.
* ``WorkflowRunner(..., stop_grace=5.0)``: seconds between SIGTERM and SIGKILL.
* ``kill_leftovers(runs_root) -> list[int]``: each job's process is recorded (pid + create time) under
  ``<run_dir>/procs/`` while it lives; a server starting on a data dir whose previous server died without
  stopping its steps calls this before resuming runs, and every still-running step process group of those
  records is SIGKILLed (after psutil confirms the pid is still that process).
* ``start_process(job_id, command, *, run_dir, cwd, env, on_exit, marker=None)`` / ``stop_process(handle,
  grace)`` / ``process_base_env()``: one job as one local process with the same log, statistics and orphan
  handling as a step's; the server's standalone job API (``/job/...``) runs on these.
* ``read_log_page`` raises ``ValueError`` for a ``position`` other than ``begin``/``end``; ``job_log_path``
  for a job id that is not a plain file name; ``statistics_detail`` for an invalid range.

Threads: one orchestrator thread per live run, one process I/O thread and one statistics sampler for the whole
process; nothing polls except a step waiting on a cached job that is still running (every 0.5 s).
"""

from __future__ import annotations

from .cachefp import CacheEntry, CacheRecord, CacheStore
from .errors import WorkflowError
from .jobproc import process_base_env, start_process, stop_process
from .launch import PlatformInfo
from .load import parse_run_yaml, validate_pipeline_yaml
from .logs import LogPage, job_log_path, read_log_page
from .orphans import kill_leftovers
from .runner import WorkflowRunner, shutdown_all
from .spec import RunOverrides, WorkflowSpec
from .state import RunSink, RunState
from .stats import statistics_detail, statistics_summary

__all__ = [
    "CacheEntry",
    "CacheRecord",
    "CacheStore",
    "LogPage",
    "PlatformInfo",
    "RunOverrides",
    "RunSink",
    "RunState",
    "WorkflowError",
    "WorkflowRunner",
    "WorkflowSpec",
    "job_log_path",
    "kill_leftovers",
    "parse_run_yaml",
    "process_base_env",
    "read_log_page",
    "shutdown_all",
    "start_process",
    "statistics_detail",
    "statistics_summary",
    "stop_process",
    "validate_pipeline_yaml",
]
