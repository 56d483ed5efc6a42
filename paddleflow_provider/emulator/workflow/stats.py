"""Real CPU and memory samples of each step's process tree, and the statistics API shapes (api §7.12).

One sampler thread for all jobs wakes about once a second and appends a JSON line per live job to
``<run_dir>/stats/<job_id>.jsonl``. A first sample is taken when a job is registered, which the process
pump guarantees happens after ``exec`` and before the command runs (see ``procs``), so even a step that
lives a millisecond has one real sample of its own process. A last one is computed at exit: CPU time over
wall time from the exit ``rusage``, and the peak memory the samples saw. ``ru_maxrss`` is not used: Linux
folds the pre-``exec`` image (this whole Python server, even with vfork/posix_spawn) into it, which would
overstate a short step by the server's size. The price: a memory spike shorter than the sampling period is
not seen.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from .per_process import PerProcess

log = logging.getLogger(__name__)

SAMPLE_PERIOD_S = 1.0
MAX_POINTS = 1000
METRICS = ("cpu_usage_rate", "memory_usage_rate", "memory_usage")


def stats_path(run_dir: Path, job_id: str) -> Path:
    if not job_id or "/" in job_id or job_id.startswith("."):
        raise ValueError(f"invalid job_id[{job_id}]")
    return Path(run_dir) / "stats" / f"{job_id}.jsonl"


def _append(path: Path, record: dict[str, Any]) -> None:
    # the exit of a very short job can be processed before add() ran, so either may create the folder
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")


@dataclass
class _Tracked:
    path: Path
    process: psutil.Process
    last_wall: float
    last_cpu: float
    peak_rss: int


def _tree_usage(process: psutil.Process, *, children: bool = True) -> tuple[float, int]:
    """CPU seconds and RSS bytes of a process and (unless ``children=False``) all its descendants."""
    cpu, rss = 0.0, 0
    members = [process]
    if children:
        with contextlib.suppress(psutil.Error):
            members += process.children(recursive=True)
    for member in members:
        with contextlib.suppress(psutil.Error):
            times = member.cpu_times()
            cpu += times.user + times.system
            rss += member.memory_info().rss
    return cpu, rss


class StatsSampler:
    """The sampler thread, started on first use."""

    def __init__(self) -> None:
        self._jobs: dict[str, _Tracked] = {}
        self._finished: dict[str, float] = {}  # exits seen before add(): add() must not start tracking them
        self._lock = threading.Lock()
        self._total_mem = psutil.virtual_memory().total
        self._wakeup = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="pf-workflow-stats", daemon=True)
        self._thread.start()

    def add(self, job_id: str, pid: int, path: Path, started: float) -> None:
        """Track ``pid`` (the job's shell, already exec'd) and record a first sample right away."""
        _append(path, {"start": started})
        try:
            process = psutil.Process(pid)
            if process.status() == psutil.STATUS_ZOMBIE:
                return  # already exited: only the exit figures are left
            # the shell is still held before its command (see procs): it has no children to scan yet, and
            # scanning every process of the machine for them would cost more than the whole sample
            cpu, rss = _tree_usage(process, children=False)
            wall = max(time.time() - process.create_time(), 1e-3)
        except psutil.Error:
            return
        with self._lock:
            if self._finished.pop(job_id, None) is not None:
                return  # the exit was processed first
            self._write(path, cpu / wall * 100, rss)
            self._jobs[job_id] = _Tracked(path, process, time.time(), cpu, rss)

    def finish(
        self,
        job_id: str,
        path: Path,
        rusage: Any,
        *,
        started: float,
        ended: float,
    ) -> None:
        """Stop tracking and write the exit sample (see the module docstring for the memory figure)."""
        with self._lock:
            tracked = self._jobs.pop(job_id, None)
            if tracked is None:
                self._finished[job_id] = ended
        peak = tracked.peak_rss if tracked is not None else 0
        if rusage is not None and peak > 0:
            wall = max(ended - started, 1e-3)
            cpu = (rusage.ru_utime + rusage.ru_stime) / wall * 100
            self._write(path, cpu, peak, at=ended)
        _append(path, {"end": ended})

    def _write(self, path: Path, cpu_rate: float, rss: int, at: float | None = None) -> None:
        _append(
            path,
            {
                "t": time.time() if at is None else at,
                "cpu_usage_rate": round(cpu_rate, 4),
                "memory_usage": rss,
                "memory_usage_rate": round(rss / self._total_mem * 100, 4),
            },
        )

    def _loop(self) -> None:
        while True:
            self._wakeup.wait(SAMPLE_PERIOD_S)
            with self._lock:
                jobs = list(self._jobs.items())
            for job_id, tracked in jobs:
                try:
                    self._sample(tracked)
                except Exception:
                    log.debug("sampling job %s failed", job_id, exc_info=True)

    def _sample(self, tracked: _Tracked) -> None:
        if not tracked.process.is_running() or tracked.process.status() == psutil.STATUS_ZOMBIE:
            return
        cpu, rss = _tree_usage(tracked.process)
        tracked.peak_rss = max(tracked.peak_rss, rss)
        now = time.time()
        rate = max(cpu - tracked.last_cpu, 0.0) / max(now - tracked.last_wall, 1e-3) * 100
        tracked.last_cpu, tracked.last_wall = cpu, now
        self._write(tracked.path, rate, rss, at=now)


_sampler = PerProcess(StatsSampler)


def get_sampler() -> StatsSampler:
    """The process-wide sampler (one sampling thread for every job), created on first use."""
    return _sampler.get()


# ------------------------------------------------------------------------------------------------
# reading


def _read(run_dir: Path, job_id: str) -> tuple[list[dict[str, Any]], float | None, float | None]:
    samples: list[dict[str, Any]] = []
    start = end = None
    try:
        text = stats_path(run_dir, job_id).read_text(encoding="utf-8")
    except FileNotFoundError:
        return samples, None, None
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line being written right now
        if "start" in record:
            start = record["start"] if start is None else start
        elif "end" in record:
            end = record["end"]
        else:
            samples.append(record)
    samples.sort(key=lambda r: r["t"])
    return samples, start, end


def _formatted(metric: str, value: float) -> str:
    if metric == "memory_usage":
        return f"{value:.2f}(Bytes)"
    return f"{value:.2f}%"


def statistics_summary(run_dir: Path, job_id: str) -> dict[str, Any]:
    """``{"metricsInfo": {...}}`` of ``GET /statistics/job/{jobID}``.

    The latest sample, formatted as the server formats it (``"12.30%"``, ``"1024.00(Bytes)"``); empty when the
    job never ran.
    """
    samples, _, _ = _read(run_dir, job_id)
    if not samples:
        return {"metricsInfo": {}}
    last = samples[-1]
    return {"metricsInfo": {metric: _formatted(metric, float(last[metric])) for metric in METRICS}}


def statistics_detail(run_dir: Path, job_id: str, start: int, end: int, step: int) -> tuple[list[Any], bool]:
    """``(result, truncated)`` of ``GET /statistics/jobDetail/{jobID}`` (api §7.12).

    ``start=0`` means the job's start, ``end=0`` its end (or start + 600 s while it runs). Each point carries
    the newest sample taken before the next point; series are cut to 1000 points.

    :raises ValueError: negative values, ``start > end`` or ``step <= 0`` (the server's ``InvalidURI`` cases).
    """
    if start < 0 or end < 0 or step <= 0 or (end and start > end):
        raise ValueError(f"invalid statistics range: start[{start}] end[{end}] step[{step}]")
    samples, job_start, job_end = _read(run_dir, job_id)
    if job_start is None and not samples:
        return [], False
    first = job_start if job_start is not None else samples[0]["t"]
    lo = start or math.floor(first)
    hi = end or (math.ceil(job_end) if job_end is not None else lo + 600)
    if lo > hi:
        return [], False
    series: dict[str, list[list[float]]] = {metric: [] for metric in METRICS}
    truncated = False
    index, current = 0, None
    point = lo
    while point <= hi:
        while index < len(samples) and samples[index]["t"] < point + step:
            current = samples[index]
            index += 1
        if current is not None and (job_end is None or point <= job_end + step):
            if len(series[METRICS[0]]) >= MAX_POINTS:
                truncated = True
                break
            for metric in METRICS:
                series[metric].append([float(point), float(current[metric])])
        point += step
    task_info = [{"metric": metric, "values": values} for metric, values in series.items()]
    return [{"taskName": job_id, "taskInfo": task_info}], truncated
