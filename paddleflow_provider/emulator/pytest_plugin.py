"""pytest plugin (entry point ``pytest11``): the session-scoped ``paddleflow_emulator`` fixture.

Kept cheap to import: it only pulls in the light :class:`Emulator` launcher, never FastAPI.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from . import Emulator


@pytest.fixture(scope="session")
def paddleflow_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """A running emulator for the whole session: free port, temporary data dir, faults enabled.

    Log in as ``root`` with ``paddleflow_emulator.root_password`` at ``paddleflow_emulator.url``.
    The password is random, not the emulator's default ``paddleflow``: Airflow masks a connection's
    password wherever it appears in task logs, and that word is in every logger name of this
    provider (``***_provider.operators...``), in host names and in step output.
    Tests that add fault rules should clear them (``paddleflow_emulator.clear_faults()``) when done.
    """
    emu = Emulator(
        data_dir=tmp_path_factory.mktemp("paddleflow-emulator"),
        port=0,
        faults=True,
        root_password=secrets.token_hex(16),
    )
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()
