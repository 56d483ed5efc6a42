"""Stalled and trickling servers: no call of any face hangs past the timeouts it was configured with.

The server reads the request, then never answers (or sends the head and half the body, then nothing
more), at login or at the call itself. Every call must end, within what its requests may cost by the
configured connect and read timeouts (``harness.check``: a bound the test derives from the number of
requests the server saw, not a speed assertion), as a timeout error on the typed faces and
``(False, message)`` on the tuple face. The methods are drawn from all of them (a stalled call costs a
read timeout per attempt, so not every method is run for every kind of stall).

A trickling server sends its answer one byte every 0.1 s, each inside the read timeout, from the
status line, the headers or the body on, and perhaps for ever: the per-read timeouts of the HTTP
libraries never fire, the attempt's deadline (connect + read timeout) must.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paddleflow_provider.client import APITimeoutError, OutcomeUnknownError
from tests.property import harness, strategies

pytestmark = pytest.mark.slow


@harness.examples(20)
@given(
    name=st.sampled_from([m.name for m in harness.METHODS if m.name != "mount"]),
    stalled=strategies.stalled_answer,
    at_login=st.booleans(),
)
def test_a_stalled_server_never_hangs_a_call(junk, name, stalled, at_login):
    method = harness.BY_NAME[name]
    if at_login or name == "login":
        plan = strategies.plan(stalled, stalled)
    else:
        plan = strategies.plan(strategies.good_login, stalled)
    for face in method.faces:
        outcome = harness.call(junk, plan, face, method, (), dict(method.valid))
        harness.check(outcome, method)
        if face == "tuple":
            assert outcome.value[0] is False
        else:
            assert isinstance(outcome.error, APITimeoutError | OutcomeUnknownError), repr(outcome.error)


@harness.examples(12)
@given(
    name=st.sampled_from([m.name for m in harness.METHODS if m.name != "mount"]),
    trickled=strategies.trickled_answer,
    at_login=st.booleans(),
)
def test_a_trickling_server_never_hangs_a_call(junk, name, trickled, at_login):
    method = harness.BY_NAME[name]
    if at_login or name == "login":
        plan = strategies.plan(trickled, trickled)
    else:
        plan = strategies.plan(strategies.good_login, trickled)
    for face in method.faces:
        outcome = harness.call(junk, plan, face, method, (), dict(method.valid))
        harness.check(outcome, method)
        if trickled.endless and face == "tuple":
            assert outcome.value[0] is False
        elif trickled.endless:
            assert isinstance(outcome.error, APITimeoutError | OutcomeUnknownError), repr(outcome.error)
