"""``paddleflow log show``: one page of a run's logs, as the original CLI showed it.

For reading a whole log, or following it as it grows, ``paddleflow run logs [--follow]`` pages with
the provider's log cursor instead.
"""

from __future__ import annotations

import click

from paddleflow_provider.cli.output import jsonable
from paddleflow_provider.cli.session import Session, pass_session

LOG_COLUMNS = [
    ("run id", "runid"),
    ("job id", "jobid"),
    ("task id", "taskid"),
    ("has next page", "has_next_page"),
    ("truncated", "truncated"),
    ("page no", "pageno"),
    ("page size", "pagesize"),
    ("log content", "log_content"),
]


@click.group("log")
def group() -> None:
    """manage log resources"""


@group.command()
@click.argument("runid")
@click.option("-j", "--jobid", help="only this job of the run [default: every job]")
@click.option("-ps", "--pagesize", type=int, default=100, show_default=True, help="lines per page")
@click.option("-pn", "--pageno", type=int, default=1, show_default=True, help="page number")
@click.option(
    "-fp",
    "--logfileposition",
    default="end",
    show_default=True,
    help="read from the 'begin' or the 'end' of the log",
)
@pass_session
def show(
    s: Session, *, runid: str, jobid: str | None, pagesize: int, pageno: int, logfileposition: str
) -> None:
    """show the logs of a run."""
    log = s.api.show_log(
        runid, job_id=jobid, page_size=pagesize, page_no=pageno, log_file_position=logfileposition
    )
    if s.out.json:
        data = {"runId": log.run_id or runid, "submitLog": log.submit_log, "runLog": jsonable(log.run_log)}
        s.out.emit_json(data)
        return
    s.out.listing(log.run_log, LOG_COLUMNS, paged=False)
    if log.submit_log:
        click.echo(f"submit log:\n{log.submit_log}")
