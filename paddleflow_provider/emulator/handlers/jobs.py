"""Standalone job routes (api §7.11): create per type, list, show, stop/modify, delete."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..util import parse_max_keys
from ..web import backend, caller, empty, ok, q, read_body

router = APIRouter()


async def _create(request: Request, job_type: str) -> Response:
    body = await read_body(request)
    return ok(backend(request).jobs.create(caller(request), job_type, body))


@router.post("/job/single")
async def create_single(request: Request) -> Response:
    return await _create(request, "single")


@router.post("/job/distributed")
async def create_distributed(request: Request) -> Response:
    return await _create(request, "distributed")


@router.post("/job/workflow")
async def create_workflow(request: Request) -> Response:
    return await _create(request, "workflow")


@router.get("/job")
async def list_job(request: Request) -> Response:
    query = {k: q(request, k) for k in ("status", "timestamp", "startTime", "queue", "labels")}
    return ok(
        backend(request).jobs.list(
            caller(request), query, q(request, "marker"), parse_max_keys(q(request, "maxKeys"))
        )
    )


@router.get("/job/{job_id}")
async def show_job(request: Request, job_id: str) -> Response:
    return ok(backend(request).jobs.show(caller(request), job_id))


@router.put("/job/{job_id}")
async def update_job(request: Request, job_id: str) -> Response:
    body = await read_body(request, required=False)
    backend(request).jobs.update(caller(request), job_id, q(request, "action") or "", body)
    return empty()


@router.delete("/job/{job_id}")
async def delete_job(request: Request, job_id: str) -> Response:
    backend(request).jobs.delete(caller(request), job_id)
    return empty()
