"""The three faces are complete and agree with the builders they call.

Every method is declared in its class (one line naming its builder, or a ``def``; no generated methods,
no stubs), so these tests are what keeps the faces from drifting apart: every method the SDK reference
lists exists on every face; every builder in ``endpoints/`` has its method on every face, with the
builder's exact signature; the async face mirrors the typed face one for one, ``iter_*`` helpers
included. ``test_typing.py`` checks that mypy sees the same signatures.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import paddleflow_provider.client as pkg
from paddleflow_provider.client import AsyncPaddleFlowAPI, Client, PaddleFlowAPI
from paddleflow_provider.client.endpoints._common import ENDPOINTS, LARGEST_PAGE, WALKS

#: The methods of the SDK reference (/work/shared/reference/sdk_reference.md), in its order.
REFERENCE_METHODS = [
    "login",
    "add_user",
    "del_user",
    "update_password",
    "list_user",
    "grant_queue",
    "ungrant_queue",
    "show_queue_grant",
    "list_queue",
    "show_queue",
    "create_queue",
    "stop_queue",
    "del_queue",
    "list_flavour",
    "add_fs",
    "show_fs",
    "list_fs",
    "delete_fs",
    "mount",
    "add_link",
    "delete_link",
    "show_link",
    "create_run",
    "list_run",
    "show_run",
    "stop_run",
    "delete_run",
    "retry_run",
    "list_cache",
    "show_cache",
    "delete_cache",
    "list_artifact",
    "create_pipeline",
    "list_pipeline",
    "show_pipeline",
    "delete_pipeline",
    "update_pipeline",
    "show_pipeline_version",
    "delete_pipeline_version",
    "create_schedule",
    "list_schedule",
    "show_schedule",
    "stop_schedule",
    "delete_schedule",
    "create_cluster",
    "list_cluster",
    "show_cluster",
    "delete_cluster",
    "update_cluster",
    "list_cluster_resource",
    "show_log",
    "get_statistics",
    "get_statistics_detail",
]
#: Reference methods a face leaves out on purpose: mounting is local and blocking, not for triggers.
NOT_ON = {AsyncPaddleFlowAPI: {"mount"}}
FACES = [PaddleFlowAPI, AsyncPaddleFlowAPI, Client]
#: iter helper -> the list builder whose pages it walks, and that builder's page-size argument
ITERATORS = {
    "iter_users": ("list_user", "maxsize"),
    "iter_queues": ("list_queue", "maxsize"),
    "iter_queue_grants": ("show_queue_grant", "maxsize"),
    "iter_flavours": ("list_flavour", "maxsize"),
    "iter_fs": ("list_fs", "maxsize"),
    "iter_links": ("list_link", "maxsize"),
    "iter_runs": ("list_run", "maxsize"),
    "iter_caches": ("list_cache", "max_keys"),
    "iter_artifacts": ("list_artifact", "maxkeys"),
    "iter_pipelines": ("list_pipeline", "max_keys"),
    "iter_schedules": ("list_schedule", "max_keys"),
    "iter_clusters": ("list_cluster", "maxkeys"),
}


def _params(method) -> list[inspect.Parameter]:
    """A method's parameters without ``self``, as ``inspect`` (and ``help()``) shows them."""
    return list(inspect.signature(method).parameters.values())[1:]


def _public(cls: type) -> set[str]:
    return {n for n, v in vars(cls).items() if not n.startswith("_") and callable(v)}


def test_the_reference_lists_53_methods():
    assert len(REFERENCE_METHODS) == len(set(REFERENCE_METHODS)) == 53


@pytest.mark.parametrize("face", FACES, ids=lambda f: f.__name__)
def test_every_reference_method_is_on_every_face(face):
    missing = [
        n
        for n in REFERENCE_METHODS
        if n not in NOT_ON.get(face, set()) and not callable(getattr(face, n, None))
    ]
    assert missing == []


@pytest.mark.parametrize("face", FACES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_every_builder_has_its_method_with_the_builders_signature(face, name):
    """A new builder fails here until each face has its method; a changed one until they follow."""
    method = vars(face).get(name)
    assert method is not None, f"{face.__name__} has no {name}"
    builder = ENDPOINTS[name].builder
    assert _params(method) == list(inspect.signature(builder).parameters.values())


@pytest.mark.parametrize("face", FACES, ids=lambda f: f.__name__)
def test_every_method_is_declared_in_its_class(face):
    """No method is made by a loop at import time: each public one is a ``def`` in the class body, or
    a one-line declaration there (``show_run = typed(runs.show_run)``) naming the builder it derives
    from (``functools.wraps``: ``__wrapped__`` is that builder, or the ``iter_*`` helper's walk)."""
    source = inspect.getsource(face)
    for name in _public(face):
        method = vars(face)[name]
        builder = inspect.unwrap(method)
        if builder.__qualname__ == f"{face.__name__}.{name}":
            continue  # written out: login, mount, close ...
        declared = ENDPOINTS.get(name) or WALKS.get(name)
        assert declared is not None and builder is declared.builder, name
        assert re.search(rf"^    {name} = \w+\(\s*\w+\.{name}\b", source, re.M), name


@pytest.mark.parametrize(
    ("face", "name"),
    [(f, n) for f in FACES for n in ("show_run", "find_run_by_client_token", "iter_runs") if hasattr(f, n)],
)
def test_help_shows_the_builders_docstring_and_signature(face, name):
    method = getattr(face, name)
    builder = (ENDPOINTS.get(name) or WALKS[name]).builder
    assert method.__doc__ == builder.__doc__ and method.__name__ == name
    assert str(inspect.signature(method)).startswith("(self, ")
    bound = getattr(face.__new__(face), name)  # bound: ``self`` is gone, as for any method
    assert list(inspect.signature(bound).parameters) == list(inspect.signature(builder).parameters)


def test_the_tuple_face_has_the_typed_faces_signatures():
    for name in _public(Client) - {"close", "from_config"}:
        assert _params(getattr(Client, name)) == _params(getattr(PaddleFlowAPI, name)), name


def test_the_async_face_mirrors_the_typed_face():
    assert _public(AsyncPaddleFlowAPI) - {"aclose"} == _public(PaddleFlowAPI) - {"close", "mount"}
    for name in _public(AsyncPaddleFlowAPI) - {"aclose"}:
        sync, coro = getattr(PaddleFlowAPI, name), getattr(AsyncPaddleFlowAPI, name)
        assert _params(coro) == _params(sync), name
        sync_return = inspect.signature(sync).return_annotation
        async_return = inspect.signature(coro).return_annotation
        if name.startswith("iter_"):
            assert not inspect.iscoroutinefunction(coro), name
            assert async_return == "Async" + sync_return, name
        else:
            assert inspect.iscoroutinefunction(coro), name
            assert async_return == sync_return, name


@pytest.mark.parametrize("face", [PaddleFlowAPI, AsyncPaddleFlowAPI], ids=lambda f: f.__name__)
def test_every_iter_helper_takes_its_lists_filters(face):
    assert {n for n in _public(face) if n.startswith("iter_")} == set(ITERATORS)
    for name, (list_name, size) in ITERATORS.items():
        expected = [
            p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
            if p.name != size
            else p.replace(kind=inspect.Parameter.KEYWORD_ONLY, default=LARGEST_PAGE, annotation="int")
            for p in inspect.signature(ENDPOINTS[list_name].builder).parameters.values()
        ]
        assert _params(getattr(face, name)) == expected, name


def test_no_stubs_hide_the_code():
    package = Path(pkg.__file__).parent
    assert list(package.rglob("*.pyi")) == []
    assert (package.parent / "py.typed").exists()


def test_reference_spellings_work_on_every_face(server, client):
    """``checked`` resolves the reference's spellings before the builder runs, on all three faces."""
    import asyncio

    from paddleflow_provider.client import ClientConfig

    run = {"runID": "run-1", "status": "running"}
    for _ in range(3):
        server.reply(200, run)
    assert client.show_run(runid="run-1")[1].run_id == "run-1"
    assert client.api.show_run(runID="run-1").run_id == "run-1"

    async def show() -> str:
        config = ClientConfig(host=f"http://127.0.0.1:{server.port}", username="root", password="paddleflow")
        async with AsyncPaddleFlowAPI(config) as api:
            return (await api.show_run(runid="run-1")).run_id

    assert asyncio.run(show()) == "run-1"
    assert [c.path for c in server.calls] == ["/run/run-1"] * 3
    ok, message = client.show_run(runid="run-1", run_id="run-1")
    assert ok is False and "'runid'" in message and "given twice" in message
