"""``paddleflow run wait`` and ``paddleflow run logs [--follow]``: following a run from a terminal or CI.

Neither decides anything itself. ``wait`` is the provider's own wait loop
(:func:`~paddleflow_provider.runs.waiting.wait_for_verdict`, so the one verdict
:func:`~paddleflow_provider.runs.verdict.run_verdict` and the one transient back-off); ``logs`` reads
with the Airflow log streaming's cursor (:class:`~paddleflow_provider.runs.logs.RunLogCursor` and its
readers), so a line is printed exactly once and none is skipped, and the run is over when the cursor
says every step was read to the end (``caught_up``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from paddleflow_provider.cli import exitcodes
from paddleflow_provider.cli.session import Session, one_line, pass_session
from paddleflow_provider.runs.backoff import TransientBackoff
from paddleflow_provider.runs.logs import RunLogCursor, drive, finish, jobs_of_run, kept_on_error
from paddleflow_provider.runs.status import is_final
from paddleflow_provider.runs.verdict import Verdict
from paddleflow_provider.runs.waiting import WaitDeadlinePassed, wait_for_verdict

if TYPE_CHECKING:
    from paddleflow_provider.client import PaddleFlowAPI, RunInfo

POSITIVE = click.FloatRange(min=0, min_open=True)


class StderrLog:
    """The wait loop's progress messages, on stderr so stdout stays the command's answer."""

    def _say(self, msg: str, args: tuple[Any, ...]) -> None:
        click.echo(one_line(msg % args if args else msg), err=True)

    def info(self, msg: str, /, *args: Any) -> None:
        self._say(msg, args)

    def warning(self, msg: str, /, *args: Any) -> None:
        self._say("warning: " + msg, args)

    def error(self, msg: str, /, *args: Any) -> None:
        self._say("error: " + msg, args)


@click.command()
@click.argument("runid")
@click.option("--timeout", type=POSITIVE, default=None, help="give up after this many seconds (exit 3)")
@click.option("--poll-interval", type=POSITIVE, default=5.0, show_default=True, help="seconds between polls")
@pass_session
def wait(s: Session, runid: str, timeout: float | None, poll_interval: float) -> None:
    """wait for a run to end: exit 0 if it succeeded, 1 if it failed, 3 on --timeout."""
    deadline = None if timeout is None else time.time() + timeout
    try:
        verdict, info = wait_for_verdict(
            s.api, runid, poll_interval=poll_interval, deadline=deadline, stream_logs=False, log=StderrLog()
        )
    except WaitDeadlinePassed:
        s.out.done(f"run[{runid}] still running after {timeout:g} s", run_id=runid, verdict="timeout")
        raise click.exceptions.Exit(exitcodes.TIMED_OUT) from None
    s.out.done(f"run[{runid}] {info.status}", run_id=runid, status=info.status, verdict=verdict.value)
    if verdict is not Verdict.SUCCESS:
        raise click.exceptions.Exit(exitcodes.FAILED)


def read_step_lines(
    api: PaddleFlowAPI, run_id: str, info: RunInfo, cursor: RunLogCursor, only_job: str | None
) -> Iterator[tuple[str, str]]:
    """The run's new ``(step, line)`` pairs, one job at a time.

    The same readers as ``read_new_lines``, yielding each job's lines as soon as they are read, so a
    terminal shows them at once; a job whose read fails half-way is put back (``kept_on_error``) and
    read again on the next poll, while the lines of jobs already yielded stay printed.
    """
    for job_id, step, final, reader in cursor.readers(jobs_of_run(info), only_job, is_final(info.status)):
        with kept_on_error(cursor, [job_id]):
            lines = drive(run_id, reader, api.show_log)
        finish(cursor, job_id, final)
        for line in lines:
            yield step, line


def page_budget_left(cursor: RunLogCursor) -> bool:
    """True when a read stopped on its page budget with more lines waiting (read again at once)."""
    return any(not job.reached_end and not job.done for job in cursor.jobs.values())


@click.command()
@click.argument("runid")
@click.option("-j", "--jobid", help="only this job (step) of the run")
@click.option("--follow", "-F", is_flag=True, help="keep printing new lines until the run ends")
@click.option("--poll-interval", type=POSITIVE, default=2.0, show_default=True, help="seconds between polls")
@pass_session
def logs(s: Session, runid: str, jobid: str | None, follow: bool, poll_interval: float) -> None:
    """print the run's step logs as "[step] line" (--output json: one JSON object per line)."""
    from paddleflow_provider.client import TransientError

    cursor = RunLogCursor()
    backoff = TransientBackoff(poll_interval)
    while True:
        try:
            info = s.api.show_run(runid)
            for step, line in read_step_lines(s.api, runid, info, cursor, jobid):
                emit_line(s, step, line)
        except TransientError as err:
            if not follow:
                raise
            wait = backoff.next_wait()
            StderrLog().warning("%s; retrying in %.0f s", err, wait)
            time.sleep(wait)
            continue
        backoff.reset()
        if page_budget_left(cursor):
            continue
        if not follow or cursor.caught_up(info, jobid):
            if follow:
                StderrLog().info("run %s is %s", runid, info.status)
            return
        time.sleep(poll_interval)


def emit_line(s: Session, step: str, line: str) -> None:
    if s.out.json:
        click.echo(json.dumps({"step": step, "line": line}, ensure_ascii=False))
    else:
        click.echo(f"[{step}] {line}")
