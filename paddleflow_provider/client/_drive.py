"""The one retry / re-login / "did my create land?" loop, written once for both transports.

The loop is a generator of *steps*. A transport drives it and does nothing but the step asks:

* ``Prepared``: send this request; send the ``Raw`` answer back in, or throw the transport's
  ``PaddleFlowError`` (connection lost, timeout, TLS ...) in;
* ``Sleep``: wait this many seconds (``time.sleep`` or ``asyncio.sleep``), then send ``None``;
* ``Locked``: drive the inner steps while holding the login lock (a ``threading.Lock`` or an
  ``asyncio.Lock``), then send the inner result back (or throw its error in).

Every decision is taken here: when to log in, when a refused token earns one re-login, when a
failure may be retried and how long to wait (tenacity's state machine, stepped by hand so that the
waiting is a step too), when an unanswered create must first be looked up, and when to give up. So
the sync and the async transport cannot drift apart, and each stays a small loop over steps.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Generator, Iterator
from types import TracebackType
from typing import Any, Generic, TypeVar

import tenacity

from ._auth import Auth
from ._config import ClientConfig
from ._core import Call, CallState, Prepared, Relogin, finish, note_failure, prepare
from ._exceptions import APIConnectionError, PaddleFlowError
from ._retry import is_retryable, mark_exhausted, retry_kwargs

T = TypeVar("T")

#: One warning per retry, so a slow call explains itself (in an Airflow task log, for instance).
#: The error text holds the server's code, message and request id; never a credential or a token.
log = logging.getLogger("paddleflow_provider.client")


@dataclasses.dataclass(frozen=True, slots=True)
class Sleep:
    """Step: wait ``seconds`` before the next attempt."""

    seconds: float


@dataclasses.dataclass(frozen=True, slots=True)
class Locked:
    """Step: drive ``steps`` under the transport's login lock (one login at a time per credentials)."""

    steps: Generator[Any, Any, Any]


Step = Prepared | Sleep | Locked
Steps = Generator[Step, Any, T]


class Feed(Generic[T]):
    """What the transports' loops share, which is no I/O: hand out the steps one by one, send each
    answer back in (``feed.reply``), or throw in the ``PaddleFlowError`` the step's I/O raised inside
    ``with feed:``, and keep what the steps return (``feed.result``). Each transport's loop is then
    only its I/O::

        feed = Feed(steps)
        for step in feed:
            ...  # Sleep: sleep; Prepared: ``with feed: feed.reply = send(step)``; Locked: the same
        return feed.result
    """

    def __init__(self, steps: Steps[T]) -> None:
        self._steps = steps
        self.reply: Any = None
        self._error: PaddleFlowError | None = None
        self.result: T

    def __iter__(self) -> Iterator[Step]:
        steps = self._steps
        while True:
            try:
                step = steps.send(self.reply) if self._error is None else steps.throw(self._error)
            except StopIteration as stop:
                self.result = stop.value
                return
            self.reply = self._error = None
            yield step

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> bool:
        if isinstance(error, PaddleFlowError):
            self._error = error  # (thrown into the steps by the next turn of the loop)
            return True
        return False


class Driver:
    """The rules of one client (its settings and credentials), as step generators."""

    def __init__(self, config: ClientConfig, auth: Auth) -> None:
        self.config = config
        self.auth = auth
        self._retry = retry_kwargs(config)

    # -- entry points ------------------------------------------------------------------------
    def run(self, job: Any) -> Steps[Any]:
        """Steps for a ``Call``, or for a flow (a generator of calls) up to its return value."""
        if isinstance(job, Call):
            return self.call(job)
        return self.flow(job)

    def flow(self, job: Generator[Call[Any], Any, T]) -> Steps[T]:
        """Each call a flow yields runs with the full rules; its result (or error) goes back in."""
        try:
            call = next(job)
            while True:
                try:
                    result = yield from self.call(call)
                except PaddleFlowError as exc:
                    call = job.throw(exc)
                    continue
                call = job.send(result)
        except StopIteration as stop:
            return stop.value

    def login(self, username: str | None = None, password: str | None = None) -> Steps[None]:
        """Log in now, with explicit credentials (which replace the stored ones) or the stored ones."""
        self.auth.token = yield from self.call(self.auth.login_call(username, password))

    def call(self, call: Call[T]) -> Steps[T]:
        """One call: a first attempt, then retries while the rules allow; errors leave marked as
        exhausted so that an enclosing loop (a login, a lookup inside a create) does not retry them
        again."""
        state = CallState()
        try:
            result = yield from self._attempt(call, state)
        except PaddleFlowError as exc:
            if not is_retryable(exc) or self.config.max_attempts <= 1:
                mark_exhausted(exc)
                raise
            result = yield from self._retries(call, state, exc)
        if call.sets_password_of is not None:
            self.auth.password_changed(call.sets_password_of, call.body["password"])
        return result

    # -- retries -----------------------------------------------------------------------------
    def _retries(self, call: Call[T], state: CallState, error: PaddleFlowError) -> Steps[T]:
        """Attempts 2.. after a retryable first failure. tenacity decides (retry this error? stop on
        attempts or total time? wait how long, ``Retry-After`` included?); its sleeps become steps.
        The first attempt stays outside tenacity so the common, successful call costs nothing extra."""
        retrying = tenacity.Retrying(**self._retry)
        retrying.begin()
        retry_state = tenacity.RetryCallState(retrying, fn=None, args=(), kwargs={})
        try:
            while True:
                retry_state.set_exception((type(error), error, error.__traceback__))
                # Raises the error itself when it is not retryable or the attempts/time are spent.
                action = retrying.iter(retry_state=retry_state)
                if not isinstance(action, tenacity.DoSleep):  # pragma: no cover - tenacity contract
                    raise AssertionError(f"unexpected tenacity action after a failure: {action!r}")
                retry_state.prepare_for_next_attempt()
                log.warning(
                    "%s: %s; retrying in %.2f s (attempt %d of %d)",
                    call.name,
                    str(error).removeprefix(f"{call.name}: "),  # (transport errors name the call already)
                    float(action),
                    retry_state.attempt_number,
                    self.config.max_attempts,
                )
                yield Sleep(float(action))
                try:
                    if state.ambiguous and call.landed is not None:
                        found = yield from self.flow(call.landed())
                        if found is not None:
                            return found.value
                    return (yield from self._attempt(call, state))
                except PaddleFlowError as exc:
                    error = exc
        except PaddleFlowError as exc:
            mark_exhausted(exc)
            raise

    # -- one attempt -------------------------------------------------------------------------
    def _attempt(self, call: Call[T], state: CallState) -> Steps[T]:
        """Send once; on a refused token, log in again and send once more (once per call)."""
        auth = self.auth
        while True:
            token = None
            if call.auth:
                token = auth.token
                if token is None and auth.can_login:
                    yield Locked(self._fresh_token(None))
                    token = auth.token
            prepared = prepare(self.config, call, token)
            try:
                raw = yield prepared
            except APIConnectionError as exc:
                error = note_failure(call, state, exc)
                if error is exc:
                    raise
                raise error from exc
            try:
                return finish(call, state, raw, can_relogin=auth.can_login)
            except Relogin:
                pass  # (the yield stays outside the handler: no internal signal in error chains)
            yield Locked(self._fresh_token(token))

    def _fresh_token(self, stale: str | None) -> Steps[None]:
        """Under the login lock: forget the refused token and log in, unless another caller did
        already (double-checked, so a burst of calls logs in once)."""
        self.auth.drop(stale)
        if self.auth.token is None and self.auth.can_login:
            yield from self.login()
