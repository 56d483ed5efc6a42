"""Executing one run: :class:`WorkflowRunner` (semantics §2).

Each runner owns one orchestrator thread that alone mutates the run's records; everything else (process exits
from the I/O thread, ``stop()`` from the server) reaches it as an event on its queue, so there are no locks on
run state and no polling except the cache wait. After handling a batch of events the orchestrator schedules
what became ready and, if anything changed, sends a full wire-shaped snapshot to the :class:`RunSink`.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from .cachefp import CacheStore
from .launch import PlatformInfo
from .lifecycle import StepLifecycle
from .outcome import final_run_status, finish_dag
from .procs import get_pump
from .resolve import ResolveError, RunContext, resolve_inputs, resolve_loop, resolve_params
from .runtime import BAD, OK, DagRun, NodeRun, StepRun, seq_of_view
from .spec import STRATEGY_FAIL_FAST, Dag, Node, Step, WorkflowSpec
from .state import RunSink, RunState

log = logging.getLogger(__name__)

STOP_MESSAGE = "receive stop signall"  # sic, the server's text
FAILURE_OPTIONS_MESSAGE = "receive failure options signal"
CONTINUE_MESSAGE = "begin to process FailureOptions, some step or dag run failed"
CACHE_POLL_S = 0.5


_live: set[WorkflowRunner] = set()
_live_lock = threading.Lock()


class WorkflowRunner:
    """Runs one validated workflow as local processes; see the package docstring for the local mapping.

    :param previous: ``(runtime, post_process)`` wire dicts of the run being retried or resumed: its succeeded
        and skipped steps (and succeeded DAGs) are kept as they are, everything else runs again (semantics
        §2.9).
    :param stop_grace: seconds between SIGTERM and SIGKILL when steps are stopped.
    """

    def __init__(
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
        platform: PlatformInfo | None = None,
        previous: tuple[dict[str, Any], dict[str, Any]] | None = None,
        clock: Callable[[], datetime] = datetime.now,
        stop_grace: float = 5.0,
    ) -> None:
        self.spec = spec
        self.run_id = run_id
        self.run_dir = Path(run_dir)
        self.username = username
        self.source = source
        self.sink = sink
        self.cache = cache
        self.platform = platform
        self.previous = previous
        self.clock = clock
        self.stop_grace = stop_grace
        self.ctx = RunContext(
            run_id=run_id,
            run_name=spec.name,
            username=username,
            main_fs=spec.main_fs,
            fs_roots={k: Path(v) for k, v in fs_roots.items()},
            run_dir=self.run_dir,
        )
        self._events: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = "initiating"
        self._message = ""
        self._activate_time = ""
        self._stopping = False
        self._force = False
        self._failing_fast = False
        self._final = False
        self._version = 0
        self._slots_used = 0
        self._slot_queue: deque[StepRun] = deque()
        self._cache_sources: list[str] = []
        self._last_state: RunState | None = None
        self._post_root = DagRun(
            Dag(name=""), None, 0, None, False, run_id=run_id, full_name=f"{spec.name}.post_process"
        )
        self._post: StepRun | None = None
        self._post_started = False
        self.entry = DagRun(
            spec.entry, None, 0, None, False, run_id=run_id, full_name=f"{spec.name}.entry_points"
        )
        self._steps = StepLifecycle(
            self,
            spec=spec,
            ctx=self.ctx,
            username=username,
            source=source,
            sink=sink,
            cache=cache,
            platform=platform,
            clock=clock,
        )

    # -- public API

    def start(self) -> None:
        """Begin executing on a background thread; returns at once."""
        if self._thread is not None:
            return
        with _live_lock:
            _live.add(self)
        self._thread = threading.Thread(target=self._main, name=f"pf-run-{self.run_id}", daemon=True)
        self._thread.start()

    def stop(self, force: bool = False) -> None:
        """Ask the run to stop (semantics §2.8); the final state arrives through the sink."""
        self._events.put(("stop", force, self.stop_grace))

    def join(self, timeout: float | None = None) -> bool:
        """Wait until the run reached a final status; True if it did."""
        return self._done.wait(timeout)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    # -- orchestrator thread

    def now(self) -> str:
        return self.clock().strftime("%Y-%m-%d %H:%M:%S")

    def changed(self) -> None:
        self._version += 1

    def _main(self) -> None:
        try:
            self._set_run("pending", "")
            self._publish()
            self._drain(block=False)
            if not self._stopping:
                message = (
                    f"restart run[{self.run_id}], and update status to [running]"
                    if self.previous
                    else "begin to running, update status to running"
                )
                self._activate_time = self.now()
                self._set_run("running", message)
            self._begin_entry()
            while True:
                self._schedule()
                self._publish()
                if self._final:
                    break
                self._drain(block=True)
        except Exception as exc:
            log.exception("run %s failed inside the engine", self.run_id)
            self._emergency(exc)
        finally:
            with _live_lock:
                _live.discard(self)
            self._done.set()

    def _drain(self, block: bool) -> None:
        timeout = CACHE_POLL_S if any(r.waiting_cache for r in self._all_steps()) else None
        try:
            event = self._events.get(block=block, timeout=timeout if block else None)
        except queue.Empty:
            return
        while True:
            self._handle(event)
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                return

    def _handle(self, event: tuple[Any, ...]) -> None:
        kind = event[0]
        if kind == "exit":
            self._steps.on_exit(event[1])
        elif kind == "stop":
            self._stop(bool(event[1]), float(event[2]))

    def step_exited(self, run: StepRun) -> None:
        """Called on the process I/O thread: hand the exit to the orchestrator thread."""
        self._events.put(("exit", run))

    def node_failed(self, run: NodeRun) -> None:
        """A node failed: fail_fast winds entry_points down; continue only cancels its downstream."""
        if run is self._post:
            return
        self.fail_fast()

    def _set_run(self, status: str, message: str) -> None:
        self._status, self._message = status, message
        self.changed()

    # -- scheduling

    def _begin_entry(self) -> None:
        entry = self.entry
        if self.previous:
            entry.previous = dict(self.previous[0] or {})
        if self._stopping and not self.previous:
            entry.set_status("cancelled", STOP_MESSAGE, self.now())
        else:  # a retried/resumed run stopped this early still shows the records it kept (_keep_done)
            entry.set_status("running", "begin to run", self.now())
        self.changed()

    def _schedule(self) -> None:
        while True:
            version = self._version
            self._advance(self.entry)
            self._fill_slots()
            self._steps.poll_cache_waiters(self._all_steps())
            if self.entry.final and not self._post_started:
                self._start_post()
            post_done = self._post is None or self._post.final
            if self.entry.final and self._post_started and post_done and not self._final:
                self._finish_run()
            if version == self._version:
                return

    def _advance(self, dag: DagRun) -> None:
        if dag.final:
            return
        for child in dag.all_runs():
            if isinstance(child, DagRun):
                self._advance(child)
        for name, node in dag.spec.entry_points.items():
            if name in dag.children:
                continue
            if dag.terminating or self._failing_fast or self._stopping:
                if self._keep_done(dag, node):
                    continue
                message = STOP_MESSAGE if self._stopping else FAILURE_OPTIONS_MESSAGE
                self._placeholder(dag, node, message)
                continue
            state = self._deps_state(dag, node)
            if state == "blocked":
                self._placeholder(dag, node, CONTINUE_MESSAGE)
            elif state == "ready":
                self._create(dag, node)
        if len(dag.children) == len(dag.spec.entry_points) and all(r.final for r in dag.all_runs()):
            finish_dag(dag, self.now())
            self.changed()
            if dag.status == "failed" and dag.parent is not None:
                self.node_failed(dag)

    def _keep_done(self, dag: DagRun, node: Node) -> bool:
        """Winding down before ``node`` was created: keep its earlier succeeded/skipped records, if any.

        Why: the server copies a retried run's finished records into the new run before it starts, and
        resumes a run after a restart from its stored records, so a stop (e.g. one pending when the server
        restarted) must not turn those into ``cancelled`` placeholders and lose their jobs and outputs.
        """
        views = dag.previous.get(node.name) or []
        if not views or any(v.get("status") not in OK for v in views):
            return False
        for view in sorted(views, key=lambda v: seq_of_view(v, node.name)):
            run = self.new_run(dag, node, seq_of_view(view, node.name), None, len(views) > 1)
            self._reuse(run, view)
        return True

    def _deps_state(self, dag: DagRun, node: Node) -> str:
        blocked = False
        for dep in node.deps:
            runs = dag.children.get(dep)
            if runs is None or not all(r.final for r in runs):
                return "wait"
            if any(r.status in BAD for r in runs):
                blocked = True
        return "blocked" if blocked else "ready"

    def new_run(self, parent: DagRun, node: Node, seq: int, value: Any, has_loop: bool) -> NodeRun:
        run: NodeRun
        if isinstance(node, Dag):
            run = DagRun(node, parent, seq, value, has_loop, run_id=self.run_id)
        else:
            assert isinstance(node, Step)
            run = StepRun(node, parent, seq, value, has_loop)
        parent.children.setdefault(node.name, []).append(run)
        self.changed()
        return run

    def _placeholder(self, parent: DagRun, node: Node, message: str) -> None:
        run = self.new_run(parent, node, 0, None, False)
        run.set_status("cancelled", message, self.now())

    def _create(self, parent: DagRun, node: Node) -> None:
        previous = {seq_of_view(v, node.name): v for v in parent.previous.get(node.name, [])}
        try:
            params = resolve_params(self.ctx, node, parent)
            inputs = resolve_inputs(node, parent)
            loop = resolve_loop(self.ctx, node, params, inputs)
        except (ResolveError, KeyError) as exc:
            run = self.new_run(parent, node, 0, None, False)
            run.set_status("failed", str(exc), self.now())
            self.node_failed(run)
            return
        if loop is not None and not loop:
            run = self.new_run(parent, node, 0, None, True)
            run.params, run.inputs = dict(params), dict(inputs)
            run.set_status(
                "failed", f"get loop argument of component[{run.full_name}] failed: empty list", self.now()
            )
            self.node_failed(run)
            return
        items = [(0, None, False)] if loop is None else [(k, v, True) for k, v in enumerate(loop)]
        for seq, value, has_loop in items:
            run = self.new_run(parent, node, seq, value, has_loop)
            run.params, run.inputs = dict(params), dict(inputs)
            if self._reuse(run, previous.get(seq)):
                continue
            self._start_node(run)

    def _reuse(self, run: NodeRun, view: dict[str, Any] | None) -> bool:
        """Retry: keep an earlier succeeded/skipped record; re-enter a failed/terminated DAG with its id."""
        if view is None:
            return False
        status = view.get("status", "")
        if status in OK:
            run.reused_view = view
            run.status = status
            run.params = dict(view.get("parameters") or {})
            run.outputs = dict((view.get("artifacts") or {}).get("output") or {})
            if isinstance(run, StepRun):
                run.job_id = str(view.get("jobID", ""))
            self.changed()
            return True
        if isinstance(run, DagRun) and status in ("failed", "terminated") and "entryPoints" in view:
            run.id = str(view.get("id", run.id))
            run.previous = dict(view.get("entryPoints") or {})
        return False

    def _start_node(self, run: NodeRun) -> None:
        if isinstance(run, DagRun):
            self._steps.start_dag(run)
        else:
            assert isinstance(run, StepRun)
            self._slot_queue.append(run)

    def _fill_slots(self) -> None:
        while self._slot_queue and self._slots_used < self.spec.parallelism:
            run = self._slot_queue.popleft()
            if run.final:
                continue
            run.holds_slot = True
            self._slots_used += 1
            self._steps.launch(run)

    def release_slot(self, run: StepRun) -> None:
        if run.holds_slot:
            run.holds_slot = False
            self._slots_used -= 1
            self.changed()

    def _start_post(self) -> None:
        self._post_started = True
        self.changed()
        if not self.spec.post_process:
            return
        name, node = next(iter(self.spec.post_process.items()))
        run = StepRun(node, None, 0, None, False)
        run.full_name = f"{self.spec.name}.post_process.{name}"
        self._post_root.children[name] = [run]
        self._post = run
        if self._force:
            run.set_status("cancelled", STOP_MESSAGE, self.now())
            return
        try:
            run.params = resolve_params(self.ctx, node, self._post_root)
        except (ResolveError, KeyError) as exc:
            run.set_status("failed", str(exc), self.now())
            return
        self._slot_queue.append(run)

    # -- stop / failure

    def _all_steps(self) -> list[StepRun]:
        result: list[StepRun] = []

        def walk(dag: DagRun) -> None:
            for run in dag.all_runs():
                if isinstance(run, DagRun):
                    walk(run)
                elif isinstance(run, StepRun):
                    result.append(run)

        walk(self.entry)
        if self._post is not None:
            result.append(self._post)
        return result

    def all_dags(self) -> list[DagRun]:
        result: list[DagRun] = []

        def walk(dag: DagRun) -> None:
            result.append(dag)
            for run in dag.all_runs():
                if isinstance(run, DagRun):
                    walk(run)

        walk(self.entry)
        return result

    def _stop(self, force: bool, grace: float) -> None:
        if self._final or (self._stopping and not force and not self._force):
            return
        if not self._stopping:
            self._set_run("terminating", "receive termination signal, update status to terminating")
        self._stopping = True
        self._force = self._force or force
        if self._status == "pending":
            return  # _main marks the entry DAG cancelled before starting it
        self.wind_down(STOP_MESSAGE, "job is terminated", grace)
        if self._force and self._post is not None and not self._post.final:
            self._steps.stop_step(self._post, "job is terminated", grace)

    def wind_down(self, cancel_message: str, kill_message: str, grace: float | None = None) -> None:
        """Stop every running step of entry_points and mark its DAGs terminating (stop and fail_fast)."""
        for dag in self.all_dags():
            if not dag.final:
                dag.terminating = True
                dag.set_status("terminating", None, self.now())
        post = self._post
        for run in self._all_steps():
            if run is not post and not run.final:
                self._steps.stop_step(run, kill_message, self.stop_grace if grace is None else grace)
        self.changed()

    def fail_fast(self) -> None:
        if self.spec.failure_strategy != STRATEGY_FAIL_FAST or self._failing_fast:
            return
        self._failing_fast = True
        self.wind_down(
            FAILURE_OPTIONS_MESSAGE, "stop by failureOptions, some other component has been failed"
        )

    # -- finishing

    def _finish_run(self) -> None:
        status, message = final_run_status(self.spec.name, self.entry, self._post, self._stopping)
        self._final = True
        self._set_run(status, message)

    def _emergency(self, exc: Exception) -> None:
        pump = get_pump()
        for run in self._all_steps():
            if run.handle is not None and run.handle.alive:
                pump.terminate(run.handle, 0.0)
        self._final = True
        self._set_run("failed", f"run failed because of an engine error: {exc}")
        try:
            self._publish()
        except Exception:
            log.exception("publishing the final state of %s failed", self.run_id)

    def snapshot(self) -> RunState:
        username, main_fs = self.username, self.spec.main_fs
        post = {}
        if self._post is not None:
            post[self._post.name] = self._post.view(username, main_fs)
        return RunState(
            status=self._status,
            message=self._message,
            runtime=self.entry.children_views(username, main_fs),
            post_process=post,
            run_cached_ids="",
            activate_time=self._activate_time,
            cache_source_runs=list(self._cache_sources),
        )

    def _publish(self) -> None:
        state = self.snapshot()
        if state == self._last_state:
            return
        self._last_state = state
        try:
            self.sink.update(self.run_id, state)
        except Exception:
            log.exception("RunSink.update failed for %s", self.run_id)

    def add_cache_source(self, run_id: str) -> None:
        if run_id not in self._cache_sources:
            self._cache_sources.append(run_id)
            self.changed()


def shutdown_all(timeout: float = 10.0) -> None:
    """Force-stop every live runner and wait for it (server shutdown); then kill any process left."""
    import time

    with _live_lock:
        runners = list(_live)
    grace = max(0.0, min(2.0, timeout / 2))
    for runner in runners:
        runner._events.put(("stop", True, grace))
    deadline = time.monotonic() + timeout
    for runner in runners:
        runner.join(max(0.0, deadline - time.monotonic()))
    get_pump().kill_all()
