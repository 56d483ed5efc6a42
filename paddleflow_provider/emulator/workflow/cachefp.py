"""Step cache: the two fingerprints and the hit rule (semantics §3).

The first fingerprint hashes what the step *is* (image, command with output templates unresolved, env without
system variables, parameters, input artifact paths, output names, mounts); the second what its inputs *look
like now* (mtimes of input artifacts and of the ``fs_scope`` paths). A record matches when both agree and it
has not expired. Records are written by the runner as soon as a job is created, as the server does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from .resolve import ResolveError, RunContext, own_resolver
from .runtime import StepRun
from .templates import SYS_VARS, substitute


@dataclass
class CacheEntry:
    """One run-cache record as the store returns it."""

    cache_id: str
    first_fp: str
    second_fp: str
    run_id: str
    job_id: str
    expired_time: str
    create_time: str


@dataclass(frozen=True)
class CacheRecord:
    """A run-cache record the engine asks the store to add; the store gives it its id and times."""

    first_fp: str
    second_fp: str
    run_id: str
    job_id: str
    fs_name: str
    username: str
    source: str
    expired_time: str
    strategy: str = "conservative"
    custom: dict[str, Any] = field(default_factory=dict)


class CacheStore(Protocol):
    """Persistence of cache records (the server implements it over its runCache table).

    Optionally the store may also offer ``job_view(run_id, job_id) -> dict | None`` returning the stored
    JobView of a cached job; the engine uses it for jobs of runs that are not live in this process (for
    example after a server restart). Without it, only jobs this process has seen can serve cache hits.
    """

    def find(self, first_fp: str, fs_name: str, username: str, source: str) -> list[CacheEntry]: ...

    def add(self, record: CacheRecord) -> str: ...

    def run_exists(self, run_id: str) -> bool: ...


def _sha256(document: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def first_fingerprint(ctx: RunContext, run: StepRun) -> str:
    """Computed in "cache mode": output artifact templates stay literal (this run's paths are not hashed)."""
    resolve = own_resolver(ctx, run, artifacts_local=False, keep_outputs=True)
    command = str(substitute(run.spec.command, resolve))
    env = {k: v for k, v in run.env.items() if k not in SYS_VARS}
    main = ctx.main_fs.to_wire(ctx.username) if ctx.main_fs else {}
    return _sha256(
        {
            "DockerEnv": run.spec.docker_env,
            "Command": command,
            "Env": env,
            "Parameters": {k: str(v) for k, v in run.view(ctx.username, None)["parameters"].items()},
            "InputArtifacts": dict(run.inputs),
            "OutputArtifacts": dict.fromkeys(run.spec.output_artifacts, ""),
            "MainFS": main,
            "ExtraFS": [m.to_wire(ctx.username) for m in run.spec.extra_fs],
        }
    )


def _mtime_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError as exc:
        raise ResolveError(f"get modify time of path[{path}] failed: {exc.strerror}") from None


def second_fingerprint(ctx: RunContext, run: StepRun) -> str:
    inputs = {}
    for name, rel in run.inputs.items():
        paths = [Path(p) for p in ctx.local_path(rel).split(",") if p]
        inputs[name] = max((_mtime_ns(p) for p in paths), default=0)
    scopes: dict[str, dict[str, int]] = {}
    for scope in run.spec.cache.fs_scope:
        root = ctx.fs_root(scope.name)
        fs_id = f"fs-{ctx.username}-{scope.name}"
        for raw_part in scope.path.split(","):
            part = raw_part.strip() or "/"
            scopes.setdefault(fs_id, {})[part] = _mtime_ns(root / part.lstrip("/"))
    return _sha256({"InputArtifacts": inputs, "FsScope": scopes})


def is_expired(entry: CacheEntry, now: datetime) -> bool:
    if entry.expired_time.strip() in ("", "-1"):
        return False
    try:
        created = datetime.strptime(entry.create_time, "%Y-%m-%d %H:%M:%S")
        seconds = int(entry.expired_time)
    except ValueError:
        return True
    return not now < created + timedelta(seconds=seconds)
