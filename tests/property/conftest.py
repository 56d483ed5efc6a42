"""The property suite's loopback junk server (its settings: ``harness.examples``)."""

from __future__ import annotations

import pytest

from tests.property.junk_server import JunkServer


@pytest.fixture(scope="module")
def junk():
    """One junk server per module; each example resets it (``JunkServer.reset``)."""
    server = JunkServer()
    yield server
    server.close()
