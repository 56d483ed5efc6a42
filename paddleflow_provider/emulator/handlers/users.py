"""Login, users and the version route (api §3, §7.0, §7.1)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..util import parse_max_keys
from ..web import backend, caller, empty, ok, q, read_body

router = APIRouter()

VERSION = {
    "gitVersion": "v0.14.6-emulator",
    "gitCommit": "unknown",
    "gitBranch": "unknown",
    "buildDate": "unknown",
    "goVersion": "emulator",
    "compiler": "python",
    "platform": "local",
}


@router.post("/login")
async def login(request: Request) -> Response:
    body = await read_body(request, guard=False)
    token = backend(request).users.login(body.str("username"), body.str("password"))
    return ok({"authorization": token})


@router.get("/version")
async def version(request: Request) -> Response:
    return ok(VERSION)


@router.post("/user")
async def add_user(request: Request) -> Response:
    # The server's middleware sees the body's ``username`` first: a non-root caller naming someone
    # else gets AuthIllegalUser before the handler's OnlyRootAllowed.
    body = await read_body(request)
    return ok(backend(request).users.create(caller(request), body.str("username"), body.str("password")))


@router.get("/user")
async def list_users(request: Request) -> Response:
    max_keys = parse_max_keys(q(request, "maxKeys"))
    return ok(backend(request).users.list(caller(request), q(request, "marker"), max_keys))


@router.delete("/user/{name}")
async def del_user(request: Request, name: str) -> Response:
    backend(request).users.delete(caller(request), name)
    return empty()


@router.put("/user/{name}")
async def update_password(request: Request, name: str) -> Response:
    body = await read_body(request, guard=False)
    backend(request).users.update_password(caller(request), name, body.str("password"))
    return empty()
