"""Endless pagination: every walk of a list ends, however the server hands out its markers.

The walks are every ``iter_*`` helper (typed and async faces), ``find_run_by_client_token`` (all
three faces) and ``create_run``'s look-up after an unanswered create. The server answers every page
with a next marker: fresh each time (the walk must give up after ``MAX_PAGES`` pages, with a
``ProtocolError`` saying so), or cycling through a few (the walk stops at the first marker it saw
before). ``MAX_PAGES`` is lowered for the test, so that both endings are reached in milliseconds.
"""

from __future__ import annotations

import json
import unittest.mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paddleflow_provider.client import ProtocolError
from paddleflow_provider.client.endpoints import _common
from tests.property import harness, strategies
from tests.property.junk_server import Answer, Seen

pytestmark = pytest.mark.slow

PAGES = 15
WALKERS = [m.name for m in harness.METHODS if m.iterates] + ["find_run_by_client_token", "create_run"]


def endless(cycle: int | None, items: list[dict]):
    """Pages that always name a next one: a fresh marker each time, or one of ``cycle`` markers."""
    keys = [k for k in strategies.WIRE_KEYS if k.endswith("List")]

    def answer(seen: Seen, count: int) -> Answer:
        if seen.path == "/login":
            return strategies.good_login
        if seen.method == "POST":  # create_run: no answer, so it looks its run up
            return Answer(status=503, body=b"")
        marker = f"m{count}" if cycle is None else f"m{count % cycle}"
        return Answer(
            body=json.dumps({**dict.fromkeys(keys, items), "runs": [], "nextMarker": marker}).encode()
        )

    return answer


@pytest.mark.parametrize("name", WALKERS)
@harness.examples(4)
@given(
    cycle=st.one_of(st.none(), st.integers(1, 4)),
    items=st.lists(
        st.fixed_dictionaries({"runID": st.just("run-1"), "description": st.text(max_size=8)}), max_size=2
    ),
)
def test_every_walk_of_an_endless_list_ends(junk, name, cycle, items):
    method = harness.BY_NAME[name]
    with unittest.mock.patch.object(_common, "MAX_PAGES", PAGES):
        for face in method.faces:
            outcome = harness.call(junk, endless(cycle, items), face, method, (), dict(method.valid))
            harness.check(outcome, method)
            pages = [r for r in outcome.calls if r.method == "GET"]
            assert len(pages) <= PAGES, f"{face} {name} asked for {len(pages)} pages"
            if cycle is None and face != "tuple":
                assert isinstance(outcome.error, ProtocolError) and f"after {PAGES} pages" in str(
                    outcome.error
                )
            if cycle is None and face == "tuple":
                assert outcome.value[0] is False and f"after {PAGES} pages" in outcome.value[1]
