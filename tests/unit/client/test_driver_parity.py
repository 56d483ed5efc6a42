"""One driver, two transports: the sync and the async face, given the same server script, send the
same requests, wait the same waits and end with the same result or error.

Each face gets its own loopback server (tokens are shared per server within the process), and the
jitter is seeded identically, so the waits must match to the last digit.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

import pytest

from paddleflow_provider.client import AsyncPaddleFlowAPI, ClientConfig, PaddleFlowAPI

RUN = {"runID": "run-000001", "status": "running"}


def _brief(run_id: str, desc: str) -> dict[str, Any]:
    return {"runID": run_id, "name": "r1", "status": "running", "description": desc}


def _busy_twice(server) -> None:
    server.error(503, "InternalError", "busy")
    server.error(502, "InternalError", "gateway")
    server.reply(200, RUN)


def _retry_after(server) -> None:
    server.error(429, "TooManyRequests", "slow down", headers={"Retry-After": "0.25"})
    server.reply(200, RUN)


def _always_busy(server) -> None:
    for _ in range(4):
        server.error(503, "InternalError", "busy")


def _stale_token(server) -> None:
    server.error(400, "AuthInvalidToken", "Invalid token. Please re-login")
    server.reply(200, RUN)


def _stale_token_then_wrong_password(server) -> None:
    server.error(400, "AuthInvalidToken", "Invalid token. Please re-login")
    server.error(400, "AuthFailed", "Username or password not correct", path="/login")


def _lost_create_found(server) -> None:
    server.reply(drop=True, path="/run")
    server.reply(
        200, {"runList": [_brief("run-000004", "[pf-token:af-10]"), _brief("run-000003", "[pf-token:af-1]")]}
    )


def _lost_create_absent(server) -> None:
    server.error(502, "InternalError", "gateway", path="/run")
    server.reply(200, {"runList": [_brief("run-000004", "[pf-token:af-10]")]})
    server.reply(201, {"runID": "run-000005"})


def _lost_retry(server) -> None:
    server.reply(drop=True)


def _not_found(server) -> None:
    server.error(404, "RunNotFound", "no such run")


def _own_password(server) -> None:
    server.reply(200, None)
    server.reply(200, RUN)


CREATE = ("create_run", (), {"run_yaml_raw": "name: x\n", "run_name": "r1", "client_token": "af-1"})
SHOW = ("show_run", ("run-000001",), {})

#: id -> (server script, [(method, args, kwargs), ...])
SCENARIOS: dict[str, tuple[Callable[[Any], None], list[tuple[str, tuple[Any, ...], dict[str, Any]]]]] = {
    "5xx-twice": (_busy_twice, [SHOW]),
    "429-retry-after": (_retry_after, [SHOW]),
    "attempts-bounded": (_always_busy, [SHOW]),
    "relogin-once": (_stale_token, [SHOW]),
    "relogin-refused": (_stale_token_then_wrong_password, [SHOW]),
    "lost-create-found": (_lost_create_found, [CREATE]),
    "lost-create-absent": (_lost_create_absent, [CREATE]),
    "lost-retry-not-repeated": (_lost_retry, [("retry_run", ("run-000001",), {})]),
    "4xx-not-retried": (_not_found, [SHOW]),
    "own-password": (_own_password, [("update_password", ("root", "newpass1"), {}), SHOW]),
}


def _config(server) -> ClientConfig:
    return ClientConfig(
        host=f"http://127.0.0.1:{server.port}",
        username="root",
        password="paddleflow",
        max_attempts=4,
        backoff_initial=0.01,
        backoff_max=0.05,
    )


def _outcome(call: Callable[[], Any]) -> Any:
    try:
        return ("ok", repr(call()))
    except Exception as exc:  # the error's class and code, not its text (request ids differ)
        return ("error", type(exc).__name__, getattr(exc, "code", None))


def _sync_face(server, steps) -> tuple[list[Any], list[float]]:
    waits: list[float] = []
    with PaddleFlowAPI(_config(server), sleep=waits.append) as api:
        random.seed(7)  # the jitter; seeded once the transport is built (imports may draw numbers)
        results = [_outcome(lambda m=m, a=a, k=k: getattr(api, m)(*a, **k)) for m, a, k in steps]
    return results, waits


def _async_face(server, steps) -> tuple[list[Any], list[float]]:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    async def scenario() -> list[Any]:
        results = []
        async with AsyncPaddleFlowAPI(_config(server), sleep=record) as api:
            random.seed(7)
            for method, args, kwargs in steps:
                try:
                    results.append(("ok", repr(await getattr(api, method)(*args, **kwargs))))
                except Exception as exc:
                    results.append(("error", type(exc).__name__, getattr(exc, "code", None)))
        return results

    return asyncio.run(scenario()), waits


def _wire(server) -> list[tuple[str, str, list[tuple[str, str]], Any]]:
    return [(r.method, r.path, r.query, r.body) for r in server.requests]


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_sync_and_async_faces_behave_alike(make_server, name):
    script, steps = SCENARIOS[name]
    sync_server, async_server = make_server(), make_server()
    script(sync_server)
    script(async_server)

    sync_results, sync_waits = _sync_face(sync_server, steps)
    async_results, async_waits = _async_face(async_server, steps)

    assert async_results == sync_results
    assert async_waits == sync_waits
    assert _wire(async_server) == _wire(sync_server)
    assert not sync_server.queue and not async_server.queue  # every scripted answer was asked for


def test_the_scenarios_show_the_rules(make_server):
    """The table above is not vacuous: a few outcomes, checked on the sync face."""
    outcomes = {}
    for name in ("5xx-twice", "429-retry-after", "attempts-bounded", "lost-create-found", "own-password"):
        server = make_server()
        SCENARIOS[name][0](server)
        outcomes[name] = (*_sync_face(server, SCENARIOS[name][1]), server)
    results, waits, _ = outcomes["5xx-twice"]
    assert results[0][0] == "ok" and len(waits) == 2
    assert outcomes["429-retry-after"][1] == [0.25]
    results, waits, server = outcomes["attempts-bounded"]
    assert results == [("error", "InternalServerError", "InternalError")] and len(server.calls) == 4
    results, _, server = outcomes["lost-create-found"]
    assert "run-000003" in results[0][1] and [r.method for r in server.calls] == ["POST", "GET"]
    server = outcomes["own-password"][2]
    assert server.requests[-2].path == "/login"
    assert server.requests[-2].body == {"username": "root", "password": "newpass1"}


def test_both_faces_walk_pages_alike_and_stop_on_a_repeated_marker(make_server):
    """A server that hands back an old marker (m2 -> m3 -> m2) must not make either face loop."""

    def script(server) -> None:
        server.reply(200, {"runList": [{"runID": "run-1"}], "nextMarker": "m2"})
        server.reply(200, {"runList": [{"runID": "run-2"}], "nextMarker": "m3"})
        server.reply(200, {"runList": [{"runID": "run-3"}], "nextMarker": "m2"})

    sync_server, async_server = make_server(), make_server()
    script(sync_server)
    script(async_server)
    with PaddleFlowAPI(_config(sync_server)) as api:
        sync_ids = [r.run_id for r in api.iter_runs(fs_name="fs1", marker="m0")]

    async def collect() -> list[str]:
        async with AsyncPaddleFlowAPI(_config(async_server)) as api:
            return [r.run_id async for r in api.iter_runs(fs_name="fs1", marker="m0")]

    assert sync_ids == asyncio.run(collect()) == ["run-1", "run-2", "run-3"]
    assert _wire(async_server) == _wire(sync_server)
    assert [dict(r.query).get("marker") for r in sync_server.calls] == ["m0", "m2", "m3"]
