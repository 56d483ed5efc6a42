"""Run triggers of one event loop and one connection share one status poller (issue 8, item 2).

Against the emulator over real HTTP, through a counting TCP proxy (``bench/counting_proxy.py``), so
the requests and connections counted are the ones that crossed the wire, not the client's belief.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import pathlib
import sys
import threading
import time

import pytest

from paddleflow_provider.triggers.log import PaddleFlowRunLogTrigger
from paddleflow_provider.triggers.run import PaddleFlowRunTrigger

SLOW = b'name: slow\ndocker_env: python:3.11\nentry_points:\n  wait:\n    command: "sleep 60"\n'
QUICK = b'name: quick\ndocker_env: python:3.11\nentry_points:\n  go:\n    command: "echo go; sleep 0.5"\n'
LIST = r"/run\?"  # GET /run?runFilter=...: the shared status round
SHOW = r"/run/run-\d+$"  # GET /run/<id>: one run's detail


def _load_proxy():
    path = pathlib.Path(__file__).parents[2] / "bench" / "counting_proxy.py"
    spec = importlib.util.spec_from_file_location("paddleflow_counting_proxy", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.CountingProxy


CountingProxy = _load_proxy()


def _conn(host: str, port: int, login: str, password: str) -> str:
    fields = {"conn_type": "paddleflow", "host": host, "port": port, "login": login, "password": password}
    return json.dumps({**fields, "extra": {"max_retry_time": 10, "backoff_max": 0.2}})


@pytest.fixture
def proxy(pf_conn, monkeypatch):
    """``pf_proxied``: the emulator's root user, reached through a counting proxy."""
    with CountingProxy(pf_conn.host, pf_conn.port) as counting:
        monkeypatch.setenv(
            "AIRFLOW_CONN_PF_PROXIED", _conn(counting.host, counting.port, "root", pf_conn.root_password)
        )
        yield counting


def _stop_all(pf_api, run_ids) -> None:
    for run_id in run_ids:
        try:
            if not pf_api.show_run(run_id).is_final:
                pf_api.stop_run(run_id, force=True)
        except Exception:  # deleted or someone else's: nothing to stop
            pass


def _all_closed(proxy) -> bool:
    """Whether every connection through the proxy was closed (the proxy's thread sees a close a
    moment after the client makes it, so this waits up to a few seconds for it)."""
    for _ in range(100):
        if proxy.snapshot().open_connections == 0:
            return True
        time.sleep(0.05)
    return False


async def _event(trigger) -> dict:
    gen = trigger.run()
    try:
        return (await gen.__anext__()).payload
    finally:
        await gen.aclose()


def test_triggers_joining_at_different_times_share_one_list_request_per_round(proxy, pf_api):
    """Six triggers on two intervals, joining over a second: one connection, no per-run show_run,
    one list request per round; each run's end reaches its own trigger, the others carry on."""
    runs = [pf_api.create_run(run_yaml_raw=SLOW) for _ in range(6)]

    async def main() -> dict[str, dict]:
        tasks: dict[str, asyncio.Task] = {}
        for i, run_id in enumerate(runs):
            interval = 0.3 if i % 2 else 0.6
            trigger = PaddleFlowRunTrigger(
                run_id=run_id, paddleflow_conn_id="pf_proxied", poll_interval=interval
            )
            tasks[run_id] = asyncio.create_task(_event(trigger))
            await asyncio.sleep(0.2)  # the next one joins later
        since = time.time()
        await asyncio.sleep(3.0)  # every trigger is polling its running run
        window = time.time() - since
        lists, shows = proxy.requests_since(since, pattern=LIST), proxy.requests_since(since, pattern=SHOW)
        assert shows == 0  # no trigger read its run alone
        # One round per 0.3 s interval at most (plus a boundary round), never one per trigger.
        assert 1 <= lists <= window / 0.3 + 2, (lists, window)
        assert proxy.snapshot().connections == 1  # one connection pool per server, one connection used
        assert not any(task.done() for task in tasks.values())
        pf_api.stop_run(runs[0], force=True)  # one run ends: only its trigger fires
        first = await asyncio.wait_for(tasks[runs[0]], 30)
        assert first["status"] == "ended" and first["run_status"] in ("terminated", "terminating")
        await asyncio.sleep(1.0)
        assert not any(tasks[run_id].done() for run_id in runs[1:])
        for run_id in runs[1:]:
            pf_api.stop_run(run_id, force=True)
        done = await asyncio.wait_for(asyncio.gather(*tasks.values()), 30)
        return dict(zip(tasks, done, strict=True))

    try:
        events = asyncio.run(main())
    finally:
        _stop_all(pf_api, runs)
    assert [events[r]["run_id"] for r in runs] == runs
    assert all(e["status"] == "ended" for e in events.values())
    assert _all_closed(proxy)  # the last trigger leaving closed the client


def test_a_missing_run_gets_its_own_not_found_and_the_others_carry_on(proxy, pf_api):
    """A run deleted before its trigger looks, and one that never existed: each of their triggers
    ends with its own error (checked with one show_run each); the trigger of a live run carries on."""
    live = pf_api.create_run(run_yaml_raw=SLOW)
    deleted = pf_api.create_run(run_yaml_raw=SLOW)
    pf_api.stop_run(deleted, force=True)
    for _ in range(100):
        if pf_api.show_run(deleted).is_final:
            break
        time.sleep(0.1)
    pf_api.delete_run(deleted)

    async def main():
        kwargs = {"paddleflow_conn_id": "pf_proxied", "poll_interval": 0.3}
        live_task = asyncio.create_task(_event(PaddleFlowRunTrigger(run_id=live, **kwargs)))
        gone = await asyncio.wait_for(
            asyncio.gather(
                _event(PaddleFlowRunTrigger(run_id=deleted, **kwargs)),
                _event(PaddleFlowRunTrigger(run_id="run-999999", **kwargs)),
            ),
            30,
        )
        await asyncio.sleep(1.0)
        assert not live_task.done()  # the others' errors are not this trigger's
        pf_api.stop_run(live, force=True)
        return gone, await asyncio.wait_for(live_task, 30)

    try:
        (deleted_event, never_event), live_event = asyncio.run(main())
    finally:
        _stop_all(pf_api, [live])
    for event, run_id in ((deleted_event, deleted), (never_event, "run-999999")):
        assert event["status"] == "error" and event["run_id"] == run_id
        assert "NotFound" in event["message"] and run_id in event["message"]
    assert live_event["status"] == "ended"


def test_another_users_run_is_an_access_error_for_its_trigger_only(pf_conn, pf_api, monkeypatch):
    """A non-root connection's list shows only its own runs: a trigger watching root's run gets
    the access error (from show_run), the same user's own run is followed to its end."""
    user, password = "sharedu1", "passw0rd1"
    pf_api.add_user(user, password)
    monkeypatch.setenv("AIRFLOW_CONN_PF_USER", _conn(pf_conn.host, pf_conn.port, user, password))
    from paddleflow_provider.client import Client

    user_api = Client(pf_conn.host, user, password, str(pf_conn.port)).api
    user_api.login()
    roots = pf_api.create_run(run_yaml_raw=SLOW)
    own = user_api.create_run(run_yaml_raw=QUICK)

    async def main():
        kwargs = {"paddleflow_conn_id": "pf_user", "poll_interval": 0.3}
        return await asyncio.wait_for(
            asyncio.gather(
                _event(PaddleFlowRunTrigger(run_id=roots, **kwargs)),
                _event(PaddleFlowRunTrigger(run_id=own, **kwargs)),
            ),
            60,
        )

    try:
        foreign, mine = asyncio.run(main())
    finally:
        _stop_all(pf_api, [roots])
        pf_api.del_user(user)
    assert foreign["status"] == "error" and "PermissionDenied" in foreign["message"]
    assert (mine["status"], mine["run_status"]) == ("ended", "succeeded")


def test_a_transient_fault_mid_round_delays_everyone_and_each_deadline_holds(
    proxy, pf_conn, pf_api, capfd, caplog
):
    """The list answers 503 longer than the client retries: every trigger logs the transient error
    and keeps waiting; one with a deadline times out on time while the fault lasts; once the
    server answers again the others report their runs' ends."""
    runs = [pf_api.create_run(run_yaml_raw=SLOW) for _ in range(3)]

    async def main():
        kwargs = {"paddleflow_conn_id": "pf_proxied", "poll_interval": 0.3}
        tasks = [asyncio.create_task(_event(PaddleFlowRunTrigger(run_id=r, **kwargs))) for r in runs[:2]]
        await asyncio.sleep(1.0)  # polling
        assert proxy.requests_since(0, pattern=LIST) >= 1
        # Injected mid-stream: every list request fails until cleared.
        pf_conn.add_faults({"method": "GET", "path": r"/run$", "status": 503, "times": 0})
        deadline = time.time() + 2.0
        timed = await asyncio.wait_for(
            _event(PaddleFlowRunTrigger(run_id=runs[2], deadline=deadline, **kwargs)), 30
        )
        assert not any(task.done() for task in tasks)  # a transient error ends no one
        pf_conn.clear_faults()
        for run_id in runs[:2]:
            pf_api.stop_run(run_id, force=True)
        return timed, await asyncio.wait_for(asyncio.gather(*tasks), 60)

    try:
        timed, ended = asyncio.run(main())
    finally:
        pf_conn.clear_faults()
        _stop_all(pf_api, runs)
    assert timed["status"] == "timeout"
    assert [e["status"] for e in ended] == ["ended", "ended"]
    out = capfd.readouterr()
    assert "transient error while polling" in out.out + out.err + caplog.text


def test_cancelled_triggers_leave_at_once_and_the_last_stops_the_poller(proxy, pf_api):
    """Cancelling a trigger's task (a kill, a triggerer shutdown) takes its run out of the very next
    round; cancelling the last one stops the rounds and closes the connection."""
    runs = [pf_api.create_run(run_yaml_raw=SLOW) for _ in range(2)]

    async def main() -> None:
        kwargs = {"paddleflow_conn_id": "pf_proxied", "poll_interval": 0.2}
        tasks = [asyncio.create_task(_event(PaddleFlowRunTrigger(run_id=r, **kwargs))) for r in runs]
        await asyncio.sleep(1.0)
        tasks[0].cancel()
        await asyncio.gather(tasks[0], return_exceptions=True)
        since = time.time()
        await asyncio.sleep(1.0)
        targets = [t for when, _, t in proxy.snapshot().requests if when >= since and "runFilter" in t]
        assert targets and all(runs[0] not in t and runs[1] in t for t in targets)
        tasks[1].cancel()
        await asyncio.gather(tasks[1], return_exceptions=True)
        await asyncio.sleep(0.1)  # the poller's own finally closes the client
        after = len(proxy.snapshot().requests)
        await asyncio.sleep(1.0)
        assert len(proxy.snapshot().requests) == after  # no round without a member
        assert await asyncio.to_thread(_all_closed, proxy)

    try:
        asyncio.run(main())
    finally:
        _stop_all(pf_api, runs)


def test_two_event_loops_each_have_their_own_group(proxy, pf_api):
    """Two loops at once (two triggerer threads) and then a third after they closed (``dag.test()``
    runs each trigger in a loop of its own): each is answered, none reuses another loop's client."""
    run_id = pf_api.create_run(run_yaml_raw=QUICK)
    results: list[dict] = []

    def in_own_loop() -> None:
        trigger = PaddleFlowRunTrigger(run_id=run_id, paddleflow_conn_id="pf_proxied", poll_interval=0.2)
        results.append(asyncio.run(asyncio.wait_for(_event(trigger), 60)))

    threads = [threading.Thread(target=in_own_loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    in_own_loop()  # a later loop, as dag.test() makes
    assert [(e["status"], e["run_status"]) for e in results] == [("ended", "succeeded")] * 3
    assert proxy.snapshot().connections == 3  # one client per loop
    assert _all_closed(proxy)


def test_log_trigger_uses_the_shared_status_and_connection(proxy, pf_api):
    """A log trigger and a run trigger on the same run: the run's end reaches both from the shared
    rounds (the log trigger ends without a match, the run trigger ends), and the log reads go over
    the group's one connection pool (at most one connection per request in flight at once)."""
    run_id = pf_api.create_run(run_yaml_raw=QUICK)

    async def main():
        kwargs = {"paddleflow_conn_id": "pf_proxied", "poll_interval": 0.2}
        return await asyncio.wait_for(
            asyncio.gather(
                _event(PaddleFlowRunLogTrigger(run_id=run_id, pattern="never printed", **kwargs)),
                _event(PaddleFlowRunTrigger(run_id=run_id, **kwargs)),
            ),
            60,
        )

    log_event, run_event = asyncio.run(main())
    assert (log_event["status"], log_event["run_status"]) == ("failure", "succeeded")
    assert (run_event["status"], run_event["run_status"]) == ("ended", "succeeded")
    assert proxy.requests_since(0, pattern=LIST) >= 1
    assert proxy.requests_since(0, "POST", r"/login$") == 1  # one client logged in, not one per trigger
    assert proxy.snapshot().connections <= 2


def test_run_ids_are_chunked_to_the_servers_max_keys_and_the_url_budget():
    """1,000 ids is the server's maxKeys; the encoded filter of a chunk stays within the budget
    that keeps the request line under common 8 KiB limits."""
    from urllib.parse import quote

    from paddleflow_provider.triggers._shared_status import MAX_FILTER_CHARS, MAX_KEYS, chunk_run_ids

    short = [f"run-{i:06d}" for i in range(2500)]
    long = [f"run-{'x' * 200}-{i}" for i in range(100)]
    for ids in (short, long, short[:1]):
        chunks = chunk_run_ids(ids)
        assert [run_id for chunk in chunks for run_id in chunk] == ids
        for chunk in chunks:
            assert len(chunk) <= MAX_KEYS
            assert len(quote(",".join(chunk), safe="")) <= MAX_FILTER_CHARS
    assert len(chunk_run_ids(short)) == 6  # ~13 encoded characters per id: 461 ids a request
