"""Find a request's route in a handful of candidates, and call its handler directly.

Why: the emulator declares its 76 routes with FastAPI, whose router tries them one by one (a
regular expression each) and then solves each handler's parameters. Every handler takes only the
request and string path parameters, so that machinery decides nothing, yet it cost about a third
of the emulator's time for a status read (``bench/bench_client.py``). Every test and every DAG
author's test pays it on every request.

``RouteIndex`` groups the routes by method and the first four literal path segments
(``/api/paddleflow/v1/run``) and keeps their declared order, so the first route that matches is the
one FastAPI would take. ``IndexedDispatch`` calls that route's handler; a request no route matches
in full (an unknown path, a wrong method, a trailing slash) goes to the FastAPI app unchanged, which
answers it as before (404, 405, redirect). Errors are mapped by the app's own rule (``errors_for``).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

#: Literal path segments a route is grouped by (``api``, ``paddleflow``, ``v1``, the resource).
KEY_SEGMENTS = 4

Handler = Callable[..., Awaitable[Response]]
ErrorMapper = Callable[[Exception, Scope], Response]


def _literal_segments(path: str) -> tuple[str, ...]:
    """The route's whole path segments before its first parameter (at most ``KEY_SEGMENTS``)."""
    segments = path.split("{", 1)[0].split("/")[1:]
    if "{" in path:
        segments = segments[:-1]  # the segment the first parameter is in is not literal
    return tuple(segments[:KEY_SEGMENTS])


def _request_key(path: str) -> tuple[str, ...]:
    return tuple(path.split("/")[1 : KEY_SEGMENTS + 1])


def _extends(key: tuple[str, ...], path: str) -> bool:
    head = _literal_segments(path)
    return key[: len(head)] == head


def takes_only_path_strings(route: APIRoute) -> bool:
    """Whether the handler's parameters are the request and the route's path parameters (str):
    nothing for FastAPI to solve."""
    params = list(inspect.signature(route.endpoint).parameters.values())
    if not params or params[0].name != "request":
        return False
    rest = {p.name for p in params[1:]}
    return rest == set(route.param_convertors) and all(p.annotation in (str, "str") for p in params[1:])


class RouteIndex:
    """The app's plain routes by (method, literal key), each list in declared order."""

    def __init__(self, routes: list[Any]) -> None:
        self._by_key: dict[tuple[str, tuple[str, ...]], list[APIRoute]] = {}
        self._anywhere: dict[str, list[APIRoute]] = {}  # literal heads shorter than a key
        plain = [r for r in routes if isinstance(r, APIRoute) and takes_only_path_strings(r)]
        for route in plain:  # in declared order
            key = _literal_segments(route.path)
            for method in route.methods:
                if len(key) < KEY_SEGMENTS:
                    self._anywhere.setdefault(method, []).append(route)
                else:
                    self._by_key.setdefault((method, key), []).append(route)
        # A keyed list also holds the shorter-headed routes that may match its paths, in declared order.
        position = {id(route): order for order, route in enumerate(routes)}
        for (method, key), keyed in self._by_key.items():
            keyed.extend(r for r in self._anywhere.get(method, []) if _extends(key, r.path))
            keyed.sort(key=lambda route: position[id(route)])

    def candidates(self, method: str, path: str) -> list[APIRoute]:
        return self._by_key.get((method, _request_key(path))) or self._anywhere.get(method, [])


class IndexedDispatch:
    """Call the handler of the route a request matches in full; anything else goes to the FastAPI
    ``app`` itself."""

    def __init__(self, app: Any, errors_for: ErrorMapper) -> None:
        self.app = app  # the routes, the fallback, and what handlers read as ``request.app``
        self.errors_for = errors_for
        self.index = RouteIndex(list(app.routes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for route in self.index.candidates(scope["method"], scope["path"]):
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope.update(child_scope)
                    scope["app"] = self.app
                    await self._handle(route, scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _handle(self, route: APIRoute, scope: Scope, receive: Receive, send: Send) -> None:
        handler: Handler = route.endpoint
        try:
            response = await handler(Request(scope, receive), **scope["path_params"])
        except Exception as err:  # every error has an answer: the app's one mapping
            response = self.errors_for(err, scope)
        await response(scope, receive, send)
