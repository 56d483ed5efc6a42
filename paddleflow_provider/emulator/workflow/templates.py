"""``{{ node.name }}`` templates and ``condition`` expressions (semantics §1.6.2, §1.6.5, §2.5).

Pure functions: finding templates, substituting them (a whole-string template keeps the referenced value's
type, a template inside text is stringified the way the Go server prints values), and a small evaluator with
govaluate's semantics for conditions (bare identifiers are string literals, the result must be a boolean).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

TEMPLATE_RE = re.compile(r"\{\{\s*(?:([A-Za-z0-9_-]+)\.)?([A-Za-z0-9_]+)\s*\}\}")
WHOLE_TEMPLATE_RE = re.compile(r"^\{\{\s*(?:([A-Za-z0-9_-]+)\.)?([A-Za-z0-9_]+)\s*\}\}$")
INPUT_ARTIFACT_RE = re.compile(r"^\{\{\s*([A-Za-z0-9\-_]+)\.([A-Za-z0-9_]+)\s*\}\}$")

SYS_RUN_ID = "PF_RUN_ID"
SYS_STEP_NAME = "PF_STEP_NAME"
SYS_USER_NAME = "PF_USER_NAME"
SYS_LOOP_ARGUMENT = "PF_LOOP_ARGUMENT"
SYS_VARS = (SYS_RUN_ID, SYS_STEP_NAME, SYS_USER_NAME, SYS_LOOP_ARGUMENT)
PF_PARENT = "PF_PARENT"


def find_templates(text: str) -> list[tuple[str, str | None, str]]:
    """Every template in ``text`` as ``(matched text, node or None, name)``."""
    return [(m.group(0), m.group(1), m.group(2)) for m in TEMPLATE_RE.finditer(text)]


def go_format(value: Any) -> str:
    """A value as Go's ``%v`` prints it (floats in plain decimal, lists as ``[a b]``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, list):
        return "[" + " ".join(go_format(item) for item in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_format(v)}" for k, v in sorted(value.items())) + "]"
    if value is None:
        return ""
    return str(value)


def param_text(value: Any) -> str:
    """A resolved parameter as the string the run detail and the process see."""
    if isinstance(value, list):
        return json.dumps(value, separators=(",", ":"))
    return go_format(value)


def substitute(text: str, resolve: Callable[[str | None, str], Any]) -> Any:
    """Replace templates through ``resolve(node, name)``; a lone template keeps the value's type."""
    whole = WHOLE_TEMPLATE_RE.match(text)
    if whole:
        return resolve(whole.group(1), whole.group(2))
    return TEMPLATE_RE.sub(lambda m: param_text(resolve(m.group(1), m.group(2))), text)


# ------------------------------------------------------------------------------------------------
# conditions


class ConditionError(ValueError):
    """The condition text is not a valid boolean expression."""


_TOKEN_RE = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)|(?P<str>'[^']*'|\"[^\"]*\")"
    r"|(?P<op>&&|\|\||==|!=|>=|<=|=~|[><!+\-*/%()])|(?P<ident>[A-Za-z_][A-Za-z0-9_.]*))"
)


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if not match or match.end() == pos:
            raise ConditionError(f"Invalid token: '{text[pos:].strip()}'")
        pos = match.end()
        if match.group("num") is not None:
            tokens.append(("val", float(match.group("num"))))
        elif match.group("str") is not None:
            tokens.append(("val", match.group("str")[1:-1]))
        elif match.group("op") is not None:
            tokens.append(("op", match.group("op")))
        else:
            ident = match.group("ident")
            tokens.append(("val", {"true": True, "false": False}.get(ident, ident)))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        if self.pos < len(self.tokens) and self.tokens[self.pos][0] == "op":
            return str(self.tokens[self.pos][1])
        return None

    def take(self) -> tuple[str, Any]:
        if self.pos >= len(self.tokens):
            raise ConditionError("Unexpected end of expression")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expression(self) -> Any:
        return self._logical("||", self.conjunction)

    def conjunction(self) -> Any:
        return self._logical("&&", self.comparison)

    def _logical(self, op: str, operand: Callable[[], Any]) -> Any:
        """A left-associative chain of ``||`` or ``&&``: both sides are parsed, and the right one is only
        checked for a boolean when the left one does not decide (so ``true || 1`` is true)."""
        left = operand()
        while self.peek() == op:
            self.take()
            right = operand()
            decided = _bool(left, op) == (op == "||")  # true || ..., false && ...
            left = left if decided else _bool(right, op)
        return left

    def comparison(self) -> Any:
        left = self.additive()
        op = self.peek()
        if op in ("==", "!=", ">", "<", ">=", "<="):
            self.take()
            return _compare(left, str(op), self.additive())
        return left

    def additive(self) -> Any:
        left = self.multiplicative()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            right = self.multiplicative()
            if op == "+" and isinstance(left, str) and isinstance(right, str):
                left = left + right
            else:
                left = _num(left, op) + _num(right, op) if op == "+" else _num(left, op) - _num(right, op)
        return left

    def multiplicative(self) -> Any:
        left = self.unary()
        while self.peek() in ("*", "/", "%"):
            op = self.take()[1]
            a, b = _num(left, op), _num(self.unary(), op)
            if op != "*" and b == 0:
                raise ConditionError("division by zero")
            left = a * b if op == "*" else a / b if op == "/" else a % b
        return left

    def unary(self) -> Any:
        op = self.peek()
        if op == "!":
            self.take()
            return not _bool(self.unary(), "!")
        if op == "-":
            self.take()
            return -_num(self.unary(), "-")
        if op == "(":
            self.take()
            value = self.expression()
            if self.peek() != ")":
                raise ConditionError("Unbalanced parenthesis")
            self.take()
            return value
        kind, value = self.take()
        if kind != "val":
            raise ConditionError(f"Unexpected operator '{value}'")
        return value


def _num(value: Any, op: str) -> float:
    if isinstance(value, bool) or not isinstance(value, float):
        raise ConditionError(f"Value '{go_format(value)}' cannot be used with the operator '{op}'")
    return value


def _bool(value: Any, op: str) -> bool:
    if not isinstance(value, bool):
        raise ConditionError(f"Value '{go_format(value)}' cannot be used with the operator '{op}'")
    return value


def _compare(left: Any, op: str, right: Any) -> bool:
    if op == "==":
        return type(left) is type(right) and left == right
    if op == "!=":
        return not (type(left) is type(right) and left == right)
    if isinstance(left, str) and isinstance(right, str):
        a: Any = left
        b: Any = right
    else:
        a, b = _num(left, op), _num(right, op)
    return {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op]


def evaluate_condition(expression: str) -> bool:
    """Evaluate a resolved condition; raises :class:`ConditionError` unless the result is a boolean."""
    parser = _Parser(_tokenize(expression))
    if not parser.tokens:
        raise ConditionError("empty expression")
    result = parser.expression()
    if parser.pos != len(parser.tokens):
        raise ConditionError(f"Unexpected token '{go_format(parser.tokens[parser.pos][1])}'")
    if not isinstance(result, bool):
        raise ConditionError(f"result of condition[{expression}] is not bool")
    return result


def check_condition_syntax(expression: str) -> None:
    """Validation-time check: the braces-stripped expression must parse (values are not known yet)."""
    stripped = TEMPLATE_RE.sub(lambda m: m.group(2), expression)
    parser = _Parser(_tokenize(stripped))
    if not parser.tokens:
        raise ConditionError("empty expression")
    _syntax_only(parser)


def _syntax_only(parser: _Parser) -> None:
    """Walk the grammar without evaluating (operand types are unknown before the run)."""
    depth = 0
    expect_operand = True
    for kind, value in parser.tokens:
        if kind == "val":
            if not expect_operand:
                raise ConditionError(f"Unexpected value '{go_format(value)}'")
            expect_operand = False
        elif value == "(":
            if not expect_operand:
                raise ConditionError("Unexpected '('")
            depth += 1
        elif value == ")":
            depth -= 1
            if depth < 0 or expect_operand:
                raise ConditionError("Unbalanced parenthesis")
        elif value in ("!", "-") and expect_operand:
            continue
        else:
            if expect_operand:
                raise ConditionError(f"Unexpected operator '{value}'")
            expect_operand = True
    if depth != 0 or expect_operand:
        raise ConditionError("Unexpected end of expression")
