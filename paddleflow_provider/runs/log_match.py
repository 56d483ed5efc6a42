"""The one routine deciding what newly read log lines mean for someone waiting for a log line.

The log sensor (sync or rescheduled) and the log trigger (deferred) read the new lines with the
same cursor, sync or async; what they conclude from them (a match, the run ended without one, or
keep waiting) and how they word it is decided here, once.
Plain Python: nothing here imports Airflow.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any, NamedTuple

from paddleflow_provider.runs.logs import split_timestamp
from paddleflow_provider.runs.verdict import normalize_status

if TYPE_CHECKING:
    from paddleflow_provider.client import RunInfo
    from paddleflow_provider.runs.logs import RunLogCursor


def compile_pattern(pattern: Any) -> re.Pattern[str]:
    """Compile the user's regular expression, or raise ValueError naming ``pattern``."""
    if isinstance(pattern, re.Pattern):
        return pattern
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"pattern must be a non-empty regular expression string, got {pattern!r}")
    try:
        return re.compile(pattern)
    except re.error as err:
        raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {err}") from None


class LogMatch(NamedTuple):
    """The first matching line: its step, the line as the step printed it, the server's timestamp."""

    step: str
    line: str
    #: RFC 3339 time the server stamped on the line (``""`` if it carried none).
    timestamp: str


def find_match(pattern: re.Pattern[str], lines: list[tuple[str, str]]) -> LogMatch | None:
    """First line whose text, without the server's timestamp prefix, matches (``re.search``).

    Matching the printed text is what makes ``^`` and ``$`` anchor where the user expects.
    """
    for step, raw in lines:
        timestamp, line = split_timestamp(raw)
        if pattern.search(line):
            return LogMatch(step, line, timestamp)
    return None


@dataclasses.dataclass(frozen=True)
class LogCheck:
    """What one read of new log lines concluded."""

    #: The first matching line, or None.
    match: LogMatch | None
    #: The run ended and its log was read to the end without a match (only with ``fail_on_run_end``).
    ended_without_match: bool
    #: The run's status at this read (normalized).
    run_status: str

    def ended_message(self, run_id: str, pattern: str) -> str:
        return f"PaddleFlow run {run_id} ended ({self.run_status}) before a log line matched {pattern!r}"


def check_new_lines(
    pattern: re.Pattern[str],
    lines: list[tuple[str, str]],
    run_info: RunInfo,
    cursor: RunLogCursor,
    *,
    job_id: str | None,
    fail_on_run_end: bool,
) -> LogCheck:
    """Judge the lines just read (``cursor`` has advanced past them) against ``pattern``."""
    match = find_match(pattern, lines)
    ended = match is None and fail_on_run_end and cursor.caught_up(run_info, job_id)
    return LogCheck(match=match, ended_without_match=ended, run_status=normalize_status(run_info.status))
