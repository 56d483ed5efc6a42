"""What every backend service shares: the configuration, the data dir, the store, the engine, the
counters and the "server is stopping" flag.

Services get this (and the sibling services they use) in their constructors, so no service imports the
container that wires them (``core``): the imports of the backend form a tree.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine import Engine
from ..store import Store


@dataclass
class Config:
    """How one emulator instance runs (see the CLI options in ``__main__``)."""

    data_dir: Path
    root_password: str = "paddleflow"  # noqa: S105 - the documented default
    faults: bool = False
    host: str = "127.0.0.1"
    port: int = 8999
    scheduler_interval: float = 0.2
    extra: dict[str, Any] = field(default_factory=dict)


class Context:
    """Shared state of one backend; ``stopping`` turns true once shutdown begins."""

    def __init__(self, config: Config, data_dir: Path, store: Store, engine: Engine) -> None:
        self.config = config
        self.data_dir = data_dir
        self.store = store
        self.engine = engine
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()
        self.stopping = False

    def count(self, name: str, n: int = 1) -> None:
        """Bump a counter reported by ``GET /_emulator/stats`` (tests prove "no duplicates" with it)."""
        with self._stats_lock:
            self.stats[name] += n
