"""The asynchronous transport and ``AsyncPaddleFlowAPI`` (used by deferrable triggers).

Thin by design: the same ``Call`` definitions, auth rules, retry policy and answer parsing as the
sync path (``_core``/``_retry``); only the byte moving (httpx, imported lazily) and the awaiting differ.
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

import tenacity

from ._config import ClientConfig
from ._core import (
    REQUEST_ID_HEADER,
    Call,
    CallState,
    Prepared,
    Raw,
    Relogin,
    connection_error,
    finish,
    note_failure,
    prepare,
    ssl_reason,
    tls_failure,
)
from ._exceptions import APIConnectionError, PaddleFlowError
from ._retry import is_retryable, mark_exhausted, retry_kwargs
from ._sync import Auth
from .endpoints._common import REGISTRY

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
        connect, read = config.timeout
        self.client = httpx.AsyncClient(
            verify=ssl_context(config.verify_arg),
            timeout=httpx.Timeout(read, connect=connect),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            follow_redirects=False,
        )
        self._retry = retry_kwargs(config)
        self._sleep = sleep or asyncio.sleep

    async def aclose(self) -> None:
        await self.client.aclose()

    async def run(self, job: Any) -> Any:
        if isinstance(job, Call):
            return await self.execute(job)
        try:
            call = next(job)
            while True:
                try:
                    result = await self.execute(call)
                except PaddleFlowError as exc:
                    call = job.throw(exc)
                    continue
                call = job.send(result)
        except StopIteration as stop:
            return stop.value

    async def execute(self, call: Call[T]) -> T:
        """One call with the shared rules. The first attempt skips tenacity (the common, successful
        case stays cheap); a retryable failure is replayed into tenacity, which then owns the waits."""
        state = CallState()
        try:
            return await self._attempt(call, state)
        except PaddleFlowError as exc:
            if not is_retryable(exc) or self.config.max_attempts <= 1:
                mark_exhausted(exc)
                raise
            first: PaddleFlowError | None = exc
        try:
            async for attempt in tenacity.AsyncRetrying(sleep=self._sleep, **self._retry):
                with attempt:
                    if first is not None:
                        replay, first = first, None
                        raise replay
                    if state.ambiguous and call.landed is not None:
                        found = await self.run(call.landed())
                        if found is not None:
                            return found.value
                    return await self._attempt(call, state)
        except PaddleFlowError as exc:
            mark_exhausted(exc)
            raise
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    def _lock(self) -> asyncio.Lock:
        """The login lock shared by every client of this event loop with the same credentials, so a
        burst of new clients (one per trigger poll) logs in once."""
        locks = _LOGIN_LOCKS.setdefault(asyncio.get_running_loop(), {})
        key = self.auth.key()
        if key not in locks:
            locks[key] = asyncio.Lock()
        return locks[key]

    async def login(self, username: str | None = None, password: str | None = None) -> None:
        self.auth.token = await self.execute(self.auth.login_call(username, password))

    async def _token_for(self, call: Call[Any]) -> str | None:
        if not call.auth:
            return None
        if self.auth.token is None and self.auth.can_login:
            async with self._lock():
                if self.auth.token is None:
                    await self.login()
        return self.auth.token

    async def _attempt(self, call: Call[T], state: CallState) -> T:
        while True:
            token = await self._token_for(call)
            prepared = prepare(self.config, call, token)
            try:
                raw = await self._send(call, prepared)
            except APIConnectionError as exc:
                error = note_failure(call, state, exc)
                if error is exc:
                    raise
                raise error from exc
            try:
                return finish(call, state, raw, can_relogin=self.auth.can_login)
            except Relogin:
                self.auth.drop(token)

    async def _send(self, call: Call[Any], p: Prepared) -> Raw:
        httpx = self._httpx
        try:
            resp = await self.client.request(
                p.method, p.url, params=p.params, content=p.content, headers=p.headers
            )
        except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise connection_error(call, "connect timeout", sent=False, timeout=True) from exc
        except httpx.TimeoutException as exc:
            raise connection_error(call, "read timeout (no answer)", sent=True, timeout=True) from exc
        except httpx.ConnectError as exc:
            if ssl_reason(exc) is not None:
                raise tls_failure(call, exc) from exc
            raise connection_error(
                call, f"could not connect ({self.config.base_url})", sent=False, timeout=False
            ) from exc
        except httpx.TransportError as exc:
            raise connection_error(
                call, f"connection lost before an answer ({self.config.base_url})", sent=True, timeout=False
            ) from exc
        except httpx.HTTPError as exc:  # bad URL, invalid header ...: not retryable
            raise PaddleFlowError(f"{call.name}: request failed: {type(exc).__name__}: {exc}") from exc
        headers = {k.lower(): v for k, v in resp.headers.items()}
        return Raw(resp.status_code, headers, resp.content, headers.get(REQUEST_ID_HEADER, p.request_id))


def _async_method(name: str, builder: Callable[..., Any]) -> Callable[..., Any]:
    async def method(self: AsyncPaddleFlowAPI, *args: Any, **kwargs: Any) -> Any:
        return await self._transport.run(builder(*args, **kwargs))

    method.__name__ = name
    method.__qualname__ = f"AsyncPaddleFlowAPI.{name}"
    method.__doc__ = builder.__doc__
    method.__wrapped__ = builder  # type: ignore[attr-defined]
    return method


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

    async def iter_runs(self, **filters: Any) -> AsyncIterator[Any]:
        """Every run matching the ``list_run`` filters, across all pages."""
        marker = filters.pop("marker", None)
        while True:
            page = await self.list_run(marker=marker, **filters)  # type: ignore[attr-defined]
            for item in page.items:
                yield item
            if not page.next_marker or page.next_marker == marker:
                return
            marker = page.next_marker


for _name, _builder in REGISTRY.items():
    if not hasattr(AsyncPaddleFlowAPI, _name):
        setattr(AsyncPaddleFlowAPI, _name, _async_method(_name, _builder))
