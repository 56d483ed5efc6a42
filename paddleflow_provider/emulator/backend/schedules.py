"""Schedules: create/list/show/stop/delete and the tick loop that creates their runs (semantics §4).

The scheduler reads time from ``clock`` (injectable; the control API can shift it), wakes every
``scheduler_interval`` seconds and walks each running schedule's due ticks exactly as §4.3 says:
expired ticks become ``skipped`` runs, concurrency is enforced by ``suspend``/``skip``/``replace``.
Like the server, ``catchup`` is stored but not read: missed ticks are always back-filled.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import yaml

from .. import crontab, engine
from ..errors import PFError
from ..store import Row
from ..util import SCHEDULE_NAME_RE, fmt_time, paginate, parse_time
from ..web import Body, Caller
from .access import check_owner, owned_row
from .runs import ACTIVE_RUN

if TYPE_CHECKING:
    from .core import Backend

log = logging.getLogger("paddleflow_provider.emulator")
FINAL_SCHEDULE = ("success", "failed", "terminated")
POLICIES = ("suspend", "replace", "skip")


class Schedules:
    """Schedule records plus the background thread that fires them."""

    def __init__(self, backend: Backend, clock: Callable[[], datetime] | None = None) -> None:
        self.be = backend
        self.store = backend.store
        self.offset = timedelta(0)
        self._clock = clock or datetime.now
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        backend.runs._final_hooks.append(lambda run_id, status: self._wake.set())

    def now(self) -> datetime:
        return (self._clock() + self.offset).replace(microsecond=0)

    # --- create ---------------------------------------------------------------------------------
    def create(self, who: Caller, body: Body) -> dict[str, Any]:
        name = body.str("name")
        if not SCHEDULE_NAME_RE.match(name):
            raise PFError(
                "InvalidNamePattern", f"name[{name}] of schedule should match ^[A-Za-z_][A-Za-z0-9_]{{1,49}}$"
            )
        desc = body.str("desc")
        if len(desc.encode()) > 256:
            raise PFError("InvalidArguments", "desc too long, should be less than 256")
        concurrency = body.int("concurrency")
        if concurrency < 0:
            raise PFError("InvalidArguments", "concurrency should not be negative")
        policy = body.str("concurrencyPolicy") or "suspend"
        if policy not in POLICIES:
            raise PFError("InvalidArguments", f"concurrency policy[{policy}] not supported")
        expire = body.int("expireInterval")
        if expire < 0:
            raise PFError("InvalidArguments", "expireInterval should not be negative")
        ppl_id, ver_id = body.str("pipelineID"), body.str("pipelineVersionID")
        ppl = self.store.get("pipelines", ppl_id)
        if ppl is None or not ver_id:
            raise PFError("PipelineNotFound", f"pipeline[{ppl_id}] version[{ver_id}] not exist")
        version = self.be.pipelines.version_row(ppl_id, ver_id)
        fs_user = body.str("username") if (who.is_root and body.str("username")) else who.name
        self.be.pipelines.check_yaml_fs(who, fs_user, version.doc["pipelineYaml"])
        now = self.now()
        start = end = None
        try:
            if body.str("startTime"):
                start = parse_time(body.str("startTime"))
            if body.str("endTime"):
                end = parse_time(body.str("endTime"))
        except ValueError:
            raise PFError(
                "InvalidArguments", "startTime/endTime should be in format YYYY-MM-DD hh:mm:ss"
            ) from None
        if start is not None and start <= now:
            raise PFError(
                "InvalidArguments", f"starttime[{fmt_time(start)}] not after currentTime[{fmt_time(now)}]"
            )
        if end is not None and end <= now:
            raise PFError(
                "InvalidArguments", f"endtime[{fmt_time(end)}] not after currentTime[{fmt_time(now)}]"
            )
        if start is not None and end is not None and end <= start:
            raise PFError(
                "InvalidArguments", f"endtime[{fmt_time(end)}] not after startTime[{fmt_time(start)}]"
            )
        try:
            cron = crontab.parse(body.str("crontab"))
        except ValueError as err:
            raise PFError("InvalidArguments", f"check crontab failed: {err}") from None
        check_owner(who, ppl.owner, "pipeline", ppl_id)
        first = cron.next(start or now)
        with self.store.tx():
            if any(r.parent == name for r in self.store.select("schedules", owner=who.name)):
                raise PFError(
                    "DuplicatedName",
                    f"CreateSchedule failed: user[{who.name}] already has schedule with name[{name}]",
                )
            t = fmt_time()
            doc = {
                "name": name,
                "desc": desc,
                "pipelineID": ppl_id,
                "pipelineVersionID": ver_id,
                "username": who.name,
                "fsConfig": {"username": fs_user if fs_user != who.name else ""},
                "crontab": body.str("crontab"),
                "options": {
                    "catchup": body.bool("catchup", True),
                    "expireInterval": expire,
                    "concurrency": concurrency,
                    "concurrencyPolicy": policy,
                },
                "startTime": fmt_time(start) if start else "",
                "endTime": fmt_time(end) if end else "",
                "createTime": t,
                "updateTime": t,
                "nextRunTime": fmt_time(first),
                "scheduleMsg": "",
                "status": "running",
            }
            row = self.store.insert(
                "schedules",
                doc,
                owner=who.name,
                parent=name,
                status="running",
                id_format="schedule-{:06d}",
                id_field="scheduleID",
            )
        self.be.count("schedules_created")
        self._wake.set()
        return {"scheduleID": row.key}

    # --- access ---------------------------------------------------------------------------------
    def _row(self, who: Caller, schedule_id: str, *, denied_code: str = "AccessDenied") -> Row:
        missing = ("ScheduleNotFound", f"schedule[{schedule_id}] not found")
        return owned_row(
            self.store,
            "schedules",
            schedule_id,
            who,
            missing=missing,
            resource="schedule",
            denied_code=denied_code,
        )

    def show(
        self,
        who: Caller,
        *,
        schedule_id: str,
        run_filter: list[str],
        status_filter: list[str],
        marker: str | None,
        max_keys: int,
    ) -> dict[str, Any]:
        row = self._row(who, schedule_id)
        runs = self.be.runs.list(
            Caller("root"),
            {"run": run_filter, "status": status_filter},
            marker,
            max_keys,
            schedule_id=schedule_id,
        )
        return {**row.doc, "runs": runs}

    def stop(self, who: Caller, schedule_id: str) -> None:
        with self.store.tx():
            row = self._row(who, schedule_id)
            if row.status in FINAL_SCHEDULE:
                raise PFError(
                    "ActionNotAllowed",
                    f"stop schedule[{schedule_id}] failed, already in status[{row.status}]",
                )
            row.status = row.doc["status"] = "terminated"
            row.doc["updateTime"] = fmt_time()
            self.store.update("schedules", row)

    def delete(self, who: Caller, schedule_id: str) -> None:
        with self.store.tx():
            row = self._row(who, schedule_id, denied_code="ScheduleNotFound")
            if row.status not in FINAL_SCHEDULE:
                raise PFError(
                    "ActionNotAllowed",
                    f"delete schedule[{schedule_id}] in status[{row.status}] failed. only "
                    "schedules in final status: [success failed terminated] can be deleted",
                )
            row.deleted = True
            self.store.update("schedules", row)

    def list(self, who: Caller, f: dict[str, list[str]], marker: str | None, max_keys: int) -> dict[str, Any]:
        if f.get("user") and not who.is_root:
            raise PFError("AccessDenied", "only root user can set userFilter!")
        rows = []
        for r in self.store.select("schedules", owner=None if who.is_root else who.name):
            d = r.doc
            checks = (
                ("user", r.owner),
                ("ppl", d["pipelineID"]),
                ("pplVersion", d["pipelineVersionID"]),
                ("schedule", r.key),
                ("name", d["name"]),
                ("status", r.status),
            )
            if all(not f.get(k) or v in f[k] for k, v in checks):
                rows.append((r.pk, d))
        page, env = paginate(rows, marker, max_keys)
        env["scheduleList"] = page
        return env

    # --- cross-object rules ---------------------------------------------------------------------
    def pipeline_in_use(self, pipeline_id: str, version_id: str | None = None) -> bool:
        return any(
            r.doc["pipelineID"] == pipeline_id
            and (version_id is None or r.doc["pipelineVersionID"] == version_id)
            for r in self.store.select("schedules", statuses=["running"])
        )

    def fs_in_use(self, owner: str, fs_name: str) -> bool:
        for r in self.store.select("schedules", statuses=["running"]):
            user = r.doc["fsConfig"].get("username") or r.owner
            ver = self.store.get(
                "pipeline_versions", r.doc["pipelineVersionID"], parent=r.doc["pipelineID"], deleted=True
            )
            if user != owner or ver is None:
                continue
            names = {ver.doc.get("fsName", "")}
            try:
                fs_opts = (engine.load_yaml(ver.doc["pipelineYaml"]) or {}).get("fs_options") or {}
                names.add(str((fs_opts.get("main_fs") or {}).get("name", "")))
                names.update(
                    str(m.get("name", "")) for m in fs_opts.get("extra_fs") or [] if isinstance(m, dict)
                )
            except (yaml.YAMLError, AttributeError, engine.names().WorkflowError):
                pass
            if fs_name in names:
                return True
        return False

    # --- the tick loop --------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="pf-scheduler", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("scheduler pass failed")
            self._wake.wait(self.be.config.scheduler_interval)
            self._wake.clear()

    def tick(self) -> None:
        """One scheduler pass over every running schedule."""
        for row in self.store.select("schedules", statuses=["running"]):
            if self._stop.is_set() or self.be.stopping:
                return
            try:
                self._fire(row.key)
            except Exception:
                log.exception("schedule %s pass failed", row.key)

    def _fire(self, schedule_id: str) -> None:
        """Create the runs of every due tick, then advance ``nextRunTime``.

        Why this order: a crash between the two steps must neither lose a tick nor fire it twice.
        The cursor only moves once the tick's run exists, and a tick that already has a run (found
        in the ``schedule_ticks`` record, deleted runs included) is passed over, so a restart replays
        the window safely: at-least-once creation, de-duplicated to exactly once.
        """
        now = self.now()
        with self.store.tx():
            row = self.store.get("schedules", schedule_id)
            if row is None or row.status != "running":
                return
            d = row.doc
            opts = d["options"]
            cron = crontab.parse(d["crontab"])
            end = parse_time(d["endTime"]) if d["endTime"] else None
            conc, policy, expire = opts["concurrency"], opts["concurrencyPolicy"], opts["expireInterval"]
            active = self.store.select("runs", parent=schedule_id, statuses=ACTIVE_RUN)
            fired = self.store.fired_ticks(schedule_id, d["nextRunTime"])
            t = parse_time(d["nextRunTime"])
            expired: list[datetime] = []
            planned: list[datetime] = []
            skipped: list[datetime] = []
            while t <= now and (end is None or t <= end):
                if fmt_time(t) in fired:
                    pass  # created before a restart: never twice
                elif expire > 0 and t + timedelta(seconds=expire) < now:
                    expired.append(t)
                elif conc == 0 or len(active) + len(planned) < conc:
                    planned.append(t)
                elif policy == "suspend":
                    break
                elif policy == "skip":
                    skipped.append(t)
                else:
                    planned.append(t)
                t = cron.next(t)
            replaced: list[datetime] = []
            to_stop: list[Row] = []
            if policy == "replace" and conc and len(active) + len(planned) > conc:
                if len(planned) >= conc:
                    replaced, planned = planned[:-conc], planned[-conc:]
                    to_stop = active
                else:
                    to_stop = active[: len(active) + len(planned) - conc]
        owner = Caller(row.owner)
        skip_text = f"skip run of schedule[{schedule_id}] with schedule time[{{}}], "
        for tick in sorted(expired + replaced + planned + skipped):
            if tick in expired:
                why = f"beyond expire interval[{expire}] before currentTime[{fmt_time(now)}]"
            elif tick in replaced or tick in skipped:
                why = f"concurrency already reach[{conc}] in policy[{policy}]"
            else:
                why = ""
            self._run(owner, d, tick, skip_text.format(fmt_time(tick)) + why if why else None)
        for run in to_stop:
            with contextlib.suppress(PFError):  # it may have finished meanwhile
                self.be.runs.stop(owner, run.key, False)
        with self.store.tx():
            cur = self.store.get("schedules", schedule_id)
            if cur is None or cur.status != "running":
                return  # stopped meanwhile: its status wins
            cur.doc["nextRunTime"] = fmt_time(t)
            if end is not None and t > end:
                cur.status = cur.doc["status"] = "success"
            cur.doc["updateTime"] = fmt_time()
            self.store.update("schedules", cur)

    def _run(self, owner: Caller, d: dict[str, Any], tick: datetime, skip_message: str | None) -> None:
        body = Body(
            {
                "pipelineID": d["pipelineID"],
                "pipelineVersionID": d["pipelineVersionID"],
                "name": d["name"],
                "desc": d["desc"],
                "username": d["fsConfig"].get("username") or None,
            }
        )
        try:
            self.be.runs.create(
                owner,
                body,
                schedule={"id": d["scheduleID"], "time": fmt_time(tick)},
                skip_message=skip_message,
            )
            self.be.count("schedule_runs_created")
        except PFError as err:
            log.warning(
                "schedule %s: creating the run for %s failed: %s", d["scheduleID"], fmt_time(tick), err
            )
