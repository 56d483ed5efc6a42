"""Standalone job routes (api §7.11): create per type, list, show, stop/modify, delete."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend.jobs import JobChange, JobFilter, TaskRuntime
from ..backend.jobspec import ContainerSpec, JobFlavour, JobFs, JobRequest, MemberRequest
from ..util import parse_time
from .body import Body
from .http import backend, caller, empty, filtered_list, ok, q, query_value, read_body

router = APIRouter()


# --- create: the request body -------------------------------------------------------------------
def _fs(value: object) -> JobFs:
    fs: dict[str, Any] = value if isinstance(value, dict) else {}
    return JobFs(
        name=str(fs.get("name") or ""),
        mount_path=str(fs.get("mountPath") or ""),
        sub_path=str(fs.get("subPath") or ""),
        read_only=bool(fs.get("readOnly") or False),
    )


def _flavour(value: object) -> JobFlavour:
    flavour: dict[str, Any] = value if isinstance(value, dict) else {}
    return JobFlavour(
        name=str(flavour.get("name") or ""),
        cpu=str(flavour.get("cpu") or ""),
        mem=str(flavour.get("mem") or ""),
        scalar_resources=flavour.get("scalarResources"),
    )


def _container(body: Body) -> ContainerSpec:
    """The container fields a single job has at the top level and each distributed member has again."""
    return ContainerSpec(
        image=body.str("image"),
        command=body.str("command"),
        args=body.get("args"),
        port=body.int("port"),
        env=body.get("env"),
        fs=_fs(body.get("fs")),
        extra_fs=body.list("extraFS"),
        flavour=_flavour(body.get("flavour")),
    )


def _member(item: object) -> MemberRequest | None:
    """A member's fields; type errors inside a member are ``JobCreateFailed``, as on the server."""
    if not isinstance(item, dict):
        return None
    spec = Body(item, "JobCreateFailed")
    return MemberRequest(
        role=spec.str("role"),
        replicas=spec.int("replicas", 1),
        name=spec.str("name"),
        container=_container(spec),
        labels=spec.get("labels"),
        annotations=spec.get("annotations"),
    )


def _job_request(body: Body, job_type: str) -> JobRequest:
    """A single job's own fields are read only for single jobs, members only for distributed ones;
    a workflow job is refused before anything is read."""
    if job_type not in ("single", "distributed"):
        return JobRequest()
    policy = body.dict("schedulingPolicy") or {}
    common: dict[str, Any] = {
        "id": body.str("id"),
        "name": body.str("name"),
        "framework": body.str("framework"),
        "queue": str(policy.get("queue") or ""),
        "priority": policy.get("priority"),
        "labels": body.get("labels"),
        "annotations": body.get("annotations"),
        "extension_template": body.get("extensionTemplate"),
    }
    if job_type == "single":
        return JobRequest(**common, container=_container(body))
    return JobRequest(**common, members=[_member(m) for m in body.list("members") or []])


async def _create(request: Request, job_type: str) -> Response:
    body = await read_body(request)
    job_id = backend(request).jobs.create(caller(request), job_type, _job_request(body, job_type))
    return ok({"id": job_id})


@router.post("/job/single")
async def create_single(request: Request) -> Response:
    return await _create(request, "single")


@router.post("/job/distributed")
async def create_distributed(request: Request) -> Response:
    return await _create(request, "distributed")


@router.post("/job/workflow")
async def create_workflow(request: Request) -> Response:
    return await _create(request, "workflow")


# --- list: the query ----------------------------------------------------------------------------
def _string_map(text: str) -> dict[str, str]:
    """A JSON object of the ``labels`` query; ``ValueError`` for anything else."""
    labels = json.loads(text)
    if not isinstance(labels, dict):
        raise ValueError(text)
    return {str(k): str(v) for k, v in labels.items()}


def _unix_seconds(text: str) -> float:
    return float(int(text))


@router.get("/job")
async def list_job(request: Request) -> Response:
    f = JobFilter(
        status=q(request, "status") or "",
        queue=q(request, "queue") or "",
        labels=query_value(request, "labels", _string_map, "should be a JSON object") or {},
        updated_since=query_value(request, "timestamp", _unix_seconds, "should be Unix seconds"),
        started_after=query_value(request, "startTime", parse_time, "should be YYYY-MM-DD hh:mm:ss"),
    )
    return filtered_list(request, backend(request).jobs.list, f, "jobList")


@router.get("/job/{job_id}")
async def show_job(request: Request, job_id: str) -> Response:
    view = backend(request).jobs.show(caller(request), job_id)
    out = dict(view.doc)
    if view.runtimes is None:
        return ok(out)
    runtimes = [_runtime(t) for t in view.runtimes]
    if view.job_type == "single":
        out["runtime"] = runtimes[0]
    else:
        out["distributedRuntime"] = {
            "name": view.job_id,
            "namespace": "default",
            "id": view.job_id,
            "status": view.status,
            "runtimes": runtimes,
        }
    return ok(out)


def _runtime(task: TaskRuntime) -> dict[str, Any]:
    return {
        "name": task.task_id,
        "namespace": "default",
        "id": task.task_id,
        "status": task.status,
        "nodeName": task.node_name,
        "role": task.role,
        "index": task.index,
        "acceleratorCards": "",
        "logURL": "",
    }


@router.put("/job/{job_id}")
async def update_job(request: Request, job_id: str) -> Response:
    body = await read_body(request, required=False)
    action = q(request, "action") or ""
    change = JobChange()
    if action == "modify":  # a stop reads no body
        change = JobChange(
            priority=body.str("priority"), labels=body.dict("labels"), annotations=body.dict("annotations")
        )
    backend(request).jobs.update(caller(request), job_id, action, change)
    return empty()


@router.delete("/job/{job_id}")
async def delete_job(request: Request, job_id: str) -> Response:
    backend(request).jobs.delete(caller(request), job_id)
    return empty()
