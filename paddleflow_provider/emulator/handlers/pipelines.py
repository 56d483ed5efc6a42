"""Pipeline routes (api §7.7). Malformed bodies here are ``InvalidHTTPRequest``, as on the server."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend.pipelines import PipelineSource
from .body import Body
from .http import backend, caller, empty, ok, q, read_body
from .wire import page_body, parse_max_keys, split_filter

router = APIRouter()


def _source(body: Body) -> PipelineSource:
    return PipelineSource(
        yaml_raw=body.str("yamlRaw"),
        yaml_path=body.str("yamlPath"),
        fs_name=body.str("fsName"),
        username=body.str("username"),
        desc=body.str("desc"),
    )


@router.post("/pipeline")
async def create_pipeline(request: Request) -> Response:
    body = await read_body(request, malformed="InvalidHTTPRequest")
    new = backend(request).pipelines.create(caller(request), _source(body))
    return ok({"pipelineID": new.pipeline_id, "pipelineVersionID": new.version_id, "name": new.name}, 201)


@router.get("/pipeline")
async def list_pipeline(request: Request) -> Response:
    page = backend(request).pipelines.list(
        caller(request),
        split_filter(q(request, "userFilter")),
        split_filter(q(request, "nameFilter")),
        q(request, "marker"),
        parse_max_keys(q(request, "maxKeys")),
    )
    return ok(page_body(page, "pipelineList"))


@router.post("/pipeline/{pipeline_id}")
async def update_pipeline(request: Request, pipeline_id: str) -> Response:
    body = await read_body(request, malformed="InvalidHTTPRequest")
    new = backend(request).pipelines.update(caller(request), pipeline_id, _source(body))
    return ok({"pipelineID": new.pipeline_id, "pipelineVersionID": new.version_id}, 201)


@router.get("/pipeline/{pipeline_id}")
async def show_pipeline(request: Request, pipeline_id: str) -> Response:
    detail = backend(request).pipelines.show(
        caller(request),
        pipeline_id,
        split_filter(q(request, "fsFilter")),
        q(request, "marker"),
        parse_max_keys(q(request, "maxKeys")),
    )
    return ok({"pipeline": detail.pipeline, "pplVersions": page_body(detail.versions, "pplVersionList")})


@router.delete("/pipeline/{pipeline_id}")
async def delete_pipeline(request: Request, pipeline_id: str) -> Response:
    backend(request).pipelines.delete(caller(request), pipeline_id)
    return empty()


@router.get("/pipeline/{pipeline_id}/{version_id}")
async def show_pipeline_version(request: Request, pipeline_id: str, version_id: str) -> Response:
    pipeline, version = backend(request).pipelines.show_version(caller(request), pipeline_id, version_id)
    return ok({"pipeline": pipeline, "pipelineVersion": version})


@router.delete("/pipeline/{pipeline_id}/{version_id}")
async def delete_pipeline_version(request: Request, pipeline_id: str, version_id: str) -> Response:
    backend(request).pipelines.delete_version(caller(request), pipeline_id, version_id)
    return empty()
