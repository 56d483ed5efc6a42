"""The log cursor reads every line exactly once, page by page, even past the server's read windows.

The fake below implements the server's paging rules (semantics §5.2) with configurable caps, so a
log larger than the begin-mode byte window can be tested with a few kilobytes.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from paddleflow_provider.runs.logs import (
    PAGE_SIZE,
    SKIPPED_MARKER,
    RunLogCursor,
    aread_new_lines,
    read_new_lines,
)


class FakeLogServer:
    """``show_log`` with the server's paging: begin caps bytes, end caps lines."""

    def __init__(self, begin_cap_bytes: int = 500_000, end_cap_lines: int = 5000) -> None:
        self.logs: dict[str, list[str]] = {}
        self.begin_cap = begin_cap_bytes
        self.end_cap = end_cap_lines
        self.calls = 0

    def write(self, job_id: str, *lines: str) -> None:
        self.logs.setdefault(job_id, []).extend(lines)

    def _page(self, lines: list[str], size: int, no: int, position: str) -> tuple[str, bool, bool]:
        if position == "begin":
            text = "\n".join(lines) + ("\n" if lines else "")
            capped = len(text.encode()) > self.begin_cap
            text = text.encode()[: self.begin_cap].decode(errors="ignore")
            selected = text[:-1].split("\n") if text.endswith("\n") else (text.split("\n") if text else [])
        else:
            capped = len(lines) > self.end_cap
            selected = lines[-self.end_cap :]
        total = len(selected)
        if (no - 1) * size + 1 > total:
            return "", False, False
        if position == "end":
            start, stop = total - no * size, total - (no - 1) * size
            more, truncated = start > 0, False
            if start <= 0:
                start, truncated = 0, capped
            chunk = selected[start:stop]
        else:
            start = (no - 1) * size
            more = no * size < total
            chunk = selected[start : no * size] if more else selected[start:]
            truncated = capped and not more
        return "\n".join(chunk) + "\n", more, truncated

    def show_log(self, run_id, job_id=None, page_size=None, page_no=None, log_file_position=None):
        self.calls += 1
        assert page_size <= 100
        entries = []
        for jid, lines in self.logs.items():
            if job_id and jid != job_id:
                continue
            content, more, truncated = self._page(lines, page_size, page_no, log_file_position)
            entries.append(
                SimpleNamespace(jobid=jid, log_content=content, has_next_page=more, truncated=truncated)
            )
        return SimpleNamespace(run_log=entries, submit_log="")


def run_info(status: str, *jobs: tuple[str, str, str]) -> SimpleNamespace:
    job_objs = [
        SimpleNamespace(job_id=j, step_name=s, name=s, status=st, start_time=f"t{i}")
        for i, (j, s, st) in enumerate(jobs)
    ]
    return SimpleNamespace(status=status, iter_jobs=lambda: iter(job_objs))


def stamped(i: int) -> str:
    return f"2026-01-01T00:00:{i:09d}Z line {i}"


def test_reads_each_line_once_across_polls_and_page_boundaries():
    server = FakeLogServer()
    cursor = RunLogCursor()
    info = run_info("running", ("job-a", "train", "running"))
    seen: list[str] = []
    written = 0
    for batch in (3, 97, 1, 250, 0, 49):
        server.write("job-a", *(stamped(i) for i in range(written, written + batch)))
        written += batch
        seen += [line for _, line in read_new_lines(server, "run-1", info, cursor)]
    assert seen == [stamped(i) for i in range(written)]


def test_poll_without_new_lines_costs_one_request():
    server = FakeLogServer()
    server.write("job-a", *(stamped(i) for i in range(1234)))
    cursor = RunLogCursor()
    info = run_info("running", ("job-a", "train", "running"))
    read_new_lines(server, "run-1", info, cursor)
    server.calls = 0
    assert read_new_lines(server, "run-1", info, cursor) == []
    assert server.calls == 1


def test_finished_job_is_not_requested_again_and_cursor_round_trips_as_json():
    server = FakeLogServer()
    server.write("job-a", "a1", "a2")
    server.write("job-b", "b1")
    info = run_info("running", ("job-a", "prep", "succeeded"), ("job-b", "train", "running"))
    cursor = RunLogCursor()
    assert read_new_lines(server, "run-1", info, cursor) == [("prep", "a1"), ("prep", "a2"), ("train", "b1")]
    cursor = RunLogCursor.from_dict(cursor.to_dict())  # what a trigger or the state store carries
    server.calls = 0
    server.write("job-b", "b2")
    assert read_new_lines(server, "run-1", info, cursor) == [("train", "b2")]
    assert server.calls == 1  # only job-b was asked


def test_only_job_filters_and_caught_up_needs_a_final_run():
    server = FakeLogServer()
    server.write("job-a", "a1")
    server.write("job-b", "b1")
    cursor = RunLogCursor()
    running = run_info("running", ("job-a", "prep", "succeeded"), ("job-b", "train", "running"))
    assert read_new_lines(server, "run-1", running, cursor, only_job="job-b") == [("train", "b1")]
    assert not cursor.caught_up(running, "job-b")
    done = run_info("failed", ("job-a", "prep", "succeeded"), ("job-b", "train", "failed"))
    read_new_lines(server, "run-1", done, cursor, only_job="job-b")
    assert cursor.caught_up(done, "job-b")


def test_streams_past_the_begin_byte_window_by_following_the_tail():
    # A 4 kB begin window instead of 500 kB: same rule, smaller numbers.
    server = FakeLogServer(begin_cap_bytes=4000, end_cap_lines=5000)
    cursor = RunLogCursor()
    info = run_info("running", ("job-a", "train", "running"))
    seen: list[str] = []
    written = 0
    for batch in (120, 30, 260, 5, 0, 101):
        server.write("job-a", *(stamped(i) for i in range(written, written + batch)))
        written += batch
        seen += [line for _, line in read_new_lines(server, "run-1", info, cursor)]
    assert cursor.jobs["job-a"].tail
    assert seen == [stamped(i) for i in range(written)]


def test_gap_larger_than_the_tail_window_is_marked_not_silently_lost():
    server = FakeLogServer(begin_cap_bytes=2000, end_cap_lines=150)
    cursor = RunLogCursor()
    info = run_info("running", ("job-a", "train", "running"))
    server.write("job-a", *(stamped(i) for i in range(100)))
    first = [line for _, line in read_new_lines(server, "run-1", info, cursor)]
    server.write("job-a", *(stamped(i) for i in range(100, 1000)))
    second = [line for _, line in read_new_lines(server, "run-1", info, cursor)]
    assert SKIPPED_MARKER in second
    after_marker = second[second.index(SKIPPED_MARKER) + 1 :]
    assert after_marker == [stamped(i) for i in range(850, 1000)]  # the last 150 lines the server keeps
    assert set(first).isdisjoint(after_marker)


def test_async_reader_yields_the_same_lines():
    server = FakeLogServer()
    server.write("job-a", *(stamped(i) for i in range(2 * PAGE_SIZE + 7)))

    class AsyncServer:
        async def show_log(self, **kwargs):
            return server.show_log(**kwargs)

    info = run_info("running", ("job-a", "train", "running"))
    lines = asyncio.run(aread_new_lines(AsyncServer(), "run-1", info, RunLogCursor()))
    assert [line for _, line in lines] == [stamped(i) for i in range(2 * PAGE_SIZE + 7)]


@pytest.mark.parametrize("bad", [{"job": {"lines": "x"}}])
def test_corrupt_cursor_state_is_rejected_loudly(bad):
    with pytest.raises(ValueError):
        RunLogCursor.from_dict(bad)


class FailingOnce(FakeLogServer):
    """The ``fail_on``-th ``show_log`` request fails (a transient error the waiter rides out)."""

    def __init__(self, fail_on: int) -> None:
        super().__init__()
        self.fail_on = fail_on

    def show_log(self, run_id, job_id=None, page_size=None, page_no=None, log_file_position=None):
        if self.calls + 1 == self.fail_on:
            self.calls += 1
            raise ConnectionError("the server went away for a moment")
        return super().show_log(run_id, job_id, page_size, page_no, log_file_position)


@pytest.mark.parametrize("fail_on", [2, 4])  # mid-way through job a's pages; during job b
def test_a_page_failing_part_way_loses_no_line_and_repeats_none(fail_on):
    """Lines fetched before the failure were handed to nobody: the next read must bring them."""
    server = FailingOnce(fail_on)
    server.write("job-a", *(stamped(i) for i in range(250)))
    server.write("job-b", *(stamped(i) for i in range(1000, 1030)))
    info = run_info("running", ("job-a", "train", "running"), ("job-b", "eval", "running"))
    cursor = RunLogCursor()
    with pytest.raises(ConnectionError):
        read_new_lines(server, "run-1", info, cursor)
    seen = [line for _, line in read_new_lines(server, "run-1", info, cursor)]
    assert seen == [stamped(i) for i in range(250)] + [stamped(i) for i in range(1000, 1030)]
    assert read_new_lines(server, "run-1", info, cursor) == []


def test_the_async_reader_also_puts_the_cursor_back():
    server = FailingOnce(fail_on=2)
    server.write("job-a", *(stamped(i) for i in range(250)))
    info = run_info("running", ("job-a", "train", "running"))
    cursor = RunLogCursor()

    class AsyncApi:
        async def show_log(self, **kwargs):
            return server.show_log(**kwargs)

    with pytest.raises(ConnectionError):
        asyncio.run(aread_new_lines(AsyncApi(), "run-1", info, cursor))
    seen = asyncio.run(aread_new_lines(AsyncApi(), "run-1", info, cursor))
    assert [line for _, line in seen] == [stamped(i) for i in range(250)]


class CountingLogServer(FakeLogServer):
    """Also counts the log lines each answer carried, and may grow the log on every request."""

    def __init__(self, *args, grow_per_request: int = 0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lines_sent = 0
        self.grow_per_request = grow_per_request
        self.written = 0

    def write_stamped(self, job_id: str, count: int) -> None:
        self.write(job_id, *(stamped(i) for i in range(self.written, self.written + count)))
        self.written += count

    def show_log(self, run_id, job_id=None, page_size=None, page_no=None, log_file_position=None):
        answer = super().show_log(run_id, job_id, page_size, page_no, log_file_position)
        self.lines_sent += sum(len(e.log_content.splitlines()) for e in answer.run_log)
        if self.grow_per_request:
            self.write_stamped("job-a", self.grow_per_request)
        return answer


def _catch_up(server, cursor, info) -> list[str]:
    seen: list[str] = []
    while batch := read_new_lines(server, "run-1", info, cursor):
        seen += [line for _, line in batch]
    return seen


@pytest.mark.parametrize("length", [1000, 1050, 1051, 3001])
def test_caught_up_poll_below_the_byte_window_downloads_no_line(length):
    """The page asked for starts at the cursor, so a poll with nothing new carries no line at all."""
    server = CountingLogServer()
    server.write_stamped("job-a", length)
    cursor = RunLogCursor()
    info = run_info("running", ("job-a", "train", "running"))
    assert _catch_up(server, cursor, info) == [stamped(i) for i in range(length)]
    server.lines_sent = server.calls = 0
    assert read_new_lines(server, "run-1", info, cursor) == []
    assert (server.calls, server.lines_sent) == (1, 0)


@pytest.mark.parametrize("new", [1, 7, 99, 100, 101, 350])
def test_new_lines_are_downloaded_once_from_any_position(new):
    server = CountingLogServer()
    server.write_stamped("job-a", 1051)  # 1051 is prime: the cursor's first pages are small
    cursor = RunLogCursor()
    info = run_info("running", ("job-a", "train", "running"))
    _catch_up(server, cursor, info)
    server.lines_sent = 0
    server.write_stamped("job-a", new)
    assert _catch_up(server, cursor, info) == [stamped(i) for i in range(1051, 1051 + new)]
    assert server.lines_sent == new


def test_caught_up_poll_past_the_byte_window_downloads_one_line():
    """Tail mode finds its place by the last line it emitted: one line, whatever the log's length."""
    server = CountingLogServer(begin_cap_bytes=4000)
    server.write_stamped("job-a", 3000)
    cursor = RunLogCursor()
    info = run_info("running", ("job-a", "train", "running"))
    _catch_up(server, cursor, info)
    assert cursor.jobs["job-a"].tail
    server.lines_sent = server.calls = 0
    assert read_new_lines(server, "run-1", info, cursor) == []
    assert (server.calls, server.lines_sent) == (1, 1)
    server.write_stamped("job-a", 250)
    server.lines_sent = 0
    assert _catch_up(server, cursor, info) == [stamped(i) for i in range(3000, 3250)]
    # the new lines, plus the anchor and the few lines each older page shares with the newer one
    assert server.lines_sent <= 250 * 1.2


@pytest.mark.parametrize("grow", [1, 3, 20, 40])
def test_a_log_growing_while_the_tail_is_paged_back_loses_and_repeats_nothing(grow):
    """``end`` pages count from the tail of the moment: a log growing between two requests of one
    read shifts them; every line still comes out once, in order."""
    server = CountingLogServer(begin_cap_bytes=4000)
    server.write_stamped("job-a", 200)
    cursor = RunLogCursor()
    info = run_info("running", ("job-a", "train", "running"))
    seen = _catch_up(server, cursor, info)
    assert cursor.jobs["job-a"].tail
    server.write_stamped("job-a", 700)
    server.grow_per_request = grow
    for _ in range(5):
        seen += [line for _, line in read_new_lines(server, "run-1", info, cursor)]
    server.grow_per_request = 0
    seen += _catch_up(server, cursor, info)
    assert seen == [stamped(i) for i in range(server.written)]


def test_a_log_ending_exactly_at_the_byte_window_continues_from_the_tail(monkeypatch):
    """Read to exactly the begin window's last byte, the next begin page reads as empty forever;
    the cursor counts the bytes it read and follows the tail from there."""
    import paddleflow_provider.runs.logs as logs

    monkeypatch.setattr(logs, "BEGIN_WINDOW_BYTES", 4000)  # the fake server's window, same rule
    server = CountingLogServer(begin_cap_bytes=4000)
    lines = [f"2026-01-01T00:00:{i:09d}Z {'x' * 7} {i:03d}" for i in range(100)]  # 40 bytes each
    assert sum(len(line) + 1 for line in lines) == 4000
    server.write("job-a", *lines)
    cursor = RunLogCursor()
    info = run_info("running", ("job-a", "train", "running"))
    assert _catch_up(server, cursor, info) == lines
    server.write("job-a", *(stamped(i) for i in range(200, 230)))
    assert _catch_up(server, cursor, info) == [stamped(i) for i in range(200, 230)]
