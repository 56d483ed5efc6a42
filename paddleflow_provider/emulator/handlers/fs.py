"""File systems, fs cache configs and links routes (api §7.4)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend.fs import FsCacheSpec, FsSpec, LinkSpec, TimePage
from .http import backend, caller, empty, ok, page_query, q, read_body

router = APIRouter()


def _time_page_body(page: TimePage, list_key: str) -> dict[str, Any]:
    """fs and link lists page by time: ``marker``/``truncated``/``nextMarker``, an empty list is null."""
    return {
        "marker": page.marker,
        "truncated": page.truncated,
        "nextMarker": page.next_marker,
        list_key: page.items or None,
    }


@router.post("/fs")
async def add_fs(request: Request) -> Response:
    body = await read_body(request)
    spec = FsSpec(
        name=body.str("name"),
        url=body.str("url"),
        username=body.str("username"),
        properties=body.dict("properties"),
        independent_mount_process=body.bool("independentMountProcess"),
    )
    fs_id = backend(request).fs.create(caller(request), spec)
    return ok({"fsName": spec.name, "fsID": fs_id}, 201)


@router.get("/fs")
async def list_fs(request: Request) -> Response:
    marker, max_keys = page_query(request)
    owner, name = q(request, "username"), q(request, "fsName")
    page = backend(request).fs.list(caller(request), owner, name, marker, max_keys)
    return ok(_time_page_body(page, "fsList"))


@router.get("/fs/{name}")
async def show_fs(request: Request, name: str) -> Response:
    return ok(backend(request).fs.get(caller(request), name, q(request, "username")))


@router.delete("/fs/{name}")
async def delete_fs(request: Request, name: str) -> Response:
    backend(request).fs.delete(caller(request), name, q(request, "username"))
    return empty()


@router.post("/fsCache")
async def create_cache(request: Request) -> Response:
    body = await read_body(request)
    spec = FsCacheSpec(
        fs_name=body.str("fsName"),
        username=body.str("username"),
        meta_driver=body.str("metaDriver"),
        cache_dir=body.str("cacheDir"),
        block_size=body.int("blockSize"),
        quota=body.int("quota"),
        clean_cache=body.bool("cleanCache"),
        resource=body.dict("resource"),
        node_taint_toleration=body.dict("nodeTaintToleration"),
        extra_config=body.dict("extraConfig"),
    )
    backend(request).fs.create_cache(caller(request), spec)
    return empty(201)


@router.get("/fsCache/{name}")
async def get_cache(request: Request, name: str) -> Response:
    return ok(backend(request).fs.get_cache(caller(request), name, q(request, "username")))


@router.delete("/fsCache/{name}")
async def delete_cache(request: Request, name: str) -> Response:
    backend(request).fs.delete_cache(caller(request), name, q(request, "username"))
    return empty()


@router.post("/link")
async def add_link(request: Request) -> Response:
    body = await read_body(request)
    spec = LinkSpec(
        fs_name=body.str("fsName"),
        username=body.str("username"),
        fs_path=body.str("fsPath"),
        url=body.str("url"),
        properties=body.dict("properties"),
    )
    backend(request).fs.add_link(caller(request), spec)
    return empty(201)


@router.get("/link/{name}")
async def list_link(request: Request, name: str) -> Response:
    marker, max_keys = page_query(request)
    page = backend(request).fs.list_links(
        caller(request),
        name=name,
        fs_path=q(request, "fsPath"),
        username=q(request, "username"),
        marker=marker,
        max_keys=max_keys,
    )
    return ok(_time_page_body(page, "linkList"))


@router.delete("/link/{name}")
async def delete_link(request: Request, name: str) -> Response:
    backend(request).fs.delete_link(caller(request), name, q(request, "fsPath") or "", q(request, "username"))
    return empty()
