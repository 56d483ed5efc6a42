"""The emulator's route index picks the route FastAPI's router would, for every route it serves.

``emulator/dispatch.py`` calls handlers itself for speed; these tests hold it to FastAPI's choice:
for every declared route and method, a concrete path built from it must find the same first
matching route among the index's few candidates as among all routes in declared order; and a
request no route matches in full must reach FastAPI, which answers it as before.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Match

from paddleflow_provider.emulator.dispatch import RouteIndex, takes_only_path_strings

from .emulator_testlib import PREFIX, assert_error


@pytest.fixture(scope="module")
def routes() -> list:
    from paddleflow_provider.emulator.app import routes_app

    return list(routes_app(None).routes)


def _scope(method: str, path: str) -> dict:
    return {"type": "http", "method": method, "path": path, "root_path": "", "path_params": {}}


def _first_full(routes: list, scope: dict):
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route
    return None


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x-1", path)


def test_every_route_is_served_by_the_index_as_fastapi_would(routes):
    index = RouteIndex(routes)
    served = [r for r in routes if isinstance(r, APIRoute)]
    assert served and all(takes_only_path_strings(r) for r in served)  # no handler left to FastAPI
    for route in served:
        for method in route.methods:
            scope = _scope(method, _concrete(route.path))
            expected = _first_full(routes, scope)
            assert expected is not None
            assert _first_full(index.candidates(method, scope["path"]), scope) is expected, (
                method,
                route.path,
            )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", PREFIX + "/run/x-1/"),  # a trailing slash: FastAPI's redirect
        ("PATCH", PREFIX + "/run/x-1"),  # a method no route takes: 405
        ("GET", PREFIX + "/nothing/here"),
        ("GET", "/_emulator/nothing"),
    ],
)
def test_what_no_route_matches_in_full_is_left_to_fastapi(routes, method, path):
    index = RouteIndex(routes)
    assert _first_full(index.candidates(method, path), _scope(method, path)) is None


def test_errors_are_answered_alike_by_the_index_and_by_fastapi(root):
    # a handler's error (served by the index), an unknown path and a wrong method (FastAPI's)
    assert_error(root.get("/run/run-999999"), 404, "RunNotFound")
    assert_error(root.get("/nothing/here"), 404, "PathNotFound")
    assert_error(root.call("PATCH", "/run/run-000001"), 405, "MethodNotAllowed")


def _handler(params: list[str]):
    """A handler taking the request and these path parameters, as every emulator handler does."""
    namespace: dict = {}
    exec(f"async def handler(request, {''.join(p + ': str, ' for p in params)}): return None", namespace)
    return namespace["handler"]


def test_route_shapes_the_index_must_keep_in_declared_order():
    shapes = [  # (path, methods); earlier routes win, as in FastAPI
        ("/api/paddleflow/v1/{kind}", ["GET"]),  # a parameter as the fourth segment
        ("/api/paddleflow/v1/run", ["GET", "POST"]),
        ("/api/paddleflow/v1/run-{run_id}", ["GET"]),  # a parameter inside a segment
        ("/api/paddleflow/v1/run/{run_id}", ["GET", "DELETE"]),
        ("/{anything}", ["GET"]),  # a parameter as the first segment
        ("/", ["GET"]),
    ]
    routes = [
        APIRoute(path, _handler(re.findall(r"\{(\w+)\}", path)), methods=methods) for path, methods in shapes
    ]
    index = RouteIndex(routes)
    for method, path in [
        ("GET", "/api/paddleflow/v1/run"),  # the fourth-segment parameter route comes first
        ("POST", "/api/paddleflow/v1/run"),
        ("GET", "/api/paddleflow/v1/run-7"),
        ("GET", "/api/paddleflow/v1/run/run-1"),
        ("DELETE", "/api/paddleflow/v1/run/run-1"),
        ("GET", "/api/paddleflow/v1/job/job-1"),
        ("GET", "/zzz"),
        ("GET", "/"),
        ("PUT", "/api/paddleflow/v1/run"),
    ]:
        scope = _scope(method, path)
        assert _first_full(index.candidates(method, path), scope) is _first_full(routes, scope), (
            method,
            path,
        )
