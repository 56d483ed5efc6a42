"""The ASGI application: routers under ``/api/paddleflow/v1``, auth, request ids and error bodies.

Auth runs in a middleware *before* routing, as on the server, so an unauthenticated request to an
unknown path gets an auth error rather than 404.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import errors
from .backend.core import Backend
from .caller import ROOT
from .dispatch import IndexedDispatch
from .errors import PFError
from .faults import FaultInjector
from .handlers import control, fs, infra, jobs, pipelines, records, runs, schedules, users
from .pages import router as pages_router

PREFIX = "/api/paddleflow/v1"
log = logging.getLogger("paddleflow_provider.emulator")


def _request_id(scope: Scope) -> str:
    return str(scope.setdefault("state", {}).get("request_id", ""))


def error_response(code: str, message: str, status: int, request_id: str) -> JSONResponse:
    return JSONResponse(errors.body(code, message, request_id), status_code=status)


def errors_for(err: Exception, scope: Scope) -> Response:
    """The server's answer to an error a request ended in (the one rule, whichever path called the
    handler: ``dispatch.IndexedDispatch`` or FastAPI's exception handlers)."""
    request_id = _request_id(scope)
    if isinstance(err, PFError):
        return error_response(err.code, err.message, err.status, request_id)
    if isinstance(err, StarletteHTTPException):
        code = {404: "PathNotFound", 405: "MethodNotAllowed"}.get(err.status_code, "InternalError")
        return error_response(code, "", err.status_code, request_id)
    if isinstance(err, RequestValidationError):
        return error_response("InvalidURI", str(err), 400, request_id)
    if isinstance(err, json.JSONDecodeError):
        return error_response("MalformedJSON", errors.CANONICAL["MalformedJSON"], 400, request_id)
    log.error("handler crashed", exc_info=err)
    return error_response("InternalError", "server panic. recovered.", 500, request_id)


class PaddleFlowMiddleware:
    """Request id (echoed in ``x-pf-request-id``), token auth and the query ``userName`` guard."""

    def __init__(self, app: ASGIApp, backend: Backend) -> None:
        self.app = app
        self.backend = backend

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        rid = headers.get("x-pf-request-id") or str(uuid.uuid4())
        state = scope.setdefault("state", {})
        state["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                hdrs = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-pf-request-id"]
                hdrs.append((b"x-pf-request-id", rid.encode("latin-1")))
                message = {**message, "headers": hdrs}
            await send(message)

        path: str = scope["path"]
        if path.startswith(PREFIX) and not path.rstrip("/").endswith("login"):
            try:
                user = self.backend.users.authenticate(headers.get("x-pf-authorization"))
                state["user"] = user
                if scope["method"] in ("GET", "DELETE"):
                    other = parse_qs(scope.get("query_string", b"").decode()).get("userName", [""])[0]
                    if other and other != user and user.lower() != ROOT:
                        raise PFError("AuthIllegalUser")
            except PFError as err:
                resp = error_response(err.code, err.message, err.status, rid)
                await resp(scope, receive, send_with_id)
                return
        await self.app(scope, receive, send_with_id)


def create_app(backend: Backend, *, faults: bool = False) -> Any:
    """The ASGI application around ``backend``: request ids and auth, then the route index, then
    FastAPI for whatever the index does not serve (optionally all behind the fault injector)."""
    app = routes_app(backend)
    asgi: Any = PaddleFlowMiddleware(IndexedDispatch(app, errors_for), backend)
    if faults:
        asgi = FaultInjector(asgi)
    return asgi


def routes_app(backend: Backend | None) -> FastAPI:
    """The FastAPI app declaring every route, with the error answers as its exception handlers."""
    app = FastAPI(title="PaddleFlow emulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.backend = backend
    for module in (users, infra, fs, pipelines, runs, records, schedules, jobs):
        app.include_router(module.router, prefix=PREFIX)
    app.include_router(control.router)
    app.include_router(pages_router)  # GET / and GET /run/{id}: the run link's target

    async def _error(request: Request, err: Exception) -> Response:
        return errors_for(err, request.scope)

    for kind in (PFError, StarletteHTTPException, RequestValidationError, json.JSONDecodeError, Exception):
        app.add_exception_handler(kind, _error)
    return app
