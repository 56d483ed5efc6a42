"""``run logs``' reader without a server: a failure half-way through a job's pages loses no line."""

from __future__ import annotations

import pytest

from paddleflow_provider.cli.run_follow import read_step_lines
from paddleflow_provider.client import InternalServerError, LogInfo, RunInfo, RunLog
from paddleflow_provider.runs.logs import RunLogCursor


class FlakyLogs:
    """A 250-line log served in pages of 100; the ``fail_on``-th request fails once."""

    def __init__(self, fail_on: int) -> None:
        self.lines = [f"line-{i}" for i in range(250)]
        self.calls = 0
        self.fail_on = fail_on

    def show_log(
        self, run_id: str, job_id: str, page_size: int, page_no: int, log_file_position: str
    ) -> RunLog:
        self.calls += 1
        if self.calls == self.fail_on:
            raise InternalServerError("HTTP 503: try later", status_code=503)
        assert log_file_position == "begin"
        chunk = self.lines[(page_no - 1) * page_size : page_no * page_size]
        more = page_no * page_size < len(self.lines)
        info = LogInfo(runid=run_id, jobid=job_id, has_next_page=more, log_content="\n".join(chunk) + "\n")
        return RunLog("", [info], run_id)


def run(status: str) -> RunInfo:
    job = {"jobID": "job-1", "stepName": "talk", "status": status, "startTime": "1"}
    return RunInfo.model_validate({"runID": "run-1", "status": status, "runtime": {"talk": [job]}})


def test_a_failed_page_is_read_again_not_lost():
    api = FlakyLogs(fail_on=2)  # page 1 arrives, page 2 fails
    cursor = RunLogCursor()
    with pytest.raises(InternalServerError):
        list(read_step_lines(api, "run-1", run("succeeded"), cursor, None))
    assert cursor.jobs["job-1"].lines == 0  # put back: page 1's lines were never printed
    lines = [line for _, line in read_step_lines(api, "run-1", run("succeeded"), cursor, None)]
    assert lines == api.lines
    assert cursor.caught_up(run("succeeded"))


def test_lines_are_not_repeated_across_polls():
    api = FlakyLogs(fail_on=0)
    cursor = RunLogCursor()
    api.lines = api.lines[:120]
    first = [line for _, line in read_step_lines(api, "run-1", run("running"), cursor, None)]
    api.lines = [f"line-{i}" for i in range(250)]
    second = [line for _, line in read_step_lines(api, "run-1", run("succeeded"), cursor, None)]
    assert first + second == api.lines
    assert cursor.caught_up(run("succeeded"))
