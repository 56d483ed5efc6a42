"""Retry, re-login and duplicate-free create rules, over real HTTP against the loopback server."""

from __future__ import annotations

import email.utils
import time

import pytest

from paddleflow_provider.client import (
    APIConnectionError,
    AuthenticationError,
    Client,
    InternalServerError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitError,
    TransientError,
)
from paddleflow_provider.client._retry import backoff_delay, is_retryable, parse_retry_after

RUN = {"runID": "run-000001", "status": "running"}


def brief(run_id: str, desc: str) -> dict:
    return {"runID": run_id, "name": "", "status": "running", "description": desc}


def test_5xx_is_retried_then_succeeds(server, client, sleeps):
    server.error(503, "InternalError", "busy")
    server.reply(200, RUN)
    assert client.api.show_run("run-000001").status == "running"
    assert len(server.calls) == 2 and len(sleeps.waits) == 1


def test_each_retry_is_logged_with_its_cause_and_attempt(server, client, sleeps, caplog):
    server.error(503, "InternalError", "busy")
    server.error(502, "InternalError", "gateway")
    server.reply(200, RUN)
    with caplog.at_level("WARNING", logger="paddleflow_provider.client"):
        client.api.show_run("run-000001")
    lines = [r.getMessage() for r in caplog.records if r.name == "paddleflow_provider.client"]
    assert len(lines) == 2
    limit = client.config.max_attempts
    assert "show_run" in lines[0] and "busy" in lines[0] and f"attempt 2 of {limit}" in lines[0]
    assert "gateway" in lines[1] and f"attempt 3 of {limit}" in lines[1]
    assert all("paddleflow" not in line.lower().replace("show_run", "") for line in lines)  # no password


def test_a_retried_connection_failure_names_its_call_once(server, client, sleeps, caplog):
    server.reply(drop=True)
    server.reply(200, RUN)
    with caplog.at_level("WARNING", logger="paddleflow_provider.client"):
        client.api.show_run("run-000001")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "paddleflow_provider.client"]
    assert line.startswith("show_run: connection lost") and line.count("show_run") == 1, line


def test_429_honours_retry_after_seconds(server, client, sleeps):
    server.error(429, "TooManyRequests", "slow down", headers={"Retry-After": "7"})
    server.reply(200, RUN)
    client.api.show_run("run-000001")
    assert sleeps.waits == [7.0]


def test_retry_after_http_date_and_cap(server, client, sleeps):
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    server.error(503, "InternalError", "", headers={"Retry-After": when})
    server.error(429, "TooManyRequests", "", headers={"Retry-After": "100000"})
    server.reply(200, RUN)
    client.api.show_run("run-000001")
    assert 25 <= sleeps.waits[0] <= 31
    assert sleeps.waits[1] == 60.0  # capped by retry_after_max


@pytest.mark.parametrize(
    ("status", "code"), [(400, "InvalidURI"), (403, "AccessDenied"), (404, "RunNotFound")]
)
def test_4xx_is_never_retried(server, client, sleeps, status, code):
    server.error(status, code, "no")
    ok, message = client.show_run("run-000001")
    assert ok is False and code in message
    assert len(server.calls) == 1 and sleeps.waits == []


def test_attempts_are_bounded_and_end_in_a_transient_error(server, client, sleeps):
    for _ in range(10):
        server.error(500, "InternalError", "boom")
    with pytest.raises(InternalServerError) as info:
        client.api.show_run("run-000001")
    assert isinstance(info.value, TransientError)
    assert len(server.calls) == 4  # max_attempts
    assert all(0 < w <= 0.05 for w in sleeps.waits)


def test_total_retry_time_is_bounded(server, sleeps):
    c = Client(
        "127.0.0.1", "root", "paddleflow", server.port, max_attempts=50, max_retry_time=10.0, sleep=sleeps
    )
    server.error(429, "TooManyRequests", "", headers={"Retry-After": "11"})
    with pytest.raises(RateLimitError):
        c.api.show_run("run-000001")
    # waiting 11 s would overrun the 10 s budget: give up now instead of sleeping
    assert sleeps.waits == [] and len(server.calls) == 1
    c.close()


def test_connection_refused_is_retried_then_reported(sleeps):
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    c = Client("127.0.0.1", "root", "paddleflow", port, max_attempts=3, sleep=sleeps)
    with pytest.raises(APIConnectionError) as info:
        c.api.show_run("run-000001")
    assert info.value.sent is False
    assert len(sleeps.waits) == 2
    ok, message = c.show_run("run-000001")
    assert ok is False and "could not connect" in message
    c.close()


def test_dropped_answer_on_a_read_is_retried(server, client):
    server.reply(drop=True)
    server.reply(200, RUN)
    assert client.api.show_run("run-000001").run_id == "run-000001"
    assert len(server.calls) == 2


def test_read_timeout_is_reported_as_timeout(server, sleeps):
    import threading

    gate = threading.Event()

    def slow(_loop):
        gate.wait(2)
        return RUN

    server.reply(200, slow)
    c = Client(
        "127.0.0.1", "root", "paddleflow", server.port, timeout=(1.0, 0.2), max_attempts=1, sleep=sleeps
    )
    from paddleflow_provider.client import APITimeoutError

    with pytest.raises(APITimeoutError):
        c.api.show_run("slow")
    gate.set()
    c.close()


# -- no duplicate creates ----------------------------------------------------------------------------
def _token_of(server) -> str:
    post = next(r for r in server.calls if r.method == "POST" and r.path == "/run")
    return post.body["desc"]


def test_create_run_after_a_dropped_answer_finds_the_run_instead_of_sending_again(server, client):
    server.reply(drop=True, path="/run")
    server.reply(
        200,
        lambda s: {"runList": [brief("run-000007", "other"), brief("run-000009", _token_of(s))]},
        path="/run",
    )
    run_id = client.api.create_run(fs_name="fs1", run_yaml_path="./run.yaml", run_name="r1")
    assert run_id == "run-000009"
    posts = [r for r in server.calls if r.method == "POST"]
    assert len(posts) == 1
    lookup = next(r for r in server.calls if r.method == "GET")
    assert dict(lookup.query) == {"fsFilter": "fs1", "nameFilter": "r1", "maxKeys": "1000"}


def test_create_run_after_a_5xx_resends_only_when_the_run_is_absent(server, client):
    server.error(502, "InternalError", "gateway", path="/run")
    server.reply(200, {"runList": [brief("run-000007", "[pf-token:someoneelse]")]}, path="/run")
    server.reply(201, {"runID": "run-000010"}, path="/run")
    assert client.api.create_run(run_yaml_raw=b"name: x\n") == "run-000010"
    posts = [r for r in server.calls if r.method == "POST"]
    assert len(posts) == 2 and posts[0].body == posts[1].body  # the same token both times


def test_create_run_with_a_client_token_checks_that_marker_after_a_dropped_answer(server, client):
    server.reply(drop=True, path="/run")
    server.reply(
        200,
        {"runList": [brief("run-000003", "[pf-token:af-1] "), brief("run-000004", "[pf-token:af-10]")]},
        path="/run",
    )
    run_id = client.api.create_run(run_yaml_raw="name: x\n", client_token="af-1")
    assert run_id == "run-000003"
    posts = [r for r in server.calls if r.method == "POST"]
    assert len(posts) == 1 and posts[0].body["desc"] == "[pf-token:af-1]"


def test_create_run_keeps_the_callers_description(server, client):
    server.reply(201, {"runID": "run-000001"})
    client.api.create_run(run_yaml_raw="name: x\n", desc="nightly")
    desc = server.calls[0].body["desc"]
    assert desc.startswith("nightly [pf-token:") and desc.endswith("]")


def test_retry_run_is_never_repeated_after_an_ambiguous_failure(server, client):
    server.reply(drop=True)
    with pytest.raises(OutcomeUnknownError):
        client.api.retry_run("run-000001")
    assert len(server.calls) == 1
    server.reply(drop=True)
    ok, message = client.retry_run("run-000001")
    assert ok is False and "not repeated" in message
    assert len(server.calls) == 2


def test_a_429_on_create_is_retried_without_a_lookup(server, client, sleeps):
    server.error(429, "TooManyRequests", "", headers={"Retry-After": "0"})
    server.reply(201, {"runID": "run-000003"})
    assert client.api.create_run(run_yaml_raw="name: x\n") == "run-000003"
    assert [r.method for r in server.calls] == ["POST", "POST"]


def test_stop_run_repeat_that_finds_it_stopping_is_success(server, client):
    server.reply(drop=True)
    server.error(
        403, "ActionNotAllowed", "cannot stop run[run-000001] as run is already in status[terminating]"
    )
    assert client.stop_run("run-000001") == (True, None)


def test_stop_run_refusal_without_ambiguity_is_an_error(server, client):
    server.error(403, "ActionNotAllowed", "already final")
    ok, message = client.stop_run("run-000001")
    assert ok is False and "ActionNotAllowed" in message


def test_add_fs_after_a_500_checks_show_fs_and_does_not_resend(server, client):
    server.error(500, "InternalError", "db hiccup", path="/fs")
    server.reply(200, {"name": "fs1", "username": "root"}, path="/fs/fs1")
    assert client.add_fs("fs1", "local:///data") == (True, None)
    assert [(r.method, r.path) for r in server.calls] == [("POST", "/fs"), ("GET", "/fs/fs1")]


def test_create_schedule_after_a_drop_finds_it_by_name(server, client):
    server.reply(drop=True, path="/schedule")
    server.reply(
        200,
        {"scheduleList": [{"scheduleID": "schedule-000004", "name": "s1", "pipelineID": "ppl-1"}]},
        path="/schedule",
    )
    ok, sid = client.create_schedule("s1", "ppl-1", "1", "@every 1s")
    assert (ok, sid) == (True, "schedule-000004")
    assert sum(1 for r in server.calls if r.method == "POST") == 1


def test_create_pipeline_after_a_drop_finds_it_by_yaml_name(server, client):
    server.reply(drop=True, path="/pipeline")
    server.reply(200, {"pipelineList": [{"pipelineID": "ppl-000002", "name": "p9"}]}, path="/pipeline")
    server.reply(
        200,
        {
            "pipeline": {"pipelineID": "ppl-000002", "name": "p9"},
            "pplVersions": {"pplVersionList": [{"pipelineVersionID": "1"}]},
        },
        path="/pipeline/ppl-000002",
    )
    ok, created = client.create_pipeline(yaml_raw=b"name: p9\nentry_points: {}\n")
    assert ok and created == {"name": "p9", "pplID": "ppl-000002", "pplVerID": "1"}
    assert sum(1 for r in server.calls if r.method == "POST") == 1


def test_delete_after_a_drop_treats_not_found_as_done(server, client):
    server.reply(drop=True)
    server.error(404, "RunNotFound", "gone")
    assert client.delete_run("run-000001") == (True, None)


def test_delete_link_after_a_drop_treats_the_servers_missing_link_answer_as_done(server, client):
    """The real server answers a DELETE of a missing link with 500 ``LinkModelError`` (paddleflow-api.md
    7.4), not ``LinkNotExist``: on the repeat after a lost answer that means the first one deleted it."""
    server.reply(drop=True)
    server.error(500, "LinkModelError", "link[/l] of fs[fs-root-fs1] not found")
    assert client.delete_link("fs1", "/l") == (True, None)
    assert [(r.method, r.path) for r in server.calls] == [("DELETE", "/link/fs1")] * 2


# -- auth ---------------------------------------------------------------------------------------------
def test_stale_token_triggers_one_relogin_and_resend(server, client):
    server.reply(200, RUN)
    client.show_run("run-000001")
    server.token = "tok-2"
    server.error(400, "AuthInvalidToken", "Invalid token. Please re-login")
    server.reply(200, RUN)
    assert client.show_run("run-000001")[0] is True
    assert server.logins == 2
    assert server.calls[-1].headers["x-pf-authorization"] == "tok-2"


def test_auth_failure_that_relogin_does_not_fix_is_reported_once(server, client):
    server.error(400, "AuthFailed", "Username or password not correct")
    server.error(400, "AuthFailed", "Username or password not correct")
    with pytest.raises(AuthenticationError):
        client.api.show_run("run-000001")
    assert server.logins == 2 and len(server.calls) == 2


def test_wrong_password_at_login_is_a_clear_false_without_the_password(server, sleeps):
    c = Client("127.0.0.1", "root", "s3cret-pw1", server.port, sleep=sleeps)
    server.error(400, "AuthFailed", "Username or password not correct", path="/login")
    ok, message = c.show_run("run-000001")
    assert ok is False and "AuthFailed" in message and "s3cret-pw1" not in message
    assert "s3cret-pw1" not in repr(c) and "s3cret-pw1" not in repr(c.config)
    c.close()


def test_own_password_change_keeps_the_client_logged_in(server, client):
    server.reply(200, None)  # PUT /user/root
    assert client.update_password("root", "newpass1") == (True, None)
    server.reply(200, RUN)
    client.show_run("run-000001")
    relogin = [r for r in server.requests if r.path == "/login"][-1]
    assert relogin.body == {"username": "root", "password": "newpass1"}


def test_every_request_carries_a_fresh_request_id(server, client):
    server.reply(200, RUN)
    server.reply(200, RUN)
    client.show_run("a")
    client.show_run("b")
    ids = [r.headers["x-pf-request-id"] for r in server.requests]
    assert len(set(ids)) == len(ids) == 3


# -- pure rules ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), ("0", 0.0), ("-3", 0.0), ("1.5", 1.5), ("", None), (None, None), ("soon", None)],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date():
    now = 1_700_000_000.0
    assert parse_retry_after(email.utils.formatdate(now + 12, usegmt=True), now=now) == pytest.approx(
        12, abs=1
    )
    assert parse_retry_after(email.utils.formatdate(now - 50, usegmt=True), now=now) == 0.0


@pytest.mark.parametrize(
    ("exc", "retry"),
    [
        (InternalServerError("x", status_code=500), True),
        (RateLimitError("x", status_code=429), True),
        (APIConnectionError("x", sent=False), True),
        (NotFoundError("x", status_code=404), False),
        (AuthenticationError("x", status_code=400), False),
        (OutcomeUnknownError("x"), False),
    ],
)
def test_which_failures_retry(exc, retry):
    assert is_retryable(exc) is retry


def test_backoff_grows_and_is_capped():
    assert 0.5 <= backoff_delay(1, 0.5, 8) <= 1.0
    assert 2.0 <= backoff_delay(3, 0.5, 8) <= 2.5
    assert backoff_delay(20, 0.5, 8) == 8
