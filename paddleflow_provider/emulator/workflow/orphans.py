"""Step processes left behind by a server that died without stopping them (SIGKILL, OOM killer, power loss).

Every job's process is recorded in ``<run_dir>/procs/<job_id>.json`` (``pid`` and the process's create time)
before its command starts, and the record is removed once the process has been reaped. A server starting on
the same data dir calls :func:`kill_leftovers` before it resumes runs, so a resumed step never runs twice
at once and nothing survives its server for long.

A pid is only ever signalled after psutil confirms it is still the recorded process (same create time): pids
are reused, and killing a stranger's process group would be far worse than leaving an orphan. A group whose
leader already died is recognised by its members carrying the job's marker (a step's ``PF_RUN_ID``) in their
environment; the kernel cannot hand the group's id to a new process while any member is alive.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import psutil

log = logging.getLogger(__name__)

CREATE_TIME_TOLERANCE_S = 0.05  # psutil derives create times from boot time + clock ticks


@dataclass(frozen=True)
class _Record:
    path: Path
    pid: int
    create_time: float
    marker: tuple[str, str] | None


def record_path(run_dir: Path, job_id: str) -> Path:
    if not job_id or "/" in job_id or job_id.startswith("."):
        raise ValueError(f"invalid job_id[{job_id}]")
    return Path(run_dir) / "procs" / f"{job_id}.json"


def record_process(run_dir: Path, job_id: str, pid: int, marker: tuple[str, str] | None = None) -> None:
    """Write the record atomically (a reader never sees half a file).

    :param marker: an ``(env name, value)`` pair every process of the job carries; without it a group whose
        leader died is left alone (it cannot be told apart from a stranger's).
    """
    create_time = psutil.Process(pid).create_time()
    path = record_path(run_dir, job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    data: dict[str, object] = {"pid": pid, "create_time": create_time}
    if marker is not None:
        data["marker"] = list(marker)
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def forget_process(run_dir: Path, job_id: str) -> None:
    record_path(run_dir, job_id).unlink(missing_ok=True)


def _records(runs_root: Path) -> list[_Record]:
    found = []
    for path in sorted(Path(runs_root).glob("*/procs/*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            marker = data.get("marker")
            found.append(
                _Record(
                    path,
                    int(data["pid"]),
                    float(data["create_time"]),
                    (str(marker[0]), str(marker[1])) if marker else None,
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("ignoring unreadable process record %s", path)
            path.unlink(missing_ok=True)
    return found


def _same_process(proc: psutil.Process, create_time: float) -> bool:
    try:
        return abs(proc.create_time() - create_time) <= CREATE_TIME_TOLERANCE_S
    except psutil.Error:
        return False


def _group_members(records: Iterable[_Record]) -> dict[int, list[psutil.Process]]:
    """Live processes by process group, only for the groups asked about (one scan for all of them)."""
    wanted = {record.pid for record in records}
    members: dict[int, list[psutil.Process]] = {}
    if not wanted:
        return members
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error, OSError):
            pgid = os.getpgid(proc.pid)
            if pgid in wanted:
                members.setdefault(pgid, []).append(proc)
    return members


def _ours(proc: psutil.Process, record: _Record) -> bool:
    """A member of a leaderless group: created after the leader and carrying the job's marker."""
    if record.marker is None:
        return False
    try:
        if proc.create_time() + CREATE_TIME_TOLERANCE_S < record.create_time:
            return False
        return proc.environ().get(record.marker[0]) == record.marker[1]
    except psutil.Error:
        return False


def kill_leftovers(runs_root: Path, timeout: float = 5.0) -> list[int]:
    """SIGKILL the process groups of recorded jobs that are still alive; returns the pids killed.

    Records are removed once handled. Call it before resuming runs, while no step of this data dir is live.
    """
    records = _records(runs_root)
    leaderless: list[_Record] = []
    victims: list[psutil.Process] = []
    for record in records:
        try:
            leader = psutil.Process(record.pid)
        except psutil.NoSuchProcess:
            leaderless.append(record)
            continue
        except psutil.Error:
            continue
        if _same_process(leader, record.create_time):
            if leader.status() != psutil.STATUS_ZOMBIE:
                victims.append(leader)
            _kill_group(record.pid)
        # else: the pid now belongs to another process, so no member of the old group can be alive
    members = _group_members(leaderless)
    for record in leaderless:
        ours = [proc for proc in members.get(record.pid, []) if _ours(proc, record)]
        if ours:
            victims.extend(ours)
            _kill_group(record.pid)
    for proc in _wait_dead(victims, timeout):
        log.warning("leftover step process %s did not die after SIGKILL", proc.pid)
    for record in records:
        record.path.unlink(missing_ok=True)
    return sorted({proc.pid for proc in victims})


def _dead(proc: psutil.Process) -> bool:
    try:
        return proc.status() == psutil.STATUS_ZOMBIE  # dead; reaping it is its new parent's business
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:
        return False


def _wait_dead(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait until every process is dead (zombies count: an init that never reaps must not stall us)."""
    deadline = time.monotonic() + timeout
    alive = [proc for proc in procs if not _dead(proc)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.01)
        alive = [proc for proc in alive if not _dead(proc)]
    return alive


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
