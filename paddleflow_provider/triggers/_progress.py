"""Where a log-streaming trigger keeps how far it has written the run's step lines.

Why: a triggerer restart rebuilds every trigger from its ``serialize()`` output, and that holds the
log cursor of the moment the task *deferred*. A trigger that had written lines since then wrote
them again after the restart (issue 9, item 3: 4 of 13 lines twice). ``serialize()`` cannot change
while the trigger runs, so the progress has to live outside the trigger.

What each Airflow version offers a trigger:

* Airflow 3.3's task state store (AIP-103, used by ``runs/task_state.py``) is **not** reachable from
  the triggerer: its trigger runner forwards Variables, XComs, connections and asset state to the
  supervisor, not the task state store.
* **Airflow Variables** are: through the triggerer's supervisor comms on 3.x (also in ``dag.test()``,
  whose in-process supervisor answers them), and through the metadata DB on 2.11. The progress is
  one Variable per task-instance try and PaddleFlow run (the try, because each try has its own log),
  written after each poll that wrote lines, and deleted when the trigger sends its event. Calls run
  in a worker thread (``asyncio.to_thread``): the comms and the DB are synchronous. Not asgiref's
  ``sync_to_async``: when the task awaiting it is cancelled, it waits for the thread and then
  returns, or raises a *new* ``CancelledError`` without the cancel's message. A user's mark-failed
  that landed during a write was then lost, so the triggerer never called ``on_kill`` and the run
  went on (seen in the deployment test; ``tests/airflow/test_trigger_cancel.py``). Awaiting the
  thread's future directly passes the cancellation through as it came; the write itself finishes
  in its thread.
* Where neither works (a trigger with no task instance, e.g. run by hand in an event loop, or a
  Variable store that refuses), the trigger writes one marker line before its first lines, saying
  that lines after a triggerer restart may repeat earlier ones (see the operators' docs).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from paddleflow_provider.runs.identity import identity_token

log = logging.getLogger(__name__)

#: Written once before the first streamed lines of a trigger that has no place to keep its progress.
REPEAT_MARKER = (
    "[paddleflow-provider: no place to keep log progress in this triggerer; after a triggerer "
    "restart, the lines below may repeat lines written before it]"
)


def progress_key(task_instance: Any, run_id: str) -> str | None:
    """The Variable key of one task-instance try's progress on ``run_id``, or None without a TI."""
    if task_instance is None or not getattr(task_instance, "dag_id", None):
        return None
    token = identity_token({"ti": task_instance})
    try_number = getattr(task_instance, "try_number", None) or 0
    return f"paddleflow_provider.trigger_log_progress.{token}.{try_number}.{run_id}"


class LogProgress:
    """``load``/``save``/``forget`` a trigger's log cursor (plain JSON) in an Airflow Variable."""

    def __init__(self, key: str | None) -> None:
        self.key = key
        #: False once the store failed (or there is no key): the marker line is the fallback.
        self.available = key is not None

    async def _call(self, name: str, *args: Any) -> Any:
        from paddleflow_provider._compat import Variable

        return await asyncio.to_thread(getattr(Variable, name), *args)

    async def load(self) -> dict[str, Any] | None:
        """The saved cursor, or None (nothing saved, or no store)."""
        if not self.available:
            return None
        try:
            raw = await self._call("get", self.key, None)  # the default: None when nothing was saved
        except Exception as err:  # no store here (no comms, no DB)
            self._unavailable(err)
            return None
        try:
            value = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    async def save(self, cursor: dict[str, Any]) -> None:
        if not self.available:
            return
        try:
            await self._call("set", self.key, json.dumps(cursor))
        except Exception as err:
            self._unavailable(err)

    async def forget(self) -> None:
        """Best effort: a leftover Variable must never fail the trigger."""
        if not self.available:
            return
        try:
            await self._call("delete", self.key)
        except Exception:
            log.debug("could not delete the log progress %r", self.key, exc_info=True)

    def _unavailable(self, err: Exception) -> None:
        log.warning("cannot keep log progress in Airflow Variables (%s); lines may repeat on restart", err)
        self.available = False
