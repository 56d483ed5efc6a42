"""Junk answers, generated for every method of every face: the promise holds whatever the server says.

Each example makes a valid call of the method against a server plan: a login answer (usually a good
token, else junk of its own: a token that cannot be a header, a body that is no JSON ...) and one
answer for every other request, built from HTTP's own parts: any status (1xx to 999), odd headers
(``Location``, ``Retry-After``, ``Content-Type``, ``Content-Encoding`` ...), bodies empty, broken,
wrong-typed, huge or nested thousands deep, a ``Content-Length`` that lies, or no HTTP at all, or a
connection cut before a byte. ``harness.check`` holds each outcome to the promise; on top, a 2xx answer
whose body is not JSON at all is a ``ProtocolError`` on the typed faces.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paddleflow_provider.client import APIConnectionError, ProtocolError
from tests.property import harness, strategies
from tests.property.junk_server import Answer

pytestmark = pytest.mark.slow


def _not_json(answer: Answer) -> bool:
    """A body that is not JSON Python can read (nested too deeply counts as not)."""
    try:
        json.loads(answer.body)
    except (ValueError, RecursionError):
        return bool(answer.body.strip())
    return False


def _final(answer: Answer) -> bool:
    """A final status that may carry a body (no 1xx, 204 or 304, whose bytes would be read as the
    start of the next answer)."""
    return 200 <= answer.status <= 599 and answer.status not in (204, 304)


def _readable_http(answer: Answer) -> bool:
    """An HTTP answer both HTTP libraries read: exact length, no encoding to undo, header values
    without control characters (h11 refuses those, as it should)."""
    return (
        answer.how == "http"
        and answer.length == "exact"
        and all(
            name.lower() not in (b"content-encoding", b"transfer-encoding")
            and not any(byte < 0x20 or byte == 0x7F for byte in value)
            for name, value in answer.headers
        )
    )


@pytest.mark.parametrize("name", [m.name for m in harness.METHODS])
@harness.examples(12)
@given(login=strategies.login_answer, answer=strategies.junk_answer, data=st.data())
def test_a_junk_answer_never_escapes(junk, name, login, answer, data):
    method = harness.BY_NAME[name]
    plan = strategies.plan(login, answer)
    for face in method.faces:
        outcome = harness.call(junk, plan, face, method, (), dict(method.valid))
        harness.check(outcome, method)
        readable = login == strategies.good_login and 200 <= answer.status < 300 and _readable_http(answer)
        if face != "tuple" and readable and _not_json(answer) and outcome.calls:
            assert isinstance(outcome.error, ProtocolError), f"{face} {name}: {outcome.error!r}"
        if face != "tuple" and _final(answer) and _readable_http(answer) and _readable_http(login):
            # an answer the HTTP library can read is an answer, never a lost connection
            assert not isinstance(outcome.error, APIConnectionError), f"{face} {name}: {outcome.error!r}"
