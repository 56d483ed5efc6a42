"""Runs: create, list, show, stop, retry, delete; the engine runners behind them (api §7.5).

The run document in the ``runs`` table is the wire detail object (semantics §2.11) plus a few
private ``_`` keys (the fs user, the request overrides) needed to re-create the engine spec on
retry and after a restart. Runs in flight when the server stopped are *resumed* on start-up through
the engine with ``previous=`` (succeeded steps are kept), as the real server does (semantics §2.12).
"""

from __future__ import annotations

import base64
import binascii
import builtins
import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..caller import Caller
from ..engine import RunOverrides, WorkflowRunner, WorkflowSpec
from ..errors import PFError
from ..store import Doc, Row
from ..util import Page, fmt_time, paginate, parse_quantity
from .access import owned_row
from .context import Context
from .fs import FileSystems
from .infra import Infra
from .pipelines import Pipelines
from .rundoc import run_jobs
from .sinks import FINAL_RUN, CacheStoreImpl, PlatformImpl, RunSinkImpl

log = logging.getLogger("paddleflow_provider.emulator")
ACTIVE_RUN = ("initiating", "pending", "running", "terminating")
ACTIVE_JOB = ("pending", "running", "terminating")


@dataclass(frozen=True)
class RunRequest:
    """A create-run request. The YAML comes from the first source given: ``run_yaml_raw`` (base64), a
    stored pipeline (version), or ``run_yaml_path`` on storage ``fs_name``; the rest override the YAML."""

    run_yaml_raw: str = ""
    pipeline_id: str = ""
    pipeline_version_id: str = ""
    fs_name: str = ""
    run_yaml_path: str = ""
    username: str = ""  # the storage's owner (root only)
    name: str = ""
    desc: str = ""
    parameters: dict[str, Any] | None = None
    disabled: str = ""
    docker_env: str = ""
    failure_strategy: str = ""


@dataclass(frozen=True)
class RunFilter:
    """List filters; an empty list does not filter."""

    users: list[str]
    fs_names: list[str]
    run_ids: list[str]
    names: list[str]
    statuses: list[str]


class Runs:
    """Run state and the live :class:`WorkflowRunner` per active run."""

    def __init__(self, ctx: Context, fs: FileSystems, pipelines: Pipelines, infra: Infra) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.fs = fs
        self.pipelines = pipelines
        self.runs_dir = ctx.data_dir / "runs"
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self.engine = ctx.engine
        self._runners: dict[str, WorkflowRunner] = {}
        self._lock = threading.Lock()
        self.sink = RunSinkImpl(ctx, self.on_final)
        self.cache = CacheStoreImpl(ctx.store)
        self.platform = PlatformImpl(infra)
        self._final_hooks: list[Callable[[str, str], None]] = []  # (run id, final status)

    def add_final_hook(self, hook: Callable[[str, str], None]) -> None:
        """Call ``hook(run_id, status)`` whenever a run reaches its final status."""
        self._final_hooks.append(hook)

    def run_dir(self, run_id: str) -> Path:
        return self.runs_dir / run_id

    # --- access ---------------------------------------------------------------------------------
    def get_row(self, who: Caller, run_id: str) -> Row:
        missing = ("RunNotFound", f"resouceType[run] with ID[{run_id}] not found")
        return owned_row(self.store, "runs", run_id, who, missing=missing, resource="run")

    # --- create ---------------------------------------------------------------------------------
    def _yaml_source(self, who: Caller, req: RunRequest) -> tuple[str, str, str, str]:
        """(yaml text, source, pipelineID, pipelineVersionID) by the server's priority."""
        raw = req.run_yaml_raw
        if raw:
            try:
                return base64.b64decode(raw, validate=True).decode(), "", "", ""
            except (binascii.Error, ValueError, UnicodeDecodeError):
                raise PFError("MalformedYaml", "runYamlRaw is not valid base64") from None
        ppl_id = req.pipeline_id
        if ppl_id:
            ppl = self.pipelines.get_row(who, ppl_id)
            ver_id = req.pipeline_version_id
            ver = (
                self.pipelines.version_row(ppl.key, ver_id)
                if ver_id
                else self.pipelines.latest_version(ppl.key)
            )
            return ver.doc["pipelineYaml"], f"{ppl_id}-{ver_id}", ppl_id, ver.key
        fs_name = req.fs_name
        if not fs_name:
            raise PFError("InvalidArguments", "can not get runYaml without fs")
        path = req.run_yaml_path or "./run.yaml"
        return self.pipelines.read_fs_yaml(who, fs_name, req.username, path), path, "", ""

    def _fs_roots(self, who: Caller, fs_user: str, names: list[str]) -> dict[str, Path]:
        roots: dict[str, Path] = {}
        for name in names:
            if not name or name in roots:
                continue
            roots[name] = self.fs.require_root(who, fs_user, name)
        return roots

    def create(
        self,
        who: Caller,
        req: RunRequest,
        *,
        schedule: dict[str, str] | None = None,
        skip_message: str | None = None,
    ) -> str:
        """Validate, insert (``initiating``) and start a run; returns its id. ``schedule`` links it to a
        schedule tick."""
        text, source, _, _ = self._yaml_source(who, req)
        fs_user = req.username if (who.is_root and req.username) else who.name
        overrides = RunOverrides(
            name=req.name or None,
            parameters=req.parameters,
            disabled=req.disabled or None,
            docker_env=req.docker_env or None,
            failure_strategy=req.failure_strategy or None,
            fs_name=req.fs_name or None,
        )
        spec = self.engine.parse_run_yaml(text, overrides)
        roots = self._fs_roots(who, fs_user, [spec.fs_name, *spec.extra_fs])
        source = source or spec.source_md5
        t = fmt_time()
        main = spec.main_fs
        fs_options: dict[str, Any] = {"mainFS": None}
        if main is not None:
            fs_options["mainFS"] = {**main.to_wire(fs_user), "readOnly": False}  # the main fs is writable
        if spec.extra_fs_mounts:
            fs_options["extraFS"] = [m.to_wire(fs_user) for m in spec.extra_fs_mounts]
        status = "skipped" if skip_message else "initiating"
        doc: dict[str, Any] = {
            "name": spec.name,
            "source": source,
            "username": who.name,
            "fsName": spec.fs_name,
            "fsOptions": fs_options,
            "description": req.desc,
            "parameters": spec.parameters or None,
            "runYaml": text,
            "runtime": {},
            "postProcess": {},
            "failureOptions": {"strategy": spec.failure_strategy or "fail_fast"},
            "dockerEnv": spec.docker_env,
            "disabled": spec.disabled,
            "scheduleID": (schedule or {}).get("id", ""),
            "scheduledTime": (schedule or {}).get("time", ""),
            "runMsg": skip_message or "",
            "status": status,
            "runCachedIDs": "",
            "createTime": t,
            "activateTime": "",
            "updateTime": t,
            "_fsUser": fs_user,
            "_overrides": asdict(overrides),  # retries and restarts re-create the spec from it
        }
        with self.store.tx():  # the run and its schedule tick's record appear together
            row = self._insert(doc, owner=who.name, schedule_id=doc["scheduleID"], status=status)
            if doc["scheduleID"] and doc["scheduledTime"]:
                self.store.record_tick(doc["scheduleID"], doc["scheduledTime"])
        self.ctx.count("runs_created")
        if not skip_message:
            self._start(row, spec, roots)
        return row.key

    def _insert(self, doc: Doc, *, owner: str, schedule_id: str, status: str) -> Row:
        """Store a new run: its id ``run-NNNNNN`` (also its ``runID``) is numbered from the row."""
        return self.store.insert(
            "runs",
            doc,
            owner=owner,
            parent=schedule_id,
            status=status,
            id_format="run-{:06d}",
            id_field="runID",
        )

    def _start(
        self,
        row: Row,
        spec: WorkflowSpec,
        roots: dict[str, Path],
        previous: tuple[dict[str, Any], dict[str, Any]] | None = None,
    ) -> None:
        run_id = row.key
        with self.store.tx():
            cur = self.store.get("runs", run_id)
            if cur is None:
                return
            cur.status = cur.doc["status"] = "pending"
            self.store.update("runs", cur)
        try:
            runner = self.engine.new_run(
                spec,
                run_id=run_id,
                run_dir=self.run_dir(run_id),
                username=row.doc["_fsUser"],
                source=row.doc["source"],
                fs_roots=roots,
                sink=self.sink,
                cache=self.cache,
                platform=self.platform,
                previous=previous,
            )
            with self._lock:
                self._runners[run_id] = runner
            runner.start()
        except Exception as err:  # the server answers 201 anyway and marks the run failed
            log.exception("starting run %s failed", run_id)
            with self.store.tx():
                cur = self.store.get("runs", run_id)
                if cur is not None:
                    cur.status = cur.doc["status"] = "failed"
                    cur.doc["runMsg"] = f"StartWf failed, {err}"
                    self.store.update("runs", cur)

    def on_final(self, run_id: str, status: str) -> None:
        with self._lock:
            self._runners.pop(run_id, None)
        for hook in self._final_hooks:
            try:
                hook(run_id, status)
            except Exception:
                log.exception("run-final hook failed")

    def _spec_for(self, row: Row) -> tuple[WorkflowSpec, dict[str, Path]]:
        ov = dict(row.doc.get("_overrides") or {})
        spec = self.engine.parse_run_yaml(row.doc["runYaml"], RunOverrides(**ov))
        owner = Caller(row.owner)
        roots = self._fs_roots(owner, row.doc.get("_fsUser", row.owner), [spec.fs_name, *spec.extra_fs])
        return spec, roots

    # --- stop / retry / delete ------------------------------------------------------------------
    def stop(self, who: Caller, run_id: str, force: bool) -> None:
        with self.store.tx():
            row = self.get_row(who, run_id)
            st = row.status
            if st in FINAL_RUN or (st == "terminating" and not force):
                raise PFError(
                    "ActionNotAllowed", f"cannot stop run[{run_id}] as run is already in status[{st}]"
                )
            row.status = row.doc["status"] = "terminating"
            row.doc["runMsg"] = "receive termination signal, update status to terminating"
            row.doc["updateTime"] = fmt_time()
            # kept so a restart resumes the stop as it was asked (a plain stop lets post_process run)
            row.doc["_stopForce"] = bool(force or row.doc.get("_stopForce"))
            self.store.update("runs", row)
        with self._lock:
            runner = self._runners.get(run_id)
        if runner is None:
            # nothing is executing it (e.g. the engine never started): it ends here
            self._finish_orphan(run_id, "terminated", "run terminated: no live workflow for it")
            return
        runner.stop(force=force)

    def _finish_orphan(self, run_id: str, status: str, message: str) -> None:
        with self.store.tx():
            row = self.store.get("runs", run_id)
            if row is None or row.status in FINAL_RUN:
                return  # its runner finished it meanwhile (e.g. just as a stop came): that end stands
            row.status = row.doc["status"] = status
            row.doc["runMsg"] = message
            row.doc["updateTime"] = fmt_time()
            self.store.update("runs", row)
        self.on_final(run_id, status)

    def retry(self, who: Caller, run_id: str) -> str:
        """Start a new run that keeps the succeeded steps of ``run_id``; returns the new run's id."""
        old = self.get_row(who, run_id)
        if old.status not in ("failed", "terminated"):
            raise PFError("ActionNotAllowed", f"run[{run_id}] has status[{old.status}], no need to retry")
        spec, roots = self._spec_for(old)
        t = fmt_time()
        doc = {
            **{k: v for k, v in old.doc.items() if k != "_stopForce"},
            "runtime": {},
            "postProcess": {},
            "status": "initiating",
            "runMsg": "",
            "runCachedIDs": "",
            "createTime": t,
            "activateTime": "",
            "updateTime": t,
        }
        row = self._insert(doc, owner=old.owner, schedule_id=old.parent, status="initiating")
        self.ctx.count("runs_created")
        self.ctx.count("runs_retried")
        self._start(
            row, spec, roots, previous=(old.doc.get("runtime") or {}, old.doc.get("postProcess") or {})
        )
        return row.key

    def delete(self, who: Caller, run_id: str, check_cache: bool) -> None:
        with self.store.tx():
            row = self.get_row(who, run_id)
            if row.status not in FINAL_RUN:
                raise PFError(
                    "ActionNotAllowed",
                    f"run[{run_id}] is in status[{row.status}]. only runs in final "
                    "status: [failed succeeded terminated skipped] can be deleted",
                )
            users = [r for r in row.doc.get("runCachedIDs", "").split(",") if r and r != run_id]
            alive = [r for r in users if self.store.get("runs", r) is not None]
            if check_cache and alive:
                raise PFError(
                    "ActionNotAllowed",
                    f"delete run[{run_id}] failed. run deleting is cached by other "
                    f"Runs[[{' '.join(alive)}]].",
                )
            self.store.soft_delete("runs", row)
        fs_name = row.doc.get("fsName")
        if fs_name:
            root = self.fs.root_of(row.doc.get("_fsUser", row.owner), fs_name)
            if root is not None:
                shutil.rmtree(root / ".pipeline" / run_id, ignore_errors=True)

    # --- read -----------------------------------------------------------------------------------
    def show(self, who: Caller, run_id: str) -> Doc:
        return self.get_row(who, run_id).doc

    def list(
        self,
        who: Caller,
        f: RunFilter,
        marker: str | None,
        max_keys: int,
        schedule_id: str | None = None,
        *,
        newest_first: bool = False,
    ) -> Page[Doc]:
        """Run records, oldest first as the server lists them (newest first for the run pages);
        non-root callers see only their own runs."""
        users = f.users if who.is_root else [who.name]
        rows = []
        for r in self.store.select("runs", parent=schedule_id):
            d = r.doc
            if (users and r.owner not in users) or (f.fs_names and d["fsName"] not in f.fs_names):
                continue
            if f.run_ids and r.key not in f.run_ids:
                continue
            if f.names and d["name"] not in f.names:
                continue
            if f.statuses and r.status not in f.statuses:
                continue
            rows.append((r.pk, d))
        return paginate(rows, marker, max_keys, newest_first=newest_first)

    # --- platform facts -------------------------------------------------------------------------
    def _running_steps(self) -> builtins.list[dict[str, Any]]:
        steps = []
        for row in self.store.select("runs", statuses=ACTIVE_RUN):
            steps += [
                j for j in run_jobs(row.doc) if j.get("status") in ("pending", "running", "terminating")
            ]
        return steps

    def queue_in_use(self, queue: str) -> bool:
        return any(
            (s.get("env") or {}).get("PF_JOB_QUEUE_NAME", "default-queue") == queue
            for s in self._running_steps()
        )

    def queue_usage(self, queue: str) -> tuple[float, float]:
        """(cpu cores, memory bytes) of the running steps on ``queue``, by their flavour."""
        cpu = mem = 0.0
        for s in self._running_steps():
            env = s.get("env") or {}
            if env.get("PF_JOB_QUEUE_NAME", "default-queue") != queue or s.get("status") != "running":
                continue
            flavour = self.store.get("flavours", env.get("PF_JOB_FLAVOUR", ""))
            c, m = (flavour.doc["cpu"], flavour.doc["mem"]) if flavour else ("1", "1Gi")
            cpu += parse_quantity(c)
            mem += parse_quantity(m)
        return cpu, mem

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        """Resume the runs that were active when the server stopped (``previous=`` keeps done steps).

        First kill what a server that died without stopping its steps (SIGKILL) left running, so a
        resumed step never runs twice at once.
        """
        self.engine.kill_leftover_processes(self.runs_dir, "step")
        for row in self.store.select("runs", statuses=ACTIVE_RUN):
            was_stopping = row.status == "terminating"
            try:
                spec, roots = self._spec_for(row)
            except PFError as err:
                self._finish_orphan(row.key, "failed", f"resume after restart failed: {err.message}")
                continue
            with self.store.tx():
                cur = self.store.get("runs", row.key)
                if cur is None:
                    continue
                cur.doc["runMsg"] = f"restart run[{row.key}] after server restart"
                self.store.update("runs", cur)
            previous = (row.doc.get("runtime") or {}, row.doc.get("postProcess") or {})
            self._start(row, spec, roots, previous=previous)
            if was_stopping:
                with self._lock:
                    runner = self._runners.get(row.key)
                if runner is not None:
                    # a data dir from before the flag was recorded: stop as firmly as it used to
                    runner.stop(force=bool(row.doc.get("_stopForce", True)))
            self.ctx.count("runs_resumed")

    def shutdown(self) -> None:
        try:
            self.engine.stop_all_runs(timeout=10.0)
        except Exception:
            log.exception("stopping step processes failed")
