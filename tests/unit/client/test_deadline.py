"""No attempt outlives its deadline (connect + read timeout), however slowly the answer trickles in.

The HTTP libraries apply the read timeout to each socket read, so a server that sends one byte every
0.1 s (each well inside the 0.25 s read timeout) used to keep a call going for as long as it kept
sending. Each test here makes the server trickle a never-ending status line, header or body and
asserts what a user sees: the call ends with ``APITimeoutError`` (``(False, message)`` on the tuple
face) saying the answer did not complete within the attempt's deadline, and an unanswered create is
looked up before it is sent again, exactly as after a read timeout. (Without the deadline the junk
server gives up first, after ``ENDLESS_SECONDS``, and the call ends as a lost connection instead.)
"""

from __future__ import annotations

import asyncio

import pytest

from paddleflow_provider.client import APITimeoutError, AsyncPaddleFlowAPI, Client, ClientConfig, _auth
from tests.property.junk_server import Answer, JunkServer, Seen

CONNECT, READ = 0.5, 0.25
#: what the error says: the attempt's deadline, connect + read timeout
DEADLINE_TEXT = "the answer did not complete within 0.75 s"
GOOD_LOGIN = Answer(body=b'{"authorization": "tok-1"}')


@pytest.fixture(scope="module")
def junk():
    server = JunkServer()
    yield server
    server.close()


def _config(server: JunkServer, attempts: int = 1) -> ClientConfig:
    return ClientConfig(
        host="127.0.0.1",
        port=str(server.port),
        username="root",
        password="paddleflow",
        timeout=(CONNECT, READ),
        max_attempts=attempts,
        backoff_initial=0.01,
        backoff_max=0.02,
    )


def _endless(where: str):
    trickle = Answer(how="trickle", trickle_from=where, endless=True)
    return lambda seen, count: GOOD_LOGIN if seen.path == "/login" else trickle


@pytest.fixture(autouse=True)
def _no_cached_token():
    _auth._TOKENS.clear()  # (each test logs in against its own plan)


@pytest.mark.parametrize("where", ["status", "headers", "body"])
def test_a_never_ending_trickle_ends_the_typed_call_at_the_deadline(junk, where):
    junk.reset(_endless(where))
    client = Client.from_config(_config(junk), sleep=lambda _s: None)
    try:
        with pytest.raises(APITimeoutError, match=DEADLINE_TEXT) as caught:
            client.api.show_run("run-000001")
    finally:
        client.close()
    assert caught.value.sent is True  # the server may have acted on it: ambiguous, like a read timeout


@pytest.mark.parametrize("where", ["status", "headers", "body"])
def test_a_never_ending_trickle_answers_false_on_the_tuple_face(junk, where):
    junk.reset(_endless(where))
    client = Client.from_config(_config(junk), sleep=lambda _s: None)
    try:
        ok, message = client.show_run("run-000001")
    finally:
        client.close()
    assert ok is False
    assert DEADLINE_TEXT in message and "show_run" in message


@pytest.mark.parametrize("where", ["status", "headers", "body"])
def test_a_never_ending_trickle_ends_the_async_call_at_the_deadline(junk, where):
    junk.reset(_endless(where))

    async def nosleep(_seconds: float) -> None:
        return None

    async def call() -> None:
        async with AsyncPaddleFlowAPI(_config(junk), sleep=nosleep) as api:
            await api.show_run("run-000001")

    with pytest.raises(APITimeoutError, match=DEADLINE_TEXT):
        asyncio.run(call())


def _create_then_lookup(seen: Seen, count: int) -> Answer:
    """Logins succeed; creating a run trickles for ever; the look-up finds nothing."""
    if seen.path == "/login":
        return GOOD_LOGIN
    if seen.method == "POST":
        return Answer(how="trickle", trickle_from="body", endless=True)
    return Answer(body=b'{"runList": [], "isTruncated": false}')


@pytest.mark.parametrize("face", ["sync", "async"])
def test_a_create_past_its_deadline_is_looked_up_before_it_is_sent_again(junk, face):
    junk.reset(_create_then_lookup)
    kwargs = {"fs_name": "fs1", "run_yaml_raw": "name: x\n", "client_token": "tok-deadline"}
    if face == "sync":
        client = Client.from_config(_config(junk, attempts=2), sleep=lambda _s: None)
        try:
            with pytest.raises(APITimeoutError, match=DEADLINE_TEXT):
                client.api.create_run(**kwargs)
        finally:
            client.close()
    else:

        async def nosleep(_seconds: float) -> None:
            return None

        async def call() -> None:
            async with AsyncPaddleFlowAPI(_config(junk, attempts=2), sleep=nosleep) as api:
                await api.create_run(**kwargs)

        with pytest.raises(APITimeoutError, match=DEADLINE_TEXT):
            asyncio.run(call())
    sent = [(r.method, r.path) for r in junk.calls]
    assert sent[0] == ("POST", "/run") and sent[-1] == ("POST", "/run")
    assert ("GET", "/run") in sent[1:-1], f"re-sent the create without looking it up first: {sent}"


def test_an_answer_that_ends_when_the_server_closes_is_read_whole(junk):
    """The deadline reader must not close the socket under an answer still being read (``http.client``
    closes the connection of a ``Connection: close`` answer before its body is read)."""
    run = b'{"runID": "run-000001", "status": "running", "description": "' + b"x" * 200_000 + b'"}'
    answer = Answer(body=run, length="none")
    junk.reset(lambda seen, count: GOOD_LOGIN if seen.path == "/login" else answer)
    client = Client.from_config(_config(junk), sleep=lambda _s: None)
    try:
        got = client.api.show_run("run-000001")
    finally:
        client.close()
    assert got.status == "running" and len(got.description) == 200_000
