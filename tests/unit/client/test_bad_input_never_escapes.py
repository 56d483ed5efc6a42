"""Regression tests for the escapes a fuzzing session found ("Bad input never escapes", items 1).

The promise: the tuple face (``Client``) never raises for a bad argument, a server answer or a
network failure, it answers ``(False, message)``; the typed face (``client.api``) raises only
``PaddleFlowError`` subclasses: ``InvalidArgumentError`` naming the argument for bad input (before
anything is sent), ``ProtocolError`` for an answer it cannot read. Each test below was an escape.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from typing import Any

import pytest

from paddleflow_provider.client import (
    APIStatusError,
    APITimeoutError,
    Client,
    InvalidArgumentError,
    PaddleFlowError,
    ProtocolError,
)
from paddleflow_provider.client._exceptions import shown
from paddleflow_provider.client.endpoints import _common
from tests.unit.client.conftest import Reply
from tests.unit.client.test_argument_types import BUILDERS, CASES
from tests.unit.client.test_wire import DAG, RUN_DETAIL

SURROGATE = "\ud800"
HUGE = 10**5000  # more than the 4,300 digits ``str(int)`` accepts


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


class BadRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr refused")


def both_faces_refuse(client: Client, method: str, *args: Any, **kwargs: Any) -> InvalidArgumentError:
    """The typed face raises ``InvalidArgumentError``; the tuple face answers ``(False, message)``."""
    with pytest.raises(InvalidArgumentError) as info:
        getattr(client.api, method)(*args, **kwargs)
    ok, message = getattr(client, method)(*args, **kwargs)[:2]
    assert ok is False and isinstance(message, str) and message
    return info.value


# -- answers the client cannot read -------------------------------------------------------------------


# leading or trailing blanks: HTTP libraries refuse such a header value (h11, requests), and httpx
# reported the refusal as a lost connection on every later request (found by tests/property)
@pytest.mark.parametrize("token", ["☃", "tok\nen", "tok\x00", " tok", "tok ", "\ttok"])
def test_a_login_token_that_cannot_be_a_header_is_a_protocol_error_at_login(server, client, token):
    server.reply(200, {"authorization": token}, path="/login")
    with pytest.raises(ProtocolError, match="login"):
        client.api.login()
    assert client.api._transport.auth.token is None  # nothing stored to break later requests
    server.reply(200, {"authorization": token}, path="/login")
    ok, message = client.list_queue()
    assert ok is False and "authorization" in message


@pytest.mark.parametrize(
    ("method", "args"), [("list_queue", ()), ("show_run", ("run-1",)), ("create_run", ())]
)
def test_a_redirect_whose_location_is_not_utf8_is_an_answer(server, client, method, args):
    kwargs = {"run_yaml_raw": "name: a\n"} if method == "create_run" else {}
    client.api.login()
    server.reply(302, b"", headers={"Location": "\xff\xfe"})
    with pytest.raises(APIStatusError) as info:
        getattr(client.api, method)(*args, **kwargs)
    assert info.value.status_code == 302
    server.reply(302, b"", headers={"Location": "\xff\xfe"})
    assert getattr(client, method)(*args, **kwargs)[0] is False


@pytest.mark.parametrize("status", [200, 400])
def test_json_nested_too_deeply_is_not_a_recursion_error(server, client, status):
    server.reply(status, "[" * 3000 + "]" * 3000)
    with pytest.raises(PaddleFlowError) as info:
        client.api.list_queue()
    assert info.value.status_code == status
    if status == 200:
        assert isinstance(info.value, ProtocolError)
    server.reply(status, "[" * 3000)
    assert client.list_queue()[0] is False


def test_a_run_nesting_hundreds_of_sub_dags_is_a_protocol_error(server, client):
    dag = dict(DAG)
    for _ in range(250):
        dag = {**DAG, "entryPoints": {"inner": [dag]}}
    server.reply(200, {**RUN_DETAIL, "runtime": {"d": [dag]}})
    with pytest.raises(ProtocolError, match="show_run"):
        client.api.show_run("run-1")
    server.reply(200, {**RUN_DETAIL, "runtime": {"d": [dag]}})
    assert client.show_run("run-1")[0] is False


# -- login credentials ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_name", "password", "argument"),
    [
        ("root", 5, "password"),
        ("root", ["pw"], "password"),
        (["root"], "pw", "user_name"),
        ({"a": 1}, "pw", "user_name"),
        (bytearray(b"root"), "pw", "user_name"),
        (12, "pw", "user_name"),
        ("root", b"\xff\xfe", "password"),
        ("ro" + SURROGATE, "pw", "user_name"),
        ("root", SURROGATE, "password"),
    ],
)
def test_login_credentials_are_checked_before_sending(server, client, user_name, password, argument):
    error = both_faces_refuse(client, "login", user_name, password)
    assert error.argument == argument
    assert server.requests == []
    # the refused credentials did not replace the client's own: the next call still works
    server.reply(200, {"queueList": []})
    assert client.list_queue() == (True, [])


@pytest.mark.parametrize(("username", "password"), [(["root"], "pw"), ("root", 5), ("root", b"\xff")])
def test_client_credentials_are_checked_when_the_client_is_made(server, username, password):
    with pytest.raises(InvalidArgumentError):
        Client("127.0.0.1", username, password, server.port)


@pytest.mark.parametrize("method", ["add_user", "update_password"])
def test_a_bytes_password_that_is_not_utf8_is_an_argument_error(server, client, method):
    error = both_faces_refuse(client, method, "alice1", b"\xffabc123")
    assert error.argument == "password" and "\xff" not in str(error)
    assert server.requests == []


# -- text that cannot be encoded ------------------------------------------------------------------------

TEXT_CASES = [
    (method, argument, {**kwargs, argument: SURROGATE})
    for method, argument, value, kwargs in CASES
    if value == 12  # every argument whose type admits text
]


@pytest.mark.parametrize(
    ("method", "argument", "kwargs"), TEXT_CASES, ids=[f"{c[0]}-{c[1]}" for c in TEXT_CASES]
)
def test_a_lone_surrogate_is_an_argument_error_naming_the_argument(server, client, method, argument, kwargs):
    assert both_faces_refuse(client, method, **kwargs).argument == argument
    assert server.requests == []


@pytest.mark.parametrize(
    ("method", "kwargs", "argument"),
    [
        ("create_queue", {"location": {"zone": SURROGATE}}, "location"),
        ("create_queue", {"scheduling_policy": ["a", SURROGATE]}, "scheduling_policy"),
        ("create_queue", {"location": {"zone": _nested(3000)}}, "location"),
        ("create_run", {"failure_options": {1: "a", "b": 2}}, "failure_options"),
    ],
)
def test_values_inside_dicts_and_lists_must_be_encodable(server, client, method, kwargs, argument):
    if method == "create_run":
        base = {"run_yaml_raw": "name: a\n"}
    else:
        base = {"name": "q1", "namespace": "default", "cpu": "1", "mem": "1Gi"}
    assert both_faces_refuse(client, method, **base, **kwargs).argument == argument
    assert server.requests == []


def test_text_that_encodes_is_sent_unchanged(server, client):
    server.reply(201, {"runID": "run-000001"})
    assert client.create_run(run_yaml_raw="name: ☃ 雪\n", desc="é ☃") == (True, "run-000001")


# -- error messages that could not be built -----------------------------------------------------------

UNSHOWABLE = {"huge-int": HUGE, "nested": _nested(3000), "bad-repr": BadRepr()}
SHOW_CASES = [
    (method, argument, name, {**kwargs, argument: value})
    for method, argument, wrong, kwargs in CASES
    if wrong != ""
    for name, value in UNSHOWABLE.items()
]


@pytest.mark.parametrize(
    ("method", "argument", "kwargs"),
    [c[:2] + c[3:] for c in SHOW_CASES],
    ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in SHOW_CASES],
)
def test_a_value_that_cannot_be_shown_still_makes_an_argument_error(server, client, method, argument, kwargs):
    error = both_faces_refuse(client, method, **kwargs)
    assert error.argument == argument and len(str(error)) < 1000
    assert server.requests == []


def test_the_unshowable_cases_cover_most_methods():
    assert len({c[0] for c in SHOW_CASES}) == len(BUILDERS)


@pytest.mark.parametrize(
    "value",
    [HUGE, _nested(3000), BadRepr(), "x" * 10**6, {i: i for i in range(10**4)}],
    ids=["huge-int", "nested", "bad-repr", "long-text", "big-dict"],
)
def test_shown_is_short_and_never_raises(value):
    assert len(shown(value)) <= 80


@pytest.mark.parametrize(
    ("method", "kwargs", "argument"),
    [
        ("list_queue", {"maxsize": HUGE}, "maxsize"),
        ("list_queue", {"maxsize": "9" * 5000}, "maxsize"),
        ("show_log", {"run_id": "run-1", "page_no": HUGE}, "page_no"),
        ("create_queue", {"name": "q1", "namespace": "default", "cpu": HUGE, "mem": "1Gi"}, "cpu"),
        ("create_queue", {"name": "q1", "namespace": "default", "cpu": "1", "mem": -HUGE}, "mem"),
    ],
    ids=["maxsize", "maxsize-text", "page_no", "cpu", "mem"],
)
def test_numbers_are_bounded(server, client, method, kwargs, argument):
    assert both_faces_refuse(client, method, **kwargs).argument == argument
    assert server.requests == []


@pytest.mark.parametrize(
    "options",
    [{"block-size": HUGE}, {"opt": SURROGATE}, {"opt": BadRepr()}, {"opt": [1]}],
    ids=["huge-int", "surrogate", "bad-repr", "list"],
)
def test_mount_options_are_bounded_text(server, client, options):
    error = both_faces_refuse(client, "mount", "fs1", tempfile.gettempdir(), options)
    assert error.argument.startswith("mount_options")
    assert server.requests == []


# -- call shapes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "args", "kwargs"),
    [
        ("login", (1, 2, 3), {}),
        ("login", (), {"user": "root"}),
        ("login", (), {"self": 1}),
        ("mount", (), {}),
        ("mount", (1, 2, 3, 4, 5), {}),
        ("mount", ("fs1", "/tmp"), {"self": 1}),
    ],
)
def test_hand_written_methods_answer_a_wrong_call_shape(server, client, method, args, kwargs):
    both_faces_refuse(client, method, *args, **kwargs)
    assert server.requests == []


@pytest.mark.parametrize("method", sorted(BUILDERS))
def test_self_as_a_keyword_is_an_unknown_argument(server, client, method):
    assert both_faces_refuse(client, method, self=1).argument == "self"
    assert server.requests == []


def test_the_async_login_answers_a_wrong_call_shape(server):
    from paddleflow_provider.client import AsyncPaddleFlowAPI, ClientConfig

    async def main() -> None:
        api = AsyncPaddleFlowAPI(ClientConfig(host="127.0.0.1", port=str(server.port)))
        try:
            for args, kwargs in [((1, 2, 3), {}), ((), {"self": 1}), (("root", 5), {})]:
                with pytest.raises(InvalidArgumentError):
                    await api.login(*args, **kwargs)
        finally:
            await api.aclose()

    asyncio.run(main())
    assert server.requests == []


# -- found by the property-based suite (tests/property) --------------------------------------------------


def _async_api(server, **options: Any):
    from paddleflow_provider.client import AsyncPaddleFlowAPI, ClientConfig

    config = ClientConfig(
        host="127.0.0.1", port=str(server.port), username="root", password="paddleflow", **options
    )
    return AsyncPaddleFlowAPI(config)


@pytest.mark.parametrize("location", ["http://[::1", "http://["])
def test_a_redirect_whose_location_is_no_url_is_an_answer_on_the_async_face(server, location):
    """httpx built the next request from ``Location`` and failed on a malformed one: a transport
    error, retried as a lost connection. Now a 3xx is the answer, once, as on the sync face."""

    async def main() -> None:
        async with _async_api(server, max_attempts=3, backoff_initial=0.01, backoff_max=0.01) as api:
            with pytest.raises(APIStatusError) as info:
                await api.list_queue()
            assert info.value.status_code == 302

    server.reply(302, b"", headers={"Location": location})
    asyncio.run(main())
    assert [c.path for c in server.calls] == ["/queue"]


@pytest.mark.parametrize("face", ["sync", "async"])
def test_a_cookie_the_server_sets_is_neither_kept_nor_sent(server, client, face):
    """A ``Set-Cookie`` whose value is not ASCII broke every later request of the async face
    (``UnicodeEncodeError`` while httpx built the ``Cookie`` header). PaddleFlow has no cookies:
    the client keeps none."""
    server.reply(200, {"queueList": []}, headers={"Set-Cookie": "session=\x80abc"})
    server.reply(200, {"queueList": []})

    if face == "sync":
        client.api.list_queue()
        assert client.api.list_queue().items == []
    else:

        async def main() -> None:
            async with _async_api(server) as api:
                await api.list_queue()
                assert (await api.list_queue()).items == []

        asyncio.run(main())
    assert [c.headers.get("cookie") for c in server.calls] == [None, None]


def _endless_runs(server) -> None:
    """Every run list page names a next page, with a marker never given before."""
    pages = iter(range(10**9))
    server.routes[("GET", "/run")] = Reply(200, lambda _: {"runList": [], "nextMarker": f"m{next(pages)}"})


@pytest.mark.parametrize("face", ["typed", "tuple", "async", "iter", "async-iter"])
def test_a_list_that_never_ends_is_a_protocol_error_after_max_pages(server, client, monkeypatch, face):
    """A server whose every page names a fresh next page kept ``iter_*`` and the look-ups
    (``find_run_by_client_token``, a create's "did it land?") walking, and collecting, for ever."""
    monkeypatch.setattr(_common, "MAX_PAGES", 7)
    _endless_runs(server)
    expected = "list_run: the server still answered a next page .* after 7 pages"
    if face in ("typed", "iter"):
        with pytest.raises(ProtocolError, match=expected):
            if face == "typed":
                client.api.find_run_by_client_token("t1")
            else:
                list(client.api.iter_runs())
    elif face == "tuple":
        ok, message = client.find_run_by_client_token("t1")
        assert ok is False and re.search(expected, message)
    else:

        async def main() -> None:
            async with _async_api(server) as api:
                with pytest.raises(ProtocolError, match=expected):
                    if face == "async":
                        await api.find_run_by_client_token("t1")
                    else:
                        [run async for run in api.iter_runs()]

        asyncio.run(main())
    assert len(server.calls) == 7


class FussyText(str):
    """Text whose comparisons and hash raise: it passes every ``isinstance(value, str)`` check."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq refused")

    def __hash__(self) -> int:
        raise RuntimeError("hash refused")


def test_a_str_subclass_is_sent_as_the_plain_text_it_holds(server, client):
    """The request builder compared a filter with ``""``: a ``str`` subclass's own ``__eq__`` ran,
    and its ``RuntimeError`` escaped both faces."""
    server.route("GET", "/pipeline", 200, {"pipelineList": []})
    assert client.api.list_pipeline(user_filter=FussyText("alice1")).items == []
    assert client.list_pipeline(user_filter=FussyText("alice1"))[0] is True
    assert [("userFilter", "alice1") in c.query for c in server.calls] == [True, True]


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("show_cluster", {"clustername": "c" * 70_000}),
        ("list_run", {"fs_name": "a" * 40_000, "run_name": "b" * 40_000}),
    ],
)
def test_an_argument_too_long_for_a_url_is_an_argument_error(server, client, method, kwargs):
    """httpx refuses URLs longer than 64 KiB with ``InvalidURL``, no ``HTTPError``: it escaped the
    async face; the sync face sent the URL. Both now refuse it before sending."""

    async def main() -> None:
        async with _async_api(server) as api:
            with pytest.raises(InvalidArgumentError, match="URL") as info:
                await getattr(api, method)(**kwargs)
            assert info.value.argument == method

    error = both_faces_refuse(client, method, **kwargs)
    assert error.argument == method and "URL" in str(error)
    asyncio.run(main())
    assert server.calls == []


def test_a_body_that_stops_coming_is_a_read_timeout_on_the_sync_face(server, client):
    """``requests`` reports a read timeout in the middle of a body as a lost connection: the sync face
    said "connection lost", the async face "read timeout", for the same stalled server."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    release = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{")
        release.wait(10)
        conn.close()

    threading.Thread(target=serve, daemon=True).start()
    stalled = Client("127.0.0.1", None, None, listener.getsockname()[1], timeout=(1.0, 0.2), max_attempts=1)
    try:
        with pytest.raises(APITimeoutError, match="read timeout"):
            stalled.api.list_queue()
    finally:
        release.set()
        stalled.close()
        listener.close()
