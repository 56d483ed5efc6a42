"""What the run operators share: waiting for a run (sync or deferred), honouring deadlines, and
stopping the run when the task is killed.

Design points (each one a known complaint about other providers):

* The run id is kept on the operator the instant the run exists, and ``run_id``/``run_url`` are
  pushed to XCom before any waiting, so ``on_kill`` and the extra link work from the first second.
* Whether the run failed is decided by :func:`~paddleflow_provider.runs.verdict.run_verdict` in
  every path: the sync wait, the status check before deferring, and ``execute_complete`` (from the
  raw status the trigger reports).
* Deadlines are wall-clock epoch seconds (they cross processes to the triggerer). The operator's
  ``timeout`` and ``execution_timeout`` both stop the remote run: the trigger emits a ``timeout``
  event a little before Airflow's own deferral timeout would fail the task without cleanup.
* The wait loop and the failure report are :mod:`paddleflow_provider.runs.waiting`, usable without
  an operator.
* A kill ends the sync wait quietly. Airflow 3 runs ``on_kill`` from its SIGTERM handler and then
  lets ``execute`` carry on: the loop would read the run it just stopped and fail the task with a
  full failure report and traceback. Instead the loop stops at its next turn and the task ends with
  one line saying the task was killed and the run stopped (:class:`PaddleFlowTaskKilled`).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from paddleflow_provider._compat import AirflowException
from paddleflow_provider.links import PaddleFlowRunLink, push_run_xcoms
from paddleflow_provider.operators._base import PaddleFlowBaseOperator, check_bool
from paddleflow_provider.runs.verdict import Verdict, run_verdict
from paddleflow_provider.runs.waiting import (
    WaitCancelled,
    WaitDeadlinePassed,
    failure_report,
    wait_for_verdict,
)

if TYPE_CHECKING:
    from paddleflow_provider.client import RunInfo

DEFAULT_POLL_INTERVAL = 10.0


class PaddleFlowRunFailedError(AirflowException):
    """The PaddleFlow run ended in a status that is not success."""


class PaddleFlowRunTimeoutError(AirflowException):
    """The wait bound (``timeout`` or ``execution_timeout``) passed; the run was stopped."""


class PaddleFlowTaskKilled(SystemExit):
    """The task was killed while it waited and ``on_kill`` has stopped the run.

    A ``SystemExit`` because that is the one way out of a task that Airflow reports as a single line
    ("Task exited" with this message) instead of an exception with its traceback: nothing failed
    here that a traceback could explain.
    """


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
        self.use_deferrable(deferrable)
        self.timeout = check_optional_positive("timeout", timeout)
        self.stream_logs = bool(stream_logs)
        self.log_tail_lines = min(log_tail_lines, 100)
        self._run_id: str | None = None
        self._killed = False  # set by on_kill; ends the sync wait
        self._stopped: str | None = None  # the run _stop_quietly stopped

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
            start = getattr(context.get("ti"), "start_date", None)  # absent on hand-made test TIs
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
            return self._check_then_defer(run_id, deadline)
        try:
            verdict, info = wait_for_verdict(
                self.api,
                run_id,
                poll_interval=self.poll_interval,
                deadline=deadline,
                stream_logs=self.stream_logs,
                log=self.log,
                cancelled=lambda: self._killed,
            )
        except WaitCancelled:
            if not self.still_owned(run_id):
                raise PaddleFlowTaskKilled(
                    f"The task was killed while it waited; PaddleFlow run {run_id} is held by a newer try"
                ) from None
            if self._stopped != run_id:  # killed before the run existed: on_kill could not stop it
                self._stop_quietly(run_id, "the task was killed")
            raise PaddleFlowTaskKilled(
                f"The task was killed while it waited; PaddleFlow run {run_id} was stopped"
            ) from None
        except WaitDeadlinePassed:
            self._stop_quietly(run_id, "the wait deadline passed")
            raise PaddleFlowRunTimeoutError(
                f"PaddleFlow run {run_id} did not finish within the wait bound; it was stopped"
            ) from None
        return self._finish(run_id, verdict, info)

    def _check_then_defer(self, run_id: str, deadline: float | None) -> str:
        """A finished run never defers; a running one (or one that cannot be read now) does."""
        from paddleflow_provider.client import TransientError

        info: RunInfo | None
        try:
            info = self.api.show_run(run_id)
        except TransientError as err:  # the trigger polls through it
            self.log.warning("transient error reading run %s (%s); deferring anyway", run_id, err)
            info = None
        verdict = Verdict.WAITING if info is None else run_verdict(info.status)
        if info is not None and verdict is not Verdict.WAITING:
            return self._finish(run_id, verdict, info)
        from paddleflow_provider.triggers.run import PaddleFlowRunTrigger

        self.log.info("PaddleFlow run %s is %s; deferring", run_id, info.status if info else "unknown")
        self.defer(
            trigger=PaddleFlowRunTrigger(
                run_id=run_id,
                paddleflow_conn_id=self.paddleflow_conn_id,
                poll_interval=self.poll_interval,
                deadline=deadline,
                target_statuses=None,  # the status map's defaults, applied in the triggerer
                failure_statuses=None,
                stream_logs=self.stream_logs,
                stop_on_kill=True,
            ),
            method_name="execute_complete",
            timeout=None,  # the trigger enforces the deadline so the run can be stopped
        )
        raise AssertionError("defer() always raises")  # pragma: no cover

    def _finish(self, run_id: str, verdict: Verdict, info: RunInfo) -> str:
        if verdict is Verdict.SUCCESS:
            self.log.info("PaddleFlow run %s succeeded", run_id)
            return run_id
        report = failure_report(self.api, run_id, info, self.log_tail_lines)
        self.log.error("%s", report)
        raise PaddleFlowRunFailedError(report)

    # -- deferral resume ----------------------------------------------------------------------------

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> str:
        """Resume after the trigger fired; a new operator instance, so rebuild from the event only."""
        from paddleflow_provider.triggers.run import read_run_event

        ended = read_run_event(event, invalid=AirflowException)
        self._run_id = ended.run_id
        if ended.kind == "timeout":
            self._stop_quietly(ended.run_id, "the wait deadline passed")
            raise PaddleFlowRunTimeoutError(f"{ended.message}; the run was stopped")
        if ended.kind == "error":
            raise AirflowException(ended.message)
        verdict = run_verdict(ended.run_status)
        if verdict is Verdict.WAITING:  # only if the status map changed while the trigger ran
            raise AirflowException(
                f"PaddleFlowRunTrigger ended while PaddleFlow run {ended.run_id} is {ended.run_status!r}"
            )
        if verdict is Verdict.SUCCESS:
            self.log.info("PaddleFlow run %s succeeded", ended.run_id)
            return ended.run_id
        return self._finish(ended.run_id, verdict, self.api.show_run(ended.run_id))

    # -- cleanup ------------------------------------------------------------------------------------

    def _stop_quietly(self, run_id: str | None, reason: str) -> None:
        """Best-effort stop that never hides the original failure."""
        if not run_id:
            return
        try:
            self.api.stop_run(run_id)
            self._stopped = run_id
            self.log.info("Stopped PaddleFlow run %s: %s", run_id, reason)
        except Exception as err:
            self.log.warning("Could not stop PaddleFlow run %s (%s): %s", run_id, reason, err)

    def still_owned(self, run_id: str) -> bool:
        """Whether this try still holds ``run_id``; the create operator reads its claim."""
        return True

    def on_kill(self) -> None:
        self._killed = True
        if self._run_id and not self.still_owned(self._run_id):
            self.log.info(
                "PaddleFlow run %s is held by a newer try of this task; not stopping it", self._run_id
            )
            return
        self._stop_quietly(self._run_id, "the task was killed")
