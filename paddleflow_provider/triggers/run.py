"""PaddleFlowRunTrigger: wait, in the triggerer, until a PaddleFlow run reaches a verdict.

Used by the deferrable run operators (which also stream new step log lines from here, so a deferred
task's log still shows progress) and by the deferrable run sensor. Events::

    {"status": "ended", "run_id", "run_status", "message"}
    {"status": "timeout" | "error", "run_id", "message"}

``ended``: :func:`~paddleflow_provider.runs.verdict.run_verdict` is no longer "waiting" for the
trigger's targets. The event carries the run's *raw* status, and the resumed task applies the same
verdict to it, so the trigger and the task can never disagree about success. ``timeout``: the
wall-clock deadline passed first. ``error``: a permanent API error (e.g. the run does not exist).
Transient errors never end it. Events of earlier provider versions (``success`` / ``failure`` with
``run_status``) are still read, as ``ended``: a trigger may be in flight across an upgrade.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from paddleflow_provider.runs.logs import RunLogCursor, aread_new_lines
from paddleflow_provider.runs.status import check_statuses
from paddleflow_provider.runs.verdict import Verdict, run_verdict
from paddleflow_provider.triggers._base import PaddleFlowPollingTrigger, event_problem
from paddleflow_provider.triggers._progress import REPEAT_MARKER, LogProgress, progress_key

if TYPE_CHECKING:
    from paddleflow_provider.client import AsyncPaddleFlowAPI, RunInfo

#: The string fields each event status carries (besides ``run_id``); see ``event_problem``.
#: ``success`` and ``failure`` are the events of earlier provider versions.
RUN_EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "ended": ("run_status",),
    "success": ("run_status",),
    "failure": ("run_status",),
    "timeout": ("message",),
    "error": ("message",),
}


@dataclasses.dataclass(frozen=True)
class RunEvent:
    """A checked event of :class:`PaddleFlowRunTrigger`."""

    kind: str  # "ended", "timeout" or "error"
    run_id: str
    run_status: str
    message: str


def read_run_event(event: Any, *, invalid: type[Exception]) -> RunEvent:
    """Check and read a run trigger event; raise ``invalid`` (the caller's error) if malformed."""
    if problem := event_problem(event, "PaddleFlowRunTrigger", RUN_EVENT_FIELDS):
        raise invalid(problem)
    kind = "ended" if event["status"] in ("ended", "success", "failure") else event["status"]
    message = event.get("message")
    return RunEvent(
        kind=kind,
        run_id=event["run_id"],
        run_status=event.get("run_status") or "",
        message=message if isinstance(message, str) else "",
    )


class PaddleFlowRunTrigger(PaddleFlowPollingTrigger):
    """Poll a run until it reaches a verdict.

    :param run_id: The PaddleFlow run id.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    :param poll_interval: Optional. Seconds between status reads (10).
    :param deadline: Optional. Wall-clock deadline in epoch seconds; a ``timeout`` event after it.
    :param target_statuses: Optional. Statuses that mean success (None: the status map's).
    :param failure_statuses: Optional. Statuses that mean failure (None: the status map's); any
        other *final* status is a failure too, since it can never turn into a target status.
    :param stream_logs: Optional. Log new step log lines while waiting (False).
    :param log_cursor: Optional. Where log streaming stands (plain JSON from the operator).
    :param stop_on_kill: Optional. Stop the run when a user kills the deferred task (Airflow 3.3+).
        True for the run operators, False for sensors (watching a run must not stop it).
    """

    def __init__(
        self,
        *,
        run_id: str,
        paddleflow_conn_id: str = "paddleflow_default",
        poll_interval: float = 10.0,
        deadline: float | None = None,
        target_statuses: Sequence[str] | None = None,
        failure_statuses: Sequence[str] | None = None,
        stream_logs: bool = False,
        log_cursor: dict[str, Any] | None = None,
        stop_on_kill: bool = False,
    ) -> None:
        super().__init__(
            run_id=run_id,
            paddleflow_conn_id=paddleflow_conn_id,
            poll_interval=poll_interval,
            deadline=deadline,
        )
        self.target_statuses = _statuses("target_statuses", target_statuses)
        self.failure_statuses = _statuses("failure_statuses", failure_statuses)
        self.stream_logs = bool(stream_logs)
        self.log_cursor = RunLogCursor.from_dict(log_cursor)
        self.stop_on_kill = bool(stop_on_kill)
        self._last_status: str | None = None
        self._progress: LogProgress | None = None
        self._marked = False

    def own_kwargs(self) -> dict[str, Any]:
        return {
            "target_statuses": self.target_statuses,
            "failure_statuses": self.failure_statuses,
            "stream_logs": self.stream_logs,
            "log_cursor": self.log_cursor.to_dict(),
            "stop_on_kill": self.stop_on_kill,
        }

    async def on_status(self, api: AsyncPaddleFlowAPI, info: RunInfo) -> dict[str, Any] | None:
        if self.stream_logs:
            await self._log_new_lines(api)
        if run_verdict(info.status, self.target_statuses, self.failure_statuses) is Verdict.WAITING:
            if info.status != self._last_status:  # one line per change, not one per poll (issue 9)
                self.log.info("PaddleFlow run %s is %s", self.run_id, info.status)
                self._last_status = info.status
            return None
        return {"status": "ended", "run_id": self.run_id, "run_status": info.status, "message": info.message}

    async def _log_new_lines(self, api: AsyncPaddleFlowAPI) -> None:
        """Log the step lines written since the last poll (read *after* the status, so a run seen
        ending has all its lines read before the event), then keep the cursor (``_progress``) so a
        triggerer restart does not write them again.

        A transient error is raised: the trigger waits for the next round and reads again (the
        cursor stays where it was), so the last lines of a run are not lost to a passing outage.
        """
        from paddleflow_provider.client import PaddleFlowError, TransientError

        progress = await self._log_progress()
        try:
            detail = await api.show_run(self.run_id)  # the list has no steps; their jobs are here
            lines = await aread_new_lines(api, self.run_id, detail, self.log_cursor)
        except TransientError:
            raise
        except PaddleFlowError as err:  # logs are a courtesy; they never decide the outcome
            self.log.warning("could not read logs of PaddleFlow run %s: %s", self.run_id, err)
            return
        if lines and not progress.available and not self._marked:
            self.log.info("%s", REPEAT_MARKER)
            self._marked = True
        for step, line in lines:
            self.log.info("[%s] %s", step, line)
        if lines:
            await progress.save(self.log_cursor.to_dict())

    async def _log_progress(self) -> LogProgress:
        """The trigger's progress store; on first use, continue from the cursor saved there (a
        restarted trigger's kwargs hold the cursor of the deferral, not of its last poll)."""
        if self._progress is None:
            self._progress = LogProgress(progress_key(self.task_instance, self.run_id))
            saved = await self._progress.load()
            if saved:
                self.log_cursor = RunLogCursor.from_dict(saved)
        return self._progress

    async def finished(self) -> None:
        if self._progress is not None:
            await self._progress.forget()

    async def on_kill(self) -> None:
        """Airflow 3.3+ (``HAS_TRIGGER_ON_KILL``): a user marked the deferred task failed/success or
        cleared it: stop the run. Older triggerers never call this."""
        if not self.stop_on_kill:
            return
        from paddleflow_provider.client import PaddleFlowError

        try:
            api = await self._hook().get_async_api()
            async with api:
                await api.stop_run(self.run_id)
            self.log.info("Stopped PaddleFlow run %s because the task was killed", self.run_id)
        except PaddleFlowError as err:  # already final, or gone: nothing left to stop
            self.log.warning("Could not stop PaddleFlow run %s: %s", self.run_id, err)


def _statuses(argument: str, statuses: Sequence[str] | None) -> list[str] | None:
    """A checked list of statuses, or None for the status map's defaults (plain JSON either way)."""
    return None if statuses is None else list(check_statuses(argument, statuses))
