"""PaddleFlowRunTrigger: wait, in the triggerer, until a PaddleFlow run reaches a final status.

Used by the deferrable run operators (which also stream new step log lines from here, so a deferred
task's log still shows progress) and by the deferrable run sensor. Events::

    {"status": "success" | "failure" | "timeout" | "error", "run_id", "run_status", "message"}

``success``: the run reached a target status. ``failure``: a failure status, or any other final
status that can never become a target. ``timeout``: the wall-clock deadline passed first.
``error``: a permanent API error (e.g. the run does not exist). Transient errors never end it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from paddleflow_provider.hooks.logs import RunLogCursor, aread_new_lines
from paddleflow_provider.hooks.status import check_statuses, is_final
from paddleflow_provider.triggers._base import PaddleFlowPollingTrigger

#: The string fields each event status carries (besides ``run_id``); see ``event_problem``.
RUN_EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "success": ("run_status",),
    "failure": ("run_status",),
    "timeout": ("message",),
    "error": ("message",),
}


class PaddleFlowRunTrigger(PaddleFlowPollingTrigger):
    """Poll a run until it ends.

    :param run_id: The PaddleFlow run id.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    :param poll_interval: Optional. Seconds between status reads (10).
    :param deadline: Optional. Wall-clock deadline in epoch seconds; a ``timeout`` event after it.
    :param target_statuses: Optional. Statuses that mean success (``("succeeded",)``).
    :param failure_statuses: Optional. Statuses that mean failure (``("failed", "terminated")``); any
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
        target_statuses: Sequence[str] = ("succeeded",),
        failure_statuses: Sequence[str] = ("failed", "terminated"),
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
        self.target_statuses = list(check_statuses("target_statuses", target_statuses))
        self.failure_statuses = list(check_statuses("failure_statuses", failure_statuses))
        self.stream_logs = bool(stream_logs)
        self.log_cursor = RunLogCursor.from_dict(log_cursor)
        self.stop_on_kill = bool(stop_on_kill)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                **self._base_kwargs(),
                "target_statuses": list(self.target_statuses),
                "failure_statuses": list(self.failure_statuses),
                "stream_logs": self.stream_logs,
                "log_cursor": self.log_cursor.to_dict(),
                "stop_on_kill": self.stop_on_kill,
            },
        )

    async def poll_once(self, api: Any) -> dict[str, Any] | None:
        from paddleflow_provider.client import PaddleFlowError

        info = await api.show_run(self.run_id)
        status = (info.status or "").lower()
        if self.stream_logs:
            try:
                for step, line in await aread_new_lines(api, self.run_id, info, self.log_cursor):
                    self.log.info("[%s] %s", step, line)
            except PaddleFlowError as err:  # logs are a courtesy; they never decide the outcome
                self.log.warning("could not read logs of PaddleFlow run %s: %s", self.run_id, err)
        message = getattr(info, "message", "") or ""
        if status in self.target_statuses:
            return {"status": "success", "run_id": self.run_id, "run_status": status, "message": message}
        if status in self.failure_statuses or is_final(status):
            return {"status": "failure", "run_id": self.run_id, "run_status": status, "message": message}
        self.log.info("PaddleFlow run %s is %s", self.run_id, status)
        return None

    async def on_kill(self) -> None:
        """Airflow 3.3+: a user marked the deferred task failed/success or cleared it: stop the run."""
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
