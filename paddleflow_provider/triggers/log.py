"""PaddleFlowRunLogTrigger: wait, in the triggerer, until a run's step log contains a matching line.

Whether the run has ended comes from the status poller all triggers of the loop share
(``_shared_status``); its log is read over that poller's client. Each poll reads only the lines
written since the last one (see ``runs/logs.py`` for the cursor and
how it keeps working past the server's 500,000-byte window). Events::

    {"status": "success", "run_id", "line", "step", "timestamp", "log_cursor"}
    {"status": "failure", "run_id", "run_status", "message"}   # run ended, no match, fail_on_run_end
    {"status": "timeout" | "error", "run_id", "message"}

``line`` is the line as the step printed it; ``timestamp`` the server's RFC 3339 stamp on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from paddleflow_provider.runs.log_match import check_new_lines, compile_pattern
from paddleflow_provider.runs.logs import RunLogCursor, aread_new_lines
from paddleflow_provider.triggers._base import PaddleFlowPollingTrigger

if TYPE_CHECKING:
    from paddleflow_provider.client import AsyncPaddleFlowAPI, RunInfo

#: The string fields each event status carries (besides ``run_id``); see ``event_problem``.
LOG_EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "success": ("step", "line"),
    "failure": ("message",),
    "timeout": ("message",),
    "error": ("message",),
}


class PaddleFlowRunLogTrigger(PaddleFlowPollingTrigger):
    """Poll a run's log until a line matches ``pattern``.

    :param run_id: The PaddleFlow run id.
    :param pattern: Regular expression searched in each new log line.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    :param job_id: Optional. Read only this job's log (None: every step of the run).
    :param fail_on_run_end: Optional. Emit ``failure`` if the run ends without a match (True).
    :param poll_interval: Optional. Seconds between polls (10).
    :param deadline: Optional. Wall-clock deadline in epoch seconds.
    :param log_cursor: Optional. Where reading stands (plain JSON).
    """

    def __init__(
        self,
        *,
        run_id: str,
        pattern: str,
        paddleflow_conn_id: str = "paddleflow_default",
        job_id: str | None = None,
        fail_on_run_end: bool = True,
        poll_interval: float = 10.0,
        deadline: float | None = None,
        log_cursor: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            run_id=run_id,
            paddleflow_conn_id=paddleflow_conn_id,
            poll_interval=poll_interval,
            deadline=deadline,
        )
        self._regex = compile_pattern(pattern)
        self.pattern = self._regex.pattern
        self.job_id = job_id or None
        self.fail_on_run_end = bool(fail_on_run_end)
        self.log_cursor = RunLogCursor.from_dict(log_cursor)

    def own_kwargs(self) -> dict[str, Any]:
        return {
            "pattern": self.pattern,
            "job_id": self.job_id,
            "fail_on_run_end": self.fail_on_run_end,
            "log_cursor": self.log_cursor.to_dict(),
        }

    def timeout_event(self) -> dict[str, Any]:
        return {
            "status": "timeout",
            "run_id": self.run_id,
            "message": f"no log line of PaddleFlow run {self.run_id} matched {self.pattern!r} "
            "before the deadline",
        }

    async def on_status(self, api: AsyncPaddleFlowAPI, info: RunInfo) -> dict[str, Any] | None:
        # Whether the run has ended is the shared status's call (``info``, read first); the run's
        # detail, read after it, only names the steps whose logs to read. Reading in this order, a
        # run seen ending has every line read before the trigger says "ended without a match".
        detail = await api.show_run(self.run_id)
        info = detail.model_copy(update={"status": info.status})
        lines = await aread_new_lines(api, self.run_id, info, self.log_cursor, self.job_id)
        check = check_new_lines(
            self._regex,
            lines,
            info,
            self.log_cursor,
            job_id=self.job_id,
            fail_on_run_end=self.fail_on_run_end,
        )
        if check.match is not None:
            return {
                "status": "success",
                "run_id": self.run_id,
                "step": check.match[0],
                "line": check.match[1],
                "timestamp": check.match.timestamp,
                "log_cursor": self.log_cursor.to_dict(),
            }
        if check.ended_without_match:
            return {
                "status": "failure",
                "run_id": self.run_id,
                "run_status": check.run_status,
                "message": check.ended_message(self.run_id, self.pattern),
            }
        return None
