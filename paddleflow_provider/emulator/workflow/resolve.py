"""Runtime resolution of a node, in the server's order (semantics §1.6.5): parameters, input artifacts, loop
list, condition, then for steps env and command. Any failure raises :class:`ResolveError`, whose text becomes
the node's message when it is marked ``failed``.

Local mapping of storage: an FS is the local folder ``fs_roots[name]``; its container mount path is mapped 1:1
to that folder, so artifact paths in ``command`` and ``PF_*_ARTIFACT_*`` variables are absolute local paths.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .runtime import DagRun, NodeRun, StepRun
from .spec import FsMount, Node
from .templates import (
    PF_PARENT,
    SYS_LOOP_ARGUMENT,
    SYS_RUN_ID,
    SYS_STEP_NAME,
    SYS_USER_NAME,
    WHOLE_TEMPLATE_RE,
    ConditionError,
    evaluate_condition,
    param_text,
    substitute,
)

MAX_LOOP_FILE = 1 << 20
MAX_CONDITION_FILE = 1 << 10


class ResolveError(Exception):
    """A template, loop or condition that cannot be resolved at runtime (the node fails)."""


@dataclass
class RunContext:
    """Run-wide facts that resolution needs."""

    run_id: str
    run_name: str
    username: str
    main_fs: FsMount | None
    fs_roots: dict[str, Path]
    run_dir: Path

    def fs_root(self, name: str) -> Path:
        root = self.fs_roots.get(name)
        if root is None:
            raise ResolveError(f"fs[{name}] is not available to this run")
        return Path(root)

    def local_path(self, rel: str) -> str:
        """The local path of an FS-relative artifact path on the main FS (comma lists element-wise)."""
        if self.main_fs is None:
            raise ResolveError("cannot use artifacts with no Fs mounted")
        root = self.fs_root(self.main_fs.name)
        return ",".join(str(root / part.lstrip("/")) for part in rel.split(",") if part)


def _sys_value(ctx: RunContext, name: str, step_name: str, loop_text: str) -> Any:
    return {
        SYS_RUN_ID: ctx.run_id,
        SYS_USER_NAME: ctx.username,
        SYS_STEP_NAME: step_name,
        SYS_LOOP_ARGUMENT: loop_text,
    }[name]


def resolve_params(ctx: RunContext, spec: Node, parent: DagRun) -> dict[str, Any]:
    """The dependency stage: upstream and parent values, system variables from the *parent's* context."""
    parent_name = parent.name if parent.parent is not None else ""
    parent_loop = parent.loop_text

    def resolve(node: str | None, name: str) -> Any:
        if node is None:
            return _sys_value(ctx, name, parent_name, parent_loop)
        if node == PF_PARENT:
            if name == SYS_LOOP_ARGUMENT:
                return parent.loop_value if parent.has_loop else ""
            if name not in parent.params:
                raise ResolveError(f"parameter[{name}] not exist in parent dag[{parent.name}]")
            return parent.params[name]
        runs = parent.children.get(node) or []
        if not runs:
            raise ResolveError(f"cannot find upstream component[{node}] of [{spec.name}]")
        upstream = sorted(runs, key=lambda r: r.seq)[0]
        if name not in upstream.params:
            raise ResolveError(f"parameter[{name}] not exist in component[{node}]")
        return upstream.params[name]

    result: dict[str, Any] = {}
    for key, value in spec.parameters.items():
        result[key] = substitute(value, resolve) if isinstance(value, str) else value
    return result


def resolve_inputs(spec: Node, parent: DagRun) -> dict[str, str]:
    """Input artifacts become FS-relative paths; an upstream loop gives all its paths, comma-joined."""
    result = {}
    for key, value in spec.input_artifacts.items():
        match = WHOLE_TEMPLATE_RE.match(value.strip())
        if not match:
            raise ResolveError(f"invalid input artifact[{key}]: {value}")
        node, name = match.group(1), match.group(2)
        if node == PF_PARENT:
            if name not in parent.inputs:
                raise ResolveError(f"input artifact[{name}] not exist in parent dag[{parent.name}]")
            result[key] = parent.inputs[name]
            continue
        runs = sorted(parent.children.get(node or "") or [], key=lambda r: r.seq)
        paths = []
        for run in runs:
            if name not in run.outputs and run.status == "skipped":
                continue  # a skipped upstream produced nothing; only a disabled dependant may point at it
            if name not in run.outputs:
                raise ResolveError(f"output artifact[{name}] not exist in component[{run.full_name}]")
            paths.append(run.outputs[name])
        result[key] = ",".join(paths)
    return result


def resolve_loop(
    ctx: RunContext, spec: Node, params: dict[str, Any], inputs: dict[str, str]
) -> list[Any] | None:
    """The list to iterate over, or ``None`` when the node has no loop (semantics §2.4)."""
    loop = spec.loop_argument
    if loop is None or loop == "":
        return None
    if isinstance(loop, list):
        return loop
    match = WHOLE_TEMPLATE_RE.match(loop.strip())
    if match:
        name = match.group(2)
        if name in params:
            value = params[name]
            if isinstance(value, list):
                return value
            return _json_list(str(value), f"parameter[{name}]")
        path = Path(ctx.local_path(inputs[name]))
        try:
            if path.stat().st_size >= MAX_LOOP_FILE:
                raise ResolveError(f"the size of artifact[{name}] for loop_argument should be less than 1MB")
            content = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ResolveError(f"read loop_argument from artifact[{name}] failed: {exc.strerror}") from None
        return _json_list(content, f"artifact[{name}]")
    return _json_list(loop, "loop_argument")


def _json_list(text: str, what: str) -> list[Any]:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, list):
        raise ResolveError(f"the value of {what} for loop_argument is not a json list: {text}")
    return value


def own_resolver(ctx: RunContext, run: NodeRun, *, artifacts_local: bool, keep_outputs: bool = False) -> Any:
    """Resolver for env/command/condition: system variables, own parameters, own artifacts."""

    def resolve(node: str | None, name: str) -> Any:
        if name in (SYS_RUN_ID, SYS_USER_NAME, SYS_STEP_NAME, SYS_LOOP_ARGUMENT):
            return _sys_value(ctx, name, run.name, run.loop_text)
        if name in run.params:
            return param_text(run.params[name])
        if name in run.inputs:
            return ctx.local_path(run.inputs[name]) if artifacts_local else run.inputs[name]
        if name in run.outputs or (isinstance(run, StepRun) and name in run.spec.output_artifacts):
            if keep_outputs:
                return "{{" + name + "}}"
            return ctx.local_path(run.outputs[name]) if artifacts_local else run.outputs[name]
        raise ResolveError(f"unsupported template {{{{{name}}}}} in component[{run.name}]")

    return resolve


def evaluate_node_condition(ctx: RunContext, run: NodeRun) -> bool:
    """Textual substitution (input artifacts by their file content), then a govaluate-style evaluation."""
    base = own_resolver(ctx, run, artifacts_local=True)

    def resolve(node: str | None, name: str) -> Any:
        if name in run.inputs and name not in run.params:
            path = Path(ctx.local_path(run.inputs[name]))
            try:
                if path.stat().st_size >= MAX_CONDITION_FILE:
                    raise ResolveError(
                        f"the size of artifact[{name}] used in condition should be less than 1KB"
                    )
                return path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ResolveError(f"read artifact[{name}] for condition failed: {exc.strerror}") from None
        return param_text(base(node, name))

    text = str(substitute(run.spec.condition, resolve))
    try:
        return evaluate_condition(text)
    except ConditionError as exc:
        raise ResolveError(f"calculate condition[{run.spec.condition}] failed: {exc}") from None
