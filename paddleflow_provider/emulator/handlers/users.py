"""Login, users and the version route (api §3, §7.0, §7.1)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .http import backend, caller, empty, ok, page_query, read_body
from .wire import page_body

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
    name = body.str("username")
    backend(request).users.create(caller(request), name, body.str("password"))
    return ok({"username": name})


@router.get("/user")
async def list_users(request: Request) -> Response:
    marker, max_keys = page_query(request)
    page = backend(request).users.list(caller(request), marker, max_keys)
    users = [{"name": u.name, "createTime": u.create_time} for u in page.items] or None
    return ok(page_body(page, "userList", users, max_keys=0))  # the server never fills maxKeys here


@router.delete("/user/{name}")
async def del_user(request: Request, name: str) -> Response:
    backend(request).users.delete(caller(request), name)
    return empty()


@router.put("/user/{name}")
async def update_password(request: Request, name: str) -> Response:
    body = await read_body(request, guard=False)
    backend(request).users.update_password(caller(request), name, body.str("password"))
    return empty()
