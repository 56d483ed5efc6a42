"""Reading only the *new* lines of a PaddleFlow run's step logs, one cursor per job.

Why a cursor: re-reading a whole log on every poll is quadratic in its length, and re-printing it
floods the task log. The server pages logs by lines (``GET /log/run/{id}``, semantics §5.2), and a
poll asks only for what may be new:

* ``begin`` mode pages forward from the first line, so "lines already read" is a stable position.
  The page asked for starts exactly there (its size divides the position), so a poll with nothing
  new downloads an empty page, whatever the log's length. That is the normal cursor.
* ``begin`` mode only sees the first 500,000 bytes of a log (the last page then says ``truncated``,
  and its last line may be cut). Past that point the cursor switches to *tail mode*: ``end`` mode
  pages backwards from the tail (at most the last 5,000 lines), and the cursor finds where it left
  off by looking for its *anchor*, the last few lines it emitted (PaddleFlow prefixes each line with
  an RFC 3339 nano timestamp, so the anchor is unique in practice). A poll first asks for the last
  line alone: when it is the anchor's last line, nothing is new. Otherwise older pages, growing,
  reach back to the anchor; lines after it are new.
  If the anchor has scrolled out of the 5,000-line window, the lines in between cannot be fetched any
  more: the cursor says so in one marker line and carries on from the window.

The timestamp prefix is split off in one place (:func:`split_timestamp`) for whoever looks into a
line; the cursor itself keeps whole lines (the stamp is what makes its anchor unique).

The reading logic is written once, as generators that *yield* the request they need and receive the
page (sans-I/O); :func:`drive` and :func:`adrive` run them against the sync and the async API. The
cursor state is plain JSON, so it can travel in trigger kwargs and the task state store.
Plain Python: nothing here imports Airflow.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Awaitable, Callable, Generator, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from paddleflow_provider.runs.status import FINAL_STEP_STATUSES, is_final

if TYPE_CHECKING:
    from paddleflow_provider.client import AsyncPaddleFlowAPI, PaddleFlowAPI, RunInfo, RunLog

PAGE_SIZE = 100  # the server's maximum page size
ANCHOR_LINES = 3
ANCHOR_CHARS = 1000  # anchor lines are stored and compared on this prefix, keeping state small
BEGIN_WINDOW_BYTES = 500_000  # begin mode sees only the first 500,000 bytes of a log
END_WINDOW_LINES = 5000  # end mode sees only the last 5,000 lines
#: Enough pages to walk the whole end window back from a first page of one line (pages grow from 2
#: lines to 100: 66 pages for 5,000 lines).
MAX_TAIL_PAGES = 72
SKIPPED_MARKER = "[paddleflow-provider: earlier log lines are no longer readable from the server; skipped]"


#: The server's prefix on every log line: an RFC 3339 (nano) timestamp and one space (semantics §5.2).
_TIMESTAMP_PREFIX = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) ")


def split_timestamp(line: str) -> tuple[str, str]:
    """``(timestamp, text)``: the server's RFC 3339 prefix and the line as the step printed it.

    The server stamps each line when the step wrote it; whoever looks *into* a line (a pattern
    anchored with ``^``, the value a sensor returns) wants the step's own text. A line without the
    prefix (the skipped-lines marker, a server that does not stamp) gives ``("", line)``.
    """
    match = _TIMESTAMP_PREFIX.match(line)
    return (match.group(1), line[match.end() :]) if match else ("", line)


@dataclasses.dataclass(frozen=True)
class LogRequest:
    """Keyword arguments of one ``show_log`` call."""

    job_id: str
    page_no: int
    position: str  # "begin" or "end"
    page_size: int = PAGE_SIZE

    def as_kwargs(self, run_id: str) -> dict[str, Any]:
        return {
            "run_id": run_id,
            "job_id": self.job_id,
            "page_size": self.page_size,
            "page_no": self.page_no,
            "log_file_position": self.position,
        }


@dataclasses.dataclass(frozen=True)
class LogPage:
    """The part of a ``show_log`` answer the cursor needs."""

    content: str
    has_next_page: bool
    truncated: bool

    @property
    def lines(self) -> list[str]:
        text = self.content[:-1] if self.content.endswith("\n") else self.content
        return text.split("\n") if text else []


def page_from_run_log(run_log: RunLog, job_id: str) -> LogPage:
    """Pick the job's first task out of a client ``RunLog`` (one task per job on PaddleFlow steps)."""
    for info in run_log.run_log:
        if info.jobid == job_id:
            return LogPage(
                content=info.log_content or "",
                has_next_page=bool(info.has_next_page),
                truncated=bool(info.truncated),
            )
    return LogPage("", False, False)


@dataclasses.dataclass
class JobCursor:
    """Where reading one job's log stands."""

    lines: int = 0
    tail: bool = False
    anchor: list[str] = dataclasses.field(default_factory=list)
    done: bool = False
    #: Bytes of the lines read in ``begin`` mode: a log that ends exactly at the 500,000-byte window
    #: reads as caught up in ``begin`` mode forever, so reaching the window switches to the tail.
    head_bytes: int = 0
    #: Set by each read: False when the read stopped on its page budget before the end of the log.
    reached_end: bool = dataclasses.field(default=True, compare=False)

    def advance(self, emitted: list[str], head: bool = False) -> None:
        """Move past ``emitted`` lines (read in ``begin`` mode when ``head``)."""
        if not emitted:
            return
        self.lines += len(emitted)
        if head:
            self.head_bytes += sum(len(line.encode()) + 1 for line in emitted)
        self.anchor = [line[:ANCHOR_CHARS] for line in (self.anchor + emitted)[-ANCHOR_LINES:]]


def _find_after_anchor(lines: list[str], anchor: list[str]) -> int | None:
    """Index just after the right-most occurrence of ``anchor`` in ``lines``, or None."""
    if not anchor:
        return None
    width = len(anchor)
    for start in range(len(lines) - width, -1, -1):
        if all(lines[start + i][:ANCHOR_CHARS] == anchor[i] for i in range(width)):
            return start + width
    return None


def aligned_page_size(offset: int, cap: int = PAGE_SIZE) -> int:
    """The largest page size (at most ``cap``, at most :data:`PAGE_SIZE`) whose pages start exactly
    at ``offset``.

    The server's pages start at multiples of the page size (``(pageNo - 1) * pageSize``, counted from
    the head in ``begin`` mode and from the tail in ``end`` mode). A page that starts *before* the
    cursor downloads lines it already has; a page that starts exactly at it holds only what may be
    new, and is empty when nothing is. So the page size is a divisor of the offset: the largest one
    allowed. Offsets grow by whole pages, so small sizes (a prime offset) grow again fast.
    """
    cap = max(1, min(cap, PAGE_SIZE))
    if offset <= 0:
        return cap
    return next(size for size in range(min(cap, offset), 0, -1) if offset % size == 0)


def _page_reaching_back(newest: int, cap: int) -> tuple[int, int]:
    """``(pageNo, pageSize)`` of an ``end`` page holding line ``newest`` (counted back from the tail,
    0 = last) and older lines, at most ``cap`` of them.

    Pages start at multiples of their size, so a page also repeats the lines between its start and
    ``newest``: the size chosen weighs the older lines it brings against twice the lines it repeats.
    """
    cap = max(2, min(cap, PAGE_SIZE))

    def worth(size: int) -> tuple[int, int]:
        repeated = newest % size + 1
        return size - repeated - 2 * repeated, size

    size = max(range(2, cap + 1), key=worth)
    return newest // size + 1, size


def _read_head(
    job_id: str, cursor: JobCursor, out: list[str], max_pages: int
) -> Generator[LogRequest, LogPage, bool]:
    """``begin`` mode: read forward from ``cursor.lines``; True when the byte window was left."""
    for _ in range(max_pages):
        size = aligned_page_size(cursor.lines)
        page = yield LogRequest(job_id, cursor.lines // size + 1, "begin", size)
        fresh = page.lines
        capped = page.truncated and not page.has_next_page
        if capped:
            # The byte cap cut this page; its last line may be partial. Continue from the tail.
            fresh = fresh[:-1]
        cursor.advance(fresh, head=True)
        out.extend(fresh)
        if capped or cursor.head_bytes >= BEGIN_WINDOW_BYTES:
            return True
        if not page.has_next_page:
            return False
    cursor.reached_end = False  # page budget spent for this call; the next call continues
    return False


def _read_tail(job_id: str, cursor: JobCursor, first_page: int) -> Generator[LogRequest, LogPage, list[str]]:
    """``end`` mode: read back from the tail until the anchor (the last lines emitted).

    The first page holds ``first_page`` lines: 1 when the last read was caught up (the last line is
    usually the anchor: nothing new, one line downloaded), a full page when plenty is new. Each
    older page also holds the oldest line read so far: ``end`` pages count from the tail of the
    moment, and where that shared line lands shows by how much the log grew since (the *skew*), so
    a log growing during the read loses and repeats nothing. Page sizes grow as the window does.
    """
    window: list[str] = []
    skew = 0  # lines written at the tail since the window's first page, as the overlaps showed
    for _ in range(MAX_TAIL_PAGES):
        newest = len(window) + skew - 1  # where window[0] is now, counted back from the tail
        if window:
            page_no, size = _page_reaching_back(newest, cap=2 * len(window))
        else:
            page_no, size = 1, first_page
        page = yield LogRequest(job_id, page_no, "end", size)
        lines = page.lines
        # Lines between the page's newest line and window[0] when the log did not grow since.
        expected_gap = newest - (page_no - 1) * size
        if not window:
            window = lines
        elif window[0] in lines:  # the expected overlap, or more of it when the log grew
            at = lines.index(window[0])
            skew += (len(lines) - 1 - at) - expected_gap
            window = lines[:at] + window
        elif lines and lines[-1] in window:  # the log grew by more than a page: nothing older here
            skew += window.index(lines[-1]) - expected_gap
            continue
        else:  # the log grew past everything read so far: start again from its tail
            window, skew, first_page = [], 0, PAGE_SIZE
            continue
        after = _find_after_anchor(window, cursor.anchor)
        if after is None and window and cursor.anchor and window[-1][:ANCHOR_CHARS] == cursor.anchor[-1]:
            after = len(window)  # the last line is the last one emitted (nanosecond stamps): caught up
        if after is not None:
            fresh = window[after:]
            cursor.advance(fresh)
            return fresh
        if not page.has_next_page:
            break
    if not window:
        return []
    cursor.advance(window)
    return [SKIPPED_MARKER, *window] if cursor.anchor else window


def read_job(
    job_id: str, cursor: JobCursor, max_pages: int = 50
) -> Generator[LogRequest, LogPage, list[str]]:
    """Yield the requests needed to read the job's new lines; return those lines, advance ``cursor``.

    No request downloads a line the cursor already has, except the one anchor line that tail mode
    compares to find its place: a caught-up read costs one empty page (``begin``) or one line (tail).
    """
    out: list[str] = []
    cursor.reached_end = True
    first_tail_page = 1
    if not cursor.tail:
        if not (yield from _read_head(job_id, cursor, out, max_pages)):
            return out
        cursor.tail = True
        first_tail_page = PAGE_SIZE  # just left the byte window: lines are new up to the tail
    return out + (yield from _read_tail(job_id, cursor, first_tail_page))


@dataclasses.dataclass
class RunLogCursor:
    """Cursors of every job of one run (optionally restricted to one job)."""

    jobs: dict[str, JobCursor] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            job_id: {
                "lines": c.lines,
                "tail": c.tail,
                "anchor": list(c.anchor),
                "done": c.done,
                "head_bytes": c.head_bytes,
            }
            for job_id, c in self.jobs.items()
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> RunLogCursor:
        jobs = {}
        for job_id, raw in (data or {}).items():
            jobs[str(job_id)] = JobCursor(
                lines=int(raw.get("lines", 0)),
                tail=bool(raw.get("tail", False)),
                anchor=[str(a) for a in raw.get("anchor", [])][-ANCHOR_LINES:],
                done=bool(raw.get("done", False)),
                head_bytes=int(raw.get("head_bytes", 0)),  # absent in cursors saved before it existed
            )
        return cls(jobs)

    def caught_up(self, run_info: RunInfo, only_job: str | None = None) -> bool:
        """True when every started job (or ``only_job``) of a *final* run has been read to the end."""
        return is_final(run_info.status) and all(
            job_id in self.jobs and self.jobs[job_id].done
            for job_id, _, _ in jobs_of_run(run_info)
            if not only_job or job_id == only_job
        )

    def readers(
        self, jobs: Iterable[tuple[str, str, str]], only_job: str | None = None, run_final: bool = False
    ) -> list[tuple[str, str, bool, Generator[LogRequest, LogPage, list[str]]]]:
        """One reader per job worth reading: ``jobs`` is ``(job_id, step_name, status)`` from show_run.

        A job whose status was final *before* this read (or whose run was), and whose log was read
        to the end, is marked done and never requested again.
        """

        out: list[tuple[str, str, bool, Generator[LogRequest, LogPage, list[str]]]] = []
        for job_id, step_name, status in jobs:
            if not job_id or (only_job and job_id != only_job):
                continue
            cursor = self.jobs.setdefault(job_id, JobCursor())
            if cursor.done:
                continue
            final = run_final or (status or "").lower() in FINAL_STEP_STATUSES
            out.append((job_id, step_name, final, read_job(job_id, cursor)))
        return out


def jobs_of_run(run_info: RunInfo) -> list[tuple[str, str, str]]:
    """``(job_id, step_name, status)`` of every started step of a client ``RunInfo``, in start order."""
    jobs = [
        (job.job_id, job.step_name or job.name or job.job_id, job.status or "", job.start_time or "")
        for job in run_info.iter_jobs()
        if job.job_id  # a step that has not started has no job and no log yet
    ]
    jobs.sort(key=lambda j: (j[3], j[0]))
    return [(j[0], j[1], j[2]) for j in jobs]


def drive(
    run_id: str, gen: Generator[LogRequest, LogPage, list[str]], show_log: Callable[..., RunLog]
) -> list[str]:
    """Run a reader against the sync API's ``show_log``."""
    try:
        request = next(gen)
        while True:
            run_log = show_log(**request.as_kwargs(run_id))
            request = gen.send(page_from_run_log(run_log, request.job_id))
    except StopIteration as stop:
        return list(stop.value or [])


async def adrive(
    run_id: str, gen: Generator[LogRequest, LogPage, list[str]], show_log: Callable[..., Awaitable[RunLog]]
) -> list[str]:
    """Run a reader against the async API's ``show_log``."""
    try:
        request = next(gen)
        while True:
            run_log = await show_log(**request.as_kwargs(run_id))
            request = gen.send(page_from_run_log(run_log, request.job_id))
    except StopIteration as stop:
        return list(stop.value or [])


def finish(cursor: RunLogCursor, job_id: str, final_before_read: bool) -> None:
    """Mark a job done once it was final before a read that reached the end of its log."""
    job = cursor.jobs[job_id]
    if final_before_read and job.reached_end:
        job.done = True


@contextlib.contextmanager
def kept_on_error(cursor: RunLogCursor, job_ids: Iterable[str]) -> Iterator[None]:
    """Put these jobs' cursors back if the block fails.

    A reader advances its job's cursor page by page while it collects lines; when a later page fails
    (a transient error that the waiter rides out), the lines collected so far were handed to nobody.
    Putting the cursors back makes the next read fetch them again: nothing lost, nothing twice.
    """
    saved = {job_id: dataclasses.replace(cursor.jobs[job_id]) for job_id in job_ids if job_id in cursor.jobs}
    try:
        yield
    except BaseException:
        cursor.jobs.update(saved)
        raise


def read_new_lines(
    api: PaddleFlowAPI, run_id: str, run_info: RunInfo, cursor: RunLogCursor, only_job: str | None = None
) -> list[tuple[str, str]]:
    """Sync: every new ``(step_name, line)`` of the run since ``cursor``; advances the cursor, or
    (when a page fails) leaves it where it was."""
    out: list[tuple[str, str]] = []
    run_final = is_final(run_info.status)
    readers = cursor.readers(jobs_of_run(run_info), only_job, run_final)
    with kept_on_error(cursor, (job_id for job_id, *_ in readers)):
        for job_id, step, final, gen in readers:
            lines = drive(run_id, gen, api.show_log)
            finish(cursor, job_id, final)
            out.extend((step, line) for line in lines)
    return out


async def aread_new_lines(
    api: AsyncPaddleFlowAPI,
    run_id: str,
    run_info: RunInfo,
    cursor: RunLogCursor,
    only_job: str | None = None,
) -> list[tuple[str, str]]:
    """Async twin of :func:`read_new_lines` (same generators, awaited transport)."""
    out: list[tuple[str, str]] = []
    run_final = is_final(run_info.status)
    readers = cursor.readers(jobs_of_run(run_info), only_job, run_final)
    with kept_on_error(cursor, (job_id for job_id, *_ in readers)):
        for job_id, step, final, gen in readers:
            lines = await adrive(run_id, gen, api.show_log)
            finish(cursor, job_id, final)
            out.extend((step, line) for line in lines)
    return out
