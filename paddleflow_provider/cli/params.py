"""Option shapes several groups share (``-m/--maxsize``, ``-mk/--marker``, ``-o key=value`` ...).

Only the command-line *shape* lives here (how a ``key=value`` word becomes a dict entry); whether a
value is acceptable (page size range, names) is the client's check, so it is not restated.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def key_values(option: str, words: Sequence[str]) -> dict[str, str] | None:
    """``("a=1", "b=2")`` -> ``{"a": "1", "b": "2"}``; a word without ``=`` is a usage error."""
    out: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected key=value, got {word!r}", param_hint=option)
        out[key] = value
    return out or None


def text_or_file(option: str, value: str | None) -> str | None:
    """``@path`` reads a local file (for yaml and credentials); any other value is the text itself."""
    if not value or not value.startswith("@"):
        return value
    path = Path(value[1:]).expanduser()
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise click.BadParameter(f"cannot read {str(path)!r}: {err.strerror}", param_hint=option) from err


def yaml_text(option: str, value: str | None) -> str | None:
    """A yaml option's value: ``@file``, the yaml text (the SDK's ``*_yaml_raw``), or, as the original
    CLI took it, the yaml's base64. Yaml text is never strict base64 (it has ``:``, blanks, newlines),
    so the two cannot be confused; the client encodes the text for the wire itself."""
    text = text_or_file(option, value)
    if not text or value is None or value.startswith("@"):
        return text
    try:
        decoded = base64.b64decode(text.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return text
    return decoded if ":" in decoded else text


def maxsize(*names: str, default: int = 50) -> Callable[[F], F]:
    return click.option(*names, "maxsize", type=int, default=default, show_default=True, help="page size")


def marker() -> Callable[[F], F]:
    return click.option("-mk", "--marker", default=None, help="the marker of the next page")
