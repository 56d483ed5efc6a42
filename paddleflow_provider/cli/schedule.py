"""``paddleflow schedule create|list|show|stop|delete``: periodic runs of a pipeline version."""

from __future__ import annotations

import click

from paddleflow_provider.cli.params import marker, maxsize
from paddleflow_provider.cli.run import RUN_COLUMNS
from paddleflow_provider.cli.session import Session, pass_session

SCHEDULE_COLUMNS = [
    ("schedule id", "schedule_id"),
    ("name", "name"),
    ("desc", "desc"),
    ("pipeline id", "pipeline_id"),
    ("pipeline version id", "pipeline_version_id"),
    ("crontab", "crontab"),
    ("username", "username"),
    ("fs config", "fs_config"),
    ("options", "options"),
    ("message", "message"),
    ("status", "status"),
]
SCHEDULE_TIMES = [
    ("schedule id", "schedule_id"),
    ("start time", "start_time"),
    ("end time", "end_time"),
    ("create time", "create_time"),
    ("update time", "update_time"),
    ("next run time", "next_run_time"),
]


@click.group("schedule")
def group() -> None:
    """manage schedule resources"""


@group.command()
@click.argument("name")
@click.argument("pplid")
@click.argument("pplverid")
@click.argument("crontab")
@click.option("-d", "--desc", help="the description")
@click.option("-s", "--starttime", help="first time to run, 'YYYY-MM-DD hh:mm:ss'")
@click.option("-e", "--endtime", help="last time to run, 'YYYY-MM-DD hh:mm:ss'")
@click.option("-c", "--concurrency", type=int, help="how many of its runs may run at once")
@click.option("-cp", "--concurrencypolicy", help="at the concurrency limit: suspend, replace or skip")
@click.option("-ei", "--expireinterval", type=int, help="seconds after which a missed run is skipped")
@click.option("--catchup", type=bool, default=None, help="run the times missed while stopped (true/false)")
@click.option("-u", "--username", help="for this user (root only)")
@pass_session
def create(
    s: Session,
    *,
    name: str,
    pplid: str,
    pplverid: str,
    crontab: str,
    desc: str | None,
    starttime: str | None,
    endtime: str | None,
    concurrency: int | None,
    concurrencypolicy: str | None,
    expireinterval: int | None,
    catchup: bool | None,
    username: str | None,
) -> None:
    """create a schedule (quote the crontab: '*/10 * * * *')."""
    schedule_id = s.api.create_schedule(
        name,
        pplid,
        pplverid,
        crontab,
        desc=desc,
        start_time=starttime,
        end_time=endtime,
        concurrency=concurrency,
        concurrency_policy=concurrencypolicy,
        expire_interval=expireinterval,
        catchup=catchup,
        username=username,
    )
    s.out.done(f"schedule [{name}] create success with schedule id[{schedule_id}]", schedule_id=schedule_id)


@group.command("list")
@click.option("-u", "--userfilter", help="schedules of this user (root only)")
@click.option("-n", "--namefilter", help="schedules with this name")
@click.option("-p", "--pplfilter", help="schedules of this pipeline id")
@click.option("-pv", "--pplverfilter", help="schedules of this pipeline version id")
@click.option("-s", "--statusfilter", help="schedules in this status")
@click.option("--schedulefilter", help="this schedule id")
@maxsize("-m", "--maxkeys")
@marker()
@pass_session
def list_(
    s: Session,
    *,
    userfilter: str | None,
    namefilter: str | None,
    pplfilter: str | None,
    pplverfilter: str | None,
    statusfilter: str | None,
    schedulefilter: str | None,
    maxsize: int,
    marker: str | None,
) -> None:
    """list schedules."""
    page = s.api.list_schedule(
        user_filter=userfilter,
        ppl_filter=pplfilter,
        ppl_version_filter=pplverfilter,
        name_filter=namefilter,
        status_filter=statusfilter,
        schedule_filter=schedulefilter,
        marker=marker,
        max_keys=maxsize,
    )
    if s.out.json:
        s.out.listing(page.items, SCHEDULE_COLUMNS, page.next_marker)
        return
    s.out.rows(page.items, SCHEDULE_COLUMNS)
    s.out.listing(page.items, SCHEDULE_TIMES, page.next_marker)


@group.command()
@click.argument("scheduleid")
@click.option("-r", "--runfilter", help="only this run of the schedule")
@click.option("-s", "--statusfilter", help="only its runs in this status")
@maxsize("-m", "--maxkeys")
@marker()
@pass_session
def show(
    s: Session,
    *,
    scheduleid: str,
    runfilter: str | None,
    statusfilter: str | None,
    maxsize: int,
    marker: str | None,
) -> None:
    """show a schedule and the runs it started."""
    detail = s.api.show_schedule(
        scheduleid, run_filter=runfilter, status_filter=statusfilter, marker=marker, max_keys=maxsize
    )
    if s.out.json:
        s.out.record(detail, [])
        return
    s.out.rows([detail.schedule], SCHEDULE_COLUMNS)
    s.out.rows([detail.schedule], SCHEDULE_TIMES)
    s.out.listing(detail.runs, RUN_COLUMNS, detail.next_marker)


@group.command()
@click.argument("scheduleid")
@pass_session
def stop(s: Session, scheduleid: str) -> None:
    """stop (pause) a schedule."""
    s.api.stop_schedule(scheduleid)
    s.out.done(f"schedule with id [{scheduleid}] stop success", schedule_id=scheduleid)


@group.command()
@click.argument("scheduleid")
@pass_session
def delete(s: Session, scheduleid: str) -> None:
    """delete a schedule."""
    s.api.delete_schedule(scheduleid)
    s.out.done(f"schedule with id [{scheduleid}] delete success", schedule_id=scheduleid)
