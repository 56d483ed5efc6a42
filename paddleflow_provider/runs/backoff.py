"""The one back-off after transient API errors while following a run.

The client already retries a single request (connection errors, timeouts, 429, 5xx); when its
budget runs out, a waiter must neither fail the task nor hammer the server. It waits, doubling
from the poll interval (at least 1 s) up to :data:`MAX_BACKOFF`, and starts over after the next
successful read. The sync wait loop and the triggers share this rule.
"""

from __future__ import annotations

MAX_BACKOFF = 60.0


class TransientBackoff:
    """Seconds to wait after each consecutive transient error; :meth:`reset` after a good read."""

    def __init__(self, poll_interval: float, maximum: float = MAX_BACKOFF) -> None:
        self._first = max(float(poll_interval), 1.0)
        self._maximum = maximum
        self._next = self._first

    def reset(self) -> None:
        self._next = self._first

    def next_wait(self) -> float:
        """The wait before the next attempt; the one after it doubles (up to the maximum)."""
        wait = self._next
        self._next = min(self._next * 2, self._maximum)
        return wait
