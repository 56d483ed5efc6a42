"""``paddleflow statistics job JOBID [-d [-s START [-e END]] [-st STEP]]``: a job's resource usage.

As in the original CLI, ``--start``, ``--end`` and ``--step`` only make sense with ``--detail``
(and ``--end`` with ``--start``): a usage error otherwise.
"""

from __future__ import annotations

from typing import Any

import click

from paddleflow_provider.cli.session import Session, pass_session

TRUNCATED = "results has been truncated due to server side limitation"


@click.group("statistics")
def group() -> None:
    """show resources statistics"""


@group.command()
@click.argument("jobid")
@click.option("-d", "--detail", is_flag=True, help="the metrics over time")
@click.option("-s", "--start", type=int, help="start time (unix seconds), with --detail")
@click.option("-e", "--end", type=int, help="end time (unix seconds), with --detail and --start")
@click.option("-st", "--step", type=int, help="seconds between points, with --detail")
@click.option("-r", "--runid", help="the run of the job")
@pass_session
def job(
    s: Session,
    *,
    jobid: str,
    detail: bool,
    start: int | None,
    end: int | None,
    step: int | None,
    runid: str | None,
) -> None:
    """show the statistics of a job."""
    if not detail:
        if start is not None or end is not None or step is not None:
            raise click.UsageError("--start, --end and --step need --detail")
        info = s.api.get_statistics(jobid, runid=runid)
        if s.out.json:
            s.out.record(info, [])
            return
        metrics = info.metrics_info
        s.out.rows([metrics], [(key, key_reader(key)) for key in metrics])
        return
    if end is not None and start is None:
        raise click.UsageError("--end needs --start")
    result = s.api.get_statistics_detail(jobid, start=start, end=end, step=step, runid=runid)
    if s.out.json:
        s.out.record(result, [])
        return
    for task in result.result:
        series: dict[Any, dict[str, Any]] = {}
        for metric in task.task_info:
            for point in metric.values:
                if len(point) >= 2:
                    series.setdefault(point[0], {})[metric.metric] = point[1]
        names = [m.metric for m in task.task_info]
        rows = [{"timestamp": ts, **values} for ts, values in sorted(series.items())]
        if task.task_name:
            click.echo(f"task: {task.task_name}")
        s.out.rows(rows, [(name, key_reader(name)) for name in ["timestamp", *names]])
    if result.truncated:
        click.echo(TRUNCATED)


def key_reader(key: str) -> Any:
    return lambda row: row.get(key, "")
