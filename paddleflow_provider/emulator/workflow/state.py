"""What a runner reports: the wire-shaped run snapshot and the sink interface the server implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class RunState:
    """A full snapshot of a run, wire-shaped, sent on every change.

    ``cache_source_runs`` lists the runs whose cache this run reused: per semantics §3.5 the server appends
    this run's id to each of *their* ``runCachedIDs``. ``run_cached_ids`` is the engine's view of this run's
    own ``runCachedIDs`` (always ``""``: only later runs can add to it, and the server records that).
    """

    status: str
    message: str
    runtime: dict[str, Any]
    post_process: dict[str, Any]
    run_cached_ids: str = ""
    activate_time: str = ""
    cache_source_runs: list[str] = field(default_factory=list)


class RunSink(Protocol):
    """Where a runner reports; both methods are called from runner threads."""

    def update(self, run_id: str, state: RunState) -> None: ...

    def artifact(self, run_id: str, event: dict[str, Any]) -> None: ...
