"""The triggers on their own, against the emulator, in a plain asyncio loop."""

from __future__ import annotations

import asyncio
import logging
import re
import time

import pytest

from paddleflow_provider._compat import HAS_TRIGGER_ON_KILL
from paddleflow_provider.triggers.log import PaddleFlowRunLogTrigger
from paddleflow_provider.triggers.run import PaddleFlowRunTrigger

STEPS = b"""\
name: trig
docker_env: python:3.11
entry_points:
  prep:
    command: "echo warming up; sleep 0.3"
  train:
    deps: prep
    command: "for i in 1 2 3; do echo epoch $i; sleep 0.2; done"
"""
SLOW = b'name: slow\ndocker_env: python:3.11\nentry_points:\n  wait:\n    command: "sleep 30"\n'


def first_event(trigger, limit: float = 60.0) -> dict:
    async def main():
        gen = trigger.run()
        try:
            return (await asyncio.wait_for(gen.__anext__(), limit)).payload
        finally:
            await gen.aclose()

    return asyncio.run(main())


@pytest.mark.slow
def test_run_trigger_rides_out_transient_errors_and_streams_new_lines(pf_conn, pf_api, caplog, capfd):
    run_id = pf_api.create_run(run_yaml_raw=STEPS)
    # The status is read by the shared poller's list request (GET /run?runFilter=...); the log
    # reads' show_run and show_log get the faults that are left.
    pf_conn.add_faults(
        {"method": "GET", "path": r"/run$", "status": 503, "times": 7},
        {"method": "GET", "path": r"/run/run-\d+$", "status": 503, "times": 7},
    )
    trigger = PaddleFlowRunTrigger(run_id=run_id, poll_interval=0.2, stream_logs=True)
    with caplog.at_level(logging.INFO):
        event = first_event(trigger)
    assert event["status"] == "ended"
    assert event["run_status"] == "succeeded"
    # Airflow 3 routes trigger logs through structlog (stdout), Airflow 2 through logging.
    out = capfd.readouterr()
    for text in (out.out + out.err, caplog.text):
        if "transient error" in text:
            break
    else:
        raise AssertionError("the transient error was not logged")
    assert re.findall(r"\[train\] \S+ (epoch \d)", text) == ["epoch 1", "epoch 2", "epoch 3"]


def test_run_trigger_reports_failure_statuses(pf_conn, pf_api):
    run_id = pf_api.create_run(run_yaml_raw=SLOW)
    pf_api.stop_run(run_id)
    event = first_event(PaddleFlowRunTrigger(run_id=run_id, poll_interval=0.2))
    assert event["status"] == "ended"  # the raw status; the resumed task applies the verdict
    assert event["run_status"] == "terminated"


def test_run_trigger_deadline_is_wall_clock_and_only_reports(pf_conn, pf_api):
    run_id = pf_api.create_run(run_yaml_raw=SLOW)
    try:
        event = first_event(PaddleFlowRunTrigger(run_id=run_id, poll_interval=5, deadline=time.time() + 0.5))
        assert event["status"] == "timeout"
        assert not pf_api.show_run(run_id).is_final  # the operator decides to stop, not the trigger
    finally:
        pf_api.stop_run(run_id, force=True)


def test_run_trigger_permanent_error_ends_it(pf_conn):
    event = first_event(PaddleFlowRunTrigger(run_id="run-999999", poll_interval=0.1))
    assert event["status"] == "error"
    assert "run-999999" in event["message"]


def test_trigger_on_kill_stops_the_run_only_when_asked(pf_conn, pf_api):
    watched = pf_api.create_run(run_yaml_raw=SLOW)
    owned = pf_api.create_run(run_yaml_raw=SLOW)
    asyncio.run(PaddleFlowRunTrigger(run_id=watched, stop_on_kill=False).on_kill())
    asyncio.run(PaddleFlowRunTrigger(run_id=owned, stop_on_kill=True).on_kill())
    assert pf_api.show_run(owned).status in ("terminating", "terminated")
    assert not pf_api.show_run(watched).is_final  # a watcher never stops the run
    pf_api.stop_run(watched, force=True)


def test_log_trigger_matches_a_new_line_and_returns_its_cursor(pf_conn, pf_api):
    run_id = pf_api.create_run(run_yaml_raw=STEPS)
    event = first_event(PaddleFlowRunLogTrigger(run_id=run_id, pattern=r"epoch 2$", poll_interval=0.2))
    assert event["status"] == "success"
    assert event["step"] == "train"
    assert event["line"].endswith("epoch 2")
    assert event["log_cursor"]  # where reading stopped, plain JSON


def test_log_trigger_fails_when_the_run_ends_without_a_match(pf_conn, pf_api):
    run_id = pf_api.create_run(run_yaml_raw=STEPS)
    event = first_event(PaddleFlowRunLogTrigger(run_id=run_id, pattern="never printed", poll_interval=0.2))
    assert event["status"] == "failure"
    assert event["run_status"] == "succeeded"


def test_hook_test_connection_is_read_only_and_says_why_it_fails(pf_conn, monkeypatch):
    """The UI's "Test" button: logs in and reads; any write would hit the injected 500s."""
    from paddleflow_provider.hooks.paddleflow import PaddleFlowHook

    pf_conn.add_faults(
        *(
            {"method": m, "path": r"^(?!.*/login$).*", "status": 500, "times": 100}
            for m in ("POST", "PUT", "DELETE")
        )
    )
    before = pf_conn.stats()
    ok, message = PaddleFlowHook().test_connection()
    assert (ok, message) == (True, f"Connected to PaddleFlow at {pf_conn.url}")
    assert pf_conn.stats() == before  # nothing created, retried or resumed
    pf_conn.clear_faults()

    import json
    import socket

    def conn(port: int, password: str) -> str:
        fields = {"conn_type": "paddleflow", "host": pf_conn.host, "port": port, "login": "root"}
        return json.dumps({**fields, "password": password})

    monkeypatch.setenv("AIRFLOW_CONN_PF_BADPW", conn(pf_conn.port, "Wr0ng-Passw0rd"))
    ok, message = PaddleFlowHook("pf_badpw").test_connection()
    assert not ok and "AuthenticationError" in message and "Wr0ng-Passw0rd" not in message
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    monkeypatch.setenv("AIRFLOW_CONN_PF_DEAD", conn(free, pf_conn.root_password))
    ok, message = PaddleFlowHook("pf_dead").test_connection()
    assert not ok and "APIConnectionError" in message


@pytest.mark.skipif(
    not HAS_TRIGGER_ON_KILL, reason="before Airflow 3.3 the triggerer never calls BaseTrigger.on_kill"
)
def test_triggerer_stops_an_owned_run_on_a_user_kill_and_never_on_a_shutdown(pf_conn, pf_api):
    """Through Airflow's own TriggerRunner: the cancel it sends when a user marks a deferred task
    failed or clears it stops the run the trigger owns; the cancel of a triggerer shutdown or of a
    watcher (sensor) leaves the run alone, so a restarted triggerer can pick it up again."""
    from airflow.jobs.triggerer_job_runner import TriggerRunner

    runs = {
        "killed-owner": (pf_api.create_run(run_yaml_raw=SLOW), True),
        "shut-down-owner": (pf_api.create_run(run_yaml_raw=SLOW), True),
        "killed-watcher": (pf_api.create_run(run_yaml_raw=SLOW), False),
    }

    async def main() -> None:
        runner = TriggerRunner()
        for trigger_id, (name, (run_id, owned)) in enumerate(runs.items(), start=1):
            classpath, kwargs = PaddleFlowRunTrigger(
                run_id=run_id, poll_interval=0.1, stop_on_kill=owned
            ).serialize()
            trigger = runner.get_trigger_by_classpath(classpath)(**kwargs)  # as the triggerer rebuilds it
            runner.triggers[trigger_id] = {
                "task": asyncio.create_task(runner.run_trigger(trigger_id, trigger)),
                "is_watcher": False,
                "name": name,
                "events": 0,
            }
        await asyncio.sleep(1.0)  # every trigger is polling its running run
        assert not any(details["task"].done() for details in runner.triggers.values())
        runner.to_cancel.extend([1, 3])  # the user acted on tasks 1 and 3
        await runner.cancel_triggers()
        runner.triggers[2]["task"].cancel()  # a shutdown cancels without the user-action message
        outcomes = await asyncio.gather(
            *(details["task"] for details in runner.triggers.values()), return_exceptions=True
        )
        assert all(isinstance(outcome, asyncio.CancelledError) for outcome in outcomes)

    try:
        asyncio.run(main())
        assert pf_api.show_run(runs["killed-owner"][0]).status in ("terminating", "terminated")
        assert not pf_api.show_run(runs["shut-down-owner"][0]).is_final
        assert not pf_api.show_run(runs["killed-watcher"][0]).is_final
    finally:
        for run_id, _ in runs.values():
            if not pf_api.show_run(run_id).is_final:
                pf_api.stop_run(run_id, force=True)
