"""Shared base for the info classes: tolerant pydantic models.

Why tolerant: the server adds fields over time, sends ``null`` for empty lists and may introduce new
status strings; none of that may crash a user's DAG. Unknown keys are kept (``extra="allow"``), ``null``
falls back to the field default, numbers become strings where a string is expected, and statuses are
plain strings (see ``RunStatus`` for the known ones).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Generic, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

T = TypeVar("T")


class Info(BaseModel):
    """Base of every info class. Attribute names are the SDK reference's; wire keys are aliases."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, coerce_numbers_to_str=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data


def f(*aliases: str, default: Any = "", repr: bool = True) -> Any:
    """A field read from any of ``aliases`` (wire key first); the attribute name itself also works."""
    if callable(default):
        return Field(default_factory=default, validation_alias=AliasChoices(*aliases), repr=repr)
    return Field(default=default, validation_alias=AliasChoices(*aliases), repr=repr)


@dataclasses.dataclass
class Page(Generic[T]):
    """One page of a list endpoint; ``next_marker`` is None on the last page."""

    items: list[T]
    next_marker: str | None = None
    is_truncated: bool = False

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def marker_of(data: dict[str, Any]) -> str | None:
    """``nextMarker`` is omitted (or ``""`` for fs/link lists) on the last page."""
    marker = data.get("nextMarker")
    return str(marker) if marker else None


def items_of(data: Any, key: str) -> list[Any]:
    """The list under ``key``; ``null``/missing is an empty list; anything else is a protocol error."""
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object with '{key}', got {type(data).__name__}")
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"'{key}' is {type(value).__name__}, expected a list")
    return value
