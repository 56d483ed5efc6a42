"""FastAPI-side helpers shared by the handlers: the caller, the JSON body, query values, responses."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from ..backend.core import Backend
from ..caller import Caller
from ..errors import PFError
from ..store import Doc
from ..util import Page
from .body import Body
from .wire import page_body, parse_max_keys, split_filter


def caller(request: Request) -> Caller:
    return Caller(request.state.user)


def backend(request: Request) -> Backend:
    """The app's backend (set by ``create_app``)."""
    be: Backend = request.app.state.backend
    return be


async def read_body(
    request: Request, *, malformed: str = "MalformedJSON", required: bool = True, guard: bool = True
) -> Body:
    """Parse the JSON body and apply the server's "acting for another user" guard."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise PFError(malformed, "request body is empty (EOF)")
        return Body({}, malformed)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise PFError(malformed) from None
    if not isinstance(data, dict):
        raise PFError(malformed, "request body must be a JSON object")
    body = Body(data, malformed)
    if not guard:
        return body
    who = caller(request)
    other = body.get("userName")
    if isinstance(other, str) and other and other != who.name and not who.is_root:
        raise PFError("AuthIllegalUser")
    return body


def q(request: Request, key: str, default: str | None = None) -> str | None:
    """A query value; keys are case-sensitive, as ``url.Values.Get`` is."""
    return request.query_params.get(key, default)


T = TypeVar("T")
F = TypeVar("F")


def query_value(request: Request, key: str, parse: Callable[[str], T], should: str) -> T | None:
    """A typed query value: ``None`` when absent or empty; when ``parse`` raises ``ValueError``, the
    server's ``InvalidURI`` with ``<key>[<value>] <should>``."""
    value = q(request, key)
    if not value:
        return None
    try:
        return parse(value)
    except ValueError:
        raise PFError("InvalidURI", f"{key}[{value}] {should}") from None


def filter_values(request: Request, key: str) -> list[str]:
    """The list filter ``<key>Filter=a,b`` that list routes share (``userFilter``, ``runFilter``, ...)."""
    return split_filter(q(request, f"{key}Filter"))


def page_query(
    request: Request, max_keys: Callable[[str | None], int] = parse_max_keys
) -> tuple[str | None, int]:
    """``(marker, maxKeys)`` of a marker-paged list; ``max_keys`` checks ``maxKeys`` (routes whose server
    handler words the error its own way pass their own check)."""
    return q(request, "marker"), max_keys(q(request, "maxKeys"))


def filtered_list(
    request: Request,
    list_page: Callable[[Caller, F, str | None, int], Page[Doc]],
    f: F,
    list_key: str,
    *,
    view: Callable[[Doc], Doc] | None = None,
    max_keys: Callable[[str | None], int] = parse_max_keys,
) -> JSONResponse:
    """What a list route with a filter object does once it has read the filters: the page query (checked
    after the filters, as the server reads them), one backend call as the caller, the list envelope
    (each item through ``view`` when the list shows less than the stored record)."""
    marker, size = page_query(request, max_keys)
    page = list_page(caller(request), f, marker, size)
    return ok(page_body(page, list_key, page.items if view is None else [view(d) for d in page.items]))


def ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


def empty(status: int = 200) -> Response:
    """A success with NO body (the SDK tests ``if not response.text`` for these)."""
    return Response(b"", status_code=status, media_type="application/json")
