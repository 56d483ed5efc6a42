"""Read-side records: cache records, artifact events, logs and statistics of runs and jobs (api §7.6, §7.10,
§7.12)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..caller import Caller
from ..errors import PFError
from ..store import Doc, Row
from ..util import Page, paginate
from .access import check_owner, owned_row
from .context import Context
from .jobs import Jobs
from .rundoc import find_job, run_jobs
from .runs import Runs

_JOB_RUN_RE = re.compile(r"^job-(run-\d+)-")


@dataclass(frozen=True)
class JobFiles:
    """A job's file folder (``logs/``, ``stats/``), its name and the task ids its files are named by."""

    dir: Path
    name: str
    tasks: list[str]


@dataclass(frozen=True)
class TaskLog:
    """One page of one task's log."""

    task_id: str
    content: str
    has_next_page: bool
    truncated: bool


@dataclass(frozen=True)
class JobLog:
    """The log pages of a job's tasks (a step's job has one task, named like the job)."""

    job_id: str
    name: str
    kind: str
    tasks: list[TaskLog]


@dataclass(frozen=True)
class RunLog:
    run_id: str
    submit_log: str
    jobs: list[JobLog]


@dataclass(frozen=True)
class ArtifactFilter:
    """Artifact list filters; an empty list does not filter."""

    users: list[str]
    fs_names: list[str]
    run_ids: list[str]
    types: list[str]
    paths: list[str]


class Records:
    """Cache records, artifact events, run logs and step statistics."""

    def __init__(self, ctx: Context, runs: Runs, jobs: Jobs) -> None:
        self.store = ctx.store
        self.engine = ctx.engine
        self.runs = runs
        self.jobs = jobs

    # --- run cache ------------------------------------------------------------------------------
    def get_cache(self, who: Caller, cache_id: str) -> Row:
        missing = ("RunCacheNotFound", f"runCache[{cache_id}] not found")
        return owned_row(self.store, "run_cache", cache_id, who, missing=missing, resource="runCache")

    def delete_cache(self, who: Caller, cache_id: str) -> None:
        with self.store.tx():
            self.store.remove("run_cache", self.get_cache(who, cache_id).pk)

    def list_cache(
        self,
        who: Caller,
        *,
        users: list[str],
        fss: list[str],
        runs: list[str],
        marker: str | None,
        max_keys: int,
    ) -> Page[Doc]:
        users = users if who.is_root else [who.name]
        rows = [
            (r.pk, r.doc)
            for r in self.store.select("run_cache")
            if (not users or r.owner in users)
            and (not fss or r.doc["fsname"] in fss)
            and (not runs or r.doc["runID"] in runs)
        ]
        return paginate(rows, marker, max_keys)

    # --- artifacts ------------------------------------------------------------------------------
    def list_artifacts(self, who: Caller, f: ArtifactFilter, marker: str | None, max_keys: int) -> Page[Doc]:
        users = f.users if who.is_root else [who.name]
        rows = []
        for r in self.store.select("artifacts"):
            d = r.doc
            if (users and r.owner not in users) or (f.fs_names and d["fsname"] not in f.fs_names):
                continue
            if (f.run_ids and d["runID"] not in f.run_ids) or (f.types and d["type"] not in f.types):
                continue
            if f.paths and d["artifactPath"] not in f.paths:
                continue
            rows.append((r.pk, d))
        return paginate(rows, marker, max_keys)

    # --- logs -----------------------------------------------------------------------------------
    def run_log(
        self, who: Caller, run_id: str, *, job_id: str | None, page_no: int, page_size: int, position: str
    ) -> RunLog:
        row = self.runs.get_row(who, run_id)
        run_dir = self.runs.run_dir(run_id)
        prefix = f"job-{run_id}-".lower()
        entries = []
        for job in run_jobs(row.doc):
            jid = job.get("jobID") or ""
            if not jid.startswith(prefix) or (job_id and jid != job_id):
                continue
            engine = self.engine
            page = engine.read_log_page(
                engine.job_log_path(run_dir, jid), page_no=page_no, page_size=page_size, position=position
            )
            task = TaskLog(jid, page.content, page.has_next_page, page.truncated)
            entries.append(JobLog(jid, str(job.get("name", "")), "single", [task]))
        submit = f"run[{run_id}] status[{row.status}]"
        if row.doc.get("runMsg"):
            submit += f": {row.doc['runMsg']}"
        return RunLog(run_id, submit + "\n", entries)

    # --- statistics -----------------------------------------------------------------------------
    def _job(self, who: Caller, job_id: str) -> JobFiles:
        """Where a pipeline step's job or a standalone job keeps its files; its owner must be the caller."""
        m = _JOB_RUN_RE.match(job_id)
        row = self.store.get("runs", m.group(1)) if m else None
        job = find_job(row.doc, job_id) if row is not None else None
        if row is not None and job is not None:
            files = JobFiles(self.runs.run_dir(row.key), str(job.get("name", "")), [job_id])
        else:
            row = self.store.get("jobs", job_id)
            if row is None:
                raise PFError("JobNotFound", f"job[{job_id}] not found")
            tasks = [str(t["id"]) for t in row.doc.get("_tasks") or []]
            files = JobFiles(self.jobs.job_dir(job_id), str(row.doc.get("name", "")), tasks)
        check_owner(who, row.owner, "job", job_id)
        return files

    def statistics(self, who: Caller, job_id: str) -> dict[str, Any]:
        files = self._job(who, job_id)
        return dict(self.engine.statistics_summary(files.dir, files.tasks[0]))

    def statistics_detail(
        self, who: Caller, job_id: str, start: int, end: int, step: int
    ) -> tuple[list[Any], bool]:
        """(samples between ``start`` and ``end`` every ``step`` seconds, cut short or not)."""
        files = self._job(who, job_id)
        return self.engine.statistics_detail(files.dir, files.tasks[0], start, end, step)

    # --- job log by limit (show_log_by_limit) ---------------------------------------------------
    def job_log(
        self,
        who: Caller,
        *,
        job_id: str,
        name: str,
        namespace: str,
        cluster: str,
        from_tail: bool,
        line_limit: int,
        size_limit: int,
        kind: str,
    ) -> JobLog:
        """``GET /log/job``: one page of a job's log bounded by lines and bytes (api §7.10)."""
        if not cluster or self.store.get("clusters", cluster) is None:
            raise PFError("InvalidURI", f"clusterName[{cluster}] is required and must exist")
        if not job_id:
            # pods and deployments do not exist here: an empty answer of the right shape
            return JobLog("", f"{namespace}/{name}", kind, [])
        files = self._job(who, job_id)
        tasks = []
        for task_id in files.tasks:
            content, more, truncated = _limited(
                self.engine.job_log_path(files.dir, task_id), from_tail, line_limit, size_limit
            )
            tasks.append(TaskLog(task_id, content, more, truncated))
        return JobLog(job_id, files.name, kind, tasks)


def _limited(path: Path, from_tail: bool, line_limit: int, size_limit: int) -> tuple[str, bool, bool]:
    """(content, has more lines, cut by size) of a log bounded by lines, then bytes."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = b""
    lines = data.decode("utf-8", errors="replace").splitlines()
    chosen = lines[-line_limit:] if from_tail else lines[:line_limit]
    more = len(lines) > len(chosen)
    raw = ("\n".join(chosen) + ("\n" if chosen else "")).encode()
    truncated = len(raw) > size_limit
    if truncated:
        raw = raw[-size_limit:] if from_tail else raw[:size_limit]
    return raw.decode("utf-8", errors="replace"), more, truncated
