"""``paddleflow flavour list|show``.

The client (the SDK reference) only lists flavours: ``show`` is that list filtered by name;
``create``/``update``/``delete`` of the original CLI have no client call and are not here.
"""

from __future__ import annotations

import click

from paddleflow_provider.cli.params import marker, maxsize
from paddleflow_provider.cli.session import Session, pass_session

FLAVOUR_COLUMNS = [
    ("name", "name"),
    ("cpu", "cpu"),
    ("mem", "mem"),
    ("scalarResources", "scalar_resources"),
]


@click.group("flavour")
def group() -> None:
    """manage flavour resources"""


@group.command("list")
@maxsize("-m", "--maxsize")
@marker()
@click.option("-cn", "--clustername", default="", help="flavours of this cluster")
@click.option("-k", "--key", default="", help="flavours whose name matches")
@pass_session
def list_(s: Session, *, maxsize: int, marker: str | None, clustername: str, key: str) -> None:
    """list flavours."""
    page = s.api.list_flavour(maxsize=maxsize, marker=marker, clustername=clustername, key=key)
    s.out.listing(page.items, FLAVOUR_COLUMNS, page.next_marker)


@group.command()
@click.argument("name")
@pass_session
def show(s: Session, name: str) -> None:
    """show flavour info."""
    found = [f for f in s.api.iter_flavours(key=name) if f.name == name]
    if not found:
        raise click.ClickException(f"flavour {name!r} not found")
    s.out.record(found[0], [FLAVOUR_COLUMNS])
