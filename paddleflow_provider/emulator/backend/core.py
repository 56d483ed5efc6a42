"""The backend container: builds the shared :class:`Context` and every domain service, and wires them.

Services get what they use in their constructors; the few checks that look "upwards" (is this queue,
storage or pipeline still used by runs, jobs or schedules?) are registered here after construction, so
no service module imports another one that imports it back.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

from ..engine import Engine
from ..store import Store
from .context import Config, Context
from .fs import FileSystems
from .infra import Infra
from .jobs import Jobs
from .pipelines import Pipelines
from .records import Records
from .runs import Runs
from .schedules import Schedules
from .users import Users

__all__ = ["Backend", "Config"]

log = logging.getLogger("paddleflow_provider.emulator")


class Backend:
    """Holds the services; handlers reach them as ``backend(request).<service>``."""

    def __init__(self, config: Config, engine: Engine | None = None) -> None:
        self.config = config
        self.engine = engine or Engine()
        self.data_dir = Path(config.data_dir).resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = Store(self.data_dir / "paddleflow.db")
        self.ctx = Context(config, self.data_dir, self.store, self.engine)
        self.users = Users(self.store, config.root_password)
        self.infra = Infra(self.ctx, self.users)
        self.fs = FileSystems(self.ctx)
        self.pipelines = Pipelines(self.ctx, self.fs)
        self.runs = Runs(self.ctx, self.fs, self.pipelines, self.infra)
        self.jobs = Jobs(self.ctx, self.infra, self.fs)
        self.records = Records(self.ctx, self.runs, self.jobs)
        self.schedules = Schedules(self.ctx, self.runs, self.pipelines)
        self.infra.queue_users.extend([self.runs, self.jobs])
        self.infra.queue_meter = self.runs
        self.fs.fs_users.append(self.schedules)
        self.pipelines.pipeline_users.append(self.schedules)

    @property
    def stats(self) -> Counter[str]:
        return self.ctx.stats

    @property
    def stopping(self) -> bool:
        return self.ctx.stopping

    def count(self, name: str, n: int = 1) -> None:
        self.ctx.count(name, n)

    def start(self) -> None:
        """Resume runs, start the scheduler, report lost jobs (in this order)."""
        self.runs.start()
        self.schedules.start()
        self.jobs.start()

    def shutdown(self) -> None:
        if self.ctx.stopping:
            return
        self.ctx.stopping = True
        for name, stop in (("schedules", self.schedules.shutdown), ("runs", self.runs.shutdown)):
            try:
                stop()
            except Exception:
                log.exception("shutdown of %s failed", name)
        self.store.close()
