"""The polling loop both PaddleFlow triggers share.

What it guarantees (each one a known failure of other providers' triggers):

* **Never blocks the event loop.** The connection is resolved with ``aget_connection`` (or a thread
  on 2.x) and every request goes through the async client; no sync I/O runs in the loop thread.
* **Rides out transient errors.** Connection errors, timeouts, 429 and 5xx are already retried by
  the client; if its budget runs out, the trigger logs, backs off (the one rule of
  :mod:`paddleflow_provider.runs.backoff`) and polls again until its deadline. Only permanent
  errors (not found, access denied, bad credentials) end it.
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
from paddleflow_provider.runs.backoff import TransientBackoff
from paddleflow_provider.runs.waiting import deadline_passed, seconds_until

if TYPE_CHECKING:
    from paddleflow_provider.client import AsyncPaddleFlowAPI
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
    """Base: subclasses implement :meth:`poll_once` (return an event payload, or None to keep going)."""

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

    async def poll_once(self, api: AsyncPaddleFlowAPI) -> dict[str, Any] | None:
        raise NotImplementedError

    def timeout_event(self) -> dict[str, Any]:
        return {
            "status": "timeout",
            "run_id": self.run_id,
            "message": f"PaddleFlow run {self.run_id} did not finish before the deadline",
        }

    async def _sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds_until(self.deadline, seconds))

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from paddleflow_provider.client import PaddleFlowError, TransientError

        backoff = TransientBackoff(self.poll_interval)
        while True:
            try:
                api = await self._hook().get_async_api()
                async with api:
                    while True:
                        event = await self.poll_once(api)
                        backoff.reset()
                        if event is not None:
                            yield TriggerEvent(event)
                            return
                        if deadline_passed(self.deadline):
                            yield TriggerEvent(self.timeout_event())
                            return
                        await self._sleep(self.poll_interval)
            except TransientError as err:
                wait = backoff.next_wait()
                self.log.warning(
                    "PaddleFlow run %s: transient error while polling (%s); retrying in %.0f s",
                    self.run_id,
                    err,
                    wait,
                )
                if deadline_passed(self.deadline):
                    yield TriggerEvent(self.timeout_event())
                    return
                await self._sleep(wait)
            except PaddleFlowError as err:
                yield TriggerEvent(
                    {
                        "status": "error",
                        "run_id": self.run_id,
                        "message": f"PaddleFlow run {self.run_id}: {type(err).__name__}: {err}",
                    }
                )
                return
