"""The synchronous transport: one ``requests.Session``, bytes in and out, nothing decided here.

Everything about *what* to send and *how to read* the answer is in ``_core``; retry timing in
``_retry``. This module converts ``requests`` exceptions into the client's own (telling "nothing was
sent" apart from "sent, no answer") and drives call flows.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from typing import Any, TypeVar

import requests
import tenacity
import urllib3.exceptions

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
    login_call,
    note_failure,
    prepare,
    tls_failure,
)
from ._exceptions import APIConnectionError, InvalidArgumentError, PaddleFlowError
from ._retry import SleepFn, is_retryable, mark_exhausted, retry_kwargs

T = TypeVar("T")

_NOT_SENT = (
    urllib3.exceptions.NewConnectionError,
    urllib3.exceptions.NameResolutionError,
    ConnectionRefusedError,
)


def _never_sent(exc: BaseException) -> bool:
    """Walk the exception chain/args: a refused or unresolvable connection means nothing was sent."""
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, _NOT_SENT):
            return True
        stack.extend([item.__cause__, item.__context__, getattr(item, "reason", None), *item.args])
    return False


def _session(config: ClientConfig) -> requests.Session:
    """A session whose environment settings (proxies, CA bundle) are read once, not on every request.

    ``requests`` re-scans the whole environment per request when ``trust_env`` is on (a large share of
    a loopback call's cost); the client resolves the same settings here, once, for its one server.
    """
    session = requests.Session()
    session.trust_env = False
    session.proxies = requests.utils.get_environ_proxies(config.base_url)
    verify = config.verify_arg
    if verify is True:
        verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    session.verify = verify
    return session


#: Tokens shared by every client of the process with the same server and credentials, so that many
#: short-lived clients (a trigger opens one per poll) do not each log in. Keyed by a hash of the
#: password; the values stay in memory only.
_TOKENS: dict[tuple[str, str, str], str] = {}


class Auth:
    """Credentials and the token; logs in lazily, at most one login at a time per client."""

    def __init__(self, username: str | None, password: str | None, server: str = "") -> None:
        self.server = server
        self.username = username
        self.password = password

    def key(self) -> tuple[str, str, str]:
        digest = hashlib.sha256((self.password or "").encode("utf-8")).hexdigest()
        return (self.server, self.username or "", digest)

    @property
    def token(self) -> str | None:
        return _TOKENS.get(self.key())

    @token.setter
    def token(self, value: str | None) -> None:
        if value is None:
            _TOKENS.pop(self.key(), None)
        else:
            _TOKENS[self.key()] = value

    @property
    def can_login(self) -> bool:
        return bool(self.username) and self.password is not None

    def drop(self, token: str | None) -> None:
        if self.token == token:
            self.token = None

    def login_call(self, username: str | None, password: str | None) -> Call[str]:
        """The login request for explicit credentials (which then replace the stored ones) or, without
        them, for the stored ones; shared by both transports."""
        if username is not None or password is not None:
            if not username or password is None:
                raise InvalidArgumentError("user_name/password", "both are required to log in")
            self.username, self.password = username, password
        if not self.can_login:
            raise InvalidArgumentError(
                "username/password", "no credentials: pass them to Client(...) / ClientConfig or to login()"
            )
        return login_call(self.username or "", self.password or "")

    def __repr__(self) -> str:
        return f"Auth(username={self.username!r}, password=<hidden>, token={'<set>' if self.token else None})"


class SyncTransport:
    """Sends calls over one session with the shared retry, auth and ambiguity rules."""

    def __init__(self, config: ClientConfig, *, sleep: SleepFn | None = None) -> None:
        self.config = config
        self.auth = Auth(config.username, config.password, config.base_url)
        self.session = _session(config)
        self._retry = retry_kwargs(config)
        self._sleep = sleep or time.sleep
        self._login_lock = threading.Lock()

    def close(self) -> None:
        self.session.close()

    # -- flows -----------------------------------------------------------------------------
    def run(self, job: Any) -> Any:
        """Execute a call, or drive a flow (generator of calls) to its return value."""
        if isinstance(job, Call):
            return self.execute(job)
        try:
            call = next(job)
            while True:
                try:
                    result = self.execute(call)
                except PaddleFlowError as exc:
                    call = job.throw(exc)
                    continue
                call = job.send(result)
        except StopIteration as stop:
            return stop.value

    def execute(self, call: Call[T]) -> T:
        """One call with the shared rules. The first attempt skips tenacity (the common, successful
        case stays cheap); a retryable failure is replayed into tenacity, which then owns the waits."""
        state = CallState()
        try:
            return self._attempt(call, state)
        except PaddleFlowError as exc:
            if not is_retryable(exc) or self.config.max_attempts <= 1:
                mark_exhausted(exc)
                raise
            first: PaddleFlowError | None = exc
        try:
            for attempt in tenacity.Retrying(sleep=self._sleep, **self._retry):
                with attempt:
                    if first is not None:
                        replay, first = first, None
                        raise replay
                    if state.ambiguous and call.landed is not None:
                        found = self.run(call.landed())
                        if found is not None:
                            return found.value
                    return self._attempt(call, state)
        except PaddleFlowError as exc:
            mark_exhausted(exc)
            raise
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    # -- auth ------------------------------------------------------------------------------
    def login(self, username: str | None = None, password: str | None = None) -> None:
        self.auth.token = self.execute(self.auth.login_call(username, password))

    def _token_for(self, call: Call[Any]) -> str | None:
        if not call.auth:
            return None
        if self.auth.token is None and self.auth.can_login:
            with self._login_lock:
                if self.auth.token is None:
                    self.login()
        return self.auth.token

    # -- one attempt -----------------------------------------------------------------------
    def _attempt(self, call: Call[T], state: CallState) -> T:
        while True:
            token = self._token_for(call)
            prepared = prepare(self.config, call, token)
            try:
                raw = self._send(call, prepared)
            except APIConnectionError as exc:
                error = note_failure(call, state, exc)
                if error is exc:
                    raise
                raise error from exc
            try:
                return finish(call, state, raw, can_relogin=self.auth.can_login)
            except Relogin:
                with self._login_lock:
                    self.auth.drop(token)

    def _send(self, call: Call[Any], p: Prepared) -> Raw:
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
            raise connection_error(call, "connect timeout", sent=False, timeout=True) from exc
        except requests.exceptions.ReadTimeout as exc:
            raise connection_error(call, "read timeout (no answer)", sent=True, timeout=True) from exc
        except requests.exceptions.SSLError as exc:
            raise tls_failure(call, exc) from exc
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            sent = not _never_sent(exc)
            what = "connection lost before an answer" if sent else "could not connect"
            raise connection_error(
                call, f"{what} ({self.config.base_url})", sent=sent, timeout=False
            ) from exc
        except requests.exceptions.RequestException as exc:  # bad URL, invalid header ...: not retryable
            raise PaddleFlowError(f"{call.name}: request failed: {type(exc).__name__}: {exc}") from exc
        headers = {k.lower(): v for k, v in resp.headers.items()}
        return Raw(resp.status_code, headers, resp.content, headers.get(REQUEST_ID_HEADER, p.request_id))
