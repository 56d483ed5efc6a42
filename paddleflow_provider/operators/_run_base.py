"""What the run operators share: waiting for a run (sync or deferred), streaming its step logs,
explaining a failure, honouring deadlines, and stopping the run when the task is killed.

Design points (each one a known complaint about other providers):

* The run id is kept on the operator the instant the run exists, and ``run_id``/``run_url`` are
  pushed to XCom before any waiting, so ``on_kill`` and the extra link work from the first second.
* While waiting synchronously, only *new* step log lines are fetched and logged (a cursor per job).
* A failed run raises with the failed steps, their messages and the tail of their logs.
* Deadlines are wall-clock epoch seconds (they cross processes to the triggerer). The operator's
  ``timeout`` and ``execution_timeout`` both stop the remote run: the trigger emits a ``timeout``
  event a little before Airflow's own deferral timeout would fail the task without cleanup.
* Transient API errors during a wait are logged and polled through; they never fail the task.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from paddleflow_provider._compat import AirflowException, default_deferrable
from paddleflow_provider.hooks.logs import RunLogCursor, read_new_lines
from paddleflow_provider.hooks.status import FAILED_STEP_STATUSES, RunOutcome, run_outcome
from paddleflow_provider.links import PaddleFlowRunLink, push_run_xcoms
from paddleflow_provider.operators._base import PaddleFlowBaseOperator, check_bool

DEFAULT_POLL_INTERVAL = 10.0
MAX_TRANSIENT_BACKOFF = 60.0


class PaddleFlowRunFailedError(AirflowException):
    """The PaddleFlow run ended in a status that is not success."""


class PaddleFlowRunTimeoutError(AirflowException):
    """The wait bound (``timeout`` or ``execution_timeout``) passed; the run was stopped."""


def check_positive(name: str, value: Any) -> float:
    """Validate a seconds argument; accepts numbers and ``timedelta``; raise naming the argument."""
    return _seconds(name, value, "a number of seconds >= 0 or a timedelta")


def check_optional_positive(name: str, value: Any) -> float | None:
    """Like ``check_positive``, and ``None`` (no limit) is accepted too."""
    if value is None:
        return None
    return _seconds(name, value, "a number of seconds >= 0 or a timedelta, or None")


def _seconds(name: str, value: Any, accepted: str) -> float:
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} must be {accepted}, got {value!r}")
    return float(value)


class PaddleFlowRunWaitBase(PaddleFlowBaseOperator):
    """Base of the operators that (optionally) wait for a run: create and retry."""

    operator_extra_links = (PaddleFlowRunLink(),)

    def __init__(
        self,
        *,
        wait_for_completion: bool = True,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        deferrable: bool | None = None,
        timeout: float | timedelta | None = None,
        stream_logs: bool = True,
        log_tail_lines: int = 30,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        check_bool("wait_for_completion", wait_for_completion)
        if isinstance(log_tail_lines, bool) or not isinstance(log_tail_lines, int) or log_tail_lines < 0:
            raise ValueError(f"log_tail_lines must be an integer >= 0, got {log_tail_lines!r}")
        self.wait_for_completion = wait_for_completion
        self.poll_interval = check_positive("poll_interval", poll_interval)
        self.deferrable = default_deferrable() if deferrable is None else bool(deferrable)
        self.timeout = check_optional_positive("timeout", timeout)
        self.stream_logs = bool(stream_logs)
        self.log_tail_lines = min(log_tail_lines, 100)
        self._run_id: str | None = None

    # -- bookkeeping --------------------------------------------------------------------------------

    def _publish(self, context: Any, run_id: str) -> str:
        """Remember the run for on_kill and push ``run_id``/``run_url`` before any waiting."""
        self._run_id = run_id
        url = self.hook.run_url(run_id)
        push_run_xcoms(context, run_id, url)
        self.log.info("PaddleFlow run %s: %s", run_id, url)
        return url

    def _deadline(self, context: Any) -> float | None:
        """Earliest of ``timeout`` (from now) and ``execution_timeout`` (from the task's start).

        The execution_timeout deadline fires slightly early (10% / at most 30 s) so the trigger's
        ``timeout`` event, which stops the run, beats Airflow's own deferral timeout, which does not.
        """
        now = time.time()
        deadlines = []
        if self.timeout is not None:
            deadlines.append(now + self.timeout)
        if self.execution_timeout:
            total = self.execution_timeout.total_seconds()
            start = getattr(context.get("ti"), "start_date", None)
            started = start.timestamp() if start is not None else now
            deadlines.append(started + total - min(30.0, total * 0.1))
        return min(deadlines) if deadlines else None

    # -- waiting ------------------------------------------------------------------------------------

    def wait_for_run(self, context: Any, run_id: str) -> str:
        """Wait for ``run_id`` per the operator's settings; returns the run id on success."""
        if not self.wait_for_completion:
            return run_id
        deadline = self._deadline(context)
        if self.deferrable:
            from paddleflow_provider.client import TransientError

            try:
                info = self.hook.api.show_run(run_id)
                status = info.status
            except TransientError as err:  # the trigger polls through it
                self.log.warning("transient error reading run %s (%s); deferring anyway", run_id, err)
                info, status = None, "unknown"
            if info is None or run_outcome(status) is RunOutcome.RUNNING:
                from paddleflow_provider.triggers.run import PaddleFlowRunTrigger

                self.log.info("PaddleFlow run %s is %s; deferring", run_id, status)
                self.defer(
                    trigger=PaddleFlowRunTrigger(
                        run_id=run_id,
                        paddleflow_conn_id=self.paddleflow_conn_id,
                        poll_interval=self.poll_interval,
                        deadline=deadline,
                        target_statuses=("succeeded",),
                        failure_statuses=("failed", "terminated", "skipped"),
                        stream_logs=self.stream_logs,
                        stop_on_kill=True,
                    ),
                    method_name="execute_complete",
                    timeout=None,  # the trigger enforces the deadline so the run can be stopped
                )
            return self._finish(run_id, info)
        return self._poll_until_done(run_id, deadline)

    def _poll_until_done(self, run_id: str, deadline: float | None) -> str:
        from paddleflow_provider.client import PaddleFlowError, TransientError

        api = self.hook.api
        cursor = RunLogCursor()
        backoff = max(self.poll_interval, 1.0)
        last_status = None
        while True:
            try:
                info = api.show_run(run_id)
            except TransientError as err:
                self.log.warning(
                    "transient error reading run %s (%s); retrying in %.0f s", run_id, err, backoff
                )
                self._check_deadline(run_id, deadline)
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_TRANSIENT_BACKOFF)
                continue
            backoff = max(self.poll_interval, 1.0)
            if self.stream_logs:
                try:
                    for step, line in read_new_lines(api, run_id, info, cursor):
                        self.log.info("[%s] %s", step, line)
                except PaddleFlowError as err:
                    self.log.warning("could not read logs of PaddleFlow run %s: %s", run_id, err)
            if info.status != last_status:
                self.log.info("PaddleFlow run %s is %s", run_id, info.status)
                last_status = info.status
            if run_outcome(info.status) is not RunOutcome.RUNNING:
                return self._finish(run_id, info)
            self._check_deadline(run_id, deadline)
            time.sleep(
                self.poll_interval
                if deadline is None
                else max(0.0, min(self.poll_interval, deadline - time.time()))
            )

    def _check_deadline(self, run_id: str, deadline: float | None) -> None:
        if deadline is not None and time.time() >= deadline:
            self._stop_quietly(run_id, "the wait deadline passed")
            raise PaddleFlowRunTimeoutError(
                f"PaddleFlow run {run_id} did not finish within the wait bound; it was stopped"
            )

    def _finish(self, run_id: str, info: Any) -> str:
        if run_outcome(info.status) is RunOutcome.SUCCESS:
            self.log.info("PaddleFlow run %s succeeded", run_id)
            return run_id
        raise PaddleFlowRunFailedError(self.failure_report(run_id, info))

    def failure_report(self, run_id: str, info: Any) -> str:
        """Which steps failed, why, and the tail of each one's log (best effort)."""
        from paddleflow_provider.client import PaddleFlowError

        lines = [f"PaddleFlow run {run_id} ended with status {info.status}: {getattr(info, 'message', '')}"]
        for job in info.iter_jobs():
            status = (getattr(job, "status", "") or "").lower()
            if status not in FAILED_STEP_STATUSES:
                continue
            step = getattr(job, "step_name", "") or getattr(job, "name", "")
            lines.append(
                f"- step {step} ({job.job_id or 'no job'}) {status}: {getattr(job, 'job_message', '')}"
            )
            if not job.job_id or not self.log_tail_lines:
                continue
            try:
                page = self.hook.api.show_log(
                    run_id,
                    job_id=job.job_id,
                    page_size=self.log_tail_lines,
                    page_no=1,
                    log_file_position="end",
                )
            except PaddleFlowError as err:
                lines.append(f"    (log unavailable: {err})")
                continue
            for entry in page.run_log or []:
                if entry.jobid == job.job_id and entry.log_content:
                    lines.append(f"  last {self.log_tail_lines} log lines of {step}:")
                    lines.extend("    " + line for line in entry.log_content.rstrip("\n").split("\n"))
                    break
        report = "\n".join(lines)
        self.log.error("%s", report)
        return report

    # -- deferral resume ----------------------------------------------------------------------------

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> str:
        """Resume after the trigger fired; a new operator instance, so rebuild from the event only."""
        from paddleflow_provider.triggers._base import event_problem
        from paddleflow_provider.triggers.run import RUN_EVENT_FIELDS

        if problem := event_problem(event, "PaddleFlowRunTrigger", RUN_EVENT_FIELDS):
            raise AirflowException(problem)
        assert event is not None  # for type checkers: event_problem rejected None
        run_id = event["run_id"]
        self._run_id = run_id
        status = event["status"]
        if status == "success":
            self.log.info("PaddleFlow run %s succeeded", run_id)
            return run_id
        if status == "timeout":
            self._stop_quietly(run_id, "the wait deadline passed")
            raise PaddleFlowRunTimeoutError(f"{event['message']}; the run was stopped")
        if status == "failure":
            raise PaddleFlowRunFailedError(self.failure_report(run_id, self.hook.api.show_run(run_id)))
        raise AirflowException(event["message"])

    # -- cleanup ------------------------------------------------------------------------------------

    def _stop_quietly(self, run_id: str | None, reason: str) -> None:
        """Best-effort stop that never hides the original failure."""
        if not run_id:
            return
        try:
            self.hook.api.stop_run(run_id)
            self.log.info("Stopped PaddleFlow run %s: %s", run_id, reason)
        except Exception as err:
            self.log.warning("Could not stop PaddleFlow run %s (%s): %s", run_id, reason, err)

    def on_kill(self) -> None:
        self._stop_quietly(self._run_id, "the task was killed")
