"""Wire formats shared by the handlers: query values, list envelopes (no FastAPI here).

The backend takes typed values and returns records; these helpers turn query strings into those values
and pages into the server's JSON envelopes, keeping its key order and its ``omitempty`` quirks.
"""

from __future__ import annotations

from typing import Any

from ..errors import PFError
from ..util import Page


def parse_max_keys(value: str | None, *, default: int = 50, label: str = "maxKeys") -> int:
    """``maxKeys``: default 50, an integer in 1..1000, otherwise ``InvalidURI``."""
    if value is None or value == "":
        return default
    try:
        n = int(value)
    except ValueError:
        n = -1
    if not 1 <= n <= 1000:
        raise PFError("InvalidURI", f"{label}[{value}] is invalid")
    return n


def split_filter(value: str | None) -> list[str]:
    """Comma-separated list filters (``statusFilter=a,b``); blanks are dropped."""
    return [v.strip() for v in (value or "").split(",") if v.strip()]


_OWN_ITEMS: Any = object()


def page_body(
    page: Page[Any], list_key: str, items: Any = _OWN_ITEMS, *, max_keys: int | None = None
) -> dict[str, Any]:
    """``{maxKeys, isTruncated, nextMarker?, <list_key>}``; ``nextMarker`` is omitted on the last page,
    as the server's ``omitempty`` does. ``items`` replaces the page's own items (already serialised)."""
    body: dict[str, Any] = {
        "maxKeys": page.max_keys if max_keys is None else max_keys,
        "isTruncated": page.truncated,
    }
    if page.next_marker is not None:
        body["nextMarker"] = page.next_marker
    body[list_key] = page.items if items is _OWN_ITEMS else items
    return body
