"""``paddleflow pipeline create|list|show|delete|update|showversion|deleteversion``.

Where the original CLI and the SDK reference differ, the SDK wins (docs/cli.md): the pipeline's name
comes from its yaml (no ``-n/--name``), a description is ``-d/--desc``, and the yaml may be given
inline with ``-yr/--yamlraw`` (text or ``@local-file``) instead of ``FSNAME`` + ``-yp``.
"""

from __future__ import annotations

import click

from paddleflow_provider.cli.params import marker, maxsize, yaml_text
from paddleflow_provider.cli.session import Session, pass_session

PIPELINE_COLUMNS = [
    ("pipeline id", "pipeline_id"),
    ("name", "name"),
    ("username", "username"),
    ("desc", "desc"),
    ("create time", "create_time"),
    ("update time", "update_time"),
]
PIPELINE_HEAD = [
    ("pipeline id", "pipeline_id"),
    ("name", "name"),
    ("username", "username"),
    ("pipeline desc", "desc"),
    ("create time", "create_time"),
    ("update time", "update_time"),
]
VERSION_COLUMNS = [
    ("ppl ver id", "pipeline_version_id"),
    ("fs name", "fs_name"),
    ("yaml path", "yaml_path"),
    ("username", "username"),
    ("create time", "create_time"),
    ("update time", "update_time"),
]
YAML_COLUMNS = [("ppl ver id", "pipeline_version_id"), ("pipeline yaml", "pipeline_yaml")]

yamlraw_option = click.option("-yr", "--yamlraw", help="the pipeline yaml's content, or @local-file")
desc_option = click.option("-d", "--desc", help="the description")
username_option = click.option("-u", "--username", help="for this user (root only)")


@click.group("pipeline")
def group() -> None:
    """manage pipeline resources"""


@group.command()
@click.argument("fsname", required=False)
@click.option("-yp", "--yamlpath", help="the path of the pipeline yaml in the fs")
@yamlraw_option
@desc_option
@username_option
@pass_session
def create(
    s: Session,
    *,
    fsname: str | None,
    yamlpath: str | None,
    yamlraw: str | None,
    desc: str | None,
    username: str | None,
) -> None:
    """create a pipeline from FSNAME + --yamlpath, or from --yamlraw."""
    made = s.api.create_pipeline(
        fs_name=fsname,
        yaml_path=yamlpath,
        desc=desc,
        username=username,
        yaml_raw=yaml_text("--yamlraw", yamlraw),
    )
    s.out.done(
        f"pipeline[{made.name}] create  success, id[{made.pipeline_id}], "
        f"versionID[{made.pipeline_version_id}]",
        name=made.name,
        pipeline_id=made.pipeline_id,
        pipeline_version_id=made.pipeline_version_id,
    )


@group.command("list")
@click.option("-u", "--userfilter", help="pipelines of this user (root only)")
@click.option("-n", "--namefilter", help="pipelines with this name")
@maxsize("-m", "--maxkeys")
@marker()
@pass_session
def list_(
    s: Session, *, userfilter: str | None, namefilter: str | None, maxsize: int, marker: str | None
) -> None:
    """list pipelines."""
    page = s.api.list_pipeline(
        user_filter=userfilter, name_filter=namefilter, max_keys=maxsize, marker=marker
    )
    s.out.listing(page.items, PIPELINE_COLUMNS, page.next_marker)


@group.command()
@click.argument("pipelineid")
@click.option("-f", "--fsfilter", help="versions on this fs")
@maxsize("-m", "--maxkeys")
@marker()
@pass_session
def show(s: Session, *, pipelineid: str, fsfilter: str | None, maxsize: int, marker: str | None) -> None:
    """show a pipeline and its versions."""
    detail = s.api.show_pipeline(pipelineid, fs_filter=fsfilter, max_keys=maxsize, marker=marker)
    if s.out.json:
        s.out.record(detail, [])
        return
    s.out.rows([detail.pipeline], PIPELINE_HEAD)
    s.out.listing(detail.versions, VERSION_COLUMNS, detail.next_marker)


@group.command()
@click.argument("pipelineid")
@pass_session
def delete(s: Session, pipelineid: str) -> None:
    """delete a pipeline and all its versions."""
    s.api.delete_pipeline(pipelineid)
    s.out.done(f"pipelineid[{pipelineid}] delete success", pipeline_id=pipelineid)


@group.command()
@click.argument("pipelineid")
@click.argument("fsname", required=False)
@click.argument("yamlpath", required=False)
@yamlraw_option
@desc_option
@username_option
@pass_session
def update(
    s: Session,
    *,
    pipelineid: str,
    fsname: str | None,
    yamlpath: str | None,
    yamlraw: str | None,
    desc: str | None,
    username: str | None,
) -> None:
    """add a new version to a pipeline, from FSNAME YAMLPATH or --yamlraw."""
    made = s.api.update_pipeline(
        pipelineid,
        fs_name=fsname,
        yaml_path=yamlpath,
        username=username,
        desc=desc,
        yaml_raw=yaml_text("--yamlraw", yamlraw),
    )
    s.out.done(
        f"pipeline[{pipelineid}] update success, new version id [{made.pipeline_version_id}]",
        pipeline_id=made.pipeline_id,
        pipeline_version_id=made.pipeline_version_id,
    )


@group.command()
@click.argument("pipelineid")
@click.argument("versionid")
@pass_session
def showversion(s: Session, pipelineid: str, versionid: str) -> None:
    """show one version of a pipeline, its yaml included."""
    detail = s.api.show_pipeline_version(pipelineid, versionid)
    if s.out.json:
        s.out.record(detail, [])
        return
    s.out.rows([detail.pipeline], PIPELINE_HEAD)
    s.out.rows([detail.version], VERSION_COLUMNS)
    s.out.rows([detail.version], YAML_COLUMNS)


@group.command()
@click.argument("pipelineid")
@click.argument("versionid")
@pass_session
def deleteversion(s: Session, pipelineid: str, versionid: str) -> None:
    """delete one version of a pipeline."""
    s.api.delete_pipeline_version(pipelineid, versionid)
    s.out.done(
        f"pipeline version [{versionid}] of pipeline [{pipelineid}] delete success",
        pipeline_id=pipelineid,
        pipeline_version_id=versionid,
    )
