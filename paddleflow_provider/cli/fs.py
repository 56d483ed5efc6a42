"""``paddleflow fs create|show|delete|list|link|unlink|listlink|showlink``.

``-o key=value`` options become the fs (or link) properties, or for ``mount`` the FUSE client's mount
options (block-size, data-cache-path, meta-cache-expire ...). ``mount`` runs the FUSE client named by the
``fuse_env`` environment variable, as the original did (the client's ``mount``).
Property values whose keys look secret (password, secretKey, ak/sk ...) are printed as ``<hidden>``.
"""

from __future__ import annotations

import click

from paddleflow_provider.cli.params import key_values, marker, maxsize
from paddleflow_provider.cli.session import Session, pass_session

FS_COLUMNS = [
    ("name", "name"),
    ("owner", "owner"),
    ("type", "fstype"),
    ("server address", "server_adddress"),
    ("sub path", "subpath"),
    ("properties", "properties"),
]
LINK_COLUMNS = [
    ("name", "name"),
    ("owner", "owner"),
    ("type", "fstype"),
    ("fs path", "fspath"),
    ("server address", "server_adddress"),
    ("sub path", "subpath"),
    ("properties", "properties"),
]

username_option = click.option("-u", "--username", help="the fs of this user (root only)")
properties_option = click.option(
    "-o",
    "--o",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="a property (e.g. ak=..., sk=...), repeatable",
)


@click.group("fs")
def group() -> None:
    """manage fs resources"""


@group.command()
@click.argument("fsname")
@click.argument("url")
@properties_option
@username_option
@pass_session
def create(s: Session, fsname: str, url: str, options: tuple[str, ...], username: str | None) -> None:
    """create a fs: URL is <type>://<path>, e.g. s3://bucket/path or local://path."""
    s.api.add_fs(fsname, url, username=username, properties=key_values("-o", options))
    s.out.done(f"fs[{fsname}] create success", fsname=fsname)


@group.command()
@click.argument("fsname")
@username_option
@pass_session
def show(s: Session, fsname: str, username: str | None) -> None:
    """show fs info."""
    s.out.record(s.api.show_fs(fsname, username=username), [FS_COLUMNS])


@group.command()
@click.argument("fsname")
@username_option
@pass_session
def delete(s: Session, fsname: str, username: str | None) -> None:
    """delete a fs."""
    s.api.delete_fs(fsname, username=username)
    s.out.done(f"fs[{fsname}] delete success", fsname=fsname)


@group.command("list")
@username_option
@maxsize("-m", "--maxsize")
@marker()
@pass_session
def list_(s: Session, username: str | None, maxsize: int, marker: str | None) -> None:
    """list fs."""
    page = s.api.list_fs(username=username, maxsize=maxsize, marker=marker)
    s.out.listing(page.items, FS_COLUMNS, page.next_marker)


@group.command()
@click.argument("fsname")
@click.argument("fspath")
@click.argument("url")
@properties_option
@username_option
@pass_session
def link(
    s: Session, *, fsname: str, fspath: str, url: str, options: tuple[str, ...], username: str | None
) -> None:
    """link URL into the fs at FSPATH."""
    s.api.add_link(fsname, fspath, url, username=username, properties=key_values("-o", options))
    s.out.done(f"fs[{fsname}] create link success", fsname=fsname, fspath=fspath)


@group.command()
@click.argument("fsname")
@click.argument("fspath")
@username_option
@pass_session
def unlink(s: Session, fsname: str, fspath: str, username: str | None) -> None:
    """delete the link at FSPATH."""
    s.api.delete_link(fsname, fspath, username=username)
    s.out.done(f"fs[{fsname}] delete link success", fsname=fsname, fspath=fspath)


@group.command()
@click.argument("fsname")
@username_option
@maxsize("-m", "--maxsize")
@marker()
@pass_session
def listlink(s: Session, fsname: str, username: str | None, maxsize: int, marker: str | None) -> None:
    """list the links of a fs."""
    page = s.api.list_link(fsname, username=username, maxsize=maxsize, marker=marker)
    s.out.listing(page.items, LINK_COLUMNS, page.next_marker)


@group.command()
@click.argument("fsname")
@click.argument("fspath")
@username_option
@pass_session
def showlink(s: Session, fsname: str, fspath: str, username: str | None) -> None:
    """show the link at FSPATH."""
    s.out.record(s.api.show_link(fsname, fspath, username=username), [LINK_COLUMNS])


@group.command()
@click.argument("fsname")
@click.argument("path")
@username_option
@click.option(
    "-o",
    "--o",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="a mount option: block-size, data-cache-path, data-cache-expire, meta-cache-path, "
    "meta-cache-driver, meta-cache-expire, entry-cache-expire; repeatable",
)
@pass_session
def mount(s: Session, *, fsname: str, path: str, username: str | None, options: tuple[str, ...]) -> None:
    """mount fs FSNAME on the local directory PATH (needs the PaddleFlow FUSE client in fuse_env)."""
    s.api.mount(fsname, path, key_values("-o", options), username=username)
    s.out.done("mount success", fsname=fsname, path=path)
