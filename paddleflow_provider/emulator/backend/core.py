"""The backend container: configuration, the store and every domain service, wired together."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine import Engine
from ..store import Store
from .fs import FileSystems
from .infra import Infra
from .jobs import Jobs
from .pipelines import Pipelines
from .records import Records
from .runs import Runs
from .schedules import Schedules
from .users import Users

log = logging.getLogger("paddleflow_provider.emulator")


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


class Backend:
    """Holds the services; handlers reach them as ``backend(request).<service>``."""

    def __init__(self, config: Config, engine: Engine | None = None) -> None:
        self.config = config
        self.engine = engine or Engine()
        self.data_dir = Path(config.data_dir).resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = Store(self.data_dir / "paddleflow.db")
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()
        self.users = Users(self.store, config.root_password)
        self._services: list[object] = []  # started in order; each may have start()/shutdown()
        self.stopping = False
        self._install_services()

    def _install_services(self) -> None:
        """The domain services; the order is the start order (shutdown runs it backwards)."""
        self.infra = Infra(self)
        self.fs = FileSystems(self)
        self.pipelines = Pipelines(self)
        self.runs = Runs(self)
        self.records = Records(self)
        self.schedules = Schedules(self)
        self.jobs = Jobs(self)
        self._services.extend([self.infra, self.runs, self.schedules, self.jobs])

    def count(self, name: str, n: int = 1) -> None:
        """Bump a counter reported by ``GET /_emulator/stats`` (tests prove "no duplicates" with it)."""
        with self._stats_lock:
            self.stats[name] += n

    def start(self) -> None:
        for svc in self._services:
            start = getattr(svc, "start", None)
            if start:
                start()

    def shutdown(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        for svc in reversed(self._services):
            stop = getattr(svc, "shutdown", None)
            if stop:
                try:
                    stop()
                except Exception:
                    log.exception("shutdown of %s failed", type(svc).__name__)
        self.store.close()
