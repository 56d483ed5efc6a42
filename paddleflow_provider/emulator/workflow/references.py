"""What each field of a node may reference, checked at run creation (semantics §1.6.1, §1.6.3).

``check_node_templates`` applies the per-field rules to one node given its siblings (the nodes its ``deps``
can name) and its enclosing DAG (what ``PF_PARENT`` means; ``None`` at top level).
"""

from __future__ import annotations

import re

from .errors import WorkflowError
from .spec import Dag, Node, Step
from .templates import (
    INPUT_ARTIFACT_RE,
    PF_PARENT,
    SYS_LOOP_ARGUMENT,
    SYS_VARS,
    TEMPLATE_RE,
    WHOLE_TEMPLATE_RE,
    ConditionError,
    check_condition_syntax,
)

VAR_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,49}$")


def _output_names(node: Node) -> set[str]:
    if isinstance(node, Dag):
        return set(node.output_artifacts)
    if isinstance(node, Step):
        return set(node.output_artifacts)
    return set()


def _check_var_names(node: Node) -> None:
    outputs = node.output_artifacts if isinstance(node, Step | Dag) else []
    groups = [
        ("parameters", list(node.parameters)),
        ("input artifacts", list(node.input_artifacts)),
        ("output artifacts", list(outputs)),
    ]
    if isinstance(node, Step):
        groups.append(("env", list(node.env)))
    seen: set[str] = set()
    for field, names in groups:
        for name in names:
            if not VAR_NAME_RE.match(name):
                raise WorkflowError(
                    f"check {field}[{name}] in component[{node.name}] failed: "
                    f"format of variable name[{name}] "
                    "invalid, should be in ^[A-Za-z_][A-Za-z0-9_]{0,49}$"
                )
            if field == "env":
                continue
            if name.lower() in seen:
                raise WorkflowError(
                    f"parameter name[{name}] has already existed in params/artifacts "
                    f"of component[{node.name}] "
                    "(these names are case-insensitive)"
                )
            seen.add(name.lower())


def _ref_error(template: str, node: Node, reason: str) -> WorkflowError:
    return WorkflowError(f"invalid reference param {template} in component[{node.name}]: {reason}")


def _check_upstream(template: str, node: Node, dep_name: str, siblings: dict[str, Node]) -> Node:
    if dep_name not in node.deps or dep_name not in siblings:
        raise _ref_error(template, node, f"component[{dep_name}] not in deps")
    dep = siblings[dep_name]
    if dep.condition:
        raise _ref_error(
            template,
            node,
            f"component[{dep_name}] has condition so its param and output artifacts can't be refered",
        )
    return dep


def _check_param_templates(node: Node, siblings: dict[str, Node], parent: Dag | None) -> None:
    for value in node.parameters.values():
        if not isinstance(value, str):
            continue
        for match in TEMPLATE_RE.finditer(value):
            template, ref_node, name = match.group(0), match.group(1), match.group(2)
            if ref_node is None:
                if name not in SYS_VARS:
                    raise WorkflowError(
                        f"unsupported SysParamName[{name}] for param[{template}] of filedType[parameters]"
                    )
            elif ref_node == PF_PARENT:
                if parent is None:
                    raise WorkflowError("PF_PARENT should used by a child component")
                if name != SYS_LOOP_ARGUMENT and name not in parent.parameters:
                    raise _ref_error(template, node, f"parameter[{name}] not exist")
            else:
                dep = _check_upstream(template, node, ref_node, siblings)
                if name == SYS_LOOP_ARGUMENT and dep.loop_argument not in (None, "", []):
                    continue
                if name not in dep.parameters:
                    raise _ref_error(template, node, f"parameter[{name}] not exist")


def _check_input_artifacts(node: Node, siblings: dict[str, Node], parent: Dag | None) -> None:
    for art_name, value in node.input_artifacts.items():
        match = INPUT_ARTIFACT_RE.match(value)
        if not match:
            raise WorkflowError(
                f"value[{value}] of input artifact[{art_name}] in component[{node.name}] is invalid, "
                "should be like {{ step.output_artifact }}"
            )
        ref_node, name = match.group(1), match.group(2)
        if ref_node == PF_PARENT:
            if parent is None:
                raise WorkflowError("PF_PARENT should used by a child component")
            if name not in parent.input_artifacts:
                raise _ref_error(value, node, f"input artifact[{name}] not exist")
            continue
        dep = _check_upstream(value, node, ref_node, siblings)
        if name not in _output_names(dep):
            raise _ref_error(value, node, f"output artifact[{name}] not exist")


def _check_own_field(node: Node, text: str, field: str, allowed: set[str]) -> None:
    for match in TEMPLATE_RE.finditer(text):
        template, ref_node, name = match.group(0), match.group(1), match.group(2)
        if ref_node == PF_PARENT:
            raise WorkflowError("PF_PARENT can only used in parameters or input artifacts")
        if ref_node is not None:
            raise _ref_error(
                template,
                node,
                f"only system variables and its own parameters or artifacts can be used in [{field}]",
            )
        if name not in SYS_VARS and name not in allowed:
            raise WorkflowError(
                f"unsupported SysParamName[{name}] for param[{template}] of filedType[{field}]"
            )


def _check_loop_argument(node: Node) -> None:
    loop = node.loop_argument
    if isinstance(loop, list):
        for item in loop:
            if isinstance(item, str) and TEMPLATE_RE.search(item):
                raise WorkflowError(
                    f"loop_argument of component[{node.name}] can not contain templates in its list"
                )
        return
    if not isinstance(loop, str) or not TEMPLATE_RE.search(loop):
        return
    whole = WHOLE_TEMPLATE_RE.match(loop.strip())
    if not whole:
        raise WorkflowError(
            f"loop_argument[{loop}] of component[{node.name}] should be a single template "
            "of its own parameter "
            "or input artifact"
        )
    ref_node, name = whole.group(1), whole.group(2)
    if ref_node is not None or (name not in node.parameters and name not in node.input_artifacts):
        raise WorkflowError(
            f"loop_argument[{loop}] of component[{node.name}] should refer to "
            "its own parameter or input artifact"
        )


def check_node_templates(node: Node, siblings: dict[str, Node], parent: Dag | None) -> None:
    """Apply every per-field reference rule of semantics §1.6.3 to ``node``."""
    _check_var_names(node)
    _check_param_templates(node, siblings, parent)
    _check_input_artifacts(node, siblings, parent)
    own_params = set(node.parameters)
    own_inputs = set(node.input_artifacts)
    if isinstance(node, Step):
        for value in node.env.values():
            _check_own_field(node, value, "env", own_params)
        _check_own_field(node, node.command, "command", own_params | own_inputs | set(node.output_artifacts))
    if isinstance(node, Dag):
        for art_name, value in node.output_artifacts.items():
            match = INPUT_ARTIFACT_RE.match(value)
            child = node.entry_points.get(match.group(1)) if match else None
            if not match or child is None:
                raise WorkflowError(
                    f"output artifact[{art_name}] of dag[{node.name}] should refer to "
                    "an output artifact of its "
                    f"children, like {{{{ child.output_artifact }}}}, not [{value}]"
                )
            if match.group(2) not in _output_names(child):
                raise _ref_error(value, node, f"output artifact[{match.group(2)}] not exist")
    if node.condition:
        _check_own_field(node, node.condition, "condition", own_params | own_inputs)
        try:
            check_condition_syntax(node.condition)
        except ConditionError as exc:
            raise WorkflowError(
                f"condition[{node.condition}] of component[{node.name}] is invalid: {exc}"
            ) from None
    _check_loop_argument(node)
