"""File systems, fs cache configs and links routes (api §7.4)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..util import parse_max_keys
from ..web import backend, caller, empty, ok, q, read_body

router = APIRouter()


def _max(request: Request) -> int:
    return parse_max_keys(q(request, "maxKeys"), default=50)


@router.post("/fs")
async def add_fs(request: Request) -> Response:
    body = await read_body(request)
    return ok(backend(request).fs.create(caller(request), body), 201)


@router.get("/fs")
async def list_fs(request: Request) -> Response:
    return ok(
        backend(request).fs.list(
            caller(request), q(request, "username"), q(request, "fsName"), q(request, "marker"), _max(request)
        )
    )


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
    backend(request).fs.create_cache(caller(request), body)
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
    backend(request).fs.add_link(caller(request), body)
    return empty(201)


@router.get("/link/{name}")
async def list_link(request: Request, name: str) -> Response:
    return ok(
        backend(request).fs.list_links(
            caller(request),
            name=name,
            fs_path=q(request, "fsPath"),
            username=q(request, "username"),
            marker=q(request, "marker"),
            max_keys=_max(request),
        )
    )


@router.delete("/link/{name}")
async def delete_link(request: Request, name: str) -> Response:
    backend(request).fs.delete_link(caller(request), name, q(request, "fsPath") or "", q(request, "username"))
    return empty()
