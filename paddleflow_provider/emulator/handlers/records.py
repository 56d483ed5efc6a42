"""Run cache, artifact, log and statistics routes (api §7.6, §7.10, §7.12)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend.records import ArtifactFilter, JobLog
from ..errors import PFError
from ..util import parse_quantity
from .http import backend, caller, empty, filter_values, filtered_list, ok, page_query, q, query_value
from .wire import page_body, parse_max_keys

router = APIRouter()


def _tasks(job: JobLog) -> list[dict[str, Any]]:
    return [
        {
            "taskID": f"{t.task_id}_main",
            "logInfo": {"logContent": t.content, "hasNextPage": t.has_next_page, "truncated": t.truncated},
        }
        for t in job.tasks
    ]


# --- run cache and artifacts --------------------------------------------------------------------
def _cache_max_keys(value: str | None) -> int:
    """The runCache and artifact handlers word a bad ``maxKeys`` as the server's ``pageLimit`` error."""
    try:
        return parse_max_keys(value)
    except PFError:
        raise PFError("InvalidURI", f"invalid query pageLimit[{value}]: should be in 1..1000") from None


@router.get("/runCache")
async def list_cache(request: Request) -> Response:
    users, fss = filter_values(request, "user"), filter_values(request, "fs")
    runs = filter_values(request, "run")
    marker, max_keys = page_query(request, _cache_max_keys)
    page = backend(request).records.list_cache(
        caller(request), users=users, fss=fss, runs=runs, marker=marker, max_keys=max_keys
    )
    return ok(page_body(page, "runCacheList"))


@router.get("/runCache/{cache_id}")
async def show_cache(request: Request, cache_id: str) -> Response:
    return ok(backend(request).records.get_cache(caller(request), cache_id).doc)


@router.delete("/runCache/{cache_id}")
async def delete_cache(request: Request, cache_id: str) -> Response:
    backend(request).records.delete_cache(caller(request), cache_id)
    return empty()


@router.get("/artifact")
async def list_artifact(request: Request) -> Response:
    f = ArtifactFilter(
        users=filter_values(request, "user"),
        fs_names=filter_values(request, "fs"),
        run_ids=filter_values(request, "run"),
        types=filter_values(request, "type"),
        paths=filter_values(request, "path"),
    )
    records = backend(request).records
    return filtered_list(request, records.list_artifacts, f, "artifactEventList", max_keys=_cache_max_keys)


# --- logs and statistics ------------------------------------------------------------------------
def _int(request: Request, key: str, default: int) -> int:
    value = query_value(request, key, int, "should be an integer")
    return default if value is None else value


@router.get("/log/run/{run_id}")
async def show_log(request: Request, run_id: str) -> Response:
    page_no = _int(request, "pageNo", 1) or 1
    page_size = _int(request, "pageSize", 100) or 100
    if page_size > 100:
        raise PFError("InvalidURI", "LogPageSize over max value")
    position = q(request, "logFilePosition") or "end"
    if position not in ("begin", "end"):
        raise PFError("InvalidURI", "LogFilePosition has wrong value")
    log = backend(request).records.run_log(
        caller(request),
        run_id,
        job_id=q(request, "jobID"),
        page_no=page_no,
        page_size=page_size,
        position=position,
    )
    jobs = [
        {"jobID": j.job_id, "name": j.name, "type": j.kind, "eventList": [], "taskList": _tasks(j)}
        for j in log.jobs
    ]
    return ok({"runID": log.run_id, "submitLog": log.submit_log, "runLog": jobs})


@router.get("/statistics/job/{job_id}")
async def statistics(request: Request, job_id: str) -> Response:
    return ok(backend(request).records.statistics(caller(request), job_id))


@router.get("/statistics/jobDetail/{job_id}")
async def statistics_detail(request: Request, job_id: str) -> Response:
    start, end, step = _int(request, "start", 0), _int(request, "end", 0), _int(request, "step", 60)
    if start < 0 or end < 0 or step <= 0 or (end and start > end):
        raise PFError(
            "InvalidURI",
            f"start[{start}] end[{end}] step[{step}] are invalid: need 0 <= start <= end, step > 0",
        )
    result, truncated = backend(request).records.statistics_detail(caller(request), job_id, start, end, step)
    return ok({"result": result, "truncated": bool(truncated)})


@router.get("/log/job")
async def show_log_by_limit(request: Request) -> Response:
    line_limit = _int(request, "lineLimit", 1000)
    if not 1 <= line_limit <= 10000:
        line_limit = 1000
    size_text = q(request, "sizeLimit") or "100M"
    try:
        size_limit = int(parse_quantity(size_text))
    except ValueError:
        raise PFError(
            "InvalidURI", f"sizeLimit[{size_text}] should be a quantity such as 100M or 100Ki"
        ) from None
    if not 0 < size_limit <= 10**9:
        size_limit = 100 * 10**6
    tail = (q(request, "readFromTail") or "false").lower()
    if tail not in ("1", "t", "true", "0", "f", "false"):
        raise PFError("InvalidURI", f"readFromTail[{tail}] should be true or false")
    job = backend(request).records.job_log(
        caller(request),
        job_id=q(request, "jobID") or "",
        name=q(request, "name") or "",
        namespace=q(request, "namespace") or "",
        cluster=q(request, "clusterName") or "",
        from_tail=tail in ("1", "t", "true"),
        line_limit=line_limit,
        size_limit=size_limit,
        kind=q(request, "type") or "",
    )
    if not job.job_id:  # pods and deployments: the server's empty answer has its own key order
        return ok({"jobID": "", "taskList": [], "name": job.name, "type": job.kind, "eventList": []})
    return ok(
        {"jobID": job.job_id, "name": job.name, "type": job.kind, "eventList": [], "taskList": _tasks(job)}
    )
