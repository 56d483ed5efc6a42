"""Schedule routes (api §7.8). Malformed bodies are ``InvalidHTTPRequest``, as on the server."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend.schedules import ScheduleFilter, ScheduleSpec
from .http import backend, caller, empty, filter_values, filtered_list, ok, page_query, read_body
from .runs import run_brief
from .wire import page_body

router = APIRouter()


@router.post("/schedule")
async def create_schedule(request: Request) -> Response:
    body = await read_body(request, malformed="InvalidHTTPRequest")
    spec = ScheduleSpec(
        name=body.str("name"),
        desc=body.str("desc"),
        pipeline_id=body.str("pipelineID"),
        pipeline_version_id=body.str("pipelineVersionID"),
        username=body.str("username"),
        crontab=body.str("crontab"),
        start_time=body.str("startTime"),
        end_time=body.str("endTime"),
        concurrency=body.int("concurrency"),
        concurrency_policy=body.str("concurrencyPolicy"),
        expire_interval=body.int("expireInterval"),
        catchup=body.bool("catchup", True),
    )
    return ok({"scheduleID": backend(request).schedules.create(caller(request), spec)}, 201)


@router.get("/schedule")
async def list_schedule(request: Request) -> Response:
    f = ScheduleFilter(
        users=filter_values(request, "user"),
        pipeline_ids=filter_values(request, "ppl"),
        version_ids=filter_values(request, "pplVersion"),
        schedule_ids=filter_values(request, "schedule"),
        names=filter_values(request, "name"),
        statuses=filter_values(request, "status"),
    )
    return filtered_list(request, backend(request).schedules.list, f, "scheduleList")


@router.get("/schedule/{schedule_id}")
async def show_schedule(request: Request, schedule_id: str) -> Response:
    run_filter, status_filter = filter_values(request, "run"), filter_values(request, "status")
    marker, max_keys = page_query(request)
    detail = backend(request).schedules.show(
        caller(request),
        schedule_id=schedule_id,
        run_filter=run_filter,
        status_filter=status_filter,
        marker=marker,
        max_keys=max_keys,
    )
    runs = page_body(detail.runs, "runList", [run_brief(d) for d in detail.runs.items])
    return ok({**detail.schedule, "runs": runs})


@router.put("/schedule/{schedule_id}")
async def stop_schedule(request: Request, schedule_id: str) -> Response:
    backend(request).schedules.stop(caller(request), schedule_id)
    return empty()


@router.delete("/schedule/{schedule_id}")
async def delete_schedule(request: Request, schedule_id: str) -> Response:
    backend(request).schedules.delete(caller(request), schedule_id)
    return empty()
