"""Semantic validation of a parsed workflow, in the server's order (semantics §7.2), plus the completion steps
the server does while validating: request overrides, typed-parameter defaults, global defaults copied into
steps and ``reference`` expansion. Error texts are the server's (semantics §1, §2.7, §3.1, appendix B).
"""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import WorkflowError
from .params import apply_request_params, finish_params, matches_type
from .references import check_node_templates
from .spec import (
    CACHE_NEVER_EXPIRES,
    DEFAULT_PARALLELISM,
    MAX_PARALLELISM,
    STRATEGY_CONTINUE,
    STRATEGY_FAIL_FAST,
    Dag,
    FsMount,
    Node,
    RunOverrides,
    Step,
    WorkflowSpec,
    walk,
)
from .templates import TEMPLATE_RE

PIPELINE_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")
NODE_NAME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{0,29}$")


def apply_overrides(spec: WorkflowSpec, overrides: RunOverrides) -> None:
    """Request values that replace YAML ones before validation (semantics §2.1 step 1, §1.7)."""
    if overrides.name:
        if not PIPELINE_NAME_RE.match(overrides.name):
            raise WorkflowError(
                f"name[{overrides.name}] does not compile with regex rule[{PIPELINE_NAME_RE.pattern}]",
                code="InvalidNamePattern",
            )
        spec.name = overrides.name
    if overrides.docker_env:
        spec.docker_env = overrides.docker_env  # recorded on the run only: step images come from the YAML
    if overrides.disabled:
        spec.disabled = overrides.disabled
    if overrides.failure_strategy:
        spec.failure_strategy = overrides.failure_strategy
    if overrides.fs_name:
        if spec.main_fs is None:
            from .spec import FsMount

            spec.main_fs = FsMount(name=overrides.fs_name)
        elif not spec.main_fs.name:
            spec.main_fs.name = overrides.fs_name
        elif spec.main_fs.name != overrides.fs_name:
            raise WorkflowError(
                "[main_fs.name] should be same as fs_name in request", code="InvalidArguments"
            )


def validate(spec: WorkflowSpec, request_params: dict[str, Any] | None) -> None:
    """Check everything the server checks and complete the spec for running."""
    _check_components(spec)
    _check_names(spec)
    _check_post_process(spec)
    apply_request_params(spec, request_params or {})
    _apply_step_defaults(spec)
    _expand_all_references(spec)
    _check_disabled(spec)
    has_fs = spec.main_fs is not None and bool(spec.main_fs.name)
    for parent, node in _walk_runnable(spec):
        _check_node(node, parent, has_fs)
        siblings = parent.entry_points if parent is not None else spec.entry.entry_points
        check_node_templates(node, siblings, parent)
    for node in spec.components.values():
        for parent, child in walk(node, None):
            _check_node(child, parent, has_fs)
            check_node_templates(child, parent.entry_points if parent else {}, parent)
    _check_cache(spec)
    if spec.failure_strategy == "":
        spec.failure_strategy = STRATEGY_FAIL_FAST
    if spec.failure_strategy not in (STRATEGY_FAIL_FAST, STRATEGY_CONTINUE):
        raise WorkflowError(
            f"failure strategy should be [fail_fast] or [continue], setted by [{spec.failure_strategy}]"
        )
    _check_fs(spec)
    if spec.parallelism <= 0:
        spec.parallelism = DEFAULT_PARALLELISM
    spec.parallelism = min(spec.parallelism, MAX_PARALLELISM)


# ------------------------------------------------------------------------------------------------
# walking


def _walk_runnable(spec: WorkflowSpec) -> list[tuple[Dag | None, Node]]:
    result: list[tuple[Dag | None, Node]] = []
    for node in spec.entry.entry_points.values():
        result.extend(walk(node, None))
    for node in spec.post_process.values():
        result.append((None, node))
    return result


# ------------------------------------------------------------------------------------------------
# 1. components / references


def _references_in(node: Node) -> list[str]:
    return [n.reference for _, n in walk(node, None) if isinstance(n, Step) and n.reference]


def _check_components(spec: WorkflowSpec) -> None:
    for comp in spec.components.values():
        if comp.deps:
            raise WorkflowError("components can not have deps")
    everything = list(spec.entry.entry_points.values()) + list(spec.post_process.values())
    for node in everything + list(spec.components.values()):
        for ref in _references_in(node):
            if ref not in spec.components:
                raise WorkflowError(f"no component named {ref}")

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in stack:
            raise WorkflowError("components reference is not acyclic")
        for ref in _references_in(spec.components[name]):
            visit(ref, (*stack, name))

    for name in spec.components:
        visit(name, ())


# ------------------------------------------------------------------------------------------------
# 3. names and acyclicity


def _check_names(spec: WorkflowSpec) -> None:
    if not PIPELINE_NAME_RE.match(spec.name):
        raise WorkflowError(f"format of pipeline name[{spec.name}] in run[] invalid")
    groups: list[dict[str, Node]] = [spec.entry.entry_points, dict(spec.post_process), spec.components]
    for group in groups:
        for top in group.values():
            for _, node in walk(top, None):
                if not NODE_NAME_RE.match(node.name) or node.name.startswith("PF_"):
                    raise WorkflowError(
                        f"format of component name[{node.name}] invalid, "
                        "should be in ^[a-zA-Z][a-zA-Z0-9-]*$ "
                        'and not start with "PF_"'
                    )
    _check_acyclic(spec.entry.entry_points)
    for comp in spec.components.values():
        if isinstance(comp, Dag):
            _check_acyclic(comp.entry_points)


def _check_acyclic(children: dict[str, Node]) -> None:
    for name, node in children.items():
        for dep in node.deps:
            if dep not in children:
                raise WorkflowError(f"component [{name}] has an wrong dep [{dep}]")
    remaining = {name: set(node.deps) for name, node in children.items()}
    while remaining:
        ready = [name for name, deps in remaining.items() if not deps & remaining.keys()]
        if not ready:
            raise WorkflowError("workflow is not acyclic")
        for name in ready:
            del remaining[name]
    for node in children.values():
        if isinstance(node, Dag):
            _check_acyclic(node.entry_points)


# ------------------------------------------------------------------------------------------------
# 4. post_process


def _check_post_process(spec: WorkflowSpec) -> None:
    if len(spec.post_process) > 1:
        raise WorkflowError("post_process can only has 1 step at most")
    for name, step in spec.post_process.items():
        _check_post_step(spec, name, step)


def _check_post_step(spec: WorkflowSpec, name: str, step: Step) -> None:
    """What a post_process step may not be or have, in the server's order."""
    if name in spec.entry.entry_points:
        raise WorkflowError(f"post_process step[{name}] has the same name with a component in entry_points")
    target: Node = step
    while isinstance(target, Step) and target.reference:
        target = spec.components[target.reference]
    if isinstance(target, Dag):
        raise WorkflowError(f"post_process step[{name}] can only reference a step, not a dag")
    if step.deps:
        raise WorkflowError(f"step[{name}] in post_process can not have deps")
    if step.input_artifacts:
        raise WorkflowError(f"step[{name}] in post_process can not have input artifacts")
    if step.condition:
        raise WorkflowError(f"step[{name}] in post_process can not have condition")
    if step.loop_argument not in (None, "", []):
        raise WorkflowError(f"step[{name}] in post_process can not have loop_argument")
    if step.cache.enable:
        raise WorkflowError(f"step[{name}] in post_process can not use cache")
    for value in step.parameters.values():
        if isinstance(value, str) and any(node for _, node, _ in _templates(value)):
            raise WorkflowError("step in post_process can not use parameters of steps in entry_points")


def _templates(text: str) -> list[tuple[str, str | None, str]]:
    return [(m.group(0), m.group(1), m.group(2)) for m in TEMPLATE_RE.finditer(text)]


# ------------------------------------------------------------------------------------------------
# defaults and references


def _apply_step_defaults(spec: WorkflowSpec) -> None:
    """Global cache settings and ``fs_options.extra_fs`` go into every non-reference step (§1.7, §3.1).

    The post-process step may not use the cache, so it does not inherit the global switch either.
    """
    glob = spec.global_cache
    groups: list[tuple[dict[str, Node], bool]] = [
        (spec.entry.entry_points, False),
        (dict(spec.post_process), True),
        (spec.components, False),
    ]
    for group, is_post in groups:
        for top in group.values():
            for _, node in walk(top, None):
                if not isinstance(node, Step) or node.reference:
                    continue
                node.extra_fs = node.extra_fs + list(spec.extra_fs_mounts)
                enable = node.cache.enable if node.cache.enable is not None else glob.enable
                node.cache_enable = bool(enable) and not is_post
                expired = node.cache.max_expired_time
                if expired is None:
                    expired = glob.max_expired_time
                node.cache_max_expired_time = expired if expired not in (None, "") else CACHE_NEVER_EXPIRES
                node.cache.fs_scope = node.cache.fs_scope + list(glob.fs_scope)


def _expand_all_references(spec: WorkflowSpec) -> None:
    for group in (spec.entry.entry_points, spec.post_process, spec.components):
        for name in list(group):
            group[name] = _expand(spec, group[name])  # type: ignore[assignment]


def _expand(spec: WorkflowSpec, node: Node) -> Node:
    if isinstance(node, Dag):
        for name in list(node.entry_points):
            node.entry_points[name] = _expand(spec, node.entry_points[name])
        return node
    assert isinstance(node, Step)
    if not node.reference:
        finish_params(node)
        return node
    if (
        node.command
        or node.env
        or node.output_artifacts
        or node.condition
        or node.loop_argument not in (None, "", [])
        or node.cache.enable is not None
        or node.cache.max_expired_time is not None
        or node.cache.fs_scope
        or node.extra_fs
        or node.docker_env
    ):
        raise WorkflowError("reference step can only have deps, parameters, input artifacts, reference")
    component = _expand(spec, spec.components[node.reference].clone())
    for pname, value in node.parameters.items():
        if pname not in component.parameters:
            raise WorkflowError(
                f"parameter[{pname}] of reference step[{node.name}] not exist in component[{node.reference}]"
            )
        declared_type = component.param_types.get(pname)
        if declared_type and not matches_type(declared_type, value) and not isinstance(value, str):
            raise WorkflowError(
                f"value[{value}] of dict param[name: {pname}] does not match type[{declared_type}]"
            )
        component.parameters[pname] = value
    if set(node.input_artifacts) != set(component.input_artifacts):
        raise WorkflowError(
            f"input artifacts of reference step[{node.name}] should be the same as "
            f"component[{node.reference}]"
        )
    component.input_artifacts = dict(node.input_artifacts)
    component.name = node.name
    component.deps = list(node.deps)
    setattr(component, "referenced", node.reference)  # noqa: B010 - shown in the step view
    finish_params(component)
    return component


# ------------------------------------------------------------------------------------------------
# 6. disabled, per-node rules


def find_node(spec: WorkflowSpec, dotted: str) -> Node | None:
    """Locate a node by its dotted path below entry_points, or a post-process step by name."""
    parts = dotted.split(".")
    if len(parts) == 1 and parts[0] in spec.post_process:
        return spec.post_process[parts[0]]
    children: dict[str, Node] = spec.entry.entry_points
    node: Node | None = None
    for part in parts:
        node = children.get(part)
        if node is None:
            return None
        children = node.entry_points if isinstance(node, Dag) else {}
    return node


def _disabled_names(spec: WorkflowSpec) -> set[str]:
    """The names in ``disabled``: each once, each an existing component."""
    seen: set[str] = set()
    for raw in spec.disabled.split(","):
        name = raw.strip()
        if not name:
            continue
        if name in seen:
            raise WorkflowError(f"disabled component[{name}] is set repeatedly!")
        seen.add(name)
        if find_node(spec, name) is None:
            raise WorkflowError(f"disabled component[{name}] not existed!")
    return seen


def _check_disabled(spec: WorkflowSpec) -> None:
    seen = _disabled_names(spec)
    for name in seen:
        parent_path, _, leaf = name.rpartition(".")
        siblings = spec.entry.entry_points
        parent_node: Node | None = None
        if parent_path:
            parent_node = find_node(spec, parent_path)
            siblings = parent_node.entry_points if isinstance(parent_node, Dag) else {}
        for sib_name, sib in siblings.items():
            full = f"{parent_path}.{sib_name}" if parent_path else sib_name
            if full in seen or leaf not in sib.deps:
                continue
            texts = [v for v in sib.parameters.values() if isinstance(v, str)] + list(
                sib.input_artifacts.values()
            )
            if any(node == leaf for text in texts for _, node, _ in _templates(text)):
                raise WorkflowError(f"disabled component[{name}] is refered by [{full}]")
        if isinstance(parent_node, Dag):
            for text in parent_node.output_artifacts.values():
                if any(node == leaf for _, node, _ in _templates(text)):
                    raise WorkflowError(f"disabled component[{name}] is refered by [{parent_path}]")


def _check_node(node: Node, parent: Dag | None, has_fs: bool) -> None:
    if isinstance(node, Step):
        if node.docker_env.endswith(".tar"):
            raise WorkflowError("image as tar file is not supported for now")
        if node.output_artifacts and not has_fs:
            raise WorkflowError(f"cannot define artifact in component[{node.name}] with no Fs mounted")
    if (
        isinstance(node.loop_argument, str)
        and node.loop_argument
        and not TEMPLATE_RE.search(node.loop_argument)
    ):
        try:
            parsed = json.loads(node.loop_argument)
        except ValueError:
            parsed = None
        if not isinstance(parsed, list):
            raise WorkflowError(
                f"loop_argument[{node.loop_argument}] of component[{node.name}] "
                "should be a list or a json list"
            )
    elif node.loop_argument is not None and not isinstance(node.loop_argument, str | list):
        raise WorkflowError(f"loop_argument of component[{node.name}] should be a list or a json list")


# ------------------------------------------------------------------------------------------------
# 7. cache, 9. fs


def _check_cache(spec: WorkflowSpec) -> None:
    glob = spec.global_cache.max_expired_time
    if glob not in (None, "") and not _is_int_text(glob):
        raise WorkflowError(f"MaxExpiredTime[{glob}] of cache not correct")
    for _, node in _walk_runnable(spec):
        if isinstance(node, Step) and not _is_int_text(node.cache_max_expired_time):
            raise WorkflowError(
                f"MaxExpiredTime[{node.cache_max_expired_time}] of cache in step[{node.name}] not correct"
            )
    spec.cache_enabled = any(isinstance(n, Step) and n.cache_enable for _, n in _walk_runnable(spec))


def _is_int_text(text: str | None) -> bool:
    return text is not None and re.fullmatch(r"[+-]?\d+", text.strip() if text else "") is not None


def _check_main_fs(main: FsMount | None) -> None:
    if main is None:
        return
    if not main.name:
        raise WorkflowError("[name] in [main_fs] must not be empty")
    if main.read_only:
        raise WorkflowError("[read_only] in [main_fs] must be false")
    if main.sub_path.startswith("/"):
        raise WorkflowError("[sub_path] in [main_fs] should not start with /")


def _check_step_fs(step: Step, main: FsMount | None, names: list[str]) -> None:
    """A step's extra_fs mounts (their names are added to ``names``) and its cache's fs_scope."""
    for mount in step.extra_fs:
        if not mount.name:
            raise WorkflowError("[name] in [extra_fs] must not be empty")
        if mount.sub_path.startswith("/"):
            raise WorkflowError("[sub_path] in [extra_fs] should not start with /")
        if mount.name not in names:
            names.append(mount.name)
    allowed = {m.name for m in step.extra_fs} | ({main.name} if main else set())
    for scope in step.cache.fs_scope:
        if scope.name not in allowed:
            raise WorkflowError(f"fs_name [{scope.name}] in fs_scope must also be in [extra_fs] or [main_fs]")


def _check_fs(spec: WorkflowSpec) -> None:
    main = spec.main_fs
    _check_main_fs(main)
    names: list[str] = []
    for _, node in _walk_runnable(spec):
        if isinstance(node, Step):
            _check_step_fs(node, main, names)
    for mount in spec.extra_fs_mounts:
        if not mount.name:
            raise WorkflowError("[name] in [extra_fs] must not be empty")
        if mount.name not in names:
            names.append(mount.name)
    spec.fs_name = main.name if main else ""
    spec.extra_fs = names
