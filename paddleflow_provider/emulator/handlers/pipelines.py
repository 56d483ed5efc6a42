"""Pipeline routes (api §7.7). Malformed bodies here are ``InvalidHTTPRequest``, as on the server."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..util import parse_max_keys, split_filter
from ..web import backend, caller, empty, ok, q, read_body

router = APIRouter()


@router.post("/pipeline")
async def create_pipeline(request: Request) -> Response:
    body = await read_body(request, malformed="InvalidHTTPRequest")
    return ok(backend(request).pipelines.create(caller(request), body), 201)


@router.get("/pipeline")
async def list_pipeline(request: Request) -> Response:
    return ok(
        backend(request).pipelines.list(
            caller(request),
            split_filter(q(request, "userFilter")),
            split_filter(q(request, "nameFilter")),
            q(request, "marker"),
            parse_max_keys(q(request, "maxKeys")),
        )
    )


@router.post("/pipeline/{pipeline_id}")
async def update_pipeline(request: Request, pipeline_id: str) -> Response:
    body = await read_body(request, malformed="InvalidHTTPRequest")
    return ok(backend(request).pipelines.update(caller(request), pipeline_id, body), 201)


@router.get("/pipeline/{pipeline_id}")
async def show_pipeline(request: Request, pipeline_id: str) -> Response:
    return ok(
        backend(request).pipelines.show(
            caller(request),
            pipeline_id,
            split_filter(q(request, "fsFilter")),
            q(request, "marker"),
            parse_max_keys(q(request, "maxKeys")),
        )
    )


@router.delete("/pipeline/{pipeline_id}")
async def delete_pipeline(request: Request, pipeline_id: str) -> Response:
    backend(request).pipelines.delete(caller(request), pipeline_id)
    return empty()


@router.get("/pipeline/{pipeline_id}/{version_id}")
async def show_pipeline_version(request: Request, pipeline_id: str, version_id: str) -> Response:
    return ok(backend(request).pipelines.show_version(caller(request), pipeline_id, version_id))


@router.delete("/pipeline/{pipeline_id}/{version_id}")
async def delete_pipeline_version(request: Request, pipeline_id: str, version_id: str) -> Response:
    backend(request).pipelines.delete_version(caller(request), pipeline_id, version_id)
    return empty()
