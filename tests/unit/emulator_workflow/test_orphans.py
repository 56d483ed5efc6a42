"""Leftover step processes of a dead server: killed when they are verifiably ours, never a reused pid."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psutil

from paddleflow_provider.emulator.workflow import kill_leftovers
from paddleflow_provider.emulator.workflow.orphans import record_path, record_process


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _group(command: str, run_id: str) -> subprocess.Popen[bytes]:
    env = {"PATH": os.environ["PATH"], "PF_RUN_ID": run_id}
    return subprocess.Popen(["/bin/sh", "-c", command], start_new_session=True, env=env)


def test_a_recorded_live_group_is_killed_and_its_record_removed(tmp_path: Path) -> None:
    proc = _group("sleep 30 & wait", "run-000001")
    try:
        run_dir = tmp_path / "run-000001"
        record_process(run_dir, "job-a", proc.pid)
        assert kill_leftovers(tmp_path) == [proc.pid]
        assert proc.wait(5) == -9
        assert not record_path(run_dir, "job-a").exists()
    finally:
        proc.kill()
        proc.wait()


def test_a_reused_pid_is_never_signalled(tmp_path: Path) -> None:
    proc = _group("sleep 30", "run-000002")
    try:
        path = record_path(tmp_path / "run-000002", "job-b")
        path.parent.mkdir(parents=True)
        created = psutil.Process(proc.pid).create_time()
        path.write_text(json.dumps({"pid": proc.pid, "create_time": created - 100}))  # an older process
        assert kill_leftovers(tmp_path) == []
        assert _alive(proc.pid) and not path.exists()
    finally:
        proc.kill()
        proc.wait()


def test_members_of_a_group_whose_shell_died_are_found_by_run(tmp_path: Path) -> None:
    out = tmp_path / "child.pid"
    leader = _group(f"sleep 30 & echo $! > {out}", "run-000003")
    record_process(tmp_path / "run-000003", "job-c", leader.pid, marker=("PF_RUN_ID", "run-000003"))
    leader.wait(5)  # the shell is gone (reaped); its background child keeps the group alive
    child = int(out.read_text())
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], start_new_session=True)
    try:
        assert _alive(child)
        assert kill_leftovers(tmp_path) == [child]
        assert not _alive(child) and stranger.poll() is None
    finally:
        stranger.kill()
        stranger.wait()
        if _alive(child):
            os.kill(child, 9)
