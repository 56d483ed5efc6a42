"""The synchronous transport: one urllib3 pool manager, bytes in and out, nothing decided here.

What to send, how to read the answer (``_core``), and when to log in, retry, wait, look up or give up
(``_drive``) are shared with the async transport. This module only performs the driver's steps:
it sends with urllib3 (telling "nothing was sent" apart from "sent, no answer" in the errors),
sleeps, and holds a thread lock around logins.

Why urllib3 directly and not a ``requests.Session``: on a kept-alive loopback connection,
``Session.request`` (settings merging, hooks, adapters) costs about as much CPU again as the HTTP
exchange underneath it (a kept-alive loopback GET: 598 us of CPU with a session, 276 us with
urllib3; ``bench/bench_client.py`` measures the client against both ways). The wire stays what
``requests`` sent: the URL is encoded as ``requests`` encodes it, the same default headers are
added, proxies come from the same environment variables, and a body-less
``PUT``/``DELETE`` carries ``Content-Length: 0`` as with ``requests``.
"""

from __future__ import annotations

import threading
import time
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

import requests
import urllib3
import urllib3.exceptions as u3

from ._auth import Auth
from ._config import ClientConfig
from ._core import (
    Call,
    Flow,
    Prepared,
    Raw,
    attempt_seconds,
    connection_error,
    deadline_error,
    raw_answer,
    tls_failure,
)
from ._drive import Driver, Feed, Locked, Sleep, Steps
from ._exceptions import PaddleFlowError
from ._retry import SleepFn
from ._sync_deadline import ANSWER_DEADLINE, DEADLINE_POOLS, DeadlineExceeded
from ._tls import ssl_context, verify_setting

T = TypeVar("T")

#: What ``requests`` adds to every request (the server sees the same headers as before).
_DEFAULT_HEADERS = {"Accept-Encoding": requests.utils.DEFAULT_ACCEPT_ENCODING, "Connection": "keep-alive"}
_POOL_SIZE = 10  # as ``requests``' default adapter: pools kept, connections kept per pool

#: The exchange failed (see ``SyncTransport._transport_error``); other urllib3 errors are not retryable.
_TRANSPORT_ERRORS = (
    u3.SSLError,
    u3.ProxyError,
    u3.ConnectTimeoutError,
    u3.ReadTimeoutError,
    u3.ProtocolError,
)
_NOT_SENT = (u3.NewConnectionError, u3.NameResolutionError, ConnectionRefusedError)


def _never_sent(exc: BaseException) -> bool:
    """A refused or unresolvable connection means nothing was sent."""
    return _caused_by(exc, _NOT_SENT)


def _caused_by(exc: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    """Whether one of ``kinds`` is in ``exc``'s chain or arguments (urllib3 wraps the socket's errors,
    and a proxy's error wraps the connection's)."""
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, kinds):
            return True
        stack.extend([item.__cause__, item.__context__, getattr(item, "reason", None), *item.args])
    return False


def pool_manager(config: ClientConfig) -> urllib3.PoolManager:
    """The client's connections: direct, or through the proxy the environment names for its server
    (``HTTP(S)_PROXY``/``ALL_PROXY``, honouring ``NO_PROXY``, read once, as ``requests`` reads them).

    Every pool reads answers under the attempt's deadline (``_sync_deadline``), except through a
    SOCKS proxy, whose pools have their own connection classes (there, per-read timeouts only).
    """
    proxies = requests.utils.get_environ_proxies(config.base_url)
    proxy = proxies.get(config.scheme) or proxies.get("all")
    tls: dict[str, Any] = {"ssl_context": ssl_context(verify_setting(config))}
    sizes: dict[str, Any] = {"num_pools": _POOL_SIZE, "maxsize": _POOL_SIZE}
    if not proxy:
        manager = urllib3.PoolManager(**sizes, **tls)
    elif proxy.lower().startswith("socks"):
        try:
            from urllib3.contrib.socks import SOCKSProxyManager
        except ImportError:
            raise PaddleFlowError(
                f"the environment sets a SOCKS proxy ({proxy.split('@')[-1]}) for {config.base_url}: "
                "install PySocks to use it, or exclude the server with NO_PROXY"
            ) from None
        return SOCKSProxyManager(proxy, **sizes, **tls)
    else:
        username, password = requests.utils.get_auth_from_url(proxy)
        headers = urllib3.make_headers(proxy_basic_auth=f"{username}:{password}") if username else None
        manager = urllib3.ProxyManager(proxy, proxy_headers=headers, **sizes, **tls)
    manager.pool_classes_by_scheme = DEADLINE_POOLS
    return manager


class SyncTransport:
    """Drives the shared rules (``_drive.Driver``) with blocking I/O: sends, sleeps, a thread lock."""

    def __init__(self, config: ClientConfig, *, sleep: SleepFn | None = None) -> None:
        self.config = config
        self.auth = Auth(config.username, config.password, config.base_url)
        self.driver = Driver(config, self.auth)
        self.pool = pool_manager(config)
        # Every request goes to one server: through an HTTP proxy the manager must build each
        # request, otherwise its pool for the server is kept (``_server_pool``).
        self._direct = not isinstance(self.pool, urllib3.ProxyManager)
        self._server: urllib3.HTTPConnectionPool | None = None
        connect, read = config.timeout
        self._timeout = urllib3.Timeout(connect=connect, read=read)
        self._sleep = sleep or time.sleep
        self._login_lock = threading.Lock()
        self._attempt_seconds = attempt_seconds(config.timeout)

    def close(self) -> None:
        """Close the connections now (the manager's ``clear`` only drops its pools); a later call
        opens new ones."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        self.pool.clear()

    def _server_pool(self) -> urllib3.HTTPConnectionPool:
        """The manager's pool for the server, looked up once rather than on every request (the
        look-up parses the URL and builds a pool key: a tenth of a kept-alive loopback call's CPU)."""
        pool = self._server
        if pool is None:
            pool = self._server = self.pool.connection_from_url(self.config.base_url)
        return pool

    def run(self, job: Call[T] | Flow[T]) -> T:
        """Execute a call, or drive a flow (generator of calls) to its return value."""
        return self._drive(self.driver.run(job))

    def login(self, username: str | None = None, password: str | None = None) -> None:
        self._drive(self.driver.login(username, password))

    def _drive(self, steps: Steps[T]) -> T:
        """Perform the driver's steps until it returns; ``Feed`` carries answers and errors back in."""
        feed = Feed(steps)
        for step in feed:
            if type(step) is Sleep:
                self._sleep(step.seconds)
            elif type(step) is Prepared:
                with feed:
                    feed.reply = self._send(step)
            else:  # the driver yields nothing but these three steps
                with feed, self._login_lock:
                    feed.reply = self._drive(cast(Locked, step).steps)
        return feed.result

    def _send(self, p: Prepared) -> Raw:
        bound = ANSWER_DEADLINE.set(time.monotonic() + self._attempt_seconds)
        try:
            url = _prepared_url(p)
            if self._direct:  # the pool takes the path and query; the manager, the whole URL
                sender: urllib3.HTTPConnectionPool | urllib3.PoolManager = self._server_pool()
                url = url[len(self.config.base_url) :]
            else:
                sender = self.pool
            resp = sender.urlopen(
                p.method,
                url,
                body=p.content,
                headers=_headers(p),
                timeout=self._timeout,
                retries=False,
                redirect=False,
                preload_content=True,
            )
        except _TRANSPORT_ERRORS as exc:
            raise self._transport_error(p, exc) from exc
        except (u3.HTTPError, ValueError) as exc:
            # a body that cannot be decoded, a URL or header value refused: not retryable
            raise PaddleFlowError(f"{p.name}: request failed: {type(exc).__name__}: {exc}") from exc
        finally:
            ANSWER_DEADLINE.reset(bound)
        return raw_answer(p, resp.status, resp.headers.itermerged(), resp.data)

    def _transport_error(self, p: Prepared, exc: Exception) -> PaddleFlowError:
        """What a failed exchange means for the driver: a TLS set-up problem, or a connection that
        failed before anything was sent, or a timeout or loss after sending (which a create must look
        up before sending again)."""
        if isinstance(exc, u3.SSLError) or (
            isinstance(exc, u3.ProxyError) and _caused_by(exc, (u3.SSLError,))
        ):
            return tls_failure(p.name, exc)
        if isinstance(exc, u3.ConnectTimeoutError) and not isinstance(exc, u3.NewConnectionError):
            return connection_error(p.name, "connect timeout", sent=False, timeout=True)
        if _caused_by(exc, (u3.ReadTimeoutError,)):  # also a body that stopped coming mid-way
            return self._read_timeout(p, exc)
        sent = not _never_sent(exc)
        what = "connection lost before an answer" if sent else "could not connect"
        return connection_error(p.name, f"{what} ({self.config.base_url})", sent=sent, timeout=False)

    def _read_timeout(self, p: Prepared, exc: BaseException) -> PaddleFlowError:
        """A read that timed out: a silent server (the read timeout), or an answer still incomplete at
        the attempt's deadline (``_sync_deadline``)."""
        if _caused_by(exc, (DeadlineExceeded,)):
            return deadline_error(p.name, self._attempt_seconds)
        return connection_error(p.name, "read timeout (no answer)", sent=True, timeout=True)


def _prepared_url(p: Prepared) -> str:
    """The URL with its query, byte for byte as ``requests`` built it (``tests/unit/client/
    test_sync_transport.py`` holds the two side by side): the path's segments are already
    percent-encoded (``_core.path``), and ``requests`` encodes a query with ``urlencode``.
    ``PreparedRequest.prepare_url`` itself costs a tenth of a loopback call's CPU."""
    return f"{p.url}?{urlencode(p.params)}" if p.params else p.url


def _headers(p: Prepared) -> dict[str, str]:
    headers = {**_DEFAULT_HEADERS, **p.headers}
    if p.content is None and p.method not in ("GET", "HEAD"):
        headers["Content-Length"] = "0"
    return headers
