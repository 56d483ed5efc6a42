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

from paddleflow_provider.client import ProtocolError
from tests.property import harness, strategies
from tests.property.junk_server import Answer

pytestmark = pytest.mark.slow


def _not_json(answer: Answer) -> bool:
    try:
        json.loads(answer.body)
    except ValueError:
        return bool(answer.body.strip())
    return False


@pytest.mark.parametrize("name", [m.name for m in harness.METHODS])
@harness.examples(12)
@given(login=strategies.login_answer, answer=strategies.junk_answer, data=st.data())
def test_a_junk_answer_never_escapes(junk, name, login, answer, data):
    method = harness.BY_NAME[name]
    plan = strategies.plan(login, answer)
    for face in method.faces:
        outcome = harness.call(junk, plan, face, method, (), dict(method.valid))
        harness.check(outcome, method)
        readable = (
            login == strategies.good_login
            and answer.how == "http"
            and 200 <= answer.status < 300
            and answer.length == "exact"
            and not any(
                name.lower() in (b"content-encoding", b"transfer-encoding") for name, _ in answer.headers
            )
        )
        if face != "tuple" and readable and _not_json(answer) and outcome.calls:
            assert isinstance(outcome.error, ProtocolError), f"{face} {name}: {outcome.error!r}"
