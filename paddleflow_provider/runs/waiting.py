"""Waiting for a run in the current process, and explaining a run that failed.

Both used to live in the run operators' base class, where a sensor or a TaskFlow function could not
reuse them. The loop polls ``show_run``, logs only the *new* step log lines (a cursor per job),
rides out transient API errors with :class:`~paddleflow_provider.runs.backoff.TransientBackoff`, and
stops at the first verdict that is not "waiting" (:func:`~paddleflow_provider.runs.verdict.run_verdict`),
or raises :class:`WaitDeadlinePassed` at the wall-clock deadline so the caller can stop the run, or
:class:`WaitCancelled` once the caller says the wait is over (the task was killed and its run stopped:
reading the run on until it ends would only produce a failure report for a run nobody waits for).
Plain Python: nothing here imports Airflow.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, Protocol

from paddleflow_provider.runs.backoff import TransientBackoff
from paddleflow_provider.runs.logs import RunLogCursor, read_new_lines
from paddleflow_provider.runs.status import FAILED_STEP_STATUSES
from paddleflow_provider.runs.verdict import Verdict, run_verdict

if TYPE_CHECKING:
    from paddleflow_provider.client import PaddleFlowAPI, RunInfo

module_log = logging.getLogger(__name__)


class TaskLog(Protocol):
    """The logger calls used here (a ``logging.Logger`` or an Airflow task's ``self.log``)."""

    def info(self, msg: str, /, *args: Any) -> Any: ...
    def warning(self, msg: str, /, *args: Any) -> Any: ...
    def error(self, msg: str, /, *args: Any) -> Any: ...


class WaitDeadlinePassed(Exception):
    """The wall-clock deadline passed before the run reached a verdict; the run still runs."""


class WaitCancelled(Exception):
    """The caller cancelled the wait (``cancelled()`` became true) before the run reached a verdict."""


def deadline_passed(deadline: float | None) -> bool:
    return deadline is not None and time.time() >= deadline


def seconds_until(deadline: float | None, wait: float) -> float:
    """``wait``, cut short so that a sleep never oversleeps the deadline."""
    return wait if deadline is None else max(0.0, min(wait, deadline - time.time()))


def wait_for_verdict(
    api: PaddleFlowAPI,
    run_id: str,
    *,
    poll_interval: float,
    deadline: float | None = None,
    target_statuses: Collection[str] | None = None,
    failure_statuses: Collection[str] | None = None,
    stream_logs: bool = True,
    log: TaskLog = module_log,
    sleep: Callable[[float], Any] = time.sleep,
    cancelled: Callable[[], bool] = lambda: False,
) -> tuple[Verdict, RunInfo]:
    """Poll ``run_id`` until :func:`run_verdict` is not WAITING; return that verdict and the run.

    Raises :class:`WaitDeadlinePassed` at ``deadline`` (epoch seconds), checked after each read,
    and :class:`WaitCancelled` when ``cancelled()`` is true before a read.
    Transient errors are logged and polled through; log-reading errors never decide the outcome.
    """
    from paddleflow_provider.client import PaddleFlowError, TransientError

    cursor = RunLogCursor()
    backoff = TransientBackoff(poll_interval)
    last_status = None
    while True:
        if cancelled():
            raise WaitCancelled(run_id)
        try:
            info = api.show_run(run_id)
        except TransientError as err:
            wait = backoff.next_wait()
            log.warning("transient error reading run %s (%s); retrying in %.0f s", run_id, err, wait)
            if deadline_passed(deadline):
                raise WaitDeadlinePassed(run_id) from err
            sleep(wait)
            continue
        backoff.reset()
        if stream_logs:
            try:
                for step, line in read_new_lines(api, run_id, info, cursor):
                    log.info("[%s] %s", step, line)
            except PaddleFlowError as err:
                log.warning("could not read logs of PaddleFlow run %s: %s", run_id, err)
        if info.status != last_status:
            log.info("PaddleFlow run %s is %s", run_id, info.status)
            last_status = info.status
        verdict = run_verdict(info.status, target_statuses, failure_statuses)
        if verdict is not Verdict.WAITING:
            return verdict, info
        if deadline_passed(deadline):
            raise WaitDeadlinePassed(run_id)
        sleep(seconds_until(deadline, poll_interval))


def failure_report(api: PaddleFlowAPI, run_id: str, info: RunInfo, tail_lines: int) -> str:
    """Which steps failed, why, and the last ``tail_lines`` lines of each one's log (best effort)."""
    from paddleflow_provider.client import PaddleFlowError

    lines = [f"PaddleFlow run {run_id} ended with status {info.status}: {info.message}"]
    for job in info.iter_jobs():
        status = (job.status or "").lower()
        if status not in FAILED_STEP_STATUSES:
            continue
        step = job.step_name or job.name
        lines.append(f"- step {step} ({job.job_id or 'no job'}) {status}: {job.job_message}")
        if not job.job_id or not tail_lines:
            continue
        try:
            page = api.show_log(
                run_id, job_id=job.job_id, page_size=tail_lines, page_no=1, log_file_position="end"
            )
        except PaddleFlowError as err:
            lines.append(f"    (log unavailable: {err})")
            continue
        for entry in page.run_log:
            if entry.jobid == job.job_id and entry.log_content:
                lines.append(f"  last {tail_lines} log lines of {step}:")
                lines.extend("    " + line for line in entry.log_content.rstrip("\n").split("\n"))
                break
    return "\n".join(lines)
