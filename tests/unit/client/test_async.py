"""The async face shares the sync request path: same wire calls, retries, re-login and errors."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from paddleflow_provider.client import AsyncPaddleFlowAPI, ClientConfig, NotFoundError, OutcomeUnknownError


def _config(server, **kw) -> ClientConfig:
    return ClientConfig(
        host=f"http://127.0.0.1:{server.port}",
        username="root",
        password="paddleflow",
        backoff_initial=0.001,
        backoff_max=0.002,
        **kw,
    )


async def _nosleep(_seconds: float) -> None:
    await asyncio.sleep(0)


def test_async_faces_match_the_sync_wire(server):
    run = {"runID": "run-000001", "status": "running", "runtime": {"main": [{"jobID": "j1"}]}}
    server.reply(200, run)
    server.reply(200, {"runList": [run], "nextMarker": "m2", "isTruncated": True})
    server.reply(200, {"runList": [{"runID": "run-000002"}]})
    server.reply(
        200,
        {
            "runID": "run-000001",
            "submitLog": "s",
            "runLog": [{"jobID": "j1", "taskList": [{"taskID": "t", "logInfo": {"logContent": "line\n"}}]}],
        },
    )
    server.reply(200, None)

    async def scenario():
        async with AsyncPaddleFlowAPI(_config(server), sleep=_nosleep) as api:
            info = await api.show_run("run-000001")
            ids = [r.run_id async for r in api.iter_runs(status="running")]
            log = await api.show_log("run-000001", page_size=10)
            await api.stop_run("run-000001", force=True)
            return info, ids, log

    info, ids, log = asyncio.run(scenario())
    assert info.runtime["main"][0].job_id == "j1"
    assert ids == ["run-000001", "run-000002"]
    assert log.run_log[0].log_content == "line\n" and log.submit_log == "s"
    calls = [(c.method, c.path, dict(c.query)) for c in server.calls]
    assert calls == [
        ("GET", "/run/run-000001", {}),
        ("GET", "/run", {"maxKeys": "1000", "statusFilter": "running"}),  # iter_*: the largest pages
        ("GET", "/run", {"maxKeys": "1000", "statusFilter": "running", "marker": "m2"}),
        ("GET", "/log/run/run-000001", {"pageSize": "10"}),
        ("PUT", "/run/run-000001", {"action": "stop"}),
    ]
    assert server.calls[-1].body == {"stopForce": True}
    assert server.logins == 1


def test_async_retries_relogin_and_errors(server):
    server.error(503, "InternalError", "busy")
    server.error(400, "AuthInvalidToken", "Invalid token. Please re-login")
    server.reply(200, {"runID": "run-000001", "status": "succeeded"})
    server.error(404, "RunNotFound", "nope")
    server.reply(drop=True)

    async def scenario():
        async with AsyncPaddleFlowAPI(_config(server), sleep=_nosleep) as api:
            status = (await api.show_run("run-000001")).status
            with pytest.raises(NotFoundError) as missing:
                await api.show_run("run-9")
            with pytest.raises(OutcomeUnknownError):
                await api.retry_run("run-000001")
            return status, missing.value

    status, missing = asyncio.run(scenario())
    assert status == "succeeded" and missing.code == "RunNotFound" and missing.status_code == 404
    assert server.logins == 2


def test_many_concurrent_polls_share_one_login(server):
    server.route("GET", "/run/run-000001", 200, {"runID": "run-000001", "status": "running"})

    async def scenario():
        async with AsyncPaddleFlowAPI(_config(server), sleep=_nosleep) as api:
            results = await asyncio.gather(*(api.show_run("run-000001") for _ in range(200)))
            return {r.status for r in results}

    assert asyncio.run(scenario()) == {"running"}
    assert server.logins == 1


def test_importing_the_client_loads_neither_airflow_nor_httpx():
    code = (
        "import sys, paddleflow_provider.client as c; c.Client('h', 'u', 'p'); "
        "print('airflow' in sys.modules, 'httpx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_short_lived_async_clients_share_one_login(server):
    server.route("GET", "/run/run-000001", 200, {"runID": "run-000001", "status": "running"})

    async def one_poll():
        async with AsyncPaddleFlowAPI(_config(server), sleep=_nosleep) as api:
            return (await api.show_run("run-000001")).status

    async def many():
        return await asyncio.gather(*(one_poll() for _ in range(50)))

    assert set(asyncio.run(many())) == {"running"}
    assert server.logins == 1


def test_opening_an_async_client_is_cheap():
    from paddleflow_provider.client._tls import ssl_context

    assert ssl_context(True) is ssl_context(True)
    assert ssl_context(False).verify_mode == 0


#: iter helper -> (list path, the answer's list key, required arguments)
ITER_WIRE = {
    "iter_users": ("/user", "userList", {}),
    "iter_queues": ("/queue", "queueList", {}),
    "iter_queue_grants": ("/grant", "grantList", {}),
    "iter_flavours": ("/flavour", "flavourList", {}),
    "iter_fs": ("/fs", "fsList", {}),
    "iter_links": ("/link/fs1", "linkList", {"fsname": "fs1"}),
    "iter_runs": ("/run", "runList", {}),
    "iter_caches": ("/runCache", "runCacheList", {}),
    "iter_artifacts": ("/artifact", "artifactEventList", {}),
    "iter_pipelines": ("/pipeline", "pipelineList", {}),
    "iter_schedules": ("/schedule", "scheduleList", {}),
    "iter_clusters": ("/cluster", "clusterList", {}),
}


def test_the_iter_table_covers_every_iterator():
    from paddleflow_provider.client import PaddleFlowAPI

    assert set(ITER_WIRE) == {n for n in dir(PaddleFlowAPI) if n.startswith("iter_")}


@pytest.mark.parametrize("name", list(ITER_WIRE))
def test_async_iter_helpers_walk_every_page_like_the_sync_face(make_server, name):
    from paddleflow_provider.client import PaddleFlowAPI

    list_path, key, args = ITER_WIRE[name]

    def script(server) -> None:
        server.reply(200, {key: [{"name": "a"}], "nextMarker": "m2", "isTruncated": True})
        server.reply(200, {key: [{"name": "b"}, {"name": "c"}], "nextMarker": ""})

    sync_server, async_server = make_server(), make_server()
    script(sync_server)
    script(async_server)
    with PaddleFlowAPI(_config(sync_server)) as api:
        sync_items = list(getattr(api, name)(**args))

    async def collect() -> list:
        async with AsyncPaddleFlowAPI(_config(async_server), sleep=_nosleep) as api:
            return [item async for item in getattr(api, name)(**args)]

    async_items = asyncio.run(collect())
    assert len(async_items) == 3
    assert [type(i) for i in async_items] == [type(i) for i in sync_items]
    assert [i.model_dump() for i in async_items] == [i.model_dump() for i in sync_items]
    wire = [(c.method, c.path, c.query) for c in async_server.calls]
    assert wire == [(c.method, c.path, c.query) for c in sync_server.calls]
    assert [c.path for c in async_server.calls] == [list_path, list_path]
    assert dict(async_server.calls[1].query).get("marker") == "m2"
    assert not async_server.queue
