"""YAML decoding with the Go server's scalar rules (gopkg.in/yaml.v3 into ``map[string]interface{}``).

PyYAML implements YAML 1.1, where ``on``/``off``/``yes``/``no``/``y``/``n`` are booleans, ``010`` is a
decimal-looking octal and ``0o10`` a string. The server's yaml.v3 follows the YAML 1.2 core schema with a
few extras, so a step named ``off`` must stay the string ``"off"`` here too. Plain (unquoted) scalars
resolve as yaml.v3 resolves them:

* booleans: only ``true``/``True``/``TRUE`` and ``false``/``False``/``FALSE``;
* null: empty, ``~``, ``null``/``Null``/``NULL``; ``.nan``/``.inf``/``-.inf`` (and case variants) are floats;
* integers: underscores removed, then Go's ``ParseInt(s, 0, 64)`` (``0x``/``0o``/``0b`` prefixes, and a
  leading ``0`` means octal: ``010`` is 8), then ``ParseUint`` up to 2**64-1; ``-0b``/``-0o`` too;
* floats: ``[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?`` after removing underscores (``08`` is
  8.0, ``1e3`` 1000.0), or anything Go parses as a float when it starts with ``.``; an out-of-range float
  stays a string;
* timestamps stay strings (yaml.v3 does that when decoding into ``interface{}``); everything else is a
  string.

Mapping keys are the scalar's own text (``1.0:`` is the key ``"1.0"``, ``true:`` is ``"true"``), as yaml.v3
sets a string key from the node's value. Duplicate keys are refused like yaml.v3 does.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from .errors import WorkflowError

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

GO_TAG = "tag:paddleflow-emulator,2024:go-scalar"
_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")
_NULL = ("", "~", "null", "Null", "NULL")
_SPECIAL_FLOATS = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")
_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}
_INT64 = (-(1 << 63), (1 << 63) - 1)
_UINT64_MAX = (1 << 64) - 1


def _go_parse_int(text: str) -> int | None:
    """Go's ``strconv.ParseInt(text, 0, 64)``, falling back to ``ParseUint`` (no sign) as yaml.v3 does."""
    signed = text[:1] in ("+", "-")
    body = text[1:] if signed else text
    prefix = body[:2].lower()
    if prefix in ("0x", "0o", "0b"):
        base, digits = {"0x": 16, "0o": 8, "0b": 2}[prefix], body[2:]
    elif body.startswith("0") and len(body) > 1:
        base, digits = 8, body[1:]
    else:
        base, digits = 10, body
    if not digits or any(ch not in _DIGITS[base] for ch in digits):
        return None
    value = int(digits, base) * (-1 if text.startswith("-") else 1)
    if _INT64[0] <= value <= _INT64[1] or (not signed and value <= _UINT64_MAX):
        return value
    return None


def go_scalar(text: str) -> Any:
    """The value yaml.v3 gives an untagged plain scalar decoded into ``interface{}``."""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text in _NULL:
        return None
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    first = text[0]
    if first == ".":
        return float(text) if _DOT_FLOAT.fullmatch(text) else text
    if first not in "+-0123456789":
        return text
    plain = text.replace("_", "")
    value = _go_parse_int(plain)
    if value is not None:
        return value
    if _YAML_STYLE_FLOAT.fullmatch(plain):
        number = float(plain)
        return text if math.isinf(number) else number  # Go reports a range error: not a float
    return text


class GoYamlLoader(_BaseLoader):  # type: ignore[misc]  # a base picked at import: the C loader if built
    """A SafeLoader whose implicit scalar typing, keys and duplicate-key check are yaml.v3's."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return "tag:yaml.org,2002:merge" if value == "<<" else GO_TAG
        return str(super().resolve(kind, value, implicit))


def _construct_go_scalar(loader: Any, node: yaml.ScalarNode) -> Any:
    return go_scalar(node.value)


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
    loader.flatten_mapping(node)
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            key = key_node.value
        else:
            key = str(loader.construct_object(key_node, deep=True))
        if key in result:
            raise WorkflowError(
                f"yaml: unmarshal errors:\n  line {key_node.start_mark.line + 1}: "
                f'key "{key}" already set in map'
            )
        result[key] = loader.construct_object(value_node, deep=deep)
    return result


GoYamlLoader.add_constructor(GO_TAG, _construct_go_scalar)
GoYamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load(text: str) -> Any:
    """Decode one YAML document with :class:`GoYamlLoader`; YAML errors propagate as ``yaml.YAMLError``."""
    return yaml.load(text, Loader=GoYamlLoader)  # noqa: S506 - a SafeLoader subclass
