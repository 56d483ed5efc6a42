"""HTTP-side helpers shared by the handlers: the caller, request bodies, query values, responses.

The real server decodes JSON with Go's ``encoding/json``: keys match case-insensitively, unknown
keys are ignored and ``null`` leaves a field at its default. :class:`Body` reproduces exactly that,
so the SDK's ``fsname``/``username`` spellings work.
"""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from .errors import PFError

ROOT = "root"


@dataclass(frozen=True)
class Caller:
    """The authenticated user of a request (set by the auth middleware)."""

    name: str

    @property
    def is_root(self) -> bool:
        return self.name.lower() == ROOT


def caller(request: Request) -> Caller:
    return Caller(request.state.user)


def backend(request: Request) -> Any:
    """The app's :class:`~paddleflow_provider.emulator.backend.core.Backend`."""
    return request.app.state.backend


class Body:
    """A JSON object body with case-insensitive keys; ``null`` values count as absent."""

    def __init__(self, data: dict[str, Any], malformed: str = "MalformedJSON") -> None:
        self._d = {str(k).lower(): v for k, v in data.items() if v is not None}
        self._malformed = malformed
        self.raw = data

    def has(self, key: str) -> bool:
        return key.lower() in self._d

    def get(self, key: str, default: Any = None) -> Any:
        return self._d.get(key.lower(), default)

    def _typed(self, key: str, types: tuple[type, ...], tname: str, default: Any) -> Any:
        v = self._d.get(key.lower(), default)
        if v is default:
            return v
        if not isinstance(v, types) or (isinstance(v, bool) and bool not in types):
            raise PFError(self._malformed, f"json: cannot unmarshal into field {key} of type {tname}")
        return v

    def str(self, key: str, default: str = "") -> str:
        return str(self._typed(key, (str,), "string", default))

    # Below ``def str`` the class body's ``str`` is that method: annotations name the builtins.
    def int(self, key: builtins.str, default: int = 0) -> int:
        return int(self._typed(key, (int,), "int", default))

    def bool(self, key: builtins.str, default: bool = False) -> builtins.bool:
        return bool(self._typed(key, (bool,), "bool", default))

    def dict(self, key: builtins.str) -> builtins.dict[builtins.str, Any] | None:
        v = self._typed(key, (dict,), "object", None)
        return None if v is None else dict(v)

    def list(self, key: builtins.str) -> builtins.list[Any] | None:
        v = self._typed(key, (list,), "array", None)
        return None if v is None else list(v)


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


def ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


def empty(status: int = 200) -> Response:
    """A success with NO body (the SDK tests ``if not response.text`` for these)."""
    return Response(b"", status_code=status, media_type="application/json")
