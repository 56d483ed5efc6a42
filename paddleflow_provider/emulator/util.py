"""Small shared helpers: wire time formats, name rules, marker pagination, resource quantities."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from .errors import PFError

T = TypeVar("T")

TIME_FMT = "%Y-%m-%d %H:%M:%S"

USER_NAME_RE = re.compile(r"^[A-Za-z0-9]{4,16}$")
RUN_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")
SCHEDULE_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{1,49}$")
DNS1123_RE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
CLUSTER_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9-_]{0,253}[A-Za-z0-9_]$")
FS_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,63}$")


def now() -> datetime:
    """Local wall-clock time without zone, as the server formats it."""
    return datetime.now()


def fmt_time(t: datetime | None = None) -> str:
    """``YYYY-MM-DD hh:mm:ss`` (server local time), the format of nearly every ``*Time`` field."""
    return (t or now()).strftime(TIME_FMT)


def rfc3339(t: datetime | None = None) -> str:
    """RFC 3339 with zone, used only by user and grant times."""
    return (t or datetime.now(UTC)).astimezone().isoformat()


def parse_time(value: str) -> datetime:
    return datetime.strptime(value, TIME_FMT)


def password_ok(password: str) -> bool:
    """Server rule: at least 6 characters with a digit and a lower-case letter."""
    return len(password) >= 6 and any(c.isdigit() for c in password) and any(c.islower() for c in password)


# --- pagination ---------------------------------------------------------------------------------
def encode_marker(pk: int) -> str:
    return base64.urlsafe_b64encode(f"pf:{pk}".encode()).decode().rstrip("=")


def decode_marker(marker: str | None) -> int:
    """The pk after which the next page starts; an undecodable marker is ``InvalidMarker``."""
    if not marker:
        return 0
    try:
        raw = base64.urlsafe_b64decode(marker + "=" * (-len(marker) % 4)).decode()
        if not raw.startswith("pf:"):
            raise ValueError(marker)
        return int(raw[3:])
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise PFError("InvalidMarker") from None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a marker-paged list; the handler turns it into the wire envelope."""

    items: list[T]
    max_keys: int
    truncated: bool
    next_marker: str | None  # None on the last page


def paginate(
    items: Sequence[tuple[int, T]], marker: str | None, max_keys: int, *, newest_first: bool = False
) -> Page[T]:
    """Marker paging over ``(pk, item)`` pairs in ascending pk order, as the server lists.

    ``newest_first`` walks them from the highest pk down instead (the emulator's run pages, where a
    person looks for the run just started); the marker then names the last pk shown, as before."""
    last_shown = decode_marker(marker)
    if newest_first:
        rest = [(pk, it) for pk, it in reversed(items) if not last_shown or pk < last_shown]
    else:
        rest = [(pk, it) for pk, it in items if pk > last_shown]
    page = rest[:max_keys]
    truncated = len(rest) > max_keys
    next_marker = encode_marker(page[-1][0]) if truncated else None
    return Page([it for _, it in page], max_keys, truncated, next_marker)


# --- quantities ---------------------------------------------------------------------------------
_SUFFIX = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}
_QTY_RE = re.compile(r"^([+-]?[0-9]+(?:\.[0-9]*)?|[+-]?\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")


def parse_quantity(value: Any) -> float:
    """A Kubernetes quantity (``"4"``, ``"500m"``, ``"8Gi"``) as a float; ``ValueError`` if invalid."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        return float(value)
    m = _QTY_RE.match(str(value).strip())
    if not m:
        raise ValueError(value)
    num = float(m.group(1))
    unit = m.group(2) or ""
    return num / 1000 if unit == "m" else num * _SUFFIX[unit]


def fmt_cpu(cores: float) -> str:
    milli = round(cores * 1000)
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"


def fmt_mem(num_bytes: float) -> str:
    b = int(num_bytes)
    if b == 0:
        return "0"
    for unit, size in (
        ("Ei", 2**60),
        ("Pi", 2**50),
        ("Ti", 2**40),
        ("Gi", 2**30),
        ("Mi", 2**20),
        ("Ki", 2**10),
    ):
        if b % size == 0:
            return f"{b // size}{unit}"
    for unit, size in (("E", 10**18), ("P", 10**15), ("T", 10**12), ("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if b % size == 0:
            return f"{b // size}{unit}"
    return str(b)
