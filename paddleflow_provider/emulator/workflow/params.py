"""Parameter values: request overrides, typed ``{type, default}`` declarations, value checks (§1.6.4)."""

from __future__ import annotations

import re
from typing import Any

from .errors import WorkflowError
from .spec import Dag, Node, WorkflowSpec, walk
from .templates import TEMPLATE_RE

PATH_PARAM_RE = re.compile(r"^[.a-zA-Z0-9/_-]+$")
PARAM_TYPES = ("string", "int", "float", "path", "list")


def resolve_typed_param(name: str, declared: dict[str, Any], value: Any = None) -> Any:
    """Replace a ``{type, default}`` declaration by its value, checking the declared type."""
    unknown = set(declared) - {"type", "default"}
    if unknown:
        raise WorkflowError(f"dict param[{name}] has no attribute [{sorted(unknown)[0]}]")
    type_name = declared.get("type", "")
    if type_name not in PARAM_TYPES:
        raise WorkflowError(f"type[{type_name}] is not supported for dict param[name: {name}]")
    if value is None:
        value = declared.get("default")
    if value is None or value in ("", []):
        raise WorkflowError(f"value of dict param[name: {name}] should not be empty")
    if not matches_type(type_name, value):
        raise WorkflowError(f"value[{value}] of dict param[name: {name}] does not match type[{type_name}]")
    return value


def matches_type(type_name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "int":
        return isinstance(value, int)
    if type_name == "float":
        return isinstance(value, int | float)
    if type_name == "path":
        return isinstance(value, str) and bool(PATH_PARAM_RE.match(value))
    if not isinstance(value, list) or not value:
        return False
    kinds = {type(item) for item in value}
    return len(kinds) == 1 and kinds <= {int, float, str}


def _set_param(node: Node, name: str, value: Any) -> None:
    declared = node.parameters[name]
    if isinstance(declared, dict):
        resolve_typed_param(name, declared, value)
        node.param_types[name] = declared.get("type", "")
        declared = dict(declared)
        declared["default"] = value
        node.parameters[name] = declared
    else:
        node.parameters[name] = value


def apply_request_params(spec: WorkflowSpec, params: dict[str, Any]) -> None:
    tops: dict[str, Node] = {**spec.entry.entry_points, **spec.post_process}
    for key, value in params.items():
        parts = key.split(".")
        if len(parts) == 1:
            hits = [node for top in tops.values() for _, node in walk(top, None) if key in node.parameters]
            if not hits:
                raise WorkflowError(f"param[{key}] not exist")
            for node in hits:
                _set_param(node, key, value)
            continue
        *path, param = parts
        found: Node | None = None
        children: dict[str, Node] = spec.entry.entry_points
        for index, part in enumerate(path):
            found = children.get(part)
            if found is None and index == 0:
                found = spec.post_process.get(part)
            if found is None:
                raise WorkflowError(f"cannont find component to replace param with [{key}]")
            children = found.entry_points if isinstance(found, Dag) else {}
        assert found is not None
        if param not in found.parameters:
            raise WorkflowError(f"no parameter named [{param}] in step [{found.name}]")
        _set_param(found, param, value)


def finish_params(node: Node) -> None:
    """Typed dicts become their values; every value gets the server's type check."""
    for name, value in list(node.parameters.items()):
        if isinstance(value, dict):
            node.param_types[name] = str(value.get("type", ""))
            node.parameters[name] = resolve_typed_param(name, value)
        elif isinstance(value, bool) or not isinstance(value, int | float | str | list):
            raise WorkflowError(
                f"value[{value}] of param[{name}] in component[{node.name}] is invalid, "
                "type should be int, float, string, list or dict"
            )
        elif isinstance(value, list):
            _check_list_param(node, name, value)


def _check_list_param(node: Node, name: str, value: list[Any]) -> None:
    for item in value:
        if isinstance(item, list):
            _check_list_param(node, name, item)
        elif isinstance(item, bool) or not isinstance(item, int | float | str):
            raise WorkflowError(f"element[{item}] of list param[{name}] in component[{node.name}] is invalid")
        elif isinstance(item, str) and TEMPLATE_RE.search(item):
            raise WorkflowError(f"list param[{name}] in component[{node.name}] can not contain templates")
