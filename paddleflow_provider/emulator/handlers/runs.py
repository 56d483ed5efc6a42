"""Run routes (api §7.5): create, list, show, stop/retry, delete."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend.runs import RunFilter, RunRequest
from ..errors import PFError
from ..store import Doc
from .body import Body
from .http import backend, caller, empty, filter_values, filtered_list, ok, q, read_body

router = APIRouter()

BRIEF_KEYS = (
    "runID",
    "name",
    "source",
    "username",
    "fsName",
    "description",
    "scheduleID",
    "runMsg",
    "status",
    "scheduledTime",
    "createTime",
    "activateTime",
    "updateTime",
)
DETAIL_KEYS = (
    "runID",
    "name",
    "source",
    "username",
    "fsName",
    "fsOptions",
    "description",
    "parameters",
    "runYaml",
    "runtime",
    "postProcess",
    "failureOptions",
    "dockerEnv",
    "disabled",
    "scheduleID",
    "runMsg",
    "status",
    "runCachedIDs",
    "createTime",
    "activateTime",
    "updateTime",
)


def run_brief(doc: Doc) -> Doc:
    """A run as lists show it (missing fields are "")."""
    return {k: doc.get(k, "") for k in BRIEF_KEYS}


def run_detail(doc: Doc) -> Doc:
    """A run as ``GET /run/{id}`` shows it: the stored document without its private keys."""
    return {k: doc.get(k, "") for k in DETAIL_KEYS}


def run_request(body: Body) -> RunRequest:
    failure = body.dict("failureOptions") or {}
    return RunRequest(
        run_yaml_raw=body.str("runYamlRaw"),
        pipeline_id=body.str("pipelineID"),
        pipeline_version_id=body.str("pipelineVersionID"),
        fs_name=body.str("fsName"),
        run_yaml_path=body.str("runYamlPath"),
        username=body.str("username"),
        name=body.str("name"),
        desc=body.str("desc"),
        parameters=body.dict("parameters"),
        disabled=body.str("disabled"),
        docker_env=body.str("dockerEnv"),
        failure_strategy=str(failure.get("strategy") or ""),
    )


@router.post("/run")
async def create_run(request: Request) -> Response:
    body = await read_body(request)
    return ok({"runID": backend(request).runs.create(caller(request), run_request(body))}, 201)


@router.get("/run")
async def list_run(request: Request) -> Response:
    f = RunFilter(
        users=filter_values(request, "user"),
        fs_names=filter_values(request, "fs"),
        run_ids=filter_values(request, "run"),
        names=filter_values(request, "name"),
        statuses=filter_values(request, "status"),
    )
    return filtered_list(request, backend(request).runs.list, f, "runList", view=run_brief)


@router.get("/run/{run_id}")
async def show_run(request: Request, run_id: str) -> Response:
    return ok(run_detail(backend(request).runs.show(caller(request), run_id)))


@router.put("/run/{run_id}")
async def update_run(request: Request, run_id: str) -> Response:
    action = q(request, "action") or ""
    runs = backend(request).runs
    if action == "stop":
        body = await read_body(request, required=False)
        runs.stop(caller(request), run_id, body.bool("stopForce"))
        return empty()
    if action == "retry":
        return ok({"runID": runs.retry(caller(request), run_id)})
    raise PFError("InvalidArguments", f"invalid action[{action}] for UpdateRun")


@router.delete("/run/{run_id}")
async def delete_run(request: Request, run_id: str) -> Response:
    body = await read_body(request, required=False)
    backend(request).runs.delete(caller(request), run_id, body.bool("checkCache", True))
    return empty()
