"""The standalone job API (api §7.11, §8.9): jobs run their command as local processes, like steps.

A ``single`` job is one process; a ``distributed`` job runs every replica of every member as its own
process (task ``<jobID>-<role>-<index>``) and fails as soon as one replica fails. Logs and statistics use
the engine's files under ``<data-dir>/jobs/<jobID>/``, so ``/log/job?jobID=`` and ``/statistics/...``
work for them too. ``workflow`` (Argo) jobs are refused: there is nothing local to run them with.

Restarts: unlike pipeline runs, a job's process cannot be resumed, so jobs that were active when the
server stopped come back ``failed`` (``terminated`` if they were being stopped) with a message saying so.
"""

from __future__ import annotations

import functools
import logging
import shutil
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..caller import Caller
from ..engine import ProcessHandle
from ..errors import PFError
from ..store import Doc, Row
from ..util import Page, fmt_time, paginate, parse_time
from .access import owned_row
from .context import Context
from .fs import FileSystems
from .infra import Infra
from .jobspec import UPDATE_PRIORITIES, JobRequest, JobSpecs

log = logging.getLogger("paddleflow_provider.emulator")
ACTIVE_JOB = ("init", "pending", "running", "terminating")
IMMUTABLE_JOB = ("succeeded", "failed", "terminated", "skipped", "cancelled", "preempted")
STOP_GRACE_S = 5.0


@dataclass(frozen=True)
class TaskRuntime:
    """One process of a job as it runs on this machine."""

    task_id: str
    status: str
    node_name: str
    role: str
    index: int


@dataclass(frozen=True)
class JobView:
    """A job (its stored document without private keys) and, once started, its tasks' runtimes."""

    job_id: str
    status: str
    doc: Doc
    job_type: str  # single | distributed
    runtimes: list[TaskRuntime] | None  # None before the job started


@dataclass(frozen=True)
class JobChange:
    """A modify-job request; "" / ``None`` leaves a field as it is, maps are merged into the job's."""

    priority: str = ""
    labels: dict[str, Any] | None = None
    annotations: dict[str, Any] | None = None


@dataclass(frozen=True)
class JobFilter:
    """List filters ("" / ``None`` = no filter)."""

    status: str = ""
    queue: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    updated_since: float | None = None  # Unix seconds
    started_after: datetime | None = None


@dataclass
class _Live:
    """In-memory state of a job whose processes this server started."""

    expected: int
    handles: dict[str, ProcessHandle] = field(default_factory=dict)
    exits: dict[str, int | None] = field(default_factory=dict)
    stopping: bool = False


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


class Jobs:
    """Job documents (table ``jobs``) and the processes behind the active ones."""

    def __init__(self, ctx: Context, infra: Infra, fs: FileSystems) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.engine = ctx.engine
        self.infra = infra
        self.fs = fs
        self.jobs_dir = ctx.data_dir / "jobs"
        self.specs = JobSpecs(ctx.store, infra, fs)
        self._live: dict[str, _Live] = {}
        self._lock = threading.Lock()

    def job_dir(self, job_id: str) -> Path:
        return self.jobs_dir / job_id

    def get_row(self, who: Caller, job_id: str) -> Row:
        """Another user's job is ``ActionNotAllowed`` here (api §7.11), not ``AccessDenied``."""
        missing = ("JobNotFound", f"job[{job_id}] not found")
        return owned_row(
            self.store, "jobs", job_id, who, missing=missing, resource="job", denied_code="ActionNotAllowed"
        )

    # --- create and run -------------------------------------------------------------------------
    def create(self, who: Caller, job_type: str, req: JobRequest) -> str:
        """Create the job and start its processes; returns its id."""
        doc = self.specs.build(who, job_type, req)
        doc["acceptTime"] = fmt_time()
        queue = doc["schedulingPolicy"]["queue"]
        row = self.store.insert("jobs", doc, key=doc["id"], owner=who.name, parent=queue, status="pending")
        self.ctx.count("jobs_created")
        self._launch(row)
        return row.key

    def _env(self, row: Row, task: dict[str, Any], cwd: Path) -> dict[str, str]:
        doc = row.doc
        env = self.engine.process_base_env()
        env.update(
            {
                "PF_JOB_ID": row.key,
                "PF_JOB_QUEUE_NAME": doc["schedulingPolicy"]["queue"],
                "PF_JOB_PRIORITY": doc["schedulingPolicy"]["priority"],
                "PF_JOB_NAMESPACE": "default",
                "PF_JOB_FLAVOUR": str((doc.get("flavour") or {}).get("name", "")),
                "PF_WORK_DIR": str(cwd),
            }
        )
        env.update(task.get("env") or {})
        return env

    def _cwd(self, row: Row, task: dict[str, Any]) -> Path:
        fs = task.get("fs") or {}
        if fs.get("name"):
            root = self.fs.root_of(row.owner, fs["name"])
            if root is not None:
                path = root / str(fs.get("subPath") or "").strip("/")
                path.mkdir(parents=True, exist_ok=True)
                return path
        path = self.job_dir(row.key) / "workdir"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _launch(self, row: Row) -> None:
        """Mark the job running, then start one process per task (a failed start fails the job)."""
        live = _Live(expected=len(row.doc["_tasks"]))
        with self._lock:
            self._live[row.key] = live
        self._set(row.key, "running", "", startTime=fmt_time())
        try:
            for task in row.doc["_tasks"]:
                cwd = self._cwd(row, task)
                live.handles[task["id"]] = self.engine.start_process(
                    task["id"],
                    task["command"],
                    run_dir=self.job_dir(row.key),
                    cwd=cwd,
                    env=self._env(row, task, cwd),
                    on_exit=functools.partial(self._exited, row.key, task["id"]),
                    marker=("PF_JOB_ID", row.key),
                )
        except OSError as err:
            log.warning("starting job %s failed: %s", row.key, err)
            with self._lock:
                live.stopping = True
                started = list(live.handles.values())
                self._live.pop(row.key, None)
            for handle in started:
                self.engine.stop_process(handle, 0.0)
            self._set(row.key, "failed", f"start job failed: {err.strerror or err}", finishTime=fmt_time())

    def _exited(self, job_id: str, task_id: str, handle: ProcessHandle) -> None:
        """On the process I/O thread: one task ended; a failed replica stops its siblings."""
        code = handle.returncode
        with self._lock:
            live = self._live.get(job_id)
            if live is None:
                return
            live.exits[task_id] = None if handle.term_requested else code
            failing = code != 0 and not live.stopping
            done = len(live.exits) == live.expected
            siblings = [h for tid, h in live.handles.items() if tid not in live.exits] if failing else []
            if done:
                self._live.pop(job_id, None)
        for sibling in siblings:
            self.engine.stop_process(sibling, 0.0)
        if done:
            # the store write may wait for the store lock: keep it off the thread that pumps every log
            threading.Thread(
                target=self._finish, args=(job_id, live), name=f"pf-job-{job_id}", daemon=True
            ).start()

    def _finish(self, job_id: str, live: _Live) -> None:
        if self.ctx.stopping:
            return  # the server is going down: the job is reported lost on the next start
        codes = list(live.exits.values())
        if live.stopping:
            status, message = "terminated", "job is terminated"
        elif all(code == 0 for code in codes):
            status, message = "succeeded", "job is succeeded"
        else:
            bad = next((c for c in codes if c != 0), None)
            reason = (
                "exit status lost"
                if bad is None
                else (f"killed by signal {-bad}" if bad < 0 else f"exit code {bad}")
            )
            status, message = "failed", f"job is failed: {reason}"
        self._set(job_id, status, message, finishTime=fmt_time())

    def _set(self, job_id: str, status: str, message: str, **times: str) -> None:
        with self.store.tx():
            row = self.store.get("jobs", job_id)
            if row is None or row.status in IMMUTABLE_JOB:
                return
            row.status = row.doc["status"] = status
            row.doc["message"] = message
            row.doc.update(times)
            row.doc["_updated"] = datetime.now().timestamp()
            self.store.update("jobs", row)

    # --- stop / update / delete -----------------------------------------------------------------
    def update(self, who: Caller, job_id: str, action: str, change: JobChange) -> None:
        if action not in ("stop", "modify"):
            raise PFError("ActionNotAllowed", f"action[{action}] is not supported for job")
        row = self.get_row(who, job_id)
        if action == "stop":
            self._stop(row)
            return
        with self.store.tx():
            row = self.get_row(who, job_id)
            priority = change.priority
            if priority:
                if priority.upper() not in UPDATE_PRIORITIES:
                    raise PFError(
                        "InvalidArguments", f"priority[{priority}] should be in {list(UPDATE_PRIORITIES)}"
                    )
                row.doc["schedulingPolicy"]["priority"] = priority.upper()
            for key, value in (("labels", change.labels), ("annotations", change.annotations)):
                if value is not None:
                    row.doc[key] = {**row.doc.get(key, {}), **{str(k): str(v) for k, v in value.items()}}
            row.doc["_updated"] = datetime.now().timestamp()
            self.store.update("jobs", row)

    def _stop(self, row: Row) -> None:
        if row.status in IMMUTABLE_JOB:
            raise PFError("", f"job[{row.key}] is already {row.status}")
        with self._lock:
            live = self._live.get(row.key)
            handles = list(live.handles.values()) if live is not None else []
            if live is not None:
                live.stopping = True
        if live is None:  # nothing of it runs in this process
            self._set(row.key, "terminated", "job is terminated", finishTime=fmt_time())
            return
        self._set(row.key, "terminating", "job is terminating")
        for handle in handles:
            self.engine.stop_process(handle, STOP_GRACE_S)

    def delete(self, who: Caller, job_id: str) -> None:
        with self.store.tx():
            row = self.get_row(who, job_id)
            if row.status not in IMMUTABLE_JOB:
                raise PFError("ActionNotAllowed", f"job[{job_id}] is {row.status}, please stop it first")
            self.store.remove("jobs", row.pk)
        shutil.rmtree(self.job_dir(job_id), ignore_errors=True)

    # --- read -----------------------------------------------------------------------------------
    def show(self, who: Caller, job_id: str) -> JobView:
        row = self.get_row(who, job_id)
        if not row.doc.get("startTime"):
            return JobView(row.key, row.status, public(row.doc), row.doc["_type"], None)
        runtimes = [self._task_runtime(row, task) for task in row.doc["_tasks"]]
        return JobView(row.key, row.status, public(row.doc), row.doc["_type"], runtimes)

    def _task_runtime(self, row: Row, task: dict[str, Any]) -> TaskRuntime:
        with self._lock:
            live = self._live.get(row.key)
            code = live.exits.get(task["id"], -1) if live is not None else -1
            exited = live is not None and task["id"] in live.exits
        if row.status in IMMUTABLE_JOB or live is None:
            status = row.status
        elif exited:
            status = "succeeded" if code == 0 else "failed"
        else:
            status = row.status
        return TaskRuntime(task["id"], status, socket.gethostname(), task["role"], task["index"])

    def list(self, who: Caller, f: JobFilter, marker: str | None, max_keys: int) -> Page[Doc]:
        status, queue, labels, since, started = f.status, f.queue, f.labels, f.updated_since, f.started_after
        if queue and self.infra.queue_status(queue) is None:
            raise PFError("QueueNameNotFound", f"queue[{queue}] not found")
        rows = []
        for r in self.store.select("jobs", owner=None if who.is_root else who.name):
            d = r.doc
            if (status and r.status != status) or (queue and r.parent != queue):
                continue
            if any(d.get("labels", {}).get(k) != v for k, v in labels.items()):
                continue
            if since is not None and d.get("_updated", 0) < since:
                continue
            if started is not None and (not d.get("startTime") or parse_time(d["startTime"]) < started):
                continue
            rows.append((r.pk, public(d)))
        return paginate(rows, marker, max_keys)

    def queue_in_use(self, queue: str) -> bool:
        return bool(self.store.select("jobs", parent=queue, statuses=ACTIVE_JOB))

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        """Kill what a SIGKILLed server left running, then report the active jobs as lost."""
        self.engine.kill_leftover_processes(self.jobs_dir, "job")
        for row in self.store.select("jobs", statuses=ACTIVE_JOB):
            if row.status == "terminating":
                self._set(row.key, "terminated", "job is terminated", finishTime=fmt_time())
            else:
                message = "job is failed: the emulator stopped while it ran (job processes are not resumed)"
                self._set(row.key, "failed", message, finishTime=fmt_time())
