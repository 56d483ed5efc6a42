"""The asynchronous transport and ``AsyncPaddleFlowAPI`` (used by deferrable triggers).

Thin by design: the same ``Call`` definitions and answer parsing (``_core``) and the same driver
(``_drive``: auth, re-login, retries, waits, look-ups) as the sync path; only the byte moving (httpx,
imported lazily), the lock and the awaiting differ.
One ``httpx.AsyncClient`` per API object; never blocks the event loop (sleeps are ``asyncio.sleep``).
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from .._extras import MissingExtraError, missing_extra_message
from ._auth import Auth
from ._config import ClientConfig
from ._core import (
    Call,
    Flow,
    NoCookies,
    Prepared,
    Raw,
    attempt_seconds,
    connection_error,
    deadline_error,
    raw_answer,
    ssl_reason,
    tls_failure,
)
from ._drive import Driver, Feed, Locked, Sleep, Steps
from ._exceptions import PaddleFlowError
from ._tls import ssl_context, verify_setting
from .endpoints import clusters, fs, pipelines, runs, users, walks
from .endpoints._common import Job, PageWalk, Walk, checked, face_method, takes

P = ParamSpec("P")
T = TypeVar("T")


_LOGIN_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Any, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


async def _without_redirect_target(response: Any) -> None:
    """Drop the ``Location`` of a 3xx answer before httpx reads it (the sync session's
    ``redirect=False``, for httpx).

    The client never follows redirects, yet httpx still builds the next request from ``Location`` and
    raises ``RemoteProtocolError`` (a transport error: retried as a lost connection) when it is not a
    URL. With no target, a 3xx is simply the answer the error mapping reads, as on the sync face.
    """
    if 300 <= response.status_code < 400:
        response.headers.pop("location", None)


class AsyncTransport:
    def __init__(
        self, config: ClientConfig, *, sleep: Callable[[float], Awaitable[None]] | None = None
    ) -> None:
        try:
            import httpx  # lazily: only the async face needs it
        except ImportError:
            raise MissingExtraError(
                missing_extra_message("the async client (AsyncPaddleFlowAPI)", "async", ["httpx"]),
                name="httpx",
            ) from None

        self._httpx = httpx
        self.config = config
        self.auth = Auth(config.username, config.password, config.base_url)
        self.driver = Driver(config, self.auth)
        connect, read = config.timeout
        self.client = httpx.AsyncClient(
            verify=ssl_context(verify_setting(config)),
            timeout=httpx.Timeout(read, connect=connect),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            follow_redirects=False,
            cookies=http.cookiejar.CookieJar(NoCookies()),
            event_hooks={"response": [_without_redirect_target]},
        )
        self._sleep = sleep or asyncio.sleep
        self._attempt_seconds = attempt_seconds(config.timeout)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def run(self, job: Call[T] | Flow[T]) -> T:
        """Execute a call, or drive a flow (generator of calls) to its return value."""
        return await self._drive(self.driver.run(job))

    async def login(self, username: str | None = None, password: str | None = None) -> None:
        await self._drive(self.driver.login(username, password))

    def _lock(self) -> asyncio.Lock:
        """The login lock shared by every client of this event loop with the same credentials, so a
        burst of new clients (one per trigger poll) logs in once."""
        locks = _LOGIN_LOCKS.setdefault(asyncio.get_running_loop(), {})
        key = self.auth.key()
        if key not in locks:
            locks[key] = asyncio.Lock()
        return locks[key]

    async def _drive(self, steps: Steps[T]) -> T:
        """The sync transport's loop over the same steps, awaiting instead of blocking."""
        feed = Feed(steps)
        for step in feed:
            if type(step) is Sleep:
                await self._sleep(step.seconds)
            elif type(step) is Prepared:
                with feed:
                    feed.reply = await self._send(step)
            else:
                with feed:
                    async with self._lock():
                        feed.reply = await self._drive(cast(Locked, step).steps)
        return feed.result

    async def _send(self, p: Prepared) -> Raw:
        httpx = self._httpx
        try:
            # httpx's read timeout bounds each socket read; this bounds the whole attempt, body included
            async with asyncio.timeout(self._attempt_seconds):
                resp = await self.client.request(
                    p.method, p.url, params=tuple(p.params), content=p.content, headers=p.headers
                )
        except TimeoutError as exc:
            raise deadline_error(p.name, self._attempt_seconds) from exc
        except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise connection_error(p.name, "connect timeout", sent=False, timeout=True) from exc
        except httpx.TimeoutException as exc:
            raise connection_error(p.name, "read timeout (no answer)", sent=True, timeout=True) from exc
        except httpx.ConnectError as exc:
            if ssl_reason(exc) is not None:
                raise tls_failure(p.name, exc) from exc
            raise connection_error(
                p.name, f"could not connect ({self.config.base_url})", sent=False, timeout=False
            ) from exc
        except httpx.TransportError as exc:
            raise connection_error(
                p.name, f"connection lost before an answer ({self.config.base_url})", sent=True, timeout=False
            ) from exc
        except httpx.HTTPError as exc:  # bad URL, invalid header ...: not retryable
            raise PaddleFlowError(f"{p.name}: request failed: {type(exc).__name__}: {exc}") from exc
        return raw_answer(p, resp.status_code, resp.headers.items(), resp.content)


def awaitable(
    builder: Callable[P, Job[T]],
) -> Callable[Concatenate[AsyncPaddleFlowAPI, P], Coroutine[Any, Any, T]]:
    """``AsyncPaddleFlowAPI``'s coroutine for ``builder``: ``typed`` (``_api.py``), awaiting."""
    build = checked(builder)

    async def method(self: AsyncPaddleFlowAPI, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._transport.run(build(*args, **kwargs))

    return face_method(builder, method, str)


def async_pages(walk: Callable[P, Walk[T]]) -> Callable[Concatenate[AsyncPaddleFlowAPI, P], AsyncIterator[T]]:
    """``AsyncPaddleFlowAPI``'s ``iter_*`` helper for ``walk``: ``pages`` (``_api.py``), async."""
    build = checked(walk)

    def method(self: AsyncPaddleFlowAPI, /, *args: P.args, **kwargs: P.kwargs) -> AsyncIterator[T]:
        return self._walk(build(*args, **kwargs))

    return face_method(walk, method, "AsyncIterator[{}]".format)


class AsyncPaddleFlowAPI:
    """Async typed face: every endpoint method of ``PaddleFlowAPI`` as a coroutine (``mount`` excepted).

    Use as ``async with AsyncPaddleFlowAPI(config) as api: run = await api.show_run(run_id)``. The
    methods mirror ``PaddleFlowAPI``'s, one for one, each derived from the same builder in one line.
    """

    def __init__(
        self, config: ClientConfig, *, sleep: Callable[[float], Awaitable[None]] | None = None
    ) -> None:
        self.config = config
        self._transport = AsyncTransport(config, sleep=sleep)

    async def __aenter__(self) -> AsyncPaddleFlowAPI:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    @takes()
    async def login(self, user_name: str | None = None, password: str | None = None) -> None:
        await self._transport.login(user_name, password)

    async def _walk(self, walk: Walk[T]) -> AsyncIterator[T]:
        """``PaddleFlowAPI._walk`` awaiting each page (the same ``PageWalk``)."""
        pages = PageWalk(walk.marker)
        while True:
            call = walk.page(pages.marker)
            got = await self._transport.run(call)
            for item in got.items:
                yield item
            if not pages.advance(got, call.name):
                return

    # -- one method per endpoint: ``awaitable(builder)`` ------------------------------------------------
    # users, queues, grants, flavours
    add_user = awaitable(users.add_user)
    del_user = awaitable(users.del_user)
    update_password = awaitable(users.update_password)
    list_user = awaitable(users.list_user)
    grant_queue = awaitable(users.grant_queue)
    ungrant_queue = awaitable(users.ungrant_queue)
    show_queue_grant = awaitable(users.show_queue_grant)
    list_queue = awaitable(users.list_queue)
    show_queue = awaitable(users.show_queue)
    create_queue = awaitable(users.create_queue)
    stop_queue = awaitable(users.stop_queue)
    del_queue = awaitable(users.del_queue)
    list_flavour = awaitable(users.list_flavour)
    # file systems and links
    add_fs = awaitable(fs.add_fs)
    show_fs = awaitable(fs.show_fs)
    list_fs = awaitable(fs.list_fs)
    delete_fs = awaitable(fs.delete_fs)
    add_link = awaitable(fs.add_link)
    delete_link = awaitable(fs.delete_link)
    show_link = awaitable(fs.show_link)
    list_link = awaitable(fs.list_link)
    # runs, run caches, artifacts, logs
    create_run = awaitable(runs.create_run)
    find_run_by_client_token = awaitable(runs.find_run_by_client_token)
    list_run = awaitable(runs.list_run)
    show_run = awaitable(runs.show_run)
    stop_run = awaitable(runs.stop_run)
    delete_run = awaitable(runs.delete_run)
    retry_run = awaitable(runs.retry_run)
    list_cache = awaitable(runs.list_cache)
    show_cache = awaitable(runs.show_cache)
    delete_cache = awaitable(runs.delete_cache)
    list_artifact = awaitable(runs.list_artifact)
    show_log = awaitable(runs.show_log)
    # pipelines and schedules
    create_pipeline = awaitable(pipelines.create_pipeline)
    list_pipeline = awaitable(pipelines.list_pipeline)
    show_pipeline = awaitable(pipelines.show_pipeline)
    delete_pipeline = awaitable(pipelines.delete_pipeline)
    update_pipeline = awaitable(pipelines.update_pipeline)
    show_pipeline_version = awaitable(pipelines.show_pipeline_version)
    delete_pipeline_version = awaitable(pipelines.delete_pipeline_version)
    create_schedule = awaitable(pipelines.create_schedule)
    list_schedule = awaitable(pipelines.list_schedule)
    show_schedule = awaitable(pipelines.show_schedule)
    stop_schedule = awaitable(pipelines.stop_schedule)
    delete_schedule = awaitable(pipelines.delete_schedule)
    # clusters and statistics
    create_cluster = awaitable(clusters.create_cluster)
    list_cluster = awaitable(clusters.list_cluster)
    show_cluster = awaitable(clusters.show_cluster)
    delete_cluster = awaitable(clusters.delete_cluster)
    update_cluster = awaitable(clusters.update_cluster)
    list_cluster_resource = awaitable(clusters.list_cluster_resource)
    get_statistics = awaitable(clusters.get_statistics)
    get_statistics_detail = awaitable(clusters.get_statistics_detail)

    # -- iter_*: every item of a list, across all its pages: ``async_pages(walk)`` ----------------------
    iter_users = async_pages(walks.iter_users)
    iter_queues = async_pages(walks.iter_queues)
    iter_queue_grants = async_pages(walks.iter_queue_grants)
    iter_flavours = async_pages(walks.iter_flavours)
    iter_fs = async_pages(walks.iter_fs)
    iter_links = async_pages(walks.iter_links)
    iter_runs = async_pages(walks.iter_runs)
    iter_caches = async_pages(walks.iter_caches)
    iter_artifacts = async_pages(walks.iter_artifacts)
    iter_pipelines = async_pages(walks.iter_pipelines)
    iter_schedules = async_pages(walks.iter_schedules)
    iter_clusters = async_pages(walks.iter_clusters)
