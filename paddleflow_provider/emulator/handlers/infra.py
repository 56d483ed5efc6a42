"""Queues, grants, flavours and clusters routes (api §7.2, §7.3, §7.9)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend.clusters import CLUSTER_TEXT_FIELDS, ClusterFields, FlavourSpec, Resources
from ..backend.queues import GrantSpec, QueueSpec, QueueUpdate
from ..errors import PFError
from ..util import parse_quantity
from .body import Body
from .http import backend, caller, empty, ok, page_query, q, read_body
from .wire import page_body, split_filter

router = APIRouter()


# --- queues -------------------------------------------------------------------------------------
def _queue_spec(body: Body) -> QueueSpec:
    return QueueSpec(
        name=body.str("name"),
        cluster_name=body.str("clusterName"),
        namespace=body.str("namespace"),
        quota_type=body.str("quotaType"),
        max_resources=body.dict("maxResources"),
        min_resources=body.dict("minResources"),
        location=body.dict("location"),
        scheduling_policy=body.list("schedulingPolicy"),
    )


def _queue_update(body: Body) -> QueueUpdate:
    return QueueUpdate(
        max_resources=body.dict("maxResources"),
        min_resources=body.dict("minResources"),
        scheduling_policy=body.list("schedulingPolicy"),
        location=body.dict("location"),
    )


@router.post("/queue")
async def add_queue(request: Request) -> Response:
    body = await read_body(request)
    name = backend(request).infra.create_queue(caller(request), _queue_spec(body))
    return ok({"name": name})


@router.get("/queue")
async def list_queue(request: Request) -> Response:
    marker, max_keys = page_query(request)
    page = backend(request).infra.list_queues(caller(request), marker, max_keys, q(request, "name"))
    return ok(page_body(page, "queueList"))


@router.get("/queue/{name}")
async def show_queue(request: Request, name: str) -> Response:
    return ok(backend(request).infra.get_queue(caller(request), name))


@router.put("/queue/{name}")
async def update_queue(request: Request, name: str) -> Response:
    # ``?action=close`` is the close-queue action the SDK reference's stop_queue uses.
    if q(request, "action") == "close":
        return ok(backend(request).infra.close_queue(caller(request), name))
    body = await read_body(request)
    return ok(backend(request).infra.update_queue(caller(request), name, _queue_update(body)))


@router.delete("/queue/{name}")
async def del_queue(request: Request, name: str) -> Response:
    backend(request).infra.delete_queue(caller(request), name)
    return empty()


# --- grants -------------------------------------------------------------------------------------
@router.post("/grant")
async def grant(request: Request) -> Response:
    body = await read_body(request)
    spec = GrantSpec(body.str("userName"), body.str("resourceType"), body.str("resourceID"))
    return ok({"grantID": backend(request).infra.create_grant(caller(request), spec)})


@router.delete("/grant")
async def ungrant(request: Request) -> Response:
    backend(request).infra.delete_grant(
        caller(request),
        q(request, "username") or q(request, "userName") or "",
        q(request, "resourceType") or "",
        q(request, "resourceID") or "",
    )
    return empty()


@router.get("/grant")
async def list_grant(request: Request) -> Response:
    marker, max_keys = page_query(request)
    user = q(request, "username") or q(request, "userName")
    page = backend(request).infra.list_grants(caller(request), user, marker, max_keys)
    return ok(page_body(page, "grantList"))


# --- flavours -----------------------------------------------------------------------------------
def _flavour_spec(body: Body) -> FlavourSpec:
    return FlavourSpec(
        name=body.str("name"),
        cluster_name=body.str("clusterName"),
        cpu=body.get("cpu"),
        mem=body.get("mem"),
        scalar_resources=body.dict("scalarResources"),
    )


@router.post("/flavour")
async def add_flavour(request: Request) -> Response:
    body = await read_body(request)
    return ok({"name": backend(request).infra.create_flavour(caller(request), _flavour_spec(body))})


@router.get("/flavour")
async def list_flavour(request: Request) -> Response:
    marker, max_keys = page_query(request)
    infra = backend(request).infra
    page = infra.list_flavours(marker, max_keys, q(request, "name"), q(request, "clusterName"))
    return ok(page_body(page, "flavourList"))


@router.get("/flavour/{name}")
async def show_flavour(request: Request, name: str) -> Response:
    return ok(backend(request).infra.get_flavour(name))


@router.put("/flavour/{name}")
async def update_flavour(request: Request, name: str) -> Response:
    body = await read_body(request)
    return ok(backend(request).infra.update_flavour(caller(request), name, _flavour_spec(body)))


@router.delete("/flavour/{name}")
async def del_flavour(request: Request, name: str) -> Response:
    backend(request).infra.delete_flavour(caller(request), name)
    return empty()


# --- clusters (the resource routes come first: they shadow a cluster named "resource") ---------
@router.get("/cluster/resource")
async def cluster_resource(request: Request) -> Response:
    names = split_filter(q(request, "clusterNames"))
    out: dict[str, Any] = {}
    for c in backend(request).infra.cluster_resources(caller(request), names):
        if c.machine is not None:
            total, idle = _resources(c.machine.total), _resources(c.machine.idle)
            node = {"nodeName": c.machine.node_name, "schedulable": True, "total": total, "idle": idle}
            out[c.name] = {"nodeList": [node], "summary": {"total": total, "idle": idle}, "errMsg": ""}
        else:
            zero = {"cpu": "0", "memory": "0"}
            out[c.name] = {
                "nodeList": [],
                "summary": {"total": zero, "idle": zero},
                "errMsg": "the emulator cannot reach remote clusters",
            }
    return ok(out)


def _resources(r: Resources) -> dict[str, str]:
    return {"cpu": r.cpu, "memory": r.memory}


@router.post("/cluster/resource")
async def cluster_resource_v2(request: Request) -> Response:
    body = await read_body(request)
    names = [str(n) for n in body.list("clusterNames") or []]
    queue = body.str("queueName")
    out: dict[str, Any] = {}
    for c in backend(request).infra.cluster_resources_v2(caller(request), names, queue):
        item: dict[str, Any] = {
            "allocatable": {},
            "capacity": {},
            "labels": {},
            "clusterName": c.name,
            "clusterSource": c.source,
        }
        if c.machine is not None:
            host, idle = c.machine.node_name, c.machine.idle
            item["allocatable"] = {
                host: {"cpu": parse_quantity(idle.cpu), "memory": parse_quantity(idle.memory)}
            }
            item["capacity"] = {host: _resources(c.machine.total)}
            item["labels"] = {host: {"kubernetes.io/hostname": host}}
        if queue:
            item["queueName"] = queue
        out[c.name] = item
    return ok(out)


def _cluster_fields(body: Body) -> ClusterFields:
    """Empty values count as not given; ``namespaceList`` may be given empty (it clears the list)."""
    text = {key: body.str(key) for key in CLUSTER_TEXT_FIELDS if body.get(key)}
    return ClusterFields(
        text=text,
        credential=body.str("credential") if body.get("credential") else "",
        namespace_list=body.list("namespaceList"),
    )


@router.post("/cluster")
async def create_cluster(request: Request) -> Response:
    body = await read_body(request, malformed="")
    name = body.str("clusterName")
    return ok(backend(request).infra.create_cluster(caller(request), name, _cluster_fields(body)))


@router.get("/cluster")
async def list_cluster(request: Request) -> Response:
    marker, max_keys = page_query(request)
    names = split_filter(
        request.query_params.getlist("clusterNames")[0] if "clusterNames" in request.query_params else ""
    )
    status = q(request, "clusterStatus")
    page = backend(request).infra.list_clusters(caller(request), marker, max_keys, names, status)
    return ok(page_body(page, "clusterList", page.items or None))


@router.get("/cluster/{name}")
async def show_cluster(request: Request, name: str) -> Response:
    return ok(backend(request).infra.get_cluster(caller(request), name))


@router.put("/cluster/{name}")
async def update_cluster(request: Request, name: str) -> Response:
    body = await read_body(request, malformed="")
    return ok(backend(request).infra.update_cluster(caller(request), name, _cluster_fields(body)))


@router.delete("/cluster/{name}")
async def delete_cluster(request: Request, name: str) -> Response:
    if not name:
        raise PFError("ClusterNotFound")
    backend(request).infra.delete_cluster(caller(request), name)
    return empty()
