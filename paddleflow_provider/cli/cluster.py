"""``paddleflow cluster create|show|list|delete|update|resource`` (root only).

``-c/--credential`` names a local file (the kubeconfig); its content is sent. A credential is never
printed. ``-ns/--namespacelist`` takes the names inside the original's brackets: ``NS1,NS2`` (quotes
allowed). ``update`` has no ``-id``: the SDK's ``update_cluster`` cannot change a cluster's id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from paddleflow_provider.cli.params import marker, maxsize
from paddleflow_provider.cli.session import Session, pass_session

CLUSTER_COLUMNS = [
    ("cluster id", "clusterid"),
    ("cluster name", "clustername"),
    ("description", "description"),
    ("cluster type", "clustertype"),
    ("status", "status"),
    ("create time", "createtime"),
    ("update time", "updatetime"),
]
CLUSTER_SHOW = [
    [
        ("cluster id", "clusterid"),
        ("cluster name", "clustername"),
        ("description", "description"),
        ("endpoint", "endpoint"),
        ("source", "source"),
        ("cluster type", "clustertype"),
        ("status", "status"),
        ("setting", "setting"),
        ("namespace list", "namespacelist"),
        ("create time", "createtime"),
        ("update time", "updatetime"),
    ]
]


@click.group("cluster")
def group() -> None:
    """manage cluster resources"""


def namespaces(value: str | None) -> list[str] | None:
    """``NS1,NS2`` or ``'NS1','NS2'`` or ``['NS1','NS2']`` -> ``["NS1", "NS2"]``."""
    if value is None:
        return None
    names = (part.strip().strip("'\"") for part in value.strip().strip("[]").split(","))
    return [n for n in names if n]


def credential_file(path: str | None) -> bytes | None:
    if path is None:
        return None
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as err:
        raise click.BadParameter(f"cannot read {path!r}: {err.strerror}", param_hint="--credential") from err


def cluster_options(f: Any) -> Any:
    """The options ``create`` and ``update`` share."""
    for option in reversed(
        [
            click.option("-c", "--credential", metavar="FILE", help="the credential (kubeconfig) file"),
            click.option("-d", "--description", help="the description"),
            click.option("--source", help="where the cluster runs: OnPremise, AWS, CCE ..."),
            click.option("--setting", help="extra cluster settings"),
            click.option("--status", help="online or offline"),
            click.option("-ns", "--namespacelist", help="namespaces, comma separated"),
            click.option("--version", "version", help="the cluster's version"),
        ]
    ):
        f = option(f)
    return f


@group.command()
@click.argument("clustername")
@click.argument("endpoint")
@click.argument("clustertype")
@cluster_options
@click.option("-id", "--clusterid", help="the cluster id to use")
@pass_session
def create(s: Session, /, *, clustername: str, endpoint: str, clustertype: str, **options: Any) -> None:
    """create a cluster."""
    cluster_id = s.api.create_cluster(
        clustername,
        endpoint,
        clustertype,
        credential=credential_file(options["credential"]),
        description=options["description"],
        source=options["source"],
        setting=options["setting"],
        status=options["status"],
        namespacelist=namespaces(options["namespacelist"]),
        version=options["version"],
        clusterid=options["clusterid"],
    )
    s.out.done(f"cluster[{clustername}] create  success, id[{cluster_id}]", cluster_id=cluster_id)


@group.command()
@click.argument("clustername")
@click.option("-e", "--endpoint", help="the new endpoint")
@click.option("-t", "--clustertype", help="the new cluster type")
@cluster_options
@pass_session
def update(
    s: Session, /, *, clustername: str, endpoint: str | None, clustertype: str | None, **options: Any
) -> None:
    """update a cluster."""
    s.api.update_cluster(
        clustername,
        endpoint=endpoint,
        credential=credential_file(options["credential"]),
        clustertype=clustertype,
        description=options["description"],
        source=options["source"],
        setting=options["setting"],
        status=options["status"],
        namespacelist=namespaces(options["namespacelist"]),
        version=options["version"],
    )
    s.out.done(f"cluster[{clustername}] update success", clustername=clustername)


@group.command("list")
@click.option("-cn", "--clustername", help="clusters with this name")
@click.option("-cs", "--clusterstatus", help="clusters in this status")
@maxsize("-m", "--maxkeys")
@marker()
@pass_session
def list_(
    s: Session, *, clustername: str | None, clusterstatus: str | None, maxsize: int, marker: str | None
) -> None:
    """list clusters."""
    page = s.api.list_cluster(
        maxkeys=maxsize, marker=marker, clustername=clustername, clusterstatus=clusterstatus
    )
    s.out.listing(page.items, CLUSTER_COLUMNS, page.next_marker)


@group.command()
@click.argument("clustername")
@pass_session
def show(s: Session, clustername: str) -> None:
    """show cluster info (the credential is not printed)."""
    s.out.record(s.api.show_cluster(clustername), CLUSTER_SHOW)


@group.command()
@click.argument("clustername")
@pass_session
def delete(s: Session, clustername: str) -> None:
    """delete a cluster."""
    s.api.delete_cluster(clustername)
    s.out.done(f"cluster[{clustername}] delete success", clustername=clustername)


@group.command()
@click.option("-cn", "--clustername", help="only this cluster")
@pass_session
def resource(s: Session, clustername: str | None) -> None:
    """Get the remaining resource information of the cluster."""
    resources = s.api.list_cluster_resource(clustername)
    if s.out.json:
        s.out.emit_json(resources)
        return
    rows = [(name, info) for name, info in resources.items()]
    s.out.rows(rows, [("cluster name", lambda r: r[0]), ("cluster info", lambda r: r[1])])
