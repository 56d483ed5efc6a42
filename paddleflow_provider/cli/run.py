"""``paddleflow run ...``: the original CLI's run verbs, one client call each.

``run wait`` and ``run logs`` (beyond the original) live in :mod:`paddleflow_provider.cli.run_follow`;
the root module adds them to this group.
"""

from __future__ import annotations

import click

from paddleflow_provider.cli.params import key_values, marker, maxsize, yaml_text
from paddleflow_provider.cli.session import Session, pass_session

RUN_COLUMNS = [
    ("run id", "run_id"),
    ("fs name", "fs_name"),
    ("username", "username"),
    ("status", "status"),
    ("name", "name"),
    ("description", "description"),
    ("run msg", "run_msg"),
    ("source", "source"),
    ("schedule id", "schedule_id"),
    ("scheduled time", "scheduled_time"),
    ("create time", "create_time"),
    ("activate time", "activate_time"),
    ("update time", "update_time"),
]
RUN_SHOW = [
    [
        ("run id", "run_id"),
        ("status", "status"),
        ("name", "name"),
        ("desc", "description"),
        ("param", "parameters"),
        ("source", "source"),
        ("run msg", "run_msg"),
        ("create time", "create_time"),
        ("update time", "update_time"),
        ("activate time", "activate_time"),
    ],
    [
        ("fs name", "fs_name"),
        ("username", "username"),
        ("docker env", "docker_env"),
        ("schedule id", "schedule_id"),
        ("fs options(json)", "fs_options"),
        ("failure options(json)", "failure_options"),
        ("disabled", "disabled"),
        ("run cached ids", "run_cached_ids"),
    ],
]
CACHE_COLUMNS = [
    ("cache id", "cache_id"),
    ("run id", "run_id"),
    ("jobid", "job_id"),
    ("fsname", "fs_name"),
    ("username", "username"),
    ("expired time", "expired_time"),
    ("create time", "create_time"),
    ("update time", "update_time"),
]
CACHE_SHOW = [
    [
        ("cache id", "cache_id"),
        ("run id", "run_id"),
        ("job id", "job_id"),
        ("fsname", "fs_name"),
        ("username", "username"),
        ("expired time", "expired_time"),
        ("strategy", "strategy"),
        ("custom", "custom"),
        ("create time", "create_time"),
        ("update time", "update_time"),
    ],
    [("first fp", "first_fp"), ("second fp", "second_fp")],
]
ARTIFACT_COLUMNS = [
    ("run id", "run_id"),
    ("fsname", "fs_name"),
    ("username", "username"),
    ("artifact path", "artifact_path"),
    ("type", "type"),
    ("step", "step"),
    ("artifact name", "artifact_name"),
    ("meta", "meta"),
    ("create time", "create_time"),
    ("update time", "update_time"),
]


@click.group("run")
def group() -> None:
    """manage run resources"""


@group.command()
@click.option("-f", "--fsname", help="the name of the fs (needed with --runyamlpath)")
@click.option("-n", "--name", help="the name of the run")
@click.option("-d", "--desc", help="the description of the run")
@click.option("-u", "--username", help="run as this user (root only)")
@click.option("-p", "--param", multiple=True, metavar="KEY=VALUE", help="a parameter to replace, repeatable")
@click.option("-yp", "--runyamlpath", help="the path of the run yaml in the fs")
@click.option(
    "-yr",
    "--runyamlraw",
    help="the run yaml's content (the SDK's run_yaml_raw), its base64 (as the original), or @local-file",
)
@click.option("-pplid", "--pipelineid", help="the pipeline id to run")
@click.option("-pplver", "--pplversionid", help="the pipeline version id to run")
@click.option("--disabled", help="the step names not to run, comma separated")
@click.option("-de", "--dockerenv", help="the global docker env: an image url or an image tar in the fs")
@pass_session
def create(
    s: Session,
    *,
    fsname: str | None,
    name: str | None,
    desc: str | None,
    username: str | None,
    param: tuple[str, ...],
    runyamlpath: str | None,
    runyamlraw: str | None,
    pipelineid: str | None,
    pplversionid: str | None,
    disabled: str | None,
    dockerenv: str | None,
) -> None:
    """create a new run."""
    run_id = s.api.create_run(
        fs_name=fsname,
        username=username,
        run_name=name,
        desc=desc,
        run_yaml_path=runyamlpath,
        run_yaml_raw=yaml_text("--runyamlraw", runyamlraw),
        pipeline_id=pipelineid,
        pipeline_version_id=pplversionid,
        param=key_values("--param", param),
        disabled=disabled,
        docker_env=dockerenv,
    )
    s.out.done(f"run[{name or ''}] create success with runid[{run_id}]", run_id=run_id)


@group.command("list")
@click.option("-f", "--fsname", help="list runs of this fs")
@click.option("-u", "--username", help="list runs of this user (root only)")
@click.option("-r", "--runid", help="list this run id")
@click.option("-n", "--name", help="list runs with this name")
@click.option("-s", "--status", help="list runs in this status")
@maxsize("-m", "--maxsize")
@marker()
@pass_session
def list_(
    s: Session,
    *,
    fsname: str | None,
    username: str | None,
    runid: str | None,
    name: str | None,
    status: str | None,
    maxsize: int,
    marker: str | None,
) -> None:
    """list runs."""
    page = s.api.list_run(
        fs_name=fsname,
        username=username,
        run_id=runid,
        run_name=name,
        status=status,
        maxsize=maxsize,
        marker=marker,
    )
    s.out.listing(page.items, RUN_COLUMNS, page.next_marker)


@group.command()
@click.argument("runid")
@pass_session
def show(s: Session, runid: str) -> None:
    """show the detail of a run, its steps included."""
    run = s.api.show_run(runid)
    s.out.record(
        run,
        RUN_SHOW,
        [
            ("run yaml detail", run.run_yaml),
            ("runtime in json", run.runtime),
            ("postProcess in json", run.post_process),
        ],
    )


@group.command()
@click.argument("runid")
@click.option("-f", "--force", is_flag=True, help="stop the run's steps at once")
@pass_session
def stop(s: Session, runid: str, force: bool) -> None:
    """stop a run."""
    s.api.stop_run(runid, force=force)
    s.out.done(f"run[{runid}] stop success", run_id=runid)


@group.command()
@click.argument("runid")
@pass_session
def retry(s: Session, runid: str) -> None:
    """retry a failed or terminated run (the server makes a new run)."""
    new_id = s.api.retry_run(runid)
    s.out.done(f"run[{runid}] retry success, new run id is [{new_id}]", run_id=runid, new_run_id=new_id)


@group.command()
@click.argument("runid")
@click.option(
    "-not-cc", "--notcheckcache", "-notcheckcache", is_flag=True, help="delete without checking the cache"
)
@pass_session
def delete(s: Session, runid: str, notcheckcache: bool) -> None:
    """delete a run."""
    s.api.delete_run(runid, check_cache=not notcheckcache)
    s.out.done(f"run[{runid}] delete success", run_id=runid)


@group.command()
@click.option("-u", "--userfilter", help="caches of this user")
@click.option("-f", "--fsfilter", help="caches of this fs")
@click.option("-r", "--runfilter", help="caches of this run")
@maxsize("-m", "--maxsize")
@marker()
@pass_session
def listcache(
    s: Session,
    *,
    userfilter: str | None,
    fsfilter: str | None,
    runfilter: str | None,
    maxsize: int,
    marker: str | None,
) -> None:
    """list run caches."""
    page = s.api.list_cache(
        user_filter=userfilter, fs_filter=fsfilter, run_filter=runfilter, max_keys=maxsize, marker=marker
    )
    s.out.listing(page.items, CACHE_COLUMNS, page.next_marker)


@group.command()
@click.argument("cacheid")
@pass_session
def showcache(s: Session, cacheid: str) -> None:
    """show a run cache."""
    s.out.record(s.api.show_cache(cacheid), CACHE_SHOW)


@group.command()
@click.argument("cacheid")
@pass_session
def deletecache(s: Session, cacheid: str) -> None:
    """delete a run cache."""
    s.api.delete_cache(cacheid)
    s.out.done(f"runcache[{cacheid}] delete success", cache_id=cacheid)


# the original's overview calls this verb ``delcache``: both spellings work
group.add_command(deletecache, "delcache")


@group.command()
@click.option("-u", "--userfilter", help="artifacts of this user")
@click.option("-f", "--fsfilter", help="artifacts of this fs")
@click.option("-r", "--runfilter", help="artifacts of this run")
@click.option("-t", "--typefilter", help="artifacts of this type")
@click.option("-p", "--pathfilter", help="artifacts under this path")
@maxsize("-m", "--maxsize")
@marker()
@pass_session
def listartifact(
    s: Session,
    *,
    userfilter: str | None,
    fsfilter: str | None,
    runfilter: str | None,
    typefilter: str | None,
    pathfilter: str | None,
    maxsize: int,
    marker: str | None,
) -> None:
    """list run artifacts."""
    page = s.api.list_artifact(
        user_filter=userfilter,
        fs_filter=fsfilter,
        run_filter=runfilter,
        type_filter=typefilter,
        path_filter=pathfilter,
        maxkeys=maxsize,
        marker=marker,
    )
    s.out.listing(page.items, ARTIFACT_COLUMNS, page.next_marker)


# The original's overview also names ``status`` and ``artifact`` (its examples use ``show`` and
# ``listartifact``): both spellings work.
group.add_command(show, "status")
group.add_command(listartifact, "artifact")
