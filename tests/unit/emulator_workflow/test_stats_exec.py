"""Statistics of very fast steps: a real sample of the step's own process (after exec), whatever happens
to the exit ``rusage``."""

from __future__ import annotations

import os
from typing import Any

from paddleflow_provider.emulator.workflow import procs, statistics_summary

QUICK = """
name: quick
docker_env: busybox:1.36
entry_points:
""" + "".join(f'  s{i}: {{command: "echo hi"}}\n' for i in range(12))

MB = 1024 * 1024


def _bytes(metric: str) -> float:
    return float(metric.removesuffix("(Bytes)"))


def test_fast_steps_have_samples_even_when_the_exit_rusage_is_lost(harness, monkeypatch) -> None:
    """Another part of the process may reap a child first (``ChildProcessError``): no exit status nor
    ``rusage`` then. The step must not be reported as a success it may not have been, and every step that ran
    must still report cpu and memory."""
    real_wait4 = os.wait4

    def stolen(pid: int, options: int) -> Any:
        real_wait4(pid, options)  # somebody else reaps it ...
        raise ChildProcessError(10, "No child processes")  # ... and the pump finds nothing left

    monkeypatch.setattr(procs.os, "wait4", stolen)
    state, run_dir = harness.run(
        QUICK.replace("entry_points:", "failure_options: {strategy: continue}\nentry_points:")
    )
    assert state.status == "failed"
    for i in range(12):
        view = harness.step(state, f"s{i}")
        assert view["status"] == "failed" and "exit status was lost" in view["jobMessage"]
        metrics = statistics_summary(run_dir, view["jobID"])["metricsInfo"]
        assert set(metrics) == {"cpu_usage_rate", "memory_usage_rate", "memory_usage"}, f"s{i}: {metrics}"
        assert _bytes(metrics["memory_usage"]) > 0


def test_memory_of_a_short_step_is_its_own_not_the_forked_server_image(harness) -> None:
    """``ru_maxrss`` counts the parent's pages the child had before ``exec``; ``echo`` in a shell needs a few
    MB, never the tens of MB of the Python process that started it."""
    ballast = bytearray(64 * MB)  # make the parent image clearly bigger than any shell
    for offset in range(0, len(ballast), 4096):
        ballast[offset] = 1
    state, run_dir = harness.run(QUICK)
    assert state.status == "succeeded", state.message
    for i in range(12):
        metrics = statistics_summary(run_dir, harness.step(state, f"s{i}")["jobID"])["metricsInfo"]
        assert 0 < _bytes(metrics["memory_usage"]) < 16 * MB, f"s{i}: {metrics}"
    del ballast
