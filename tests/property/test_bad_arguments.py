"""Bad arguments, generated for every method of every face: the promise holds, nothing is sent.

Each example takes a valid call of the method and makes one to three of its arguments hostile (wrong
types, lone surrogates, huge ints, NaN, deep nesting, values whose ``repr`` raises, bytes, empty and
huge strings ...), or adds an unknown keyword, a second spelling of an argument, one positional
argument too many. The server answers every request with a readable error, so any outcome but an
escape is fine; what must hold is ``harness.check``: no exception but ``PaddleFlowError`` (none at all
on the tuple face), the rejected argument named, and no request sent for it.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.property import harness, strategies
from tests.property.junk_server import Answer

pytestmark = pytest.mark.slow

#: Every request the client does send (for a value it accepted) gets a plain "not found" answer.
NOT_FOUND = Answer(status=404, body=b'{"code": "RecordNotFound", "message": "no such thing"}')


@pytest.mark.parametrize("name", [m.name for m in harness.METHODS])
@harness.examples(12)
@given(data=st.data())
def test_a_bad_argument_never_escapes_and_sends_nothing(junk, name, data):
    method = harness.BY_NAME[name]
    given = data.draw(strategies.bad_call(method.params, method.aliases, method.valid), label="call")
    plan = strategies.plan(strategies.good_login, NOT_FOUND)
    for face in method.faces:
        harness.check(harness.call(junk, plan, face, method, given.args, given.kwargs), method)
