"""A caught-up log poll downloads nothing it already has, whatever the log's length (bytes on the wire).

Measured with ``bench/bench_logs.py`` (the same function the benchmark prints): a step prints N lines
and keeps running on the session emulator, the cursor reads them all, and the bytes of one more poll
(request and response, headers included) are counted by a loopback TCP forwarder. Byte counts are
deterministic, so the bounds are asserted; the previous cursor's poll is measured alongside.
"""

from __future__ import annotations

import importlib.util
import pathlib
import sys

import pytest

BENCH = pathlib.Path(__file__).parents[3] / "bench" / "bench_logs.py"


@pytest.fixture(scope="module")
def bench_logs():
    spec = importlib.util.spec_from_file_location("paddleflow_bench_logs", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def polls(bench_logs, paddleflow_emulator):
    lengths = (1_000, 1_050, 10_000, 100_000)
    return {
        n: bench_logs.caught_up_poll_bytes(paddleflow_emulator.url, n, paddleflow_emulator.root_password)
        for n in lengths
    }


def test_a_caught_up_poll_finds_nothing_new_at_every_length(polls):
    assert [row["new_on_caught_up_poll"] for row in polls.values()] == [0, 0, 0, 0]
    assert [row["tail"] for row in polls.values()] == [False, False, True, True]  # both reading modes


def test_caught_up_poll_bytes_stay_within_1_1x_from_1k_to_100k_lines(polls):
    short = polls[1_000]["bytes"]
    assert polls[10_000]["bytes"] <= 1.1 * short
    assert polls[100_000]["bytes"] <= 1.1 * short
    # the previous cursor re-read a 100-line page past the byte window: about 8x
    assert polls[100_000]["baseline_bytes"] > 5 * polls[100_000]["bytes"]


def test_a_caught_up_poll_below_the_byte_window_is_under_1_kb(polls):
    # 1,050 lines: the previous cursor re-read the 50 lines of page 11 it already had (4.4 KB)
    assert polls[1_000]["bytes"] < 1024
    assert polls[1_050]["bytes"] < 1024


def test_a_caught_up_poll_downloads_under_1_kb_in_both_modes(polls):
    # past the 500 kB window the request itself (token header included, ~460 B) takes the whole poll
    # just over 1 KB; what the poll downloads (the answer) stays under it at every length
    assert all(row["downloaded"] < 1024 for row in polls.values()), polls
