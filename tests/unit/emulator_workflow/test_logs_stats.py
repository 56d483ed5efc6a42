"""The server's log paging algorithm (semantics §5.2), live logs, statistics, and 100 runs at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from paddleflow_provider.emulator.workflow import (
    job_log_path,
    read_log_page,
    statistics_detail,
    statistics_summary,
)
from paddleflow_provider.emulator.workflow.logs import rfc3339_nano


def _write(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "job.log"
    path.write_text("".join(f"line{i}\n" for i in range(1, count + 1)))
    return path


def _lines(content: str) -> list[str]:
    return content.splitlines()


def test_end_pages_count_backwards_from_the_tail(tmp_path: Path) -> None:
    path = _write(tmp_path, 250)
    page = read_log_page(path, 1, 100, "end")
    assert _lines(page.content) == [f"line{i}" for i in range(151, 251)]
    assert (page.has_next_page, page.truncated) == (True, False)
    assert page.content.endswith("line250\n")
    page2 = read_log_page(path, 2, 100, "end")
    assert _lines(page2.content)[0] == "line51" and page2.has_next_page
    page3 = read_log_page(path, 3, 100, "end")
    assert _lines(page3.content) == [f"line{i}" for i in range(1, 51)]
    assert (page3.has_next_page, page3.truncated) == (False, False)
    beyond = read_log_page(path, 4, 100, "end")
    assert (beyond.content, beyond.has_next_page, beyond.truncated) == ("", False, False)


def test_begin_pages_count_forwards(tmp_path: Path) -> None:
    path = _write(tmp_path, 250)
    page = read_log_page(path, 1, 100, "begin")
    assert _lines(page.content) == [f"line{i}" for i in range(1, 101)] and page.has_next_page
    last = read_log_page(path, 3, 100, "begin")
    assert _lines(last.content) == [f"line{i}" for i in range(201, 251)]
    assert (last.has_next_page, last.truncated) == (False, False)


def test_exact_page_boundary(tmp_path: Path) -> None:
    path = _write(tmp_path, 200)
    begin = read_log_page(path, 2, 100, "begin")
    assert _lines(begin.content)[-1] == "line200" and not begin.has_next_page
    end = read_log_page(path, 2, 100, "end")
    assert _lines(end.content)[0] == "line1" and not end.has_next_page
    assert read_log_page(path, 3, 100, "begin").content == ""


def test_end_mode_caps_at_5000_lines_and_reports_truncation(tmp_path: Path) -> None:
    path = _write(tmp_path, 5200)
    last = read_log_page(path, 50, 100, "end")
    assert _lines(last.content)[0] == "line201"
    assert (last.has_next_page, last.truncated) == (False, True)
    assert read_log_page(path, 51, 100, "end").content == ""
    small = _write(tmp_path, 5000)
    assert read_log_page(small, 50, 100, "end").truncated is False


def test_begin_mode_caps_at_500000_bytes(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    path.write_text("x" * 99 + "\n" * 1 + ("y" * 99 + "\n") * 5100)  # 510 000 bytes
    pages = [read_log_page(path, n, 100, "begin") for n in range(1, 52)]
    assert pages[49].truncated and not pages[49].has_next_page
    assert pages[50].content == ""
    assert all(not p.truncated for p in pages[:49])


def test_defaults_empty_and_missing_files(tmp_path: Path) -> None:
    path = _write(tmp_path, 3)
    assert read_log_page(path, 0, 0).content == "line1\nline2\nline3\n"
    empty = tmp_path / "empty.log"
    empty.write_text("")
    assert read_log_page(empty) == read_log_page(tmp_path / "missing.log")
    assert read_log_page(empty).content == "" and not read_log_page(empty).has_next_page
    no_newline = tmp_path / "nonl.log"
    no_newline.write_text("a\nb")
    assert read_log_page(no_newline).content == "a\nb\n"
    with pytest.raises(ValueError, match="position"):
        read_log_page(path, position="middle")


def test_rfc3339_nano_trims_trailing_zeros() -> None:
    assert rfc3339_nano(1_645_607_413_673_403_692) == "2022-02-23T09:10:13.673403692Z"
    assert rfc3339_nano(1_645_607_413_500_000_000) == "2022-02-23T09:10:13.5Z"
    assert rfc3339_nano(1_645_607_413_000_000_000) == "2022-02-23T09:10:13Z"


def test_log_is_readable_while_the_step_runs(harness) -> None:
    yaml_text = """
name: live
docker_env: busybox:1.36
entry_points:
  talk: {command: "echo first; while [ ! -f release ]; do sleep 0.02; done; echo second"}
"""
    runner, sink = harness.runner(yaml_text)
    runner.start()
    job = harness.wait_for(
        lambda: sink.states and sink.last.runtime.get("talk") and sink.last.runtime["talk"][0]["jobID"],
        what="job id",
    )
    log_path = job_log_path(runner.run_dir, job)
    harness.wait_for(lambda: "first" in read_log_page(log_path).content, what="first line in the log")
    assert "second" not in read_log_page(log_path).content
    (runner.run_dir / "workdir" / "release").write_text("")
    assert runner.join(10)
    assert [line.split(" ", 1)[1] for line in _lines(read_log_page(log_path).content)] == ["first", "second"]


def test_statistics_have_real_samples_even_for_short_steps(harness) -> None:
    yaml_text = """
name: stats
docker_env: busybox:1.36
entry_points:
  quick: {command: "echo hi"}
  busy: {command: "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"}
"""
    state, run_dir = harness.run(yaml_text)
    for name in ("quick", "busy"):
        metrics = statistics_summary(run_dir, harness.step(state, name)["jobID"])["metricsInfo"]
        assert set(metrics) == {"cpu_usage_rate", "memory_usage_rate", "memory_usage"}
        assert metrics["cpu_usage_rate"].endswith("%") and metrics["memory_usage"].endswith("(Bytes)")
        assert float(metrics["memory_usage"].removesuffix("(Bytes)")) > 0
    busy_job = harness.step(state, "busy")["jobID"]
    busy = statistics_summary(run_dir, busy_job)["metricsInfo"]
    assert float(busy["cpu_usage_rate"].rstrip("%")) > 10  # a shell loop keeps a core busy
    result, truncated = statistics_detail(run_dir, busy_job, 0, 0, 1)
    assert truncated is False
    assert result[0]["taskName"] == busy_job
    series = {item["metric"]: item["values"] for item in result[0]["taskInfo"]}
    assert set(series) == {"cpu_usage_rate", "memory_usage_rate", "memory_usage"}
    assert series["cpu_usage_rate"] and all(len(point) == 2 for point in series["cpu_usage_rate"])
    assert statistics_summary(run_dir, "job-unknown") == {"metricsInfo": {}}
    assert statistics_detail(run_dir, "job-unknown", 0, 0, 60) == ([], False)


def test_statistics_detail_validates_and_truncates(tmp_path: Path) -> None:
    stats = tmp_path / "stats"
    stats.mkdir()
    lines = ['{"start": 1000.0}']
    lines += [
        f'{{"t": {1000 + i}.5, "cpu_usage_rate": 1, "memory_usage": 2, "memory_usage_rate": 3}}'
        for i in range(1500)
    ]
    lines.append('{"end": 2500.0}')
    (stats / "job-x.jsonl").write_text("\n".join(lines) + "\n")
    result, truncated = statistics_detail(tmp_path, "job-x", 0, 0, 1)
    assert truncated and len(result[0]["taskInfo"][0]["values"]) == 1000
    result, truncated = statistics_detail(tmp_path, "job-x", 1000, 1010, 5)
    assert not truncated
    assert [p[0] for p in result[0]["taskInfo"][0]["values"]] == [1000.0, 1005.0, 1010.0]
    for bad in ((5, 1, 1), (-1, 0, 60), (0, 0, 0)):
        with pytest.raises(ValueError, match="invalid statistics range"):
            statistics_detail(tmp_path, "job-x", *bad)


def test_one_hundred_runs_at_once_all_finish_with_logs(harness) -> None:
    yaml_text = """
name: many
docker_env: busybox:1.36
entry_points:
  a: {command: "echo a-{{PF_RUN_ID}}"}
  b: {command: "echo b-{{PF_RUN_ID}}", deps: a}
"""
    runners = [harness.runner(yaml_text) for _ in range(100)]
    for runner, _ in runners:
        runner.start()
    for runner, _ in runners:
        assert runner.join(60), f"{runner.run_id} did not finish"
    for runner, sink in runners:
        state = sink.last
        assert state.status == "succeeded", (runner.run_id, state.message)
        for name in ("a", "b"):
            job = harness.step(state, name)["jobID"]
            content = read_log_page(job_log_path(runner.run_dir, job)).content
            assert content.split(" ", 1)[1] == f"{name}-{runner.run_id}\n"
