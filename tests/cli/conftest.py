"""Running ``paddleflow`` commands in-process (click's CliRunner) against the session's emulator.

Settings come from the environment (no ini file: ``HOME`` points at an empty directory), as in CI.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from paddleflow_provider.cli.main import cli
from paddleflow_provider.client import Client

# pytest runs with --import-mode=importlib, so the helper module next to this file is put on the path.
sys.path.insert(0, str(Path(__file__).parent))

Invoke = Callable[..., Result]


@pytest.fixture
def server_env(paddleflow_emulator, tmp_path) -> dict[str, str]:
    return {
        "HOME": str(tmp_path),
        "PADDLEFLOW_CONFIG": "",
        "PADDLEFLOW_SERVER_HOST": paddleflow_emulator.host,
        "PADDLEFLOW_SERVER_PORT": str(paddleflow_emulator.port),
        "PADDLEFLOW_USER": "root",
        "PADDLEFLOW_PASSWORD": paddleflow_emulator.root_password,
    }


@pytest.fixture
def pf(server_env) -> Invoke:
    """``pf("run", "list")`` -> click Result; ``env=`` adds or overrides variables, ``input=`` feeds stdin."""

    def invoke(*args: str, env: dict[str, Any] | None = None, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), env={**server_env, **(env or {})}, input=input)

    return invoke


@pytest.fixture
def pf_json(pf) -> Callable[..., Any]:
    """Runs a command with ``--output json``, asserts exit 0 and returns the parsed stdout."""

    def invoke(*args: str, **kwargs: Any) -> Any:
        result = pf("--output", "json", *args, **kwargs)
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return json.loads(result.stdout)

    return invoke


@pytest.fixture
def client(paddleflow_emulator):
    c = Client(paddleflow_emulator.url, "root", paddleflow_emulator.root_password)
    yield c
    c.close()
