"""JSON object bodies decoded the way the real server's Go ``encoding/json`` decodes them.

Keys match case-insensitively, unknown keys are ignored and ``null`` leaves a field at its default, so the
SDK's ``fsname``/``username`` spellings work. A value of the wrong JSON type is the route's "malformed"
error, with Go's message. Framework-free: handlers build it from the request bytes.
"""

from __future__ import annotations

import builtins
from typing import Any

from ..errors import PFError


class Body:
    """A JSON object body with case-insensitive keys; ``null`` values count as absent."""

    def __init__(self, data: dict[str, Any], malformed: str = "MalformedJSON") -> None:
        self._d = {str(k).lower(): v for k, v in data.items() if v is not None}
        self._malformed = malformed
        self.raw = data

    def has(self, key: str) -> bool:
        return key.lower() in self._d

    def get(self, key: str, default: Any = None) -> Any:
        return self._d.get(key.lower(), default)

    def _typed(self, key: str, types: tuple[type, ...], tname: str, default: Any) -> Any:
        v = self._d.get(key.lower(), default)
        if v is default:
            return v
        if not isinstance(v, types) or (isinstance(v, bool) and bool not in types):
            raise PFError(self._malformed, f"json: cannot unmarshal into field {key} of type {tname}")
        return v

    def str(self, key: str, default: str = "") -> str:
        return str(self._typed(key, (str,), "string", default))

    # Below ``def str`` the class body's ``str`` is that method: annotations name the builtins.
    def int(self, key: builtins.str, default: int = 0) -> int:
        return int(self._typed(key, (int,), "int", default))

    def bool(self, key: builtins.str, default: bool = False) -> builtins.bool:
        return bool(self._typed(key, (bool,), "bool", default))

    def dict(self, key: builtins.str) -> builtins.dict[builtins.str, Any] | None:
        v = self._typed(key, (dict,), "object", None)
        return None if v is None else dict(v)

    def list(self, key: builtins.str) -> builtins.list[Any] | None:
        v = self._typed(key, (list,), "array", None)
        return None if v is None else list(v)
