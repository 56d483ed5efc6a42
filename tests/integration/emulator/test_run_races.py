"""Run lifecycle races that HTTP timing cannot force: driven on an in-process backend instead."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from paddleflow_provider.emulator.backend.core import Backend, Config
from paddleflow_provider.emulator.backend.runs import RunRequest
from paddleflow_provider.emulator.caller import Caller

ROOT = Caller("root")


@pytest.fixture()
def backend(tmp_path: Path) -> Iterator[Backend]:
    be = Backend(Config(data_dir=tmp_path))
    be.start()
    try:
        yield be
    finally:
        be.shutdown()


def _wait(predicate: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.02)
    raise AssertionError("condition not reached")


class _RunEndsFirst:
    """Stands in for the runs' runner-table lock: the first time the table is read (by ``stop``, after it
    marked the run terminating) the run first reaches its own end, as a run finishing at that very moment
    does."""

    def __init__(self, lock: Any, runner: Any) -> None:
        self.lock, self.runner, self.armed = lock, runner, True

    def __enter__(self) -> Any:
        if self.armed and threading.current_thread() is threading.main_thread():
            self.armed = False
            assert self.runner.join(20)
        return self.lock.__enter__()

    def __exit__(self, *exc: Any) -> Any:
        return self.lock.__exit__(*exc)


def test_a_stop_racing_the_run_s_own_end_does_not_rewrite_it_as_terminated(backend: Backend) -> None:
    yaml_text = "name: quick\ndocker_env: busybox\nentry_points:\n  nap:\n    command: sleep 0.5\n"
    runs = backend.runs
    rid = runs.create(ROOT, RunRequest(run_yaml_raw=base64.b64encode(yaml_text.encode()).decode()))
    _wait(lambda: runs.show(ROOT, rid)["status"] == "running")
    runner = runs._runners[rid]
    runs._lock = _RunEndsFirst(runs._lock, runner)  # type: ignore[assignment]
    runs.stop(ROOT, rid, False)
    detail = runs.show(ROOT, rid)
    assert detail["runtime"]["nap"][0]["status"] == "succeeded"
    assert detail["status"] == "succeeded", detail["runMsg"]
