"""Strict YAML decoding and the structural parse of a run YAML (semantics §1.1-1.5).

Like the server, decoding is strict (syntax errors and duplicate keys are refused, scalars are typed as
yaml.v3 types them: see ``yamlcore``), every level rejects unknown keys with the server's ``... has no
attribute [X]`` text, ``null`` values count as absent, and wrong types get ``[key] ... should be <type> type``
messages. Semantic rules (names, references, templates) live in validate.py.
"""

from __future__ import annotations

from typing import Any

import yaml

from . import yamlcore
from .errors import WorkflowError
from .spec import CacheSpec, Dag, FsMount, FsScope, Node, Step, WorkflowSpec

WORKFLOW_KEYS = {
    "name", "docker_env", "entry_points", "components", "post_process", "cache", "parallelism",
    "disabled", "failure_options", "fs_options",
}  # fmt: skip
STEP_KEYS = {
    "command", "deps", "parameters", "env", "artifacts", "docker_env", "cache", "condition",
    "loop_argument", "reference", "extra_fs", "type", "name",
}  # fmt: skip
DAG_KEYS = {"entry_points", "deps", "parameters", "artifacts", "condition", "loop_argument", "type", "name"}


def load_yaml_map(text: str) -> dict[str, Any]:
    """Decode YAML text into a map, with the server's strictness (errors are ``InvalidPipeline``)."""
    try:
        data = yamlcore.load(text)
    except WorkflowError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise WorkflowError(f"yaml: {line}{exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise WorkflowError(f"yaml: {exc}") from None
    if not isinstance(data, dict):
        kind = "!!seq" if isinstance(data, list) else "!!str" if isinstance(data, str) else "!!null"
        raise WorkflowError(
            f"yaml: unmarshal errors:\n  cannot unmarshal {kind} into map[string]interface {{}}"
        )
    return data


def _present(raw: dict[str, Any]) -> dict[str, Any]:
    """Keys whose value is YAML null are treated as absent (semantics §1.1)."""
    return {k: v for k, v in raw.items() if v is not None}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _str_field(value: Any, key: str, where: str) -> str:
    if not isinstance(value, str):
        raise WorkflowError(f"[{key}] {where} should be string type")
    return value


def _map_field(value: Any, key: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WorkflowError(f"[{key}] {where} should be map type")
    return value


def _check_keys(raw: dict[str, Any], allowed: set[str], what: str) -> None:
    for key in raw:
        if key not in allowed:
            raise WorkflowError(f"{what} has no attribute [{key}]")


def parse_workflow(raw: dict[str, Any]) -> WorkflowSpec:
    """Build a :class:`WorkflowSpec` from the decoded map; global defaults are applied later."""
    raw = _present(raw)
    _check_keys(raw, WORKFLOW_KEYS, "workflow")
    where = "of workflow"
    name = _str_field(raw.get("name", ""), "name", where)
    docker_env = _str_field(raw.get("docker_env", ""), "docker_env", where)
    disabled = _str_field(raw.get("disabled", ""), "disabled", where)
    parallelism = raw.get("parallelism", 0)
    if not _is_int(parallelism):
        raise WorkflowError("[parallelism] of workflow should be int type")
    entry_raw = raw.get("entry_points")
    if not isinstance(entry_raw, dict):
        raise WorkflowError("get entry_points map failed")
    entry = Dag(name="", entry_points=_parse_nodes(entry_raw))
    components = _parse_nodes(_map_field(raw.get("components", {}), "components", where))
    post_process: dict[str, Step] = {}
    for post_name, post_raw in _map_field(raw.get("post_process", {}), "post_process", where).items():
        node = _parse_node(str(post_name), post_raw)
        if not isinstance(node, Step):
            raise WorkflowError("post_process can only has step")
        post_process[str(post_name)] = node
    cache = _parse_cache(raw["cache"]) if "cache" in raw else CacheSpec()
    strategy = ""
    if "failure_options" in raw:
        options = _present(_map_field(raw["failure_options"], "failure_options", where))
        _check_keys(options, {"strategy"}, "[failure_options]")
        strategy = _str_field(options.get("strategy", ""), "strategy", "of failure_options")
    main_fs, extra_fs = None, []
    if "fs_options" in raw:
        fs_options = _present(_map_field(raw["fs_options"], "fs_options", where))
        _check_keys(fs_options, {"main_fs", "extra_fs"}, "[fs_options]")
        if "main_fs" in fs_options:
            main_fs = _parse_mount(fs_options["main_fs"])
        extra_fs = _parse_mounts(fs_options.get("extra_fs", []))
    for group in (entry.entry_points, post_process, components):
        for node in group.values():
            _default_image(node, docker_env)
    return WorkflowSpec(
        name=name,
        pipeline_name=name,
        entry=entry,
        docker_env=docker_env,
        parallelism=parallelism,
        failure_strategy=strategy,
        disabled=disabled,
        components=components,
        post_process=post_process,
        global_cache=cache,
        main_fs=main_fs,
        extra_fs_mounts=extra_fs,
    )


def _default_image(node: Node, image: str) -> None:
    """The global docker_env is copied into steps at parse time, before any request override (§2.1)."""
    if isinstance(node, Dag):
        for child in node.entry_points.values():
            _default_image(child, image)
    elif isinstance(node, Step) and not node.reference and not node.docker_env:
        node.docker_env = image


def _parse_nodes(raw: dict[str, Any]) -> dict[str, Node]:
    return {str(name): _parse_node(str(name), value) for name, value in raw.items()}


def _parse_node(name: str, raw: Any) -> Node:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise WorkflowError(f"component[{name}] should be map type")
    raw = _present(raw)
    if "entry_points" in raw:
        return _parse_dag(name, raw)
    return _parse_step(name, raw)


def _parse_common(node: Node, raw: dict[str, Any], kind: str) -> None:
    where = f"in {kind}"
    type_tag = _str_field(raw.get("type", ""), "type", where)
    if type_tag not in ("", kind):
        raise WorkflowError(f"set [type] as [{type_tag}] in {kind}")
    node.type_tag = type_tag
    deps = _str_field(raw.get("deps", ""), "deps", where)
    node.deps = [dep.strip() for dep in deps.split(",") if dep.strip()]
    for key, value in _map_field(raw.get("parameters", {}), "parameters", where).items():
        node.parameters[str(key)] = value
    node.condition = _str_field(raw.get("condition", ""), "condition", where)
    node.loop_argument = raw.get("loop_argument")


def _parse_step(name: str, raw: dict[str, Any]) -> Step:
    _check_keys(raw, STEP_KEYS, "step")
    step = Step(name=name)
    _parse_common(step, raw, "step")
    where = "in step"
    step.command = _str_field(raw.get("command", ""), "command", where)
    step.docker_env = _str_field(raw.get("docker_env", ""), "docker_env", where)
    for key, value in _map_field(raw.get("env", {}), "env", where).items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise WorkflowError("values in [env] should be string type")
        step.env[str(key)] = value if isinstance(value, str) else str(value)
    if "artifacts" in raw:
        artifacts = _present(_map_field(raw["artifacts"], "artifacts", where))
        _check_keys(artifacts, {"input", "output"}, "[artifacts] of step")
        step.input_artifacts = _parse_input_artifacts(artifacts.get("input", {}))
        output = artifacts.get("output", [])
        if isinstance(output, dict) and all(v in ("", None) for v in output.values()):
            output = list(output)
        if not isinstance(output, list) or not all(isinstance(item, str) for item in output):
            raise WorkflowError("[output] of artifacts in step should be list of string")
        step.output_artifacts = list(output)
    if "cache" in raw:
        step.cache = _parse_cache(raw["cache"])
    if "reference" in raw:
        reference = _present(_map_field(raw["reference"], "reference", where))
        _check_keys(reference, {"component"}, "[reference] of step")
        step.reference = _str_field(reference.get("component", ""), "component", "of reference")
    step.extra_fs = _parse_mounts(raw.get("extra_fs", []))
    return step


def _parse_dag(name: str, raw: dict[str, Any]) -> Dag:
    _check_keys(raw, DAG_KEYS, "dag")
    dag = Dag(name=name)
    _parse_common(dag, raw, "dag")
    dag.entry_points = _parse_nodes(_map_field(raw["entry_points"], "entry_points", "in dag"))
    if "artifacts" in raw:
        artifacts = _present(_map_field(raw["artifacts"], "artifacts", "in dag"))
        _check_keys(artifacts, {"input", "output"}, "[artifacts] of dag")
        dag.input_artifacts = _parse_input_artifacts(artifacts.get("input", {}))
        output = _map_field(artifacts.get("output", {}), "output", "of artifacts in dag")
        for key, value in output.items():
            dag.output_artifacts[str(key)] = _str_field(value, str(key), "of output artifacts in dag")
    return dag


def _parse_input_artifacts(raw: Any) -> dict[str, str]:
    result = {}
    for key, value in _map_field(raw, "input", "of artifacts").items():
        result[str(key)] = _str_field(value, str(key), "of input artifacts")
    return result


def _parse_cache(raw: Any) -> CacheSpec:
    cache = _present(_map_field(raw, "cache", "of workflow or step"))
    _check_keys(cache, {"enable", "max_expired_time", "fs_scope"}, "[cache]")
    spec = CacheSpec()
    if "enable" in cache:
        if not isinstance(cache["enable"], bool):
            raise WorkflowError("[cache.enable] should be bool type")
        spec.enable = cache["enable"]
    if "max_expired_time" in cache:
        value = cache["max_expired_time"]
        if isinstance(value, bool) or not (isinstance(value, str) or _is_int(value)):
            raise WorkflowError("[cache.max_expired_time] should be string/int64 type")
        spec.max_expired_time = str(value)
    scopes = cache.get("fs_scope", [])
    if not isinstance(scopes, list):
        raise WorkflowError("[cache.fs_scope] should be list type")
    for raw_scope in scopes:
        scope = _present(_map_field(raw_scope, "fs_scope", "of cache"))
        _check_keys(scope, {"name", "path"}, "[fs_scope]")
        scope_name = _str_field(scope.get("name", ""), "name", "of fs_scope")
        if not scope_name:
            raise WorkflowError("[fs_name] in fs_scope must not be empty")
        spec.fs_scope.append(
            FsScope(scope_name, _str_field(scope.get("path", "/"), "path", "of fs_scope") or "/")
        )
    return spec


def _parse_mounts(raw: Any) -> list[FsMount]:
    if not isinstance(raw, list):
        raise WorkflowError("[extra_fs] should be list type")
    return [_parse_mount(item) for item in raw]


def _parse_mount(raw: Any) -> FsMount:
    mount = _present(_map_field(raw, "main_fs", "or each mount info in [extra_fs]"))
    _check_keys(
        mount, {"name", "mount_path", "sub_path", "read_only"}, "[main_fs] or each mount info in [extra_fs]"
    )
    read_only = mount.get("read_only", False)
    if not isinstance(read_only, bool):
        raise WorkflowError("[read_only] in [main_fs] or [extra_fs] should be bool type")
    return FsMount(
        name=_str_field(mount.get("name", ""), "name", "of fs mount"),
        mount_path=_str_field(mount.get("mount_path", ""), "mount_path", "of fs mount"),
        sub_path=_str_field(mount.get("sub_path", ""), "sub_path", "of fs mount"),
        read_only=read_only,
    )
