"""One status poller per event loop and connection, shared by every PaddleFlow trigger watching a run.

Why: a triggerer runs hundreds of deferred tasks in one event loop. Polled one trigger at a time,
1,000 runs cost 1,000 ``GET /run/{id}`` requests (and as many client objects and TCP connections)
per interval. Here every trigger of the loop that uses the same connection *joins* one
:class:`StatusGroup`; the group reads the status of every run it watches with one
``GET /run?runFilter=<ids>`` per round (chunked to the server's ``maxKeys`` and a URL length budget),
over one client, so one connection pool per server.

What stays true, and how:

* **Each trigger's interval.** A watch says when it next wants a status (``due``). A round reads
  every watch that is due, plus those due within half their interval (so watches started at
  different moments fall into step after one round instead of each costing a request). A status a
  trigger acts on was read at most one of *its* intervals after the previous one, and a new watch
  gets its first status at once, as a trigger polling alone would.
* **A run missing from the list** (deleted, or not visible to this connection's user: non-root
  lists are limited to the caller's runs) is looked up alone with ``show_run``: its trigger gets its
  own not-found / access-denied error, the other watches their statuses.
* **A transient error** of a round is handed to every watch of that round (each trigger logs it and
  decides against its own deadline) and the group backs off with the one back-off rule; a watch
  with a deadline is due at that deadline at the latest, so the deadline still holds.
* **Leaving.** A trigger leaves the group the moment its ``run()`` ends, is closed or is cancelled
  (task killed, triggerer shutting down): :meth:`Member.leave` is synchronous, so it also works in
  a ``finally`` of a cancelled coroutine. The last member leaving cancels the poller, whose own
  ``finally`` closes the client.
* **Keyed per event loop** because the client's connection pool, locks and futures belong to the
  loop that made them: Airflow 2.11 and 3.x triggerers each run one loop, but ``dag.test()`` runs
  each trigger inline in a loop of its own, and a group must never outlive its loop. **Keyed per
  connection id** because a connection is a server *and* a user, and what a list shows depends on
  both. Nothing here is serialized: a triggerer restart rebuilds the triggers from their kwargs and
  the group forms again.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import weakref
from collections.abc import Callable, Coroutine, Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from paddleflow_provider.runs.backoff import TransientBackoff
from paddleflow_provider.runs.waiting import seconds_until

if TYPE_CHECKING:
    from paddleflow_provider.client import AsyncPaddleFlowAPI, RunInfo

log = logging.getLogger(__name__)

#: ``maxKeys`` accepted by ``GET /run`` (1..1000).
MAX_KEYS = 1000
#: Characters of the encoded ``runFilter`` value per request: the whole request line stays well
#: under the 8 KiB that common proxies and servers accept for it.
MAX_FILTER_CHARS = 6000


def chunk_run_ids(run_ids: Sequence[str]) -> list[list[str]]:
    """Split ``run_ids`` into ``runFilter`` lists within ``MAX_KEYS`` ids and ``MAX_FILTER_CHARS``."""
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for run_id in run_ids:
        cost = len(quote(run_id, safe="")) + (3 if current else 0)  # "%2C" between ids
        if current and (len(current) >= MAX_KEYS or size + cost > MAX_FILTER_CHARS):
            chunks.append(current)
            current, size = [], 0
            cost = len(quote(run_id, safe=""))
        current.append(run_id)
        size += cost
    if current:
        chunks.append(current)
    return chunks


@dataclasses.dataclass(eq=False)
class _Watch:
    """One trigger's interest in one run."""

    run_id: str
    interval: float
    deadline: float | None  # epoch seconds
    due: float  # loop time at which this watch wants its next status
    waiter: asyncio.Future[RunInfo] | None = None

    def wants_status(self) -> bool:
        return self.waiter is not None and not self.waiter.done()

    def next_due(self, loop_now: float, wait: float) -> float:
        """``loop_now + wait``, but never after the deadline: a status must be read at the deadline."""
        return loop_now + seconds_until(self.deadline, wait)


class StatusGroup:
    """The poller and the client shared by the triggers of one event loop and one connection."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        conn_id: str,
        open_api: Callable[[], Coroutine[Any, Any, AsyncPaddleFlowAPI]],
    ) -> None:
        self.loop = loop
        self.conn_id = conn_id
        self._watches: set[_Watch] = set()
        self._wake = asyncio.Event()
        self._api_task: asyncio.Task[AsyncPaddleFlowAPI] = loop.create_task(open_api())
        self._poller: asyncio.Task[None] = loop.create_task(self._poll_forever())
        #: Requests sent by rounds (list and show), for tests and the bench.
        self.requests = 0

    @property
    def closed(self) -> bool:
        return self._poller.done()

    async def api(self) -> AsyncPaddleFlowAPI:
        """The group's client (one connection pool for every member)."""
        return await asyncio.shield(self._api_task)

    # -- members ---------------------------------------------------------------------------------------

    def _add(self, watch: _Watch) -> None:
        self._watches.add(watch)
        self._wake.set()

    def _remove(self, watch: _Watch) -> None:
        self._watches.discard(watch)
        if watch.waiter is not None and not watch.waiter.done():
            watch.waiter.cancel()
        if not self._watches:
            self.close()

    def _want(self, watch: _Watch) -> asyncio.Future[RunInfo]:
        watch.waiter = self.loop.create_future()
        self._wake.set()
        return watch.waiter

    def close(self) -> None:
        """Stop the poller (its ``finally`` closes the client) and forget the group."""
        groups = _GROUPS.get(self.loop)
        if groups is not None and groups.get(self.conn_id) is self:
            del groups[self.conn_id]
        self._poller.cancel()

    # -- the poller ------------------------------------------------------------------------------------

    async def _poll_forever(self) -> None:
        try:
            api = await asyncio.shield(self._api_task)
        except Exception:  # no client: each member sees the error from ``api()``; the group ends
            self.close()
            return
        try:
            backoff: TransientBackoff | None = None
            while True:
                batch = await self._next_batch()
                err = await self._round(api, batch)
                if err is None:
                    backoff = None
                    continue
                intervals = min(w.interval for w in batch)
                backoff = backoff or TransientBackoff(intervals)
                wait = backoff.next_wait()
                log.warning(
                    "PaddleFlow status round for %d run(s) on %r failed (%s); next round in %.0f s",
                    len(batch),
                    self.conn_id,
                    err,
                    wait,
                )
                now = self.loop.time()
                for watch in batch:
                    watch.due = watch.next_due(now, wait)
        finally:
            if self._api_task.done() and not self._api_task.cancelled() and not self._api_task.exception():
                await self._api_task.result().aclose()
            else:
                self._api_task.cancel()

    async def _next_batch(self) -> list[_Watch]:
        """Wait until some watch wants a status and is due; return every watch that joins the round."""
        while True:
            self._wake.clear()
            waiting = [w for w in self._watches if w.wants_status()]
            now = self.loop.time()
            if waiting:
                earliest = min(w.due for w in waiting)
                if earliest <= now:
                    # Triggers started by the same loop iteration are still joining: let them in.
                    await asyncio.sleep(0)
                    now = self.loop.time()
                    return [w for w in self._watches if w.wants_status() and w.due <= now + w.interval / 2]
                with contextlib.suppress(TimeoutError):  # a watch fell due
                    await asyncio.wait_for(self._wake.wait(), earliest - now)
            else:
                await self._wake.wait()

    async def _round(self, api: AsyncPaddleFlowAPI, batch: list[_Watch]) -> Exception | None:
        """Read the status of every run of ``batch`` and hand each watch its outcome.

        Returns the transient error that ended the round (already handed to the watches), or None.
        """
        from paddleflow_provider.client import TransientError

        started = self.loop.time()
        run_ids = sorted({w.run_id for w in batch})
        try:
            found = await self._list(api, run_ids)
            missing = [run_id for run_id in run_ids if run_id not in found]
            singles = await asyncio.gather(*(self._show(api, run_id) for run_id in missing))
        except TransientError as err:
            for watch in batch:
                _settle(watch, error=err)
            return err
        outcomes: dict[str, RunInfo | Exception] = {**found, **dict(zip(missing, singles, strict=True))}
        for watch in batch:
            watch.due = watch.next_due(started, watch.interval)
            outcome = outcomes[watch.run_id]
            if isinstance(outcome, Exception):
                _settle(watch, error=outcome)
            else:
                _settle(watch, info=outcome)
        return None

    async def _list(self, api: AsyncPaddleFlowAPI, run_ids: list[str]) -> dict[str, RunInfo]:
        async def one(chunk: list[str]) -> list[RunInfo]:
            self.requests += 1
            page = await api.list_run(run_id=",".join(chunk), maxsize=len(chunk))
            return list(page)

        pages = await asyncio.gather(*(one(chunk) for chunk in chunk_run_ids(run_ids)))
        wanted = set(run_ids)
        return {info.run_id: info for page in pages for info in page if info.run_id in wanted}

    async def _show(self, api: AsyncPaddleFlowAPI, run_id: str) -> RunInfo | Exception:
        """A run the list did not show: its own status, or the permanent error that says why not."""
        from paddleflow_provider.client import PaddleFlowError, TransientError

        self.requests += 1
        try:
            return await api.show_run(run_id)
        except TransientError:
            raise
        except PaddleFlowError as err:
            return err


def _settle(watch: _Watch, *, info: RunInfo | None = None, error: Exception | None = None) -> None:
    if not watch.wants_status():
        return
    assert watch.waiter is not None
    if error is not None:
        watch.waiter.set_exception(error)
    else:
        watch.waiter.set_result(info)  # type: ignore[arg-type]  # info is set when error is not


_GROUPS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, StatusGroup]] = (
    weakref.WeakKeyDictionary()
)


def group_of(conn_id: str) -> StatusGroup | None:
    """The running loop's group for ``conn_id`` (None when no trigger of it is watching a run)."""
    groups = _GROUPS.get(asyncio.get_running_loop())
    group = None if groups is None else groups.get(conn_id)
    return None if group is None or group.closed else group


def groups_of_loop() -> Iterator[StatusGroup]:
    """Every live group of the running loop (tests and the bench count their requests)."""
    yield from list((_GROUPS.get(asyncio.get_running_loop()) or {}).values())


class Member:
    """One trigger's membership: :meth:`next_status` to wait for a status, :meth:`leave` when done."""

    def __init__(self, group: StatusGroup, watch: _Watch) -> None:
        self.group = group
        self._watch = watch

    async def next_status(self) -> RunInfo:
        """The run's status from the next round this watch is due in.

        Raises the round's ``TransientError`` (the trigger decides whether its deadline passed), or the
        run's own permanent error (``NotFoundError``, ``PermissionDeniedError``).
        """
        await self.group.api()  # the connection's own error (missing, malformed) reaches every member
        return await self.group._want(self._watch)

    async def api(self) -> AsyncPaddleFlowAPI:
        return await self.group.api()

    def leave(self) -> None:
        self.group._remove(self._watch)

    def __enter__(self) -> Member:
        return self

    def __exit__(self, *exc: object) -> None:
        self.leave()


def join(
    conn_id: str,
    run_id: str,
    *,
    interval: float,
    deadline: float | None,
    open_api: Callable[[], Coroutine[Any, Any, AsyncPaddleFlowAPI]],
) -> Member:
    """Join the running loop's group for ``conn_id`` (forming it, with ``open_api``, if needed).

    Use as ``with join(...) as member:`` so that leaving happens however the trigger ends.
    """
    loop = asyncio.get_running_loop()
    groups = _GROUPS.setdefault(loop, {})
    group = groups.get(conn_id)
    if group is None or group.closed:
        group = groups[conn_id] = StatusGroup(loop, conn_id, open_api)
    watch = _Watch(run_id=run_id, interval=interval, deadline=deadline, due=loop.time())
    group._add(watch)
    return Member(group, watch)
