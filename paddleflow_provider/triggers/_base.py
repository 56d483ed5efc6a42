"""The polling loop both PaddleFlow triggers share.

What it guarantees (each one a known failure of other providers' triggers):

* **Never blocks the event loop.** The client package is imported in a worker thread (``_imports``),
  the connection is resolved with ``aget_connection`` (or a thread on 2.x) and every request goes
  through the async client; no sync I/O runs in the loop thread.
* **Shares one status poller.** Every trigger of the event loop on the same connection reads its
  run's status from one ``GET /run?runFilter=...`` round over one client (``_shared_status``).
* **Rides out transient errors.** Connection errors, timeouts, 429 and 5xx are already retried by
  the client; if its budget runs out, the trigger logs, the shared poller backs off (the one rule
  of :mod:`paddleflow_provider.runs.backoff`) and polls again, each trigger until its own
  deadline. Only permanent errors (not found, access denied, bad credentials) end it.
* **Wall-clock deadline** (epoch seconds), checked *after* a fresh status read, so a run that
  finished just before the deadline is reported as finished, not timed out.
* **Restart-safe.** A triggerer restart rebuilds the trigger from :meth:`serialize` and ``run()``
  starts polling again; it never submits anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from paddleflow_provider._compat import BaseTrigger, TriggerEvent
from paddleflow_provider.runs.waiting import deadline_passed, seconds_until
from paddleflow_provider.triggers._imports import load_off_loop
from paddleflow_provider.triggers._shared_status import join

if TYPE_CHECKING:
    from paddleflow_provider.client import AsyncPaddleFlowAPI, RunInfo
    from paddleflow_provider.hooks.paddleflow import PaddleFlowHook


def event_problem(event: Any, trigger: str, fields: dict[str, tuple[str, ...]]) -> str | None:
    """Why ``event`` is not a well-formed event of ``trigger``, or None if it is.

    ``fields`` maps each status the trigger emits to the string fields that status carries. Every
    ``execute_complete`` checks this first: a missing or malformed event (a hand-written event, an
    event from another provider version) must fail clearly, never resume as a success with an
    empty run id or a line ``"None"``.
    """
    if not isinstance(event, dict):
        return f"{trigger} resumed the task without an event (got {event!r})"
    status = event.get("status")
    if status not in fields:
        return f"{trigger} sent an event with status {status!r}; expected one of {sorted(fields)}: {event!r}"
    if not isinstance(event.get("run_id"), str) or not event["run_id"]:
        return f"{trigger} sent a {status!r} event without a run_id: {event!r}"
    missing = [name for name in fields[status] if not isinstance(event.get(name), str)]
    if missing:
        return f"{trigger} sent a {status!r} event without {', '.join(missing)}: {event!r}"
    return None


class PaddleFlowPollingTrigger(BaseTrigger):
    """Base: subclasses implement :meth:`on_status` (return an event payload, or None to keep going)."""

    def __init__(
        self,
        *,
        run_id: str,
        paddleflow_conn_id: str = "paddleflow_default",
        poll_interval: float = 10.0,
        deadline: float | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Airflow's BaseTrigger.__init__ is unannotated
        if not isinstance(run_id, str) or not run_id:
            raise ValueError(f"run_id must be a non-empty string, got {run_id!r}")
        if isinstance(poll_interval, bool) or not isinstance(poll_interval, int | float) or poll_interval < 0:
            raise ValueError(f"poll_interval must be a number of seconds >= 0, got {poll_interval!r}")
        if deadline is not None and (isinstance(deadline, bool) or not isinstance(deadline, int | float)):
            raise ValueError(f"deadline must be epoch seconds (a number) or None, got {deadline!r}")
        self.run_id = run_id
        self.paddleflow_conn_id = paddleflow_conn_id
        self.poll_interval = float(poll_interval)
        self.deadline = float(deadline) if deadline is not None else None

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """The class path and the keyword arguments that rebuild this trigger in the triggerer:
        the polling ones here, a subclass's own from :meth:`own_kwargs` (plain JSON values only;
        never a secret: the connection is looked up again by id)."""
        base = {
            "run_id": self.run_id,
            "paddleflow_conn_id": self.paddleflow_conn_id,
            "poll_interval": self.poll_interval,
            "deadline": self.deadline,
        }
        return f"{type(self).__module__}.{type(self).__qualname__}", {**base, **self.own_kwargs()}

    def own_kwargs(self) -> dict[str, Any]:
        """A subclass's own constructor arguments, as plain JSON values."""
        return {}

    def _hook(self) -> PaddleFlowHook:
        from paddleflow_provider.hooks.paddleflow import PaddleFlowHook

        return PaddleFlowHook(paddleflow_conn_id=self.paddleflow_conn_id)

    async def _open_api(self) -> AsyncPaddleFlowAPI:
        return await self._hook().get_async_api()

    async def poll_once(self, api: AsyncPaddleFlowAPI) -> dict[str, Any] | None:
        """One stand-alone poll: read the run's status with ``api`` and decide (tests, one-off checks)."""
        return await self.on_status(api, await api.show_run(self.run_id))

    async def on_status(self, api: AsyncPaddleFlowAPI, info: RunInfo) -> dict[str, Any] | None:
        """Decide on a fresh status ``info`` of the run: an event payload, or None to keep waiting.

        ``info`` comes from the shared status poller (list fields only: no ``runtime``); ``api`` is the
        shared client, for any further reads (logs).
        """
        raise NotImplementedError

    def timeout_event(self) -> dict[str, Any]:
        return {
            "status": "timeout",
            "run_id": self.run_id,
            "message": f"PaddleFlow run {self.run_id} did not finish before the deadline",
        }

    def error_event(self, err: Exception) -> dict[str, Any]:
        return {
            "status": "error",
            "run_id": self.run_id,
            "message": f"PaddleFlow run {self.run_id}: {type(err).__name__}: {err}",
        }

    def _status_wait_limit(self) -> float | None:
        """How long to wait for a status round: the status read at the deadline gets one more interval
        to arrive (a round slowed by the client's retries must not hold the trigger past it)."""
        if self.deadline is None:
            return None
        return seconds_until(self.deadline, float("inf")) + max(self.poll_interval, 1.0)

    async def _wait_for_event(self) -> dict[str, Any]:
        """Follow the run through the shared status poller until an event is due.

        The membership is left before the event is yielded, and however this coroutine ends
        (cancelled by a task kill or a triggerer shutdown included).
        """
        from paddleflow_provider.client import PaddleFlowError, TransientError

        with join(
            self.paddleflow_conn_id,
            self.run_id,
            interval=self.poll_interval,
            deadline=self.deadline,
            open_api=self._open_api,
        ) as member:
            while True:
                try:
                    # asyncio.timeout, not wait_for: on Python 3.11, wait_for returns the inner result
                    # when a cancel lands in the loop turn that result arrives in, and the cancel (a
                    # user's mark-failed, which must reach on_kill) is lost.
                    async with asyncio.timeout(self._status_wait_limit()):
                        info = await member.next_status()
                    event = await self.on_status(await member.api(), info)
                except TimeoutError:
                    return self.timeout_event()
                except TransientError as err:
                    self.log.warning(
                        "PaddleFlow run %s: transient error while polling (%s); retrying", self.run_id, err
                    )
                    if deadline_passed(self.deadline):
                        return self.timeout_event()
                    continue
                except PaddleFlowError as err:
                    return self.error_event(err)
                if event is not None:
                    return event
                if deadline_passed(self.deadline):
                    return self.timeout_event()

    async def run(self) -> AsyncIterator[TriggerEvent]:
        await load_off_loop()
        event = await self._wait_for_event()
        await self.finished()
        yield TriggerEvent(event)

    async def finished(self) -> None:
        """Called once the event is decided, before it is sent: clean up what outlives a poll."""
