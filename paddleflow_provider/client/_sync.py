"""The synchronous transport: one ``requests.Session``, bytes in and out, nothing decided here.

What to send, how to read the answer (``_core``), and when to log in, retry, wait, look up or give up
(``_drive``) are shared with the async transport. This module only performs the driver's steps:
it sends with ``requests`` (telling "nothing was sent" apart from "sent, no answer" in the errors),
sleeps, and holds a thread lock around logins.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any, TypeVar, cast

import requests
import urllib3.exceptions

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
    tls_failure,
)
from ._drive import Driver, Feed, Locked, Sleep, Steps
from ._exceptions import PaddleFlowError
from ._retry import SleepFn
from ._sync_deadline import ANSWER_DEADLINE, DeadlineAdapter, DeadlineExceeded

T = TypeVar("T")

_NOT_SENT = (
    urllib3.exceptions.NewConnectionError,
    urllib3.exceptions.NameResolutionError,
    ConnectionRefusedError,
)


def _never_sent(exc: BaseException) -> bool:
    """A refused or unresolvable connection means nothing was sent."""
    return _caused_by(exc, _NOT_SENT)


def _caused_by(exc: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    """Whether one of ``kinds`` is in ``exc``'s chain or arguments (``requests`` wraps urllib3's
    errors, which wrap the socket's)."""
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


class _NoRedirectSession(requests.Session):
    """A session that never reads a redirect's target.

    The client never follows redirects (``allow_redirects=False``), yet ``requests`` still decodes the
    ``Location`` of a 3xx answer to offer the next request, and raises ``UnicodeDecodeError`` when it
    is not UTF-8. With no target, a 3xx is simply the answer the error mapping reads.
    """

    def get_redirect_target(self, resp: requests.Response) -> None:
        return None


def _session(config: ClientConfig) -> requests.Session:
    """A session whose environment settings (proxies, CA bundle) are read once, not on every request.

    ``requests`` re-scans the whole environment per request when ``trust_env`` is on (a large share of
    a loopback call's cost); the client resolves the same settings here, once, for its one server.
    """
    session = _NoRedirectSession()
    for prefix in ("http://", "https://"):  # every answer is read under its attempt's deadline
        session.mount(prefix, DeadlineAdapter())
    session.trust_env = False
    session.cookies.set_policy(NoCookies())
    session.proxies = requests.utils.get_environ_proxies(config.base_url)
    verify = config.verify_arg
    if verify is True:
        verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    session.verify = verify
    return session


class SyncTransport:
    """Drives the shared rules (``_drive.Driver``) with blocking I/O: sends, sleeps, a thread lock."""

    def __init__(self, config: ClientConfig, *, sleep: SleepFn | None = None) -> None:
        self.config = config
        self.auth = Auth(config.username, config.password, config.base_url)
        self.driver = Driver(config, self.auth)
        self.session = _session(config)
        self._sleep = sleep or time.sleep
        self._login_lock = threading.Lock()
        self._attempt_seconds = attempt_seconds(config.timeout)

    def close(self) -> None:
        self.session.close()

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
            resp = self.session.request(
                p.method,
                p.url,
                params=p.params,
                data=p.content,
                headers=p.headers,
                timeout=self.config.timeout,
                allow_redirects=False,
            )
        except requests.exceptions.ConnectTimeout as exc:
            raise connection_error(p.name, "connect timeout", sent=False, timeout=True) from exc
        except requests.exceptions.ReadTimeout as exc:
            raise self._read_timeout(p, exc) from exc
        except requests.exceptions.SSLError as exc:
            raise tls_failure(p.name, exc) from exc
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            if _caused_by(exc, (urllib3.exceptions.ReadTimeoutError,)):
                # a body that stopped coming: ``requests`` reports the read timeout as a lost connection
                raise self._read_timeout(p, exc) from exc
            sent = not _never_sent(exc)
            what = "connection lost before an answer" if sent else "could not connect"
            raise connection_error(
                p.name, f"{what} ({self.config.base_url})", sent=sent, timeout=False
            ) from exc
        except requests.exceptions.RequestException as exc:  # bad URL, invalid header ...: not retryable
            raise PaddleFlowError(f"{p.name}: request failed: {type(exc).__name__}: {exc}") from exc
        finally:
            ANSWER_DEADLINE.reset(bound)
        return raw_answer(p, resp.status_code, resp.headers.items(), resp.content)

    def _read_timeout(self, p: Prepared, exc: BaseException) -> PaddleFlowError:
        """A read that timed out: a silent server (the read timeout), or an answer still incomplete at
        the attempt's deadline (``_sync_deadline``)."""
        if _caused_by(exc, (DeadlineExceeded,)):
            return deadline_error(p.name, self._attempt_seconds)
        return connection_error(p.name, "read timeout (no answer)", sent=True, timeout=True)
