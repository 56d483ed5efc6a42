"""File systems and links (paddleflow-api.md 7.4). ``mount`` is local: see ``_mount.py``."""

from __future__ import annotations

from typing import Any

from .. import _validate as v
from .._core import Call, path
from .._exceptions import InvalidArgumentError, NotFoundError
from .._model_base import Page
from .._models import FSInfo, LinkInfo
from ._common import endpoint, landed_if_found, model_parser, none, page_parser

_FS_ALIASES = {"fs_name": "fsname", "fsName": "fsname"}


@endpoint(_FS_ALIASES)
def show_fs(fsname: str, username: str | None = None) -> Call[FSInfo]:
    v.required("fsname", fsname)
    return Call(
        "show_fs",
        "GET",
        path("fs", fsname),
        model_parser(FSInfo),
        params={"username": v.optional_str("username", username)},
    )


@endpoint()
def list_fs(username: str | None = None, maxsize: int = 100, marker: str | None = None) -> Call[Page[FSInfo]]:
    v.maxsize("maxsize", maxsize)
    return Call(
        "list_fs",
        "GET",
        "/fs",
        page_parser(FSInfo, "fsList"),
        params={
            "maxKeys": maxsize,
            "username": v.optional_str("username", username),
            "marker": v.optional_str("marker", marker),
        },
    )


def _storage_body(
    body: dict[str, Any], url: str, username: str | None, properties: dict[str, str] | None
) -> dict[str, Any]:
    """The body shared by add_fs and add_link: a storage URL, an optional owner and properties."""
    v.required("url", url)
    if "://" not in url:
        raise InvalidArgumentError("url", "a storage URL such as 'local:///data', 's3://bucket/path'", url)
    body = {**body, "url": url}
    if username:
        body["username"] = username
    if v.mapping("properties", properties):
        body["properties"] = {k: str(val) for k, val in (properties or {}).items()}
    return body


@endpoint(_FS_ALIASES)
def add_fs(
    fsname: str, url: str, username: str | None = None, properties: dict[str, str] | None = None
) -> Call[None]:
    v.fs_name("fsname", fsname, username)
    body = _storage_body({"name": fsname}, url, username, properties)
    return Call(
        "add_fs",
        "POST",
        "/fs",
        none,
        body=body,
        kind="create",
        landed=lambda: landed_if_found(show_fs(fsname, username)),
        done_codes=frozenset({"DuplicatedName"}),
    )


@endpoint(_FS_ALIASES)
def delete_fs(fsname: str, username: str | None = None) -> Call[None]:
    v.required("fsname", fsname)
    return Call(
        "delete_fs",
        "DELETE",
        path("fs", fsname),
        none,
        params={"username": v.optional_str("username", username)},
        kind="mutate",
        done_codes=frozenset({"RecordNotFound"}),
    )


# -- links ----------------------------------------------------------------------------------------
@endpoint(_FS_ALIASES)
def list_link(
    fsname: str, username: str | None = None, maxsize: int = 100, marker: str | None = None
) -> Call[Page[LinkInfo]]:
    v.required("fsname", fsname)
    v.maxsize("maxsize", maxsize)
    return Call(
        "list_link",
        "GET",
        path("link", fsname),
        page_parser(LinkInfo, "linkList"),
        params={
            "maxKeys": maxsize,
            "username": v.optional_str("username", username),
            "marker": v.optional_str("marker", marker),
        },
    )


def _one_link(fspath: str) -> Any:
    def parse(data: Any) -> LinkInfo:
        links = page_parser(LinkInfo, "linkList")(data).items
        match = [link for link in links if link.fspath == fspath] or links
        if not match:
            raise NotFoundError(f"no link found at {fspath!r}", code="LinkNotExist")
        return match[0]

    return parse


@endpoint({**_FS_ALIASES, "fs_path": "fspath", "fsPath": "fspath"})
def show_link(
    fsname: str, fspath: str | None = None, username: str | None = None, maxsize: int = 100
) -> Call[LinkInfo | Page[LinkInfo]]:
    """With ``fspath``: that link (``LinkInfo``); without: the fs's links (a page, as ``list_link``)."""
    if fspath is None:
        return list_link(fsname, username, maxsize)
    v.required("fsname", fsname)
    v.required("fspath", fspath)
    return Call(
        "show_link",
        "GET",
        path("link", fsname),
        _one_link(fspath),
        params={"fsPath": fspath, "username": v.optional_str("username", username)},
    )


@endpoint({**_FS_ALIASES, "fs_path": "fspath", "fsPath": "fspath"})
def add_link(
    fsname: str, fspath: str, url: str, username: str | None = None, properties: dict[str, str] | None = None
) -> Call[None]:
    v.required("fsname", fsname)
    v.required("fspath", fspath)
    body = _storage_body({"fsPath": fspath, "fsName": fsname}, url, username, properties)
    return Call(
        "add_link",
        "POST",
        "/link",
        none,
        body=body,
        kind="create",
        landed=lambda: landed_if_found(show_link(fsname, fspath, username)),
        done_codes=frozenset({"LinkPathExist"}),
    )


@endpoint({**_FS_ALIASES, "fs_path": "fspath", "fsPath": "fspath"})
def delete_link(fsname: str, fspath: str, username: str | None = None) -> Call[None]:
    v.required("fsname", fsname)
    v.required("fspath", fspath)
    return Call(
        "delete_link",
        "DELETE",
        path("link", fsname),
        none,
        params={"fsPath": fspath, "username": v.optional_str("username", username)},
        kind="mutate",
        # The real server answers a missing link with 500 LinkModelError (paddleflow-api.md 7.4).
        done_codes=frozenset({"LinkNotExist", "LinkModelError"}),
    )
