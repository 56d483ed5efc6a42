"""What happens to one node of a run: starting DAGs, launching steps (condition, disabled, job checks, cache,
process), process exits, stopping, and the final DAG and run statuses (semantics §2.2-2.8, §3.4).

These functions run on the run's orchestrator thread (``r`` is its :class:`~.runner.WorkflowRunner`); a
process exit arrives from the process I/O thread as an ``exit`` event.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from .cachefp import CacheEntry, first_fingerprint, is_expired, second_fingerprint
from .jobproc import start_process, stop_process
from .launch import artifact_events, check_job, prepare_outputs, process_env, resolve_env, workdir
from .logs import job_log_path
from .resolve import ResolveError, evaluate_node_condition, own_resolver
from .runtime import DagRun, NodeRun, StepRun, job_id_for, job_name_for
from .stats import stats_path
from .templates import SYS_RUN_ID, WHOLE_TEMPLATE_RE, substitute

if TYPE_CHECKING:
    from .runner import WorkflowRunner

log = logging.getLogger(__name__)

_jobs: dict[str, tuple[str, dict[str, str]]] = {}  # job id -> (status, outputs), for cache hits of live jobs
_jobs_lock = threading.Lock()
WAITING = frozenset({"init", "pending", "running", "terminating"})


def _index(run: StepRun) -> None:
    if run.job_id:
        with _jobs_lock:
            _jobs[run.job_id] = (run.status, dict(run.outputs))


def _lookup_job(r: WorkflowRunner, entry: CacheEntry) -> tuple[str, dict[str, str]] | None:
    with _jobs_lock:
        known = _jobs.get(entry.job_id)
    if known is not None:
        return known
    finder = getattr(r.cache, "job_view", None)
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


# ------------------------------------------------------------------------------------------------
# starting


def start_dag(r: WorkflowRunner, run: DagRun) -> None:
    now = r.now()
    try:
        if run.spec.condition and not evaluate_node_condition(r.ctx, run):
            run.set_status(
                "skipped", f"the result of condition for dag[{run.full_name}] is false, skip running", now
            )
            return
    except ResolveError as exc:
        run.set_status("failed", str(exc), now)
        on_failure(r, run)
        return
    if run.rel_path in r.spec.disabled_set:
        run.set_status("skipped", f"dag[{run.full_name}] is disabled, skip running", now)
        return
    run.set_status("running", "begin to run", now)
    r.changed()


def _end_without_job(r: WorkflowRunner, run: StepRun, status: str, message: str) -> None:
    run.set_status(status, message, r.now())
    run.waiting_cache = None
    r.release_slot(run)
    r.changed()
    if status == "failed":
        on_failure(r, run)


def launch(r: WorkflowRunner, run: StepRun) -> None:
    """A step got its parallelism slot: condition, disabled, job checks, cache, then the process."""
    try:
        if run.spec.condition and not evaluate_node_condition(r.ctx, run):
            message = f"the result of condition for step[{run.full_name}] is false, skip running"
            _end_without_job(r, run, "skipped", message)
            return
        if run.rel_path in r.spec.disabled_set:
            _end_without_job(r, run, "skipped", f"step[{run.full_name}] is disabled, skip running")
            return
        run.env = resolve_env(r.ctx, run)
        check_job(run, r.platform)
        if run.spec.cache_enable and _try_cache(r, run):
            return
        _start_job(r, run)
    except ResolveError as exc:
        _end_without_job(r, run, "failed", str(exc))
    except Exception as exc:  # a broken store or file system fails this step, not the whole engine
        log.exception("starting step %s of %s failed", run.full_name, r.run_id)
        _end_without_job(r, run, "failed", f"start step[{run.full_name}] failed: {exc}")


def _try_cache(r: WorkflowRunner, run: StepRun) -> bool:
    """True when the cache decided the step (hit) or it now waits for a cached job still running."""
    first = first_fingerprint(r.ctx, run)
    second = second_fingerprint(r.ctx, run)
    run.fingerprints = (first, second)
    fs_name = r.spec.main_fs.name if r.spec.main_fs else ""
    now = r.clock()
    for entry in r.cache.find(first, fs_name, r.username, r.source):
        if entry.second_fp != second or is_expired(entry, now):
            continue
        if not r.cache.run_exists(entry.run_id):
            return False
        state = _lookup_job(r, entry)
        if state is None:
            return False
        status, outputs = state
        if status in ("succeeded", "failed"):
            _apply_hit(r, run, entry, status, outputs)
            return True
        if status in WAITING:
            run.waiting_cache = entry
            run.set_status("pending", None, r.now())
            r.changed()
            return True
        return False
    return False


def _apply_hit(
    r: WorkflowRunner, run: StepRun, entry: CacheEntry, status: str, outputs: dict[str, str]
) -> None:
    for name in run.spec.output_artifacts:
        if name not in outputs:
            message = f"cannot find output artifact[{name}] in cache of job[{entry.job_id}]"
            _end_without_job(r, run, "failed", message)
            return
    run.outputs = {name: outputs[name] for name in run.spec.output_artifacts}
    run.cache_run_id, run.cache_job_id = entry.run_id, entry.job_id
    r.add_cache_source(entry.run_id)
    message = f"skip job for step[{run.full_name}] in runid[{r.run_id}], use cache of runid[{entry.run_id}]"
    _end_without_job(r, run, status, message)


def poll_cache_waiters(r: WorkflowRunner) -> None:
    """Steps whose cache hit points at a job still running: decide once that job has ended."""
    for run in r._all_steps():
        entry = run.waiting_cache
        if entry is None or run.final:
            continue
        state = _lookup_job(r, entry)
        if state is not None and state[0] in WAITING:
            continue
        run.waiting_cache = None
        if state is not None and state[0] in ("succeeded", "failed"):
            _apply_hit(r, run, entry, state[0], state[1])
            continue
        try:
            _start_job(r, run)
        except ResolveError as exc:
            _end_without_job(r, run, "failed", str(exc))
        except Exception as exc:
            log.exception("starting step %s of %s failed", run.full_name, r.run_id)
            _end_without_job(r, run, "failed", f"start step[{run.full_name}] failed: {exc}")


def _start_job(r: WorkflowRunner, run: StepRun) -> None:
    ctx = r.ctx
    prepare_outputs(ctx, run)
    run.command = str(substitute(run.spec.command, own_resolver(ctx, run, artifacts_local=True)))
    run.job_name = job_name_for(r.run_id, run)
    run.job_id = job_id_for(run.job_name)
    cwd = workdir(ctx, run)
    env = process_env(ctx, run, cwd)
    run.log_path = job_log_path(r.run_dir, run.job_id)
    run.stats_path = stats_path(r.run_dir, run.job_id)
    run.set_status("pending", None, r.now())
    try:
        handle = start_process(
            run.job_id,
            run.command,
            run_dir=r.run_dir,
            cwd=cwd,
            env=env,
            on_exit=lambda _h: r.post_event("exit", run),
            marker=(SYS_RUN_ID, r.run_id),
        )
    except OSError as exc:
        raise ResolveError(f"create job for step[{run.full_name}] failed: {exc.strerror or exc}") from None
    run.handle = handle
    run.set_status("running", "", r.now())
    r.changed()
    _index(run)
    if run.spec.cache_enable and run.fingerprints:
        try:
            r.cache.add(
                first_fp=run.fingerprints[0],
                second_fp=run.fingerprints[1],
                run_id=r.run_id,
                job_id=run.job_id,
                fs_name=ctx.main_fs.name if ctx.main_fs else "",
                username=r.username,
                source=r.source,
                expired_time=run.spec.cache_max_expired_time,
                strategy="conservative",
                custom={},
            )
        except Exception:
            log.exception("CacheStore.add failed for %s", run.job_id)
    for event in artifact_events(ctx, run, r.now()):
        try:
            r.sink.artifact(r.run_id, event)
        except Exception:
            log.exception("RunSink.artifact failed for %s", run.job_id)


def on_exit(r: WorkflowRunner, run: StepRun) -> None:
    handle = run.handle
    code = handle.returncode if handle is not None else -1
    if (handle is not None and handle.term_requested) or run.status == "terminating":
        run.set_status("terminated", run.stop_message or "job is terminated", r.now())
    elif code == 0:
        run.set_status("succeeded", "", r.now())
    elif code is None:
        run.set_status("failed", "job is failed: its exit status was lost (reaped elsewhere)", r.now())
    else:
        reason = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        run.set_status("failed", f"job is failed: {reason}", r.now())
    r.release_slot(run)
    r.changed()
    _index(run)
    if run.status == "failed":
        on_failure(r, run)


# ------------------------------------------------------------------------------------------------
# stopping and failure options


def stop_step(r: WorkflowRunner, run: StepRun, message: str, grace: float) -> None:
    if run.final:
        return
    if run.handle is not None:
        run.stop_message = message
        run.set_status("terminating", None, r.now())
        stop_process(run.handle, grace)
        r.changed()
        return
    _end_without_job(
        r, run, "terminated", f"cannot stop stepruntime[{run.full_name}] because cannot find it's jobid"
    )


def on_failure(r: WorkflowRunner, run: NodeRun) -> None:
    """A node failed: fail_fast winds the whole entry_points down; continue only cancels its downstream."""
    if run is r._post:
        return
    r.fail_fast()


# ------------------------------------------------------------------------------------------------
# final statuses


def finish_dag(r: WorkflowRunner, dag: DagRun) -> None:
    runs = dag.all_runs()
    now = r.now()
    by_status: dict[str, list[str]] = {}
    for run in runs:
        by_status.setdefault(run.status, []).append(run.full_name)
    prefix = f"update dag[{dag.full_name}]'s status to"
    if "failed" in by_status:
        dag.set_status(
            "failed",
            f"{prefix} [failed] due to subSteps or subDags[{_join(by_status['failed'])}] failed",
            now,
        )
    elif "terminated" in by_status:
        status = "terminated" if dag.terminating else "failed"
        names = _join(by_status["terminated"])
        dag.set_status(status, f"{prefix} [{status}] due to subSteps or subDags[{names}] terminated", now)
    elif "cancelled" in by_status:
        names = _join(by_status["cancelled"])
        dag.set_status(
            "terminated", f"{prefix} [terminated] due to subSteps or subDags[{names}] cancelled", now
        )
    else:
        try:
            dag.outputs = _dag_outputs(dag)
        except ResolveError as exc:
            dag.set_status("failed", str(exc), now)
        else:
            names = _join([run.full_name for run in runs])
            dag.set_status("succeeded", f"all subDag or subStep run succeeded or skipped: {names}", now)
    r.changed()
    if dag.status == "failed" and dag.parent is not None:
        on_failure(r, dag)


def _join(names: list[str]) -> str:
    return ",".join(names)


def _dag_outputs(dag: DagRun) -> dict[str, str]:
    outputs = {}
    for name, template in dag.spec.output_artifacts.items():
        match = WHOLE_TEMPLATE_RE.match(template.strip())
        runs = sorted(dag.children.get(match.group(1) or "", []) if match else [], key=lambda x: x.seq)
        paths = [run.outputs.get(match.group(2)) for run in runs] if match else []
        if not match or not paths or any(p is None for p in paths):
            raise ResolveError(f"resolve output artifact[{name}] of dag[{dag.full_name}] failed: {template}")
        outputs[name] = ",".join(p for p in paths if p is not None)
    return outputs


def _leaves(run: NodeRun, status: str, found: list[NodeRun]) -> None:
    """Deepest records in ``status``: a DAG counts only when no child of it is in that status."""
    if isinstance(run, DagRun) and run.reused_view is None:
        before = len(found)
        for child in run.all_runs():
            _leaves(child, status, found)
        if len(found) == before and run.status == status and run.parent is not None:
            found.append(run)
    elif run.status == status:
        found.append(run)


def final_run_status(r: WorkflowRunner) -> tuple[str, str]:
    """The run's final status and message once entry_points and post_process are done (semantics §2.2)."""
    prefix = f"{r.spec.name}."

    def names(status: str) -> list[str]:
        found: list[NodeRun] = []
        _leaves(r.entry, status, found)
        if r._post is not None and r._post.status == status:
            found.append(r._post)
        return [run.full_name.removeprefix(prefix) for run in found]

    failed = names("failed")
    if failed or r.entry.status == "failed":
        return "failed", f"update status to failed because some step or dag run failed: {_join(failed)}"
    terminated, cancelled = names("terminated"), names("cancelled")
    if terminated or cancelled or r.entry.status in ("terminated", "cancelled"):
        if r._stopping:
            if terminated:
                return "terminated", (
                    "update status to terminated because some step or dag was terminated after receive "
                    f"termination singal: {_join(terminated)}"
                )
            return "terminated", (
                "update status to terminated because some step or dag was cancelled "
                "after receive termination singal."
            )
        return "failed", (
            "update status to failed because some step or dag was terminated unexpectedly: "
            f"{_join(terminated + cancelled)}"
        )
    return "succeeded", "Run successfully"
