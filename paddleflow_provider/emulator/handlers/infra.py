"""Queues, grants, flavours and clusters routes (api §7.2, §7.3, §7.9)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..errors import PFError
from ..util import parse_max_keys, split_filter
from ..web import backend, caller, empty, ok, q, read_body

router = APIRouter()


def _page(request: Request) -> tuple[str | None, int]:
    return q(request, "marker"), parse_max_keys(q(request, "maxKeys"))


# --- queues -------------------------------------------------------------------------------------
@router.post("/queue")
async def add_queue(request: Request) -> Response:
    body = await read_body(request)
    return ok(backend(request).infra.create_queue(caller(request), body))


@router.get("/queue")
async def list_queue(request: Request) -> Response:
    marker, max_keys = _page(request)
    return ok(backend(request).infra.list_queues(caller(request), marker, max_keys, q(request, "name")))


@router.get("/queue/{name}")
async def show_queue(request: Request, name: str) -> Response:
    return ok(backend(request).infra.get_queue(caller(request), name))


@router.put("/queue/{name}")
async def update_queue(request: Request, name: str) -> Response:
    # ``?action=close`` is the close-queue action the SDK reference's stop_queue uses.
    if q(request, "action") == "close":
        return ok(backend(request).infra.close_queue(caller(request), name))
    body = await read_body(request)
    return ok(backend(request).infra.update_queue(caller(request), name, body))


@router.delete("/queue/{name}")
async def del_queue(request: Request, name: str) -> Response:
    backend(request).infra.delete_queue(caller(request), name)
    return empty()


# --- grants -------------------------------------------------------------------------------------
@router.post("/grant")
async def grant(request: Request) -> Response:
    body = await read_body(request)
    return ok(backend(request).infra.create_grant(caller(request), body))


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
    marker, max_keys = _page(request)
    user = q(request, "username") or q(request, "userName")
    return ok(backend(request).infra.list_grants(caller(request), user, marker, max_keys))


# --- flavours -----------------------------------------------------------------------------------
@router.post("/flavour")
async def add_flavour(request: Request) -> Response:
    body = await read_body(request)
    return ok(backend(request).infra.create_flavour(caller(request), body))


@router.get("/flavour")
async def list_flavour(request: Request) -> Response:
    marker, max_keys = _page(request)
    return ok(
        backend(request).infra.list_flavours(marker, max_keys, q(request, "name"), q(request, "clusterName"))
    )


@router.get("/flavour/{name}")
async def show_flavour(request: Request, name: str) -> Response:
    return ok(backend(request).infra.get_flavour(name))


@router.put("/flavour/{name}")
async def update_flavour(request: Request, name: str) -> Response:
    body = await read_body(request)
    return ok(backend(request).infra.update_flavour(caller(request), name, body))


@router.delete("/flavour/{name}")
async def del_flavour(request: Request, name: str) -> Response:
    backend(request).infra.delete_flavour(caller(request), name)
    return empty()


# --- clusters (the resource routes come first: they shadow a cluster named "resource") ---------
@router.get("/cluster/resource")
async def cluster_resource(request: Request) -> Response:
    names = split_filter(q(request, "clusterNames"))
    return ok(backend(request).infra.cluster_resources(caller(request), names))


@router.post("/cluster/resource")
async def cluster_resource_v2(request: Request) -> Response:
    body = await read_body(request)
    names = [str(n) for n in body.list("clusterNames") or []]
    return ok(backend(request).infra.cluster_resources_v2(caller(request), names, body.str("queueName")))


@router.post("/cluster")
async def create_cluster(request: Request) -> Response:
    body = await read_body(request, malformed="")
    return ok(backend(request).infra.create_cluster(caller(request), body))


@router.get("/cluster")
async def list_cluster(request: Request) -> Response:
    marker, max_keys = _page(request)
    names = split_filter(
        request.query_params.getlist("clusterNames")[0] if "clusterNames" in request.query_params else ""
    )
    status = q(request, "clusterStatus")
    return ok(backend(request).infra.list_clusters(caller(request), marker, max_keys, names, status))


@router.get("/cluster/{name}")
async def show_cluster(request: Request, name: str) -> Response:
    return ok(backend(request).infra.get_cluster(caller(request), name))


@router.put("/cluster/{name}")
async def update_cluster(request: Request, name: str) -> Response:
    body = await read_body(request, malformed="")
    return ok(backend(request).infra.update_cluster(caller(request), name, body))


@router.delete("/cluster/{name}")
async def delete_cluster(request: Request, name: str) -> Response:
    if not name:
        raise PFError("ClusterNotFound")
    backend(request).infra.delete_cluster(caller(request), name)
    return empty()
