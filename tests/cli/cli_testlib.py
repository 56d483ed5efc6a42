"""Helpers of the command-line tests (importlib import mode: put on the path by ``conftest.py``)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from click.testing import Result

from paddleflow_provider.client import Client, RunStatus


def uid() -> str:
    return uuid.uuid4().hex[:8]


def wait_final(client: Client, run_id: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        run = client.api.show_run(run_id)
        if run.status in RunStatus.FINAL or time.monotonic() > deadline:
            return run
        time.sleep(0.1)


def yaml(name: str, steps: str) -> str:
    return f"name: {name}\ndocker_env: busybox:1.36\nentry_points:\n{steps}"


def assert_one_line_error(result: Result, *needles: str) -> None:
    """Non-zero exit, one ``Error:`` line on stderr naming ``needles``, no traceback."""
    assert result.exit_code != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for needle in needles:
        assert needle in lines[0], lines[0]
