"""The parsed, validated shape of a run YAML (semantics §1).

Everything here is plain data: the parser builds it, the validator checks and completes it (typed parameters
replaced by their values, references expanded, global defaults copied into steps), and the runner only reads
it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

STRATEGY_FAIL_FAST = "fail_fast"
STRATEGY_CONTINUE = "continue"
DEFAULT_PARALLELISM = 10
MAX_PARALLELISM = 20
CACHE_NEVER_EXPIRES = "-1"


@dataclass
class FsMount:
    """One storage mount (``main_fs`` or an ``extra_fs`` entry)."""

    name: str
    mount_path: str = ""
    sub_path: str = ""
    read_only: bool = False

    def to_wire(self, username: str) -> dict[str, Any]:
        """FsMount wire shape of api §8.4 (``id`` is ``fs-<owner>-<name>``)."""
        return {
            "id": f"fs-{username}-{self.name}",
            "name": self.name,
            "mountPath": self.mount_path,
            "subPath": self.sub_path,
            "readOnly": self.read_only,
        }


@dataclass
class FsScope:
    """A ``cache.fs_scope`` entry: paths whose mtimes feed the second fingerprint."""

    name: str
    path: str = "/"


@dataclass
class CacheSpec:
    """A ``cache`` block; ``None`` means "not set here" so step > global > default can be applied."""

    enable: bool | None = None
    max_expired_time: str | None = None
    fs_scope: list[FsScope] = field(default_factory=list)


@dataclass
class Node:
    """Fields shared by steps and DAGs (semantics §1.4/1.5)."""

    name: str
    deps: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    # declared type of a typed-dict parameter ({type, default}); used to check request overrides
    param_types: dict[str, str] = field(default_factory=dict)
    input_artifacts: dict[str, str] = field(default_factory=dict)
    condition: str = ""
    loop_argument: Any = None
    type_tag: str = ""

    @property
    def is_dag(self) -> bool:
        return False

    def clone(self) -> Node:
        return copy.deepcopy(self)


@dataclass
class Step(Node):
    """A step: one shell command, run as one job per loop element."""

    command: str = ""
    env: dict[str, str] = field(default_factory=dict)
    output_artifacts: list[str] = field(default_factory=list)
    docker_env: str = ""
    cache: CacheSpec = field(default_factory=CacheSpec)
    extra_fs: list[FsMount] = field(default_factory=list)
    reference: str = ""
    # the effective cache settings once global defaults are merged (set by the validator)
    cache_enable: bool = False
    cache_max_expired_time: str = CACHE_NEVER_EXPIRES


@dataclass
class Dag(Node):
    """A DAG: named children plus output artifacts exported from them."""

    entry_points: dict[str, Node] = field(default_factory=dict)
    output_artifacts: dict[str, str] = field(default_factory=dict)

    @property
    def is_dag(self) -> bool:
        return True


@dataclass
class RunOverrides:
    """Values from the create-run request that override the YAML (``None`` = not given)."""

    name: str | None = None
    parameters: dict[str, Any] | None = None
    disabled: str | None = None
    docker_env: str | None = None
    failure_strategy: str | None = None
    fs_name: str | None = None


@dataclass
class WorkflowSpec:
    """A validated workflow, ready to run.

    ``name`` is the run name (request ``name`` override applied), ``docker_env`` the value recorded on the run
    (the request's override if any; step images come from the YAML, as on the server), ``parameters`` the
    request's run parameters (what the run detail shows), ``source_md5`` the md5 of ``normalized_yaml`` (the
    ``source`` of a run created from raw YAML).
    """

    name: str
    entry: Dag
    description: str = ""
    docker_env: str = ""
    parallelism: int = DEFAULT_PARALLELISM
    failure_strategy: str = STRATEGY_FAIL_FAST
    disabled: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    fs_name: str = ""
    extra_fs: list[str] = field(default_factory=list)
    normalized_yaml: str = ""
    source_md5: str = ""
    cache_enabled: bool = False
    post_process: dict[str, Step] = field(default_factory=dict)
    components: dict[str, Node] = field(default_factory=dict)
    main_fs: FsMount | None = None
    extra_fs_mounts: list[FsMount] = field(default_factory=list)
    global_cache: CacheSpec = field(default_factory=CacheSpec)
    pipeline_name: str = ""

    @property
    def disabled_set(self) -> set[str]:
        return {part.strip() for part in self.disabled.split(",") if part.strip()}


def walk(node: Node, parent: Dag | None) -> list[tuple[Dag | None, Node]]:
    """``node`` and all its descendants as (enclosing DAG or None, node), parents first."""
    result: list[tuple[Dag | None, Node]] = [(parent, node)]
    if isinstance(node, Dag):
        for child in node.entry_points.values():
            result.extend(walk(child, node))
    return result
