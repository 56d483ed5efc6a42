"""In-memory RunSink / CacheStore / PlatformInfo and a helper that runs a YAML for real in a tmp dir."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil
import pytest

from paddleflow_provider.emulator.workflow import (
    CacheEntry,
    CacheRecord,
    RunOverrides,
    RunState,
    WorkflowRunner,
    job_log_path,
    parse_run_yaml,
    read_log_page,
)
from paddleflow_provider.emulator.workflow.procs import get_pump


class MemorySink:
    """Keeps every snapshot and artifact event a runner sends."""

    def __init__(self) -> None:
        self.states: list[RunState] = []
        self.events: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def update(self, run_id: str, state: RunState) -> None:
        with self.lock:
            self.states.append(state)

    def artifact(self, run_id: str, event: dict[str, Any]) -> None:
        with self.lock:
            self.events.append(event)

    @property
    def last(self) -> RunState:
        with self.lock:
            return self.states[-1]

    def run_statuses(self) -> list[str]:
        with self.lock:
            seen: list[str] = []
            for state in self.states:
                if not seen or seen[-1] != state.status:
                    seen.append(state.status)
            return seen


class MemoryCache:
    """A CacheStore over a list, newest first, like the server's runCache table."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.deleted_runs: set[str] = set()
        self.lock = threading.Lock()

    def find(self, first_fp: str, fs_name: str, username: str, source: str) -> list[CacheEntry]:
        with self.lock:
            rows = [
                r
                for r in self.rows
                if (r["first_fp"], r["fs_name"], r["username"], r["source"])
                == (first_fp, fs_name, username, source)
            ]
        return [
            CacheEntry(
                cache_id=r["cache_id"],
                first_fp=r["first_fp"],
                second_fp=r["second_fp"],
                run_id=r["run_id"],
                job_id=r["job_id"],
                expired_time=r["expired_time"],
                create_time=r["create_time"],
            )
            for r in reversed(rows)
        ]

    def add(self, record: CacheRecord) -> str:
        row = dataclasses.asdict(record)
        with self.lock:
            cache_id = f"cch-{len(self.rows) + 1:06d}"
            self.rows.append(
                {**row, "cache_id": cache_id, "create_time": datetime.now().strftime("%Y-%m-%d %H:%M:%S")}
            )
            return cache_id

    def run_exists(self, run_id: str) -> bool:
        return run_id not in self.deleted_runs


class Platform:
    def __init__(
        self, queues: dict[str, str] | None = None, flavours: tuple[str, ...] = ("flavour1",)
    ) -> None:
        self.queues = queues if queues is not None else {"default-queue": "open"}
        self.flavours = flavours

    def queue_status(self, name: str) -> str | None:
        return self.queues.get(name)

    def flavour_exists(self, name: str) -> bool:
        return name in self.flavours


class Harness:
    """Creates runners for YAML text, each with its own run directory under ``tmp``."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.fs = tmp / "fs"
        self.fs.mkdir()
        self.cache = MemoryCache()
        self.runners: list[WorkflowRunner] = []
        self.count = 0

    def runner(
        self,
        yaml_text: str,
        overrides: RunOverrides | None = None,
        *,
        sink: MemorySink | None = None,
        source: str | None = None,
        previous: tuple[dict[str, Any], dict[str, Any]] | None = None,
        platform: Any = None,
        stop_grace: float = 2.0,
        run_id: str | None = None,
    ) -> tuple[WorkflowRunner, MemorySink]:
        spec = parse_run_yaml(yaml_text, overrides)
        self.count += 1
        run_id = run_id or f"run-{self.count:06d}"
        sink = sink or MemorySink()
        runner = WorkflowRunner(
            spec,
            run_id=run_id,
            run_dir=self.tmp / "runs" / run_id,
            username="root",
            source=source or spec.source_md5,
            fs_roots={"myfs": self.fs, "other": self.tmp / "other"},
            sink=sink,
            cache=self.cache,
            platform=platform,
            previous=previous,
            stop_grace=stop_grace,
        )
        self.runners.append(runner)
        return runner, sink

    step = staticmethod(lambda state, *path, seq=0: step(state, *path, seq=seq))
    wait_for = staticmethod(
        lambda predicate, timeout=10.0, what="condition": wait_for(predicate, timeout, what)
    )
    Platform = Platform

    @staticmethod
    def output(run_dir: Path, view: dict[str, Any]) -> list[str]:
        """A job's log lines without their RFC3339Nano timestamps (what the step printed)."""
        content = read_log_page(job_log_path(run_dir, view["jobID"])).content
        return [line.split(" ", 1)[1] for line in content.splitlines()]

    def assert_gone(self, pids: list[int]) -> None:
        """Signals are asynchronous: once a run is final its processes have been killed, so they must be dead
        (or zombies waiting for init) within moments."""
        self.wait_for(lambda: all(_gone(pid) for pid in pids), 5.0, f"processes {pids} to die")

    def run(
        self, yaml_text: str, overrides: RunOverrides | None = None, **kwargs: Any
    ) -> tuple[RunState, Path]:
        """Start, wait for the final status, return the final snapshot and the run dir."""
        runner, sink = self.runner(yaml_text, overrides, **kwargs)
        runner.start()
        assert runner.join(30), "run did not finish"
        return sink.last, runner.run_dir


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll tightly until ``predicate()`` is truthy; fail with ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def step(state: RunState, *path: str, seq: int = 0) -> dict[str, Any]:
    """The view of ``path`` (top-level name, then DAG children) in a snapshot."""
    views = state.runtime[path[0]]
    for name in path[1:]:
        views = views[0]["entryPoints"][name]
    return sorted(views, key=lambda v: v["name"])[seq] if len(views) > 1 else views[0]


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    h = Harness(tmp_path)
    yield h
    for runner in h.runners:
        if not runner.done:
            runner.stop(force=True)
            runner.join(10)
    # every run of the test has ended, so none of its processes may still be tracked
    assert all(runner.done for runner in h.runners)
    assert get_pump().live_count() == 0
