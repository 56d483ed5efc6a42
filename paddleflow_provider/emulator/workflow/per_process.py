"""One object per process, built on first use.

The process pump and the statistics sampler each own a thread; the server's request threads and the
engine's threads race to use them first, so the first use builds the object under a lock and every
later use gets that same object.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerProcess(Generic[T]):
    """The one ``T`` of this process: ``build()`` runs once, on the first :meth:`get`."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value
