"""The property suite's loopback junk server (its settings: ``harness.examples``)."""

from __future__ import annotations

import pytest

from tests.property import harness
from tests.property.junk_server import JunkServer


@pytest.fixture(scope="module")
def junk():
    """One junk server per module; each example resets it (``JunkServer.reset``)."""
    server = JunkServer()
    yield server
    server.close()


def pytest_terminal_summary(terminalreporter):
    """One line: how many calls the suite made on each face, and the requests they sent."""
    tally = harness.TALLY
    if tally:
        faces = ", ".join(f"{face} {tally[face]}" for face in harness.FACES)
        terminalreporter.write_line(
            f"property suite: {sum(tally[f] for f in harness.FACES)} calls ({faces}); "
            f"{tally['requests']} requests seen by the junk server"
        )
