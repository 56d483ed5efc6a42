"""Pure retry rules, wired into tenacity by both transports.

Kept free of I/O so each rule is table-tested: which failures retry, how long to wait, when to stop.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import tenacity

from ._config import ClientConfig
from ._exceptions import (
    APIConnectionError,
    InternalServerError,
    OutcomeUnknownError,
    PaddleFlowError,
    RateLimitError,
)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date); None if absent/bad."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:  # pragma: no cover - defensive, older Pythons returned None
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


def retry_after_from_headers(headers: Mapping[str, str]) -> float | None:
    lowered = {k.lower(): v for k, v in headers.items()}
    return parse_retry_after(lowered.get("retry-after"))


def is_retryable(exc: BaseException) -> bool:
    """Connection errors, timeouts, 429 and 5xx retry; every other error (all other 4xx) does not."""
    if isinstance(exc, OutcomeUnknownError) or getattr(exc, "exhausted", False):
        return False
    return isinstance(exc, APIConnectionError | RateLimitError | InternalServerError)


def mark_exhausted(exc: BaseException) -> None:
    """Flag an error that already went through its own retries (a login, a lookup) so that an outer
    retry loop does not multiply the attempts."""
    exc.exhausted = True  # type: ignore[attr-defined]


def nothing_was_processed(exc: PaddleFlowError) -> bool:
    """True when the server certainly did not act on the request.

    A refused connection never sent anything; a 429 is a rejection before any work. Anything else
    (read timeout, reset after sending, 5xx) is ambiguous: the request may have taken effect.
    """
    if isinstance(exc, RateLimitError):
        return True
    return isinstance(exc, APIConnectionError) and not exc.sent


def backoff_delay(attempt: int, initial: float, maximum: float) -> float:
    """Exponential backoff with jitter: ``initial * 2**(attempt-1)`` plus up to ``initial``, capped."""
    base = initial * (2 ** max(0, attempt - 1))
    return min(maximum, base + random.uniform(0, initial))  # noqa: S311 - jitter, not cryptography


class wait_retry_after(tenacity.wait.wait_base):
    """Honour the server's ``Retry-After`` (capped), else exponential backoff with jitter."""

    def __init__(self, initial: float, maximum: float, cap: float) -> None:
        self.initial = initial
        self.maximum = maximum
        self.cap = cap

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        after = getattr(exc, "retry_after", None)
        if after is not None:
            return min(float(after), self.cap)
        return backoff_delay(retry_state.attempt_number, self.initial, self.maximum)


def retry_kwargs(config: ClientConfig) -> dict[str, Any]:
    """tenacity arguments shared by the sync and the async transport."""
    return {
        "stop": tenacity.stop_after_attempt(config.max_attempts)
        | tenacity.stop_before_delay(config.max_retry_time),
        "wait": wait_retry_after(config.backoff_initial, config.backoff_max, config.retry_after_max),
        "retry": tenacity.retry_if_exception(is_retryable),
        "reraise": True,
    }


SleepFn = Callable[[float], None]
