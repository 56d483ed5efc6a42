"""``paddleflow queue create|delete|list|show|stop|grant|ungrant|grantlist``.

``queue update`` of the original CLI is not here: the client (the SDK reference) has no update call.
``queue stop`` is the SDK's ``stop_queue`` (a queue must be closed before it can be deleted).
"""

from __future__ import annotations

import click

from paddleflow_provider.cli.params import key_values, marker, maxsize
from paddleflow_provider.cli.session import Session, pass_session

QUEUE_COLUMNS = [
    ("name", "name"),
    ("namespace", "namespace"),
    ("status", "status"),
    ("cluster name", "clusterName"),
    ("create time", "createTime"),
    ("update time", "updateTime"),
]
QUEUE_SHOW = [
    [
        ("name", "name"),
        ("namespace", "namespace"),
        ("status", "status"),
        ("quota type", "quotaType"),
        ("cluster name", "clusterName"),
        ("create time", "createTime"),
        ("update time", "updateTime"),
    ]
]
GRANT_COLUMNS = [("user name", "username"), ("queue name", "resourceName")]


@click.group("queue")
def group() -> None:
    """manage queue resources"""


@group.command()
@click.argument("name")
@click.argument("namespace")
@click.argument("maxcpu")
@click.argument("maxmem")
@click.option("--clustername", help="the cluster of the queue")
@click.option("--quota", help="the quota type, e.g. volcanoCapabilityQuota or elasticQuota")
@click.option("--maxscalar", multiple=True, metavar="KEY=VALUE", help="a scalar resource maximum, repeatable")
@click.option("--mincpu", help="the minimum cpu (elastic quota)")
@click.option("--minmem", help="the minimum memory (elastic quota)")
@pass_session
def create(
    s: Session,
    *,
    name: str,
    namespace: str,
    maxcpu: str,
    maxmem: str,
    clustername: str | None,
    quota: str | None,
    maxscalar: tuple[str, ...],
    mincpu: str | None,
    minmem: str | None,
) -> None:
    """create a queue (root only)."""
    minimum = {k: v for k, v in (("cpu", mincpu), ("mem", minmem)) if v} or None
    s.api.create_queue(
        name,
        namespace,
        maxcpu,
        maxmem,
        clustername=clustername,
        scalar_resources=key_values("--maxscalar", maxscalar),
        min_resources=minimum,
        quota_type=quota,
    )
    s.out.done(f"queue[{name}] create  success", name=name)


@group.command()
@click.argument("name")
@pass_session
def delete(s: Session, name: str) -> None:
    """delete a queue (root only; stop it first)."""
    s.api.del_queue(name)
    s.out.done(f"queue[{name}] delete  success", name=name)


@group.command()
@click.argument("name")
@pass_session
def stop(s: Session, name: str) -> None:
    """close a queue (root only): it takes no new jobs."""
    s.api.stop_queue(name)
    s.out.done(f"queue[{name}] stop  success", name=name)


@group.command("list")
@maxsize("-m", "--maxsize")
@marker()
@pass_session
def list_(s: Session, maxsize: int, marker: str | None) -> None:
    """list queues."""
    page = s.api.list_queue(maxsize=maxsize, marker=marker)
    s.out.listing(page.items, QUEUE_COLUMNS, page.next_marker)


@group.command()
@click.argument("name")
@pass_session
def show(s: Session, name: str) -> None:
    """show queue info."""
    queue = s.api.show_queue(name)
    resources = {
        "max resources": queue.maxResources,
        "min resources": queue.minResources,
        "used resources": queue.usedResources,
        "idle resources": queue.idleResources,
    }
    s.out.record(queue, QUEUE_SHOW, [("queue info", {k: v for k, v in resources.items() if v is not None})])


@group.command()
@click.argument("username")
@click.argument("queuename")
@pass_session
def grant(s: Session, username: str, queuename: str) -> None:
    """let a user use a queue (root only)."""
    s.api.grant_queue(username, queuename)
    s.out.done(f"queue[{queuename}] add username[{username}] success", username=username, queue=queuename)


@group.command()
@click.argument("username")
@click.argument("queuename")
@pass_session
def ungrant(s: Session, username: str, queuename: str) -> None:
    """take a queue away from a user (root only)."""
    s.api.ungrant_queue(username, queuename)
    s.out.done(f"queue[{queuename}] delete username[{username}] success", username=username, queue=queuename)


@group.command()
@click.option("-u", "--username", help="only this user's grants")
@maxsize("-m", "--maxsize")
@marker()
@pass_session
def grantlist(s: Session, username: str | None, maxsize: int, marker: str | None) -> None:
    """list queue grants (root only)."""
    page = s.api.show_queue_grant(username=username, maxsize=maxsize, marker=marker)
    s.out.listing(page.items, GRANT_COLUMNS, page.next_marker)
