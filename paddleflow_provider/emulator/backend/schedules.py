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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import yaml

from .. import crontab
from ..caller import Caller
from ..engine import WorkflowError
from ..errors import PFError
from ..store import Doc, Row
from ..util import SCHEDULE_NAME_RE, Page, fmt_time, paginate, parse_time
from .access import check_owner, owned_row
from .context import Context
from .pipelines import Pipelines
from .runs import ACTIVE_RUN, RunFilter, RunRequest, Runs

log = logging.getLogger("paddleflow_provider.emulator")
FINAL_SCHEDULE = ("success", "failed", "terminated")
POLICIES = ("suspend", "replace", "skip")


@dataclass(frozen=True)
class ScheduleSpec:
    """A create-schedule request; times are ``YYYY-MM-DD hh:mm:ss`` text ("" = not given)."""

    name: str = ""
    desc: str = ""
    pipeline_id: str = ""
    pipeline_version_id: str = ""
    username: str = ""  # the storage's owner for the runs (root only)
    crontab: str = ""
    start_time: str = ""
    end_time: str = ""
    concurrency: int = 0
    concurrency_policy: str = ""
    expire_interval: int = 0
    catchup: bool = True


@dataclass(frozen=True)
class ScheduleFilter:
    """List filters; an empty list does not filter."""

    users: list[str] = field(default_factory=list)
    pipeline_ids: list[str] = field(default_factory=list)
    version_ids: list[str] = field(default_factory=list)
    schedule_ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScheduleDetail:
    """A schedule and one page of the runs it made."""

    schedule: Doc
    runs: Page[Doc]


def _options(spec: ScheduleSpec) -> tuple[int, str, int]:
    """(concurrency, concurrency policy, expire interval), checked in the server's order."""
    if len(spec.desc.encode()) > 256:
        raise PFError("InvalidArguments", "desc too long, should be less than 256")
    if spec.concurrency < 0:
        raise PFError("InvalidArguments", "concurrency should not be negative")
    policy = spec.concurrency_policy or "suspend"
    if policy not in POLICIES:
        raise PFError("InvalidArguments", f"concurrency policy[{policy}] not supported")
    if spec.expire_interval < 0:
        raise PFError("InvalidArguments", "expireInterval should not be negative")
    return spec.concurrency, policy, spec.expire_interval


def _window(spec: ScheduleSpec, now: datetime) -> tuple[datetime | None, datetime | None]:
    """(start, end) of the schedule; both must lie after ``now`` and end after start."""
    start = end = None
    try:
        if spec.start_time:
            start = parse_time(spec.start_time)
        if spec.end_time:
            end = parse_time(spec.end_time)
    except ValueError:
        raise PFError(
            "InvalidArguments", "startTime/endTime should be in format YYYY-MM-DD hh:mm:ss"
        ) from None
    if start is not None and start <= now:
        raise PFError(
            "InvalidArguments", f"starttime[{fmt_time(start)}] not after currentTime[{fmt_time(now)}]"
        )
    if end is not None and end <= now:
        raise PFError("InvalidArguments", f"endtime[{fmt_time(end)}] not after currentTime[{fmt_time(now)}]")
    if start is not None and end is not None and end <= start:
        raise PFError("InvalidArguments", f"endtime[{fmt_time(end)}] not after startTime[{fmt_time(start)}]")
    return start, end


@dataclass
class _TickPlan:
    """The due ticks of one scheduler pass, by what becomes of them, and where the cursor goes next."""

    expired: list[datetime]
    planned: list[datetime]
    skipped: list[datetime]
    next_tick: datetime


def _plan_ticks(
    cron: crontab.Crontab,
    first: datetime,
    *,
    now: datetime,
    end: datetime | None,
    fired: set[str],
    opts: dict[str, Any],
    active: int,
) -> _TickPlan:
    """Walk the ticks from ``first`` up to ``now`` (and the end time): expired, to run, or skipped by the
    concurrency policy; ``suspend`` stops the walk at the first tick over the limit."""
    conc, policy, expire = opts["concurrency"], opts["concurrencyPolicy"], opts["expireInterval"]
    plan = _TickPlan([], [], [], first)
    t = first
    while t <= now and (end is None or t <= end):
        if fmt_time(t) in fired:
            pass  # created before a restart: never twice
        elif expire > 0 and t + timedelta(seconds=expire) < now:
            plan.expired.append(t)
        elif conc == 0 or active + len(plan.planned) < conc:
            plan.planned.append(t)
        elif policy == "suspend":
            break
        elif policy == "skip":
            plan.skipped.append(t)
        else:
            plan.planned.append(t)
        t = cron.next(t)
    plan.next_tick = t
    return plan


class Schedules:
    """Schedule records plus the background thread that fires them."""

    def __init__(
        self, ctx: Context, runs: Runs, pipelines: Pipelines, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.runs = runs
        self.pipelines = pipelines
        self.offset = timedelta(0)
        self._clock = clock or datetime.now
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        runs.add_final_hook(lambda run_id, status: self._wake.set())  # a freed slot may let a tick run

    def shift_clock(self, offset: timedelta) -> timedelta:
        """Run the scheduler ``offset`` ahead of the wall clock (test control API); wakes it up."""
        self.offset = offset
        self._wake.set()
        return self.offset

    def now(self) -> datetime:
        return (self._clock() + self.offset).replace(microsecond=0)

    # --- create ---------------------------------------------------------------------------------
    def create(self, who: Caller, spec: ScheduleSpec) -> str:
        """Create a running schedule; returns its id."""
        name = spec.name
        if not SCHEDULE_NAME_RE.match(name):
            raise PFError(
                "InvalidNamePattern", f"name[{name}] of schedule should match ^[A-Za-z_][A-Za-z0-9_]{{1,49}}$"
            )
        desc = spec.desc
        concurrency, policy, expire = _options(spec)
        ppl_id, ver_id = spec.pipeline_id, spec.pipeline_version_id
        ppl = self.store.get("pipelines", ppl_id)
        if ppl is None or not ver_id:
            raise PFError("PipelineNotFound", f"pipeline[{ppl_id}] version[{ver_id}] not exist")
        version = self.pipelines.version_row(ppl_id, ver_id)
        fs_user = spec.username if (who.is_root and spec.username) else who.name
        self.pipelines.check_yaml_fs(who, fs_user, version.doc["pipelineYaml"])
        now = self.now()
        start, end = _window(spec, now)
        try:
            cron = crontab.parse(spec.crontab)
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
                "crontab": spec.crontab,
                "options": {
                    "catchup": spec.catchup,
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
        self.ctx.count("schedules_created")
        self._wake.set()
        return row.key

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
    ) -> ScheduleDetail:
        row = self._row(who, schedule_id)
        runs = self.runs.list(
            Caller("root"),
            RunFilter(users=[], fs_names=[], run_ids=run_filter, names=[], statuses=status_filter),
            marker,
            max_keys,
            schedule_id=schedule_id,
        )
        return ScheduleDetail(row.doc, runs)

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
            self.store.soft_delete("schedules", row)

    def list(self, who: Caller, f: ScheduleFilter, marker: str | None, max_keys: int) -> Page[Doc]:
        if f.users and not who.is_root:
            raise PFError("AccessDenied", "only root user can set userFilter!")
        rows = []
        for r in self.store.select("schedules", owner=None if who.is_root else who.name):
            d = r.doc
            checks = (
                (f.users, r.owner),
                (f.pipeline_ids, d["pipelineID"]),
                (f.version_ids, d["pipelineVersionID"]),
                (f.schedule_ids, r.key),
                (f.names, d["name"]),
                (f.statuses, r.status),
            )
            if all(not wanted or v in wanted for wanted, v in checks):
                rows.append((r.pk, d))
        return paginate(rows, marker, max_keys)

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
                fs_opts = (self.ctx.engine.load_yaml(ver.doc["pipelineYaml"]) or {}).get("fs_options") or {}
                names.add(str((fs_opts.get("main_fs") or {}).get("name", "")))
                names.update(
                    str(m.get("name", "")) for m in fs_opts.get("extra_fs") or [] if isinstance(m, dict)
                )
            except (yaml.YAMLError, AttributeError, WorkflowError):
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
            self._wake.wait(self.ctx.config.scheduler_interval)
            self._wake.clear()

    def tick(self) -> None:
        """One scheduler pass over every running schedule."""
        for row in self.store.select("schedules", statuses=["running"]):
            if self._stop.is_set() or self.ctx.stopping:
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
            plan = _plan_ticks(
                cron,
                parse_time(d["nextRunTime"]),
                now=now,
                end=end,
                fired=fired,
                opts=opts,
                active=len(active),
            )
            expired, planned, skipped, t = plan.expired, plan.planned, plan.skipped, plan.next_tick
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
                self.runs.stop(owner, run.key, False)
        self._advance(schedule_id, t, end)

    def _advance(self, schedule_id: str, next_tick: datetime, end: datetime | None) -> None:
        """Move the schedule's cursor to ``next_tick``; past its end time it has succeeded."""
        with self.store.tx():
            cur = self.store.get("schedules", schedule_id)
            if cur is None or cur.status != "running":
                return  # stopped meanwhile: its status wins
            cur.doc["nextRunTime"] = fmt_time(next_tick)
            if end is not None and next_tick > end:
                cur.status = cur.doc["status"] = "success"
            cur.doc["updateTime"] = fmt_time()
            self.store.update("schedules", cur)

    def _run(self, owner: Caller, d: dict[str, Any], tick: datetime, skip_message: str | None) -> None:
        req = RunRequest(
            pipeline_id=d["pipelineID"],
            pipeline_version_id=d["pipelineVersionID"],
            name=d["name"],
            desc=d["desc"],
            username=d["fsConfig"].get("username") or "",
        )
        try:
            self.runs.create(
                owner,
                req,
                schedule={"id": d["scheduleID"], "time": fmt_time(tick)},
                skip_message=skip_message,
            )
            self.ctx.count("schedule_runs_created")
        except PFError as err:
            log.warning(
                "schedule %s: creating the run for %s failed: %s", d["scheduleID"], fmt_time(tick), err
            )
