"""Job log files and the server's line paging (semantics §5.2).

Each job's stdout+stderr goes to ``<run_dir>/logs/<job_id>.log``; every line is prefixed with an RFC3339Nano
UTC timestamp, as the real server's container logs are. :func:`read_log_page` is a pure function of the file.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

END_MAX_LINES = 5000
BEGIN_MAX_BYTES = 500_000
POSITIONS = ("begin", "end")


@dataclass
class LogPage:
    """One page of a job log as the ``logInfo`` object carries it."""

    content: str
    has_next_page: bool
    truncated: bool


def job_log_path(run_dir: Path, job_id: str) -> Path:
    """Where the engine writes the log of ``job_id`` of the run whose files live in ``run_dir``."""
    if not job_id or "/" in job_id or job_id.startswith("."):
        raise ValueError(f"invalid job_id[{job_id}]")
    return Path(run_dir) / "logs" / f"{job_id}.log"


def rfc3339_nano(ns: int | None = None) -> str:
    """Go's RFC3339Nano in UTC: nanoseconds with trailing zeros removed, ``Z`` suffix."""
    ns = time.time_ns() if ns is None else ns
    seconds, frac = divmod(ns, 1_000_000_000)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    fraction = f"{frac:09d}".rstrip("0")
    return f"{stamp}.{fraction}Z" if fraction else f"{stamp}Z"


def _tail(path: Path, max_lines: int) -> tuple[bytes, bool]:
    """The last ``max_lines`` lines of the file (ignoring one trailing newline) and whether more exist."""
    block = 64 * 1024
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        data = b""
        pos = size
        while pos > 0:
            step = min(block, pos)
            pos -= step
            handle.seek(pos)
            data = handle.read(step) + data
            body = data[:-1] if data.endswith(b"\n") else data
            if body.count(b"\n") >= max_lines:
                break
    body = data[:-1] if data.endswith(b"\n") else data
    lines = body.split(b"\n")
    if len(lines) > max_lines:
        return b"\n".join(lines[-max_lines:]), True
    return body, False


def read_log_page(path: Path, page_no: int = 1, page_size: int = 100, position: str = "end") -> LogPage:
    """Page through a log file exactly as the server does (semantics §5.2).

    ``end`` pages count backwards from the tail over the last 5000 lines; ``begin`` pages count forwards over
    the first 500 000 bytes. ``truncated`` says the cap was hit on the last page; a missing file reads as
    empty.

    :raises ValueError: ``position`` is not ``begin`` or ``end``.
    """
    if position not in POSITIONS:
        raise ValueError(f"position[{position}] should be one of {list(POSITIONS)}")
    page_no = page_no if page_no > 0 else 1
    page_size = page_size if page_size > 0 else 100
    try:
        if position == "end":
            data, capped = _tail(Path(path), END_MAX_LINES)
        else:
            with open(path, "rb") as handle:
                data = handle.read(BEGIN_MAX_BYTES + 1)
            capped = len(data) > BEGIN_MAX_BYTES
            data = data[:BEGIN_MAX_BYTES]
            if data.endswith(b"\n"):
                data = data[:-1]
    except FileNotFoundError:
        return LogPage("", False, False)
    if not data:
        return LogPage("", False, False)
    lines = data.decode("utf-8", errors="replace").split("\n")
    total = len(lines)
    if (page_no - 1) * page_size + 1 > total:
        return LogPage("", False, False)
    has_next = truncated = False
    if position == "end":
        start, stop = total - page_no * page_size, total - (page_no - 1) * page_size
        if start <= 0:
            start, truncated = 0, capped
        else:
            has_next = True
    else:
        start = (page_no - 1) * page_size
        if page_no * page_size < total:
            stop, has_next = page_no * page_size, True
        else:
            stop, truncated = total, capped
    return LogPage("\n".join(lines[start:stop]) + "\n", has_next, truncated)
