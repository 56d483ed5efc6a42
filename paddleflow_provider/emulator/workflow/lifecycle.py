"""What happens to the steps (and DAG starts) of one run: condition, disabled, job checks, cache, the
process, its exit and its stop (semantics §2.2-2.8, §3.4).

:class:`StepLifecycle` runs on the run's orchestrator thread. It knows the run only through the narrow
:class:`RunControl` the runner gives it, so the imports go one way: the runner uses this module, never the
reverse. A process exit arrives from the process I/O thread and is handed back to the orchestrator as an
event (``RunControl.step_exited``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol

from .cachefp import CacheEntry, CacheRecord, CacheStore, first_fingerprint, is_expired, second_fingerprint
from .jobproc import start_process, stop_process
from .launch import (
    PlatformInfo,
    artifact_events,
    check_job,
    prepare_outputs,
    process_env,
    resolve_env,
    workdir,
)
from .logs import job_log_path
from .resolve import ResolveError, RunContext, evaluate_node_condition, own_resolver
from .runtime import DagRun, NodeRun, StepRun, job_id_for, job_name_for
from .spec import WorkflowSpec
from .state import RunSink
from .stats import stats_path
from .templates import SYS_RUN_ID, substitute

log = logging.getLogger(__name__)

WAITING = frozenset({"init", "pending", "running", "terminating"})


class JobIndex:
    """Status and outputs of every job this process started, by job id.

    Why process-wide: a cache hit may point at a job of *another* run that is still running; its record
    in the server's store lags, so the engine answers from what it saw itself.
    """

    def __init__(self) -> None:
        self._jobs: dict[str, tuple[str, dict[str, str]]] = {}
        self._lock = threading.Lock()

    def note(self, run: StepRun) -> None:
        if run.job_id:
            with self._lock:
                self._jobs[run.job_id] = (run.status, dict(run.outputs))

    def get(self, job_id: str) -> tuple[str, dict[str, str]] | None:
        with self._lock:
            return self._jobs.get(job_id)

    def forget(self, job_ids: Iterable[str]) -> None:
        """Drop what this process saw of some jobs (tests use it to act as a restarted server)."""
        with self._lock:
            for job_id in job_ids:
                self._jobs.pop(job_id, None)


SEEN_JOBS = JobIndex()


class RunControl(Protocol):
    """What the step lifecycle needs from the run's orchestrator."""

    def now(self) -> str: ...

    def changed(self) -> None: ...

    def release_slot(self, run: StepRun) -> None: ...

    def step_exited(self, run: StepRun) -> None: ...

    def node_failed(self, run: NodeRun) -> None: ...

    def add_cache_source(self, run_id: str) -> None: ...


class StepLifecycle:
    """Starts, finishes and stops the steps of one run; every call comes from its orchestrator thread."""

    def __init__(
        self,
        control: RunControl,
        *,
        spec: WorkflowSpec,
        ctx: RunContext,
        username: str,
        source: str,
        sink: RunSink,
        cache: CacheStore,
        platform: PlatformInfo | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.control = control
        self.spec = spec
        self.ctx = ctx
        self.run_id = ctx.run_id
        self.run_dir = ctx.run_dir
        self.username = username
        self.source = source
        self.sink = sink
        self.cache = cache
        self.platform = platform
        self.clock = clock

    # -- starting

    def start_dag(self, run: DagRun) -> None:
        c = self.control
        now = c.now()
        try:
            if run.spec.condition and not evaluate_node_condition(self.ctx, run):
                run.set_status(
                    "skipped", f"the result of condition for dag[{run.full_name}] is false, skip running", now
                )
                return
        except ResolveError as exc:
            run.set_status("failed", str(exc), now)
            c.node_failed(run)
            return
        if run.rel_path in self.spec.disabled_set:
            run.set_status("skipped", f"dag[{run.full_name}] is disabled, skip running", now)
            return
        run.set_status("running", "begin to run", now)
        c.changed()

    def _end_without_job(self, run: StepRun, status: str, message: str) -> None:
        c = self.control
        run.set_status(status, message, c.now())
        run.waiting_cache = None
        c.release_slot(run)
        c.changed()
        if status == "failed":
            c.node_failed(run)

    def launch(self, run: StepRun) -> None:
        """A step got its parallelism slot: condition, disabled, job checks, cache, then the process."""
        try:
            if run.spec.condition and not evaluate_node_condition(self.ctx, run):
                message = f"the result of condition for step[{run.full_name}] is false, skip running"
                self._end_without_job(run, "skipped", message)
                return
            if run.rel_path in self.spec.disabled_set:
                self._end_without_job(run, "skipped", f"step[{run.full_name}] is disabled, skip running")
                return
            run.env = resolve_env(self.ctx, run)
            check_job(run, self.platform)
            if run.spec.cache_enable and self._try_cache(run):
                return
            self._start_job(run)
        except ResolveError as exc:
            self._end_without_job(run, "failed", str(exc))
        except Exception as exc:  # a broken store or file system fails this step, not the whole engine
            log.exception("starting step %s of %s failed", run.full_name, self.run_id)
            self._end_without_job(run, "failed", f"start step[{run.full_name}] failed: {exc}")

    # -- the run cache

    def _lookup_job(self, entry: CacheEntry) -> tuple[str, dict[str, str]] | None:
        known = SEEN_JOBS.get(entry.job_id)
        if known is not None:
            return known
        finder = getattr(self.cache, "job_view", None)  # optional in CacheStore
        if finder is None:
            return None
        try:
            view = finder(entry.run_id, entry.job_id)
        except Exception:
            log.exception("CacheStore.job_view failed for %s", entry.job_id)
            return None
        if not view:
            return None
        return str(view.get("status", "")), dict((view.get("artifacts") or {}).get("output") or {})

    def _try_cache(self, run: StepRun) -> bool:
        """True when the cache decided the step (hit) or it now waits for a cached job still running."""
        first = first_fingerprint(self.ctx, run)
        second = second_fingerprint(self.ctx, run)
        run.fingerprints = (first, second)
        fs_name = self.spec.main_fs.name if self.spec.main_fs else ""
        now = self.clock()
        for entry in self.cache.find(first, fs_name, self.username, self.source):
            if entry.second_fp != second or is_expired(entry, now):
                continue
            if not self.cache.run_exists(entry.run_id):
                return False
            state = self._lookup_job(entry)
            if state is None:
                return False
            status, outputs = state
            if status in ("succeeded", "failed"):
                self._apply_hit(run, entry, status, outputs)
                return True
            if status in WAITING:
                run.waiting_cache = entry
                run.set_status("pending", None, self.control.now())
                self.control.changed()
                return True
            return False
        return False

    def _apply_hit(self, run: StepRun, entry: CacheEntry, status: str, outputs: dict[str, str]) -> None:
        for name in run.spec.output_artifacts:
            if name not in outputs:
                message = f"cannot find output artifact[{name}] in cache of job[{entry.job_id}]"
                self._end_without_job(run, "failed", message)
                return
        run.outputs = {name: outputs[name] for name in run.spec.output_artifacts}
        run.cache_run_id, run.cache_job_id = entry.run_id, entry.job_id
        self.control.add_cache_source(entry.run_id)
        message = (
            f"skip job for step[{run.full_name}] in runid[{self.run_id}], use cache of runid[{entry.run_id}]"
        )
        self._end_without_job(run, status, message)

    def poll_cache_waiters(self, steps: Iterable[StepRun]) -> None:
        """Steps whose cache hit points at a job still running: decide once that job has ended."""
        for run in steps:
            entry = run.waiting_cache
            if entry is None or run.final:
                continue
            state = self._lookup_job(entry)
            if state is not None and state[0] in WAITING:
                continue
            run.waiting_cache = None
            if state is not None and state[0] in ("succeeded", "failed"):
                self._apply_hit(run, entry, state[0], state[1])
                continue
            try:
                self._start_job(run)
            except ResolveError as exc:
                self._end_without_job(run, "failed", str(exc))
            except Exception as exc:
                log.exception("starting step %s of %s failed", run.full_name, self.run_id)
                self._end_without_job(run, "failed", f"start step[{run.full_name}] failed: {exc}")

    # -- the process

    def _start_job(self, run: StepRun) -> None:
        ctx, c = self.ctx, self.control
        prepare_outputs(ctx, run)
        run.command = str(substitute(run.spec.command, own_resolver(ctx, run, artifacts_local=True)))
        run.job_name = job_name_for(self.run_id, run)
        run.job_id = job_id_for(run.job_name)
        cwd = workdir(ctx, run)
        env = process_env(ctx, run, cwd)
        run.log_path = job_log_path(self.run_dir, run.job_id)
        run.stats_path = stats_path(self.run_dir, run.job_id)
        run.set_status("pending", None, c.now())
        try:
            handle = start_process(
                run.job_id,
                run.command,
                run_dir=self.run_dir,
                cwd=cwd,
                env=env,
                on_exit=lambda _h: c.step_exited(run),
                marker=(SYS_RUN_ID, self.run_id),
            )
        except OSError as exc:
            raise ResolveError(
                f"create job for step[{run.full_name}] failed: {exc.strerror or exc}"
            ) from None
        run.handle = handle
        run.set_status("running", "", c.now())
        c.changed()
        SEEN_JOBS.note(run)
        if run.spec.cache_enable and run.fingerprints:
            self._record_cache(run)
        for event in artifact_events(ctx, run, c.now()):
            try:
                self.sink.artifact(self.run_id, event)
            except Exception:
                log.exception("RunSink.artifact failed for %s", run.job_id)

    def _record_cache(self, run: StepRun) -> None:
        assert run.fingerprints is not None
        try:
            record = CacheRecord(
                first_fp=run.fingerprints[0],
                second_fp=run.fingerprints[1],
                run_id=self.run_id,
                job_id=run.job_id,
                fs_name=self.ctx.main_fs.name if self.ctx.main_fs else "",
                username=self.username,
                source=self.source,
                expired_time=run.spec.cache_max_expired_time,
                strategy="conservative",
                custom={},
            )
            self.cache.add(record)
        except Exception:
            log.exception("CacheStore.add failed for %s", run.job_id)

    def on_exit(self, run: StepRun) -> None:
        c = self.control
        handle = run.handle
        code = handle.returncode if handle is not None else -1
        if (handle is not None and handle.term_requested) or run.status == "terminating":
            run.set_status("terminated", run.stop_message or "job is terminated", c.now())
        elif code == 0:
            run.set_status("succeeded", "", c.now())
        elif code is None:
            run.set_status("failed", "job is failed: its exit status was lost (reaped elsewhere)", c.now())
        else:
            reason = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
            run.set_status("failed", f"job is failed: {reason}", c.now())
        c.release_slot(run)
        c.changed()
        SEEN_JOBS.note(run)
        if run.status == "failed":
            c.node_failed(run)

    def stop_step(self, run: StepRun, message: str, grace: float) -> None:
        if run.final:
            return
        if run.handle is not None:
            run.stop_message = message
            run.set_status("terminating", None, self.control.now())
            stop_process(run.handle, grace)
            self.control.changed()
            return
        self._end_without_job(
            run, "terminated", f"cannot stop stepruntime[{run.full_name}] because cannot find it's jobid"
        )
