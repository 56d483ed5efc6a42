"""The three output formats (``--output table|json|text``), written once for every command.

Why here: the command modules only say *which* fields to show under which header (the original CLI's
column names); how a list, a record or a success message looks in each format is decided here.

* ``table``: tabulate's ``grid`` tables, as the original CLI printed them, then ``marker: ...`` for lists.
* ``text``: the same rows without borders (tabulate ``plain``), for ``grep``/``awk``.
* ``json``: one JSON document on stdout, stable for scripts: a record is the client's model with its
  attribute names; a list is ``{"items": [...], "nextMarker": ...}``; a change is ``{"message": ..., ...}``.
  ``run logs`` prints JSON Lines instead (one object per log line) so it can stream.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click
from pydantic import BaseModel

from paddleflow_provider.client._exceptions import SECRET_HINTS

FORMATS = ("table", "json", "text")

#: a column: its header and how to read the cell from a record (an attribute name or a function)
Column = tuple[str, str | Callable[[Any], Any]]


def hidden(key: str) -> bool:
    """Keys whose values are never printed (the client's own list of secret-looking names)."""
    lowered = key.lower().replace("_", "").replace("-", "")
    return lowered in ("ak", "sk") or any(hint in lowered for hint in (*SECRET_HINTS, "secretkey"))


def jsonable(value: Any) -> Any:
    """Plain JSON data from the client's models, dataclasses and containers; secret values masked."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): "<hidden>" if hidden(str(k)) else jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def cell(value: Any) -> str:
    """One table cell: containers as JSON (secrets masked), ``None`` as empty."""
    if value is None:
        return ""
    if isinstance(value, dict | list | tuple | BaseModel):
        data = jsonable(value)
        return json.dumps(data, ensure_ascii=False, indent=2 if _deep(data) else None) if data else ""
    return str(value)


def _deep(data: Any) -> bool:
    return isinstance(data, dict) and any(isinstance(v, dict | list) for v in data.values())


def read(record: Any, how: str | Callable[[Any], Any]) -> Any:
    return how(record) if callable(how) else getattr(record, how, "")


class Output:
    """Prints records, lists and messages in the chosen format."""

    def __init__(self, fmt: str = "table") -> None:
        if fmt not in FORMATS:
            raise click.BadParameter(f"{fmt!r} is not one of {', '.join(FORMATS)}", param_hint="--output")
        self.fmt = fmt

    @property
    def json(self) -> bool:
        return self.fmt == "json"

    def _table(self, rows: list[list[str]], headers: Sequence[str]) -> None:
        from tabulate import tabulate  # type: ignore[import-untyped]  # (no stubs installed)

        # Cells are shown as the server sent them: no number parsing (a timestamp stays 1657807709).
        fmt = "grid" if self.fmt == "table" else "plain"
        click.echo(tabulate(rows, headers=list(headers), tablefmt=fmt, disable_numparse=True))

    def rows(self, records: Iterable[Any], columns: Sequence[Column]) -> None:
        """One table of ``records`` (table/text only)."""
        self._table([[cell(read(r, how)) for _, how in columns] for r in records], [h for h, _ in columns])

    def listing(
        self, records: Sequence[Any], columns: Sequence[Column], marker: str | None = None, paged: bool = True
    ) -> None:
        """A list answer; ``paged`` lists also show the marker of the next page."""
        if self.json:
            data: dict[str, Any] = {"items": jsonable(list(records))}
            if paged:
                data["nextMarker"] = marker
            self.emit_json(data)
            return
        self.rows(records, columns)
        if paged:
            click.echo(f"marker: {marker}")

    def record(
        self, record: Any, tables: Sequence[Sequence[Column]], blocks: Sequence[tuple[str, Any]] = ()
    ) -> None:
        """One object: for table/text, each column group as a one-row table, then titled text blocks."""
        if self.json:
            self.emit_json(jsonable(record))
            return
        for columns in tables:
            self.rows([record], columns)
        for title, value in blocks:
            if value in (None, "", {}, []):
                continue
            text = value if isinstance(value, str) else cell(value)
            if self.fmt == "table":
                self._table([[text]], [title])
            else:
                click.echo(f"{title}:\n{text}")

    def done(self, message: str, **data: Any) -> None:
        """A change succeeded: the original CLI's sentence, or ``{"message": ..., **data}`` as JSON."""
        if self.json:
            self.emit_json({"message": message, **jsonable(data)})
        else:
            click.echo(message)

    def emit_json(self, data: Any) -> None:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))
