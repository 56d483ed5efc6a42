"""Schedule routes (api §7.8). Malformed bodies are ``InvalidHTTPRequest``, as on the server."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..util import parse_max_keys, split_filter
from ..web import backend, caller, empty, ok, q, read_body

router = APIRouter()


@router.post("/schedule")
async def create_schedule(request: Request) -> Response:
    body = await read_body(request, malformed="InvalidHTTPRequest")
    return ok(backend(request).schedules.create(caller(request), body), 201)


@router.get("/schedule")
async def list_schedule(request: Request) -> Response:
    f = {
        k: split_filter(q(request, f"{k}Filter"))
        for k in ("user", "ppl", "pplVersion", "schedule", "name", "status")
    }
    return ok(
        backend(request).schedules.list(
            caller(request), f, q(request, "marker"), parse_max_keys(q(request, "maxKeys"))
        )
    )


@router.get("/schedule/{schedule_id}")
async def show_schedule(request: Request, schedule_id: str) -> Response:
    return ok(
        backend(request).schedules.show(
            caller(request),
            schedule_id=schedule_id,
            run_filter=split_filter(q(request, "runFilter")),
            status_filter=split_filter(q(request, "statusFilter")),
            marker=q(request, "marker"),
            max_keys=parse_max_keys(q(request, "maxKeys")),
        )
    )


@router.put("/schedule/{schedule_id}")
async def stop_schedule(request: Request, schedule_id: str) -> Response:
    backend(request).schedules.stop(caller(request), schedule_id)
    return empty()


@router.delete("/schedule/{schedule_id}")
async def delete_schedule(request: Request, schedule_id: str) -> Response:
    backend(request).schedules.delete(caller(request), schedule_id)
    return empty()
