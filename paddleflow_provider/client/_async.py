"""The asynchronous transport and ``AsyncPaddleFlowAPI`` (used by deferrable triggers).

Thin by design: the same ``Call`` definitions and answer parsing (``_core``) and the same driver
(``_drive``: auth, re-login, retries, waits, look-ups) as the sync path; only the byte moving (httpx,
imported lazily), the lock and the awaiting differ.
One ``httpx.AsyncClient`` per API object; never blocks the event loop (sleeps are ``asyncio.sleep``).
"""

from __future__ import annotations

import asyncio
import functools
import os
import ssl
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from ._auth import Auth
from ._config import ClientConfig
from ._core import Prepared, Raw, connection_error, raw_answer, ssl_reason, tls_failure
from ._drive import Driver, Sleep, Steps
from ._exceptions import PaddleFlowError
from .endpoints._common import ITERATORS, REGISTRY, PageWalk, endpoint_method

T = TypeVar("T")


_LOGIN_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Any, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


@functools.lru_cache(maxsize=16)
def ssl_context(verify: bool | str) -> ssl.SSLContext:
    """One TLS context per verify setting, shared by every async client in the process.

    Building one loads the CA bundle (about 30 ms of CPU); triggers open a client per poll, so doing
    that each time would block the event loop for seconds when a thousand of them poll at once.
    """
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if isinstance(verify, str):
        if os.path.isdir(verify):
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    try:
        import certifi
    except ImportError:  # pragma: no cover - httpx depends on certifi
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


class AsyncTransport:
    def __init__(
        self, config: ClientConfig, *, sleep: Callable[[float], Awaitable[None]] | None = None
    ) -> None:
        import httpx  # lazily: only the async face needs it

        self._httpx = httpx
        self.config = config
        self.auth = Auth(config.username, config.password, config.base_url)
        self.driver = Driver(config, self.auth)
        connect, read = config.timeout
        self.client = httpx.AsyncClient(
            verify=ssl_context(config.verify_arg),
            timeout=httpx.Timeout(read, connect=connect),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            follow_redirects=False,
        )
        self._sleep = sleep or asyncio.sleep

    async def aclose(self) -> None:
        await self.client.aclose()

    async def run(self, job: Any) -> Any:
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
        reply: Any = None
        error: PaddleFlowError | None = None
        while True:
            try:
                step = steps.send(reply) if error is None else steps.throw(error)
            except StopIteration as stop:
                return stop.value
            reply = error = None
            if type(step) is Prepared:
                try:
                    reply = await self._send(step)
                except PaddleFlowError as exc:
                    error = exc
            elif type(step) is Sleep:
                await self._sleep(step.seconds)
            else:
                try:
                    async with self._lock():
                        reply = await self._drive(step.steps)
                except PaddleFlowError as exc:
                    error = exc

    async def _send(self, p: Prepared) -> Raw:
        httpx = self._httpx
        try:
            resp = await self.client.request(
                p.method, p.url, params=p.params, content=p.content, headers=p.headers
            )
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


def _async_method(name: str, builder: Callable[..., Any]) -> Callable[..., Any]:
    async def method(self: AsyncPaddleFlowAPI, *args: Any, **kwargs: Any) -> Any:
        return await self._transport.run(builder(*args, **kwargs))

    return endpoint_method(method, "AsyncPaddleFlowAPI", name, builder)


class AsyncPaddleFlowAPI:
    """Async typed face: every endpoint method of ``PaddleFlowAPI`` as a coroutine (``mount`` excepted).

    Use as ``async with AsyncPaddleFlowAPI(config) as api: run = await api.show_run(run_id)``.
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

    async def login(self, user_name: str | None = None, password: str | None = None) -> None:
        await self._transport.login(user_name, password)

    async def _iterate(self, iterator: str, filters: dict[str, Any]) -> AsyncIterator[Any]:
        """``PaddleFlowAPI._iterate`` awaiting each page: the same ``ITERATORS`` table and ``PageWalk``."""
        list_page = getattr(self, ITERATORS[iterator][0])
        pages = PageWalk(iterator, filters)
        while True:
            page = await list_page(marker=pages.marker, **pages.filters)
            for item in page.items:
                yield item
            if not pages.advance(page):
                return


def _aiter_method(name: str, list_name: str) -> Callable[..., AsyncIterator[Any]]:
    def method(self: AsyncPaddleFlowAPI, **filters: Any) -> AsyncIterator[Any]:
        return self._iterate(name, filters)

    method.__name__ = name
    method.__qualname__ = f"AsyncPaddleFlowAPI.{name}"
    method.__doc__ = f"Every item of ``{list_name}`` (same filters), across all pages, as an async iterator."
    return method


for _name, _builder in REGISTRY.items():
    if not hasattr(AsyncPaddleFlowAPI, _name):
        setattr(AsyncPaddleFlowAPI, _name, _async_method(_name, _builder))
for _name, (_list, _size) in ITERATORS.items():
    setattr(AsyncPaddleFlowAPI, _name, _aiter_method(_name, _list))
