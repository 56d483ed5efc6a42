"""Fixtures for the emulator conformance suite (helpers live in ``emulator_testlib``)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# pytest runs with --import-mode=importlib, so the helper module next to this file is put on the path.
sys.path.insert(0, str(Path(__file__).parent))

from emulator_testlib import Api, unique


@pytest.fixture(scope="session")
def base_url(paddleflow_emulator: Any) -> str:
    return str(paddleflow_emulator.url)


@pytest.fixture(scope="session")
def root_password(paddleflow_emulator: Any) -> str:
    """The session emulator's root password (random: see the pytest plugin)."""
    return str(paddleflow_emulator.root_password)


@pytest.fixture(scope="session")
def root(base_url: str, paddleflow_emulator: Any) -> Api:
    return Api(base_url, password=paddleflow_emulator.root_password)


@pytest.fixture()
def make_user(root: Api) -> Iterator[Callable[..., Api]]:
    """Create fresh users (and log them in); they are deleted afterwards."""
    made: list[str] = []

    def make(password: str = "pass1234") -> Api:
        name = unique("user")
        r = root.post("/user", json={"username": name, "password": password})
        assert r.status_code == 200, r.text
        made.append(name)
        return Api(root.base, name, password)

    yield make
    for name in made:
        root.delete(f"/user/{name}")
