"""Shared storage: file systems, links and fs cache configs (api §7.4, semantics §6.6).

Every fs is backed by a local folder: ``local://a/b`` is ``<data-dir>/storage/a/b``; other schemes
(s3, hdfs, ...) are accepted after the server's property checks and backed by
``<data-dir>/storage/_<scheme>/<host>/<path>``, since the emulator cannot reach remote storage.
Secret properties are never returned in clear.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from ..caller import Caller
from ..errors import PFError
from ..store import Doc, Row
from ..util import FS_NAME_RE, fmt_time
from .context import Context

FS_SCHEMES = ("hdfs", "local", "s3", "sftp", "mock", "cfs", "glusterfs", "bos", "afs")
LINK_SCHEMES = ("hdfs", "local", "s3", "sftp", "cfs")
SECRET_KEYS = ("secretkey", "password", "dfs.kerberos.keytab")
_REQUIRED_PROPS = {
    "s3": ("accessKey", "secretKey", "endpoint"),
    "bos": ("accessKey", "secretKey", "endpoint"),
    "sftp": ("user", "password"),
    "mock": ("pvc", "namespace"),
    "afs": ("username", "password"),
}


class FsUser(Protocol):
    def fs_in_use(self, owner: str, fs_name: str) -> bool: ...


@dataclass(frozen=True)
class FsSpec:
    """A create-fs request; ``username`` names the owner (root may create for others)."""

    name: str = ""
    url: str = ""
    username: str = ""
    properties: dict[str, Any] | None = None
    independent_mount_process: bool = False


@dataclass(frozen=True)
class LinkSpec:
    """An add-link request: mount ``url`` at ``fs_path`` inside fs ``fs_name``."""

    fs_name: str = ""
    username: str = ""
    fs_path: str = ""
    url: str = ""
    properties: dict[str, Any] | None = None


@dataclass(frozen=True)
class FsCacheSpec:
    """A create-fs-cache-config request (stored as given once its values pass the server's checks)."""

    fs_name: str = ""
    username: str = ""
    meta_driver: str = ""
    cache_dir: str = ""
    block_size: int = 0
    quota: int = 0
    clean_cache: bool = False
    resource: dict[str, Any] | None = None
    node_taint_toleration: dict[str, Any] | None = None
    extra_config: dict[str, Any] | None = None


@dataclass(frozen=True)
class TimePage:
    """One page of an fs or link list: newest first, the next page starts below ``next_marker``."""

    items: list[Doc]
    marker: str
    truncated: bool
    next_marker: str  # "" on the last page


def fs_id(owner: str, name: str) -> str:
    return f"fs-{owner}-{name}"


def _masked(props: dict[str, str]) -> dict[str, str]:
    return {k: ("******" if k.lower() in SECRET_KEYS else v) for k, v in props.items()}


class FileSystems:
    """File systems, links and fs cache configs, with the local folders behind them."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.root = ctx.data_dir / "storage"
        self.root.mkdir(parents=True, exist_ok=True)
        self.fs_users: list[FsUser] = []  # what may keep a storage from being deleted (schedules)

    # --- helpers --------------------------------------------------------------------------------
    @staticmethod
    def owner_for(who: Caller, username: str | None) -> str:
        """The fs owner a request addresses: ``username`` only counts for root."""
        return username if (username and who.is_root) else who.name

    def _parse_url(self, url: str, code: str, schemes: tuple[str, ...]) -> tuple[str, str, str]:
        if ":" not in url:
            raise PFError(code, f"url[{url}] should be <type>://<path>, type in {list(schemes)}")
        scheme = url.split(":", 1)[0]
        if scheme not in schemes:
            raise PFError(
                code, f"url[{url}] type[{scheme}] is not supported, should be one of {list(schemes)}"
            )
        parsed = urlparse(url)
        if scheme in ("local", "mock"):
            path = "/" + (parsed.netloc + parsed.path).strip("/")
            if path == "/" or path.strip("/") == "root":
                raise PFError(code, f"url[{url}] needs a path other than / or root, e.g. local://data/fs1")
            return scheme, "", path
        if not parsed.netloc and scheme not in ("cfs", "glusterfs"):
            raise PFError(code, f"url[{url}] is malformed: it needs a host or bucket")
        return scheme, parsed.netloc, "/" + parsed.path.strip("/") if parsed.path.strip("/") else "/"

    def local_dir(self, fs_type: str, server: str, sub_path: str) -> Path:
        rel = sub_path.strip("/")
        base = self.root if fs_type == "local" else self.root / f"_{fs_type}" / (server or "_")
        path = (base / rel).resolve()
        if not str(path).startswith(str(self.root.resolve())):
            raise PFError("InvalidFileSystemParamsURL", "path escapes the emulator storage folder")
        return path

    def get_row(self, owner: str, name: str) -> Row | None:
        return self.store.get("fs", fs_id(owner, name))

    def root_of(self, owner: str, name: str) -> Path | None:
        """The local folder behind ``fs-<owner>-<name>`` (None if the fs does not exist)."""
        row = self.get_row(owner, name)
        if row is None:
            return None
        d = row.doc
        return self.local_dir(d["type"], d["serverAddress"], d["subPath"])

    def require_root(self, who: Caller, owner: str, name: str) -> Path:
        """The folder of a storage a run or pipeline uses, or the server's permission-check error."""
        root = self.root_of(owner, name)
        if root is None:
            raise PFError(
                "InvalidArguments",
                f"check permission of user[{who.name}] fsID[{fs_id(owner, name)}] failed, "
                "err: record not found",
            )
        return root

    # --- fs -------------------------------------------------------------------------------------
    def create(self, who: Caller, spec: FsSpec) -> str:
        """Create the fs and its folder; returns its id."""
        owner = spec.username or who.name
        name = spec.name
        if not FS_NAME_RE.match(name) or len(owner) + len(name) > 59:
            raise PFError(
                "FileSystemNameFormatError",
                f"fs name[{name}] should match ^[a-zA-Z0-9_-]{{1,63}}$ and len(username)+len(name) <= 59",
            )
        url = spec.url
        fs_type, server, sub_path = self._parse_url(url, "InvalidFileSystemParamsURL", FS_SCHEMES)
        props = {str(k): str(v) for k, v in (spec.properties or {}).items()}
        need = _REQUIRED_PROPS.get(fs_type, ())
        if fs_type == "hdfs" and not ({"user", "group"} <= props.keys() or "kerberos.principal" in props):
            need = ("user", "group")
        missing = [k for k in need if not props.get(k)]
        if missing:
            raise PFError("InvalidFileSystemParamsProperties", f"properties of {fs_type} fs need {missing}")
        if fs_type in ("s3", "bos"):
            props["bucket"] = server  # as the server does: the URL's host is the bucket
            server = props.get("endpoint", server)
        if fs_type == "hdfs":
            props.setdefault("dfs.namenode.address", server)
        fid = fs_id(owner, name)
        with self.store.tx():
            if self.store.get("fs", fid) is not None:
                raise PFError("DuplicatedName", f"fsID[{fid}] is exists")
            local = self.local_dir(fs_type, server, sub_path)
            local.mkdir(parents=True, exist_ok=True)
            doc = {
                "id": fid,
                "name": name,
                "serverAddress": server,
                "type": fs_type,
                "subPath": sub_path,
                "username": owner,
                "properties": props,
                "independentMountProcess": spec.independent_mount_process,
                "createTime": fmt_time(),
            }
            self.store.insert("fs", doc, key=fid, owner=owner, parent=name)
        self.ctx.count("fs_created")
        return fid

    @staticmethod
    def _out(doc: Doc) -> Doc:
        """An fs or link as its list and show routes answer: no ``createTime``, secrets masked."""
        out = {k: v for k, v in doc.items() if k != "createTime"}
        out["properties"] = _masked(doc.get("properties") or {})
        return out

    def get(self, who: Caller, name: str, username: str | None) -> Doc:
        owner = self.owner_for(who, username)
        row = self.get_row(owner, name)
        if row is None:
            raise PFError("RecordNotFound", f"username[{owner}] not create fsName[{name}]")
        return self._out(row.doc)

    def delete(self, who: Caller, name: str, username: str | None) -> None:
        owner = self.owner_for(who, username)
        fid = fs_id(owner, name)
        with self.store.tx():
            row = self.store.get("fs", fid)
            if row is None:
                raise PFError("RecordNotFound", f"fs[{fid}] not exist")
            if any(user.fs_in_use(owner, name) for user in self.fs_users):
                raise PFError(
                    "ActionNotAllowed", f"fs[{fid}] is used by a running schedule. deletion is not allowed"
                )
            for link in self.store.select("links", parent=fid):
                self.store.remove("links", link.pk)
            cache = self.store.get("fs_cache", fid)
            if cache is not None:
                self.store.remove("fs_cache", cache.pk)
            self.store.remove("fs", row.pk)

    def list(
        self, who: Caller, username: str | None, name: str | None, marker: str | None, max_keys: int
    ) -> TimePage:
        if who.is_root:
            rows = self.store.select("fs", owner=username or None)
        else:
            rows = self.store.select("fs", owner=who.name)
        docs = [r.doc for r in rows if not name or r.parent == name]
        return self._time_page(docs, marker, max_keys, self._out)

    @staticmethod
    def _time_page(
        docs: builtins.list[Doc], marker: str | None, max_keys: int, out: Callable[[Doc], Doc]
    ) -> TimePage:
        """fs/link lists page by creation time, newest first, with ``marker``/``truncated`` keys."""
        docs = sorted(docs, key=lambda d: d.get("createTime", ""), reverse=True)
        if marker:
            docs = [d for d in docs if d.get("createTime", "") < marker]
        page = docs[:max_keys]
        truncated = len(docs) > max_keys
        next_marker = page[-1].get("createTime", "") if truncated else ""
        return TimePage([out(d) for d in page], marker or "", truncated, next_marker)

    # --- links ----------------------------------------------------------------------------------
    def _fs_for_link(self, who: Caller, name: str, username: str | None, code: str) -> Row:
        owner = self.owner_for(who, username)
        row = self.get_row(owner, name)
        if row is None:
            raise PFError(code, f"fs[{fs_id(owner, name)}] not exist")
        return row

    def add_link(self, who: Caller, spec: LinkSpec) -> None:
        fs = self._fs_for_link(who, spec.fs_name, spec.username, "LinkFileSystemNotExist")
        if fs.doc["type"] in ("local", "mock"):
            raise PFError(
                "InvalidFileSystemFsName", f"fs[{fs.key}] of type {fs.doc['type']} does not support links"
            )
        fs_path = spec.fs_path
        if not fs_path.startswith("/") or fs_path.rstrip("/") == "":
            raise PFError("InvalidLinkURL", f"fsPath[{fs_path}] must be an absolute path below /")
        url = spec.url
        scheme, server, sub_path = self._parse_url(url, "InvalidLinkURL", LINK_SCHEMES)
        props = {str(k): str(v) for k, v in (spec.properties or {}).items()}
        if scheme == "local" and props.get("debug") != "true":
            raise PFError("InvalidLinkProperties", 'a local link needs the property debug: "true"')
        if scheme == "s3":
            props["bucket"] = server  # as for a storage
        norm = "/" + fs_path.strip("/")
        with self.store.tx():
            for link in self.store.select("links", parent=fs.key):
                other = link.doc["fsPath"]
                if other == norm:
                    raise PFError("FileSystemNotExist", f"link on fsPath[{norm}] already exists")
                if other.startswith(norm + "/") or norm.startswith(other + "/"):
                    raise PFError("InvalidLinkURL", f"fsPath[{norm}] overlaps link [{other}]")
            target = self.local_dir(fs.doc["type"], fs.doc["serverAddress"], fs.doc["subPath"]) / norm.strip(
                "/"
            )
            if not target.parent.is_dir():
                raise PFError("LinkFileSystemPathNotExist", f"parent of fsPath[{norm}] does not exist")
            if target.exists() and any(target.iterdir()):
                raise PFError("LinkPathMustBeEmpty", f"fsPath[{norm}] must be empty")
            doc = {
                "fsName": fs.doc["name"],
                "fsPath": norm,
                "serverAddress": server,
                "type": scheme,
                "username": fs.owner,
                "subPath": sub_path,
                "properties": props,
                "createTime": fmt_time(),
            }
            self.store.insert("links", doc, key=norm, owner=fs.owner, parent=fs.key)

    def delete_link(self, who: Caller, name: str, fs_path: str, username: str | None) -> None:
        fs = self._fs_for_link(who, name, username, "RecordNotFound")
        norm = "/" + fs_path.strip("/")
        with self.store.tx():
            row = self.store.get("links", norm, parent=fs.key)
            if row is None:
                raise PFError("LinkModelError", f"link[{norm}] of fs[{fs.key}] not found")
            self.store.remove("links", row.pk)

    def list_links(
        self,
        who: Caller,
        *,
        name: str,
        fs_path: str | None,
        username: str | None,
        marker: str | None,
        max_keys: int,
    ) -> TimePage:
        fs = self._fs_for_link(who, name, username, "RecordNotFound")
        docs = [r.doc for r in self.store.select("links", parent=fs.key)]
        if fs_path:
            norm = "/" + fs_path.strip("/")
            docs = [d for d in docs if d["fsPath"] == norm]
            if not docs:
                raise PFError("", "record not found")
        return self._time_page(docs, marker, max_keys, self._out)

    # --- fs cache config ------------------------------------------------------------------------
    def create_cache(self, who: Caller, spec: FsCacheSpec) -> None:
        owner = self.owner_for(who, spec.username)
        name = spec.fs_name
        fid = fs_id(owner, name)
        if self.store.get("fs", fid) is None:
            raise PFError("RecordNotFound", f"fs[{fid}] not exist")
        driver = spec.meta_driver
        cache_dir = spec.cache_dir
        if driver not in ("", "mem", "disk"):
            raise PFError("InvalidArguments", f"metaDriver[{driver}] should be mem or disk")
        if cache_dir and not cache_dir.startswith("/"):
            raise PFError("InvalidArguments", f"cacheDir[{cache_dir}] should be an absolute path")
        if driver == "disk" and not cache_dir:
            raise PFError("InvalidArguments", "cacheDir is required when metaDriver is disk")
        if spec.block_size < 0 or spec.quota < 0:
            raise PFError("InvalidArguments", "blockSize and quota must not be negative")
        resource = spec.resource or {}
        if not re.fullmatch(r"[0-9.]*m?", str(resource.get("cpuLimit", ""))):
            raise PFError("InvalidArguments", f"resource.cpuLimit[{resource.get('cpuLimit')}] is invalid")
        t = fmt_time()
        doc = {
            "cacheDir": cache_dir,
            "quota": spec.quota,
            "metaDriver": driver,
            "blockSize": spec.block_size,
            "cleanCache": spec.clean_cache,
            "resource": {
                "cpuLimit": str(resource.get("cpuLimit", "")),
                "memoryLimit": str(resource.get("memoryLimit", "")),
            },
            "nodeTaintToleration": spec.node_taint_toleration,
            "extraConfig": spec.extra_config,
            "fsName": name,
            "username": owner,
            "createTime": t,
            "updateTime": t,
        }
        with self.store.tx():
            old = self.store.get("fs_cache", fid)
            if old is not None:
                old.doc = doc
                self.store.update("fs_cache", old)
            else:
                self.store.insert("fs_cache", doc, key=fid, owner=owner)

    def _cache_row(self, who: Caller, name: str, username: str | None) -> Row:
        fid = fs_id(self.owner_for(who, username), name)
        row = self.store.get("fs_cache", fid)
        if row is None:
            raise PFError("RecordNotFound", f"fs cache config of fs[{fid}] not found")
        return row

    def get_cache(self, who: Caller, name: str, username: str | None) -> Doc:
        return self._cache_row(who, name, username).doc

    def delete_cache(self, who: Caller, name: str, username: str | None) -> None:
        with self.store.tx():
            self.store.remove("fs_cache", self._cache_row(who, name, username).pk)
