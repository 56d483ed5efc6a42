"""Runtime records of one run: one per node execution (loop element), and their wire views (api §8.4).

A :class:`StepRun` or :class:`DagRun` is created when its node becomes ready; it is owned and mutated only by
the run's orchestrator thread. ``view()`` renders the JobView / DagView dicts that the run detail shows.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from .spec import Dag, Node, Step
from .templates import go_format, param_text

FINAL = frozenset({"succeeded", "failed", "terminated", "cancelled", "skipped"})
OK = frozenset({"succeeded", "skipped"})
BAD = frozenset({"failed", "terminated", "cancelled"})


class NodeRun:
    """One execution of a node (one loop element)."""

    def __init__(self, spec: Node, parent: DagRun | None, seq: int, loop_value: Any, has_loop: bool) -> None:
        self.spec = spec
        self.parent = parent
        self.name = spec.name
        self.seq = seq
        self.loop_value = loop_value
        self.has_loop = has_loop
        self.status = "init"
        self.message = ""
        self.start_time = ""
        self.end_time = ""
        self.params: dict[str, Any] = {}
        self.inputs: dict[str, str] = {}
        self.outputs: dict[str, str] = {}
        self.reused_view: dict[str, Any] | None = None  # a retried run's succeeded/skipped record, kept as is
        suffix = f"-{seq}" if seq > 0 else ""
        self.full_name: str = f"{parent.full_name}.{self.name}{suffix}" if parent else self.name
        self.rel_path: str = f"{parent.rel_path}.{self.name}" if parent and parent.rel_path else self.name

    @property
    def final(self) -> bool:
        return self.status in FINAL

    @property
    def loop_text(self) -> str:
        """``PF_LOOP_ARGUMENT``: the element as Go's ``%v`` prints it (a list element reads ``[a b]``)."""
        return go_format(self.loop_value) if self.has_loop else ""

    def set_status(self, status: str, message: str | None, now: str) -> None:
        if self.status in FINAL:
            return
        if status == "running" and not self.start_time:
            self.start_time = now
        if status in FINAL:
            self.end_time = now
        self.status = status
        if message is not None:
            self.message = message


class StepRun(NodeRun):
    """A step execution: at most one job (a local process)."""

    spec: Step

    def __init__(self, spec: Step, parent: DagRun | None, seq: int, loop_value: Any, has_loop: bool) -> None:
        super().__init__(spec, parent, seq, loop_value, has_loop)
        self.job_id = ""
        self.job_name = ""
        self.command = spec.command
        self.env: dict[str, str] = dict(spec.env)
        self.cache_run_id = ""
        self.cache_job_id = ""
        self.handle: Any = None
        self.holds_slot = False
        self.waiting_cache: Any = None  # (CacheEntry, deadline) while waiting for a cached job still running
        self.stop_message = ""
        self.fingerprints: tuple[str, str] | None = None
        self.log_path: Any = None
        self.stats_path: Any = None

    def view(self, username: str, main_fs: Any) -> dict[str, Any]:
        parent_id = self.parent.id if self.parent else ""
        if self.reused_view is not None:
            return {**self.reused_view, "parentDagID": parent_id}
        spec = self.spec
        return {
            "jobID": self.job_id,
            "name": self.job_name,
            "type": "step",
            "stepName": self.name,
            "parentDagID": parent_id,
            "command": self.command,
            "parameters": {k: param_text(v) for k, v in self.params.items()},
            "env": dict(self.env),
            "extraFS": [m.to_wire(username) for m in spec.extra_fs] or None,
            "startTime": self.start_time,
            "endTime": self.end_time,
            "status": self.status,
            "deps": ",".join(spec.deps),
            "dockerEnv": spec.docker_env,
            "artifacts": {"input": dict(self.inputs), "output": dict(self.outputs)},
            "cache": {
                "enable": spec.cache_enable,
                "maxExpiredTime": spec.cache_max_expired_time,
                "fsScope": [
                    {"name": s.name, "id": f"fs-{username}-{s.name}", "path": s.path}
                    for s in spec.cache.fs_scope
                ]
                or None,
            },
            "jobMessage": self.message,
            "cacheRunID": self.cache_run_id,
            "cacheJobID": self.cache_job_id,
        }


class DagRun(NodeRun):
    """A DAG execution; the run's ``entry_points`` is the root one (``parent`` None)."""

    spec: Dag

    def __init__(
        self,
        spec: Dag,
        parent: DagRun | None,
        seq: int,
        loop_value: Any,
        has_loop: bool,
        *,
        run_id: str,
        full_name: str | None = None,
    ) -> None:
        super().__init__(spec, parent, seq, loop_value, has_loop)
        if full_name is not None:
            self.full_name = full_name
            self.rel_path = ""
        self.id = f"dag-{run_id}-{secrets.token_hex(8)}"
        suffix = f"-{seq}" if seq > 0 else ""
        self.view_name = f"dag-{run_id}-{self.name}{suffix}"
        self.children: dict[str, list[NodeRun]] = {}
        self.terminating = False
        self.previous: dict[str, list[dict[str, Any]]] = {}  # a retried run's records of this DAG's children

    def all_runs(self) -> list[NodeRun]:
        return [run for runs in self.children.values() for run in runs]

    def view(self, username: str, main_fs: Any) -> dict[str, Any]:
        parent_id = self.parent.id if self.parent else ""
        if self.reused_view is not None:
            return {**self.reused_view, "parentDagID": parent_id}
        return {
            "id": self.id,
            "name": self.view_name,
            "type": "dag",
            "dagName": self.name,
            "parentDagID": parent_id,
            "deps": ",".join(self.spec.deps),
            "parameters": {k: param_text(v) for k, v in self.params.items()},
            "artifacts": {"input": dict(self.inputs), "output": dict(self.outputs)},
            "startTime": self.start_time,
            "endTime": self.end_time,
            "status": self.status,
            "message": self.message,
            "entryPoints": self.children_views(username, main_fs),
        }

    def children_views(self, username: str, main_fs: Any) -> dict[str, list[dict[str, Any]]]:
        return {
            name: [run.view(username, main_fs) for run in sorted(runs, key=lambda r: r.seq)]  # type: ignore[attr-defined]
            for name, runs in self.children.items()
        }


def artifact_dir(sub_path: str, run_id: str, run_name: str, run: NodeRun) -> str:
    """FS-relative directory of a step's output artifacts (semantics §1.12)."""
    digest = hashlib.md5(run.full_name.encode()).hexdigest()  # noqa: S324 - the server's layout, not security
    prefix = f"{sub_path.strip('/')}/" if sub_path.strip("/") else ""
    return f"{prefix}.pipeline/{run_id}/{run_name}/{run.name}-{run.seq}-{digest}"


def job_name_for(run_id: str, run: NodeRun) -> str:
    return f"{run_id}-{run.name}-{run.seq}" if run.seq > 0 else f"{run_id}-{run.name}"


def job_id_for(job_name: str) -> str:
    return f"job-{job_name.lower()}-{secrets.token_hex(4)}"


def seq_of_view(view: dict[str, Any], node_name: str) -> int:
    """Loop index of a previous run's record, read from its name (``...-<node>`` or ``...-<node>-<k>``)."""
    name = str(view.get("name", ""))
    marker = f"-{node_name}-"
    if marker in name:
        tail = name.rsplit(marker, 1)[1]
        if tail.isdigit():
            return int(tail)
    return 0
