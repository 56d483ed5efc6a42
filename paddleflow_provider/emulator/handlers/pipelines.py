"""Pipeline routes (api §7.7). Malformed bodies here are ``InvalidHTTPRequest``, as on the server."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend.pipelines import PipelineSource
from .body import Body
from .http import backend, caller, empty, filter_values, ok, page_query, read_body
from .wire import page_body

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
    users, names = filter_values(request, "user"), filter_values(request, "name")
    marker, max_keys = page_query(request)
    page = backend(request).pipelines.list(caller(request), users, names, marker, max_keys)
    return ok(page_body(page, "pipelineList"))


@router.post("/pipeline/{pipeline_id}")
async def update_pipeline(request: Request, pipeline_id: str) -> Response:
    body = await read_body(request, malformed="InvalidHTTPRequest")
    new = backend(request).pipelines.update(caller(request), pipeline_id, _source(body))
    return ok({"pipelineID": new.pipeline_id, "pipelineVersionID": new.version_id}, 201)


@router.get("/pipeline/{pipeline_id}")
async def show_pipeline(request: Request, pipeline_id: str) -> Response:
    fs_names = filter_values(request, "fs")
    marker, max_keys = page_query(request)
    detail = backend(request).pipelines.show(caller(request), pipeline_id, fs_names, marker, max_keys)
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
