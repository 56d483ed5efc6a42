"""Standalone job routes (api §7.11): create per type, list, show, stop/modify, delete."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend.jobs import JobChange, JobFilter, TaskRuntime
from ..backend.jobspec import JobFlavour, JobFs, JobRequest, MemberRequest
from ..errors import PFError
from ..util import parse_time
from .body import Body
from .http import backend, caller, empty, ok, q, read_body
from .wire import page_body, parse_max_keys

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


def _member(item: object) -> MemberRequest | None:
    """A member's fields; type errors inside a member are ``JobCreateFailed``, as on the server."""
    if not isinstance(item, dict):
        return None
    spec = Body(item, "JobCreateFailed")
    return MemberRequest(
        role=spec.str("role"),
        replicas=spec.int("replicas", 1),
        name=spec.str("name"),
        image=spec.str("image"),
        command=spec.str("command"),
        args=spec.get("args"),
        port=spec.int("port"),
        env=spec.get("env"),
        fs=_fs(spec.get("fs")),
        extra_fs=spec.list("extraFS"),
        flavour=_flavour(spec.get("flavour")),
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
        return JobRequest(
            **common,
            image=body.str("image"),
            command=body.str("command"),
            args=body.get("args"),
            port=body.int("port"),
            env=body.get("env"),
            fs=_fs(body.get("fs")),
            extra_fs=body.list("extraFS"),
            flavour=_flavour(body.get("flavour")),
        )
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
def _labels(value: str | None) -> dict[str, str]:
    if not value:
        return {}
    try:
        labels = json.loads(value)
    except ValueError:
        labels = None
    if not isinstance(labels, dict):
        raise PFError("InvalidURI", f"labels[{value}] should be a JSON object")
    return {str(k): str(v) for k, v in labels.items()}


def _timestamp(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(int(value))
    except ValueError:
        raise PFError("InvalidURI", f"timestamp[{value}] should be Unix seconds") from None


def _start_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_time(value)
    except ValueError:
        raise PFError("InvalidURI", f"startTime[{value}] should be YYYY-MM-DD hh:mm:ss") from None


@router.get("/job")
async def list_job(request: Request) -> Response:
    f = JobFilter(
        status=q(request, "status") or "",
        queue=q(request, "queue") or "",
        labels=_labels(q(request, "labels")),
        updated_since=_timestamp(q(request, "timestamp")),
        started_after=_start_time(q(request, "startTime")),
    )
    page = backend(request).jobs.list(
        caller(request), f, q(request, "marker"), parse_max_keys(q(request, "maxKeys"))
    )
    return ok(page_body(page, "jobList"))


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
