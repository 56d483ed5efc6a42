"""Operators for PaddleFlow shared storage (file systems) and links inside them.

``properties`` often carries credentials (``secretKey``, ``password``, a keytab). It is therefore
*not* a templated field (never rendered, never shown in the UI's rendered-template view), its
sensitive values are registered with Airflow's secret masker before anything is logged, and the
operators push only names to XCom.

``if_exists="reuse"`` returns an existing fs (or link) when it has the same storage type and path;
properties are not compared, since the server never returns secret properties in clear.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from paddleflow_provider._compat import StrArg
from paddleflow_provider.operators._base import (
    PaddleFlowBaseOperator,
    PaddleFlowCreateOperatorBase,
    PaddleFlowDeleteOperatorBase,
    check_mapping,
    check_optional_str,
    check_required,
    mask,
)

if TYPE_CHECKING:
    from paddleflow_provider.client import LinkInfo, PaddleFlowAPI


__all__ = [
    "PaddleFlowCreateFsOperator",
    "PaddleFlowCreateLinkOperator",
    "PaddleFlowDeleteFsOperator",
    "PaddleFlowDeleteLinkOperator",
]


def _check_url(url: StrArg) -> str:
    checked = check_required("url", url)
    if isinstance(url, str) and "{{" not in url and "://" not in url:
        raise ValueError(
            f"url must look like <type>://<path>, e.g. 's3://bucket/dir' or 'local://data/fs1'; got {url!r}"
        )
    return checked


def storage_difference(url: str, fstype: str, subpath: str) -> str | None:
    """Does an existing fs/link (``fstype``, ``subpath``) point where ``url`` does? None if so."""
    parsed = urlparse(url)
    if parsed.scheme != fstype:
        return f"type {fstype!r} != {parsed.scheme!r}"
    # local://a/b keeps "a" in the path; s3://bucket/dir keeps the bucket as server or path.
    wanted = (parsed.netloc + parsed.path).strip("/")
    have = (subpath or "").strip("/")
    if not wanted.endswith(have):
        return f"path {subpath!r} is not the one of {parsed.scheme}://{wanted}"
    return None


class _StorageArgs(PaddleFlowBaseOperator):
    """What an fs and a link are made of: an fs name, a storage URL, an owner and properties.

    ``properties`` values whose keys look secret (secretKey, password ...) are masked by
    :meth:`mask_properties`, which ``execute`` calls before anything else.
    """

    def __init__(
        self,
        *,
        fsname: StrArg,
        url: StrArg,
        username: str | None = None,
        properties: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        fsname = check_required("fsname", fsname)
        url = _check_url(url)
        check_optional_str("username", username)
        check_mapping("properties", properties)
        self.fsname = fsname
        self.url = url
        self.username = username
        self.properties = properties

    def mask_properties(self) -> None:
        for key, value in (self.properties or {}).items():
            mask(str(value), key)


class PaddleFlowCreateFsOperator(_StorageArgs, PaddleFlowCreateOperatorBase):
    """Register a file system; return its name (``fsname``).

    :param fsname: Name, ``^[a-zA-Z0-9_-]{1,63}$`` (templated).
    :param url: ``<type>://<path>``, type one of hdfs, local, s3, sftp, mock, cfs, glusterfs, bos,
        afs (templated).
    :param username: Optional. Root only: register it for this user (templated).
    :param properties: Optional. Storage settings, e.g. s3 ``accessKey``/``secretKey``/``endpoint``.
        Not templated; secret values are masked in logs.
    :param if_exists: Optional. ``"fail"`` (default) or ``"reuse"`` (see the module docstring).
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("fsname", "url", "username")

    def execute(self, context: Any) -> str:
        self.mask_properties()
        api = self.api

        def create() -> str:
            api.add_fs(self.fsname, self.url, username=self.username or None, properties=self.properties)
            return self.fsname

        return self.create_or_reuse(f"PaddleFlow fs {self.fsname}", create, lambda: self._find(api))

    def _find(self, api: PaddleFlowAPI) -> tuple[str | None, str | None]:
        from paddleflow_provider.client import NotFoundError

        try:
            info = api.show_fs(self.fsname, username=self.username or None)
        except NotFoundError:
            return None, None
        return info.name, storage_difference(self.url, info.fstype, info.subpath)


class PaddleFlowDeleteFsOperator(PaddleFlowDeleteOperatorBase):
    """Remove a file system registration (the data stays where it is).

    :param fsname: The fs (templated).
    :param username: Optional. Root only: the fs of this user (templated).
    :param if_missing: Optional. ``"ignore"`` (default: a missing fs counts as deleted) or ``"fail"``.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("fsname", "username")

    def __init__(self, *, fsname: StrArg, username: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        fsname = check_required("fsname", fsname)
        check_optional_str("username", username)
        self.fsname = fsname
        self.username = username

    def execute(self, context: Any) -> str:
        self.delete_or_ignore(
            f"PaddleFlow fs {self.fsname}",
            lambda: self.api.delete_fs(self.fsname, username=self.username or None),
            in_use=(
                "A file system cannot be deleted while a running schedule's pipeline uses it: stop that "
                "schedule first (PaddleFlowStopScheduleOperator upstream)"
            ),
        )
        return self.fsname


class PaddleFlowCreateLinkOperator(_StorageArgs, PaddleFlowCreateOperatorBase):
    """Link external storage into a path of a file system; return the path (``fspath``).

    :param fsname: The fs (templated).
    :param fspath: Absolute path inside the fs, e.g. ``/datasets/a`` (templated).
    :param url: ``<type>://<path>`` of the linked storage (templated).
    :param username: Optional. Root only: the fs of this user (templated).
    :param properties: Optional. Storage settings; not templated, secret values masked in logs.
    :param if_exists: Optional. ``"fail"`` (default) or ``"reuse"`` (see the module docstring).
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("fsname", "fspath", "url", "username")

    def __init__(self, *, fspath: StrArg, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        fspath = check_required("fspath", fspath)
        self.fspath = fspath

    def execute(self, context: Any) -> str:
        self.mask_properties()
        api = self.api

        def create() -> str:
            api.add_link(
                self.fsname, self.fspath, self.url, username=self.username or None, properties=self.properties
            )
            return self.fspath

        what = f"PaddleFlow link {self.fspath} in fs {self.fsname}"
        # Looked up first: the server reports a duplicate link as "access denied", not a conflict.
        existing = self.reuse_before_create(what, lambda: self._find(api))
        if existing is not None:
            return existing
        result = create()
        self.log.info("Created %s", what)
        return result

    def _find(self, api: PaddleFlowAPI) -> tuple[str | None, str | None]:
        link = find_link(api, self.fsname, self.fspath, self.username)
        if link is None:
            return None, None
        return link.fspath, storage_difference(self.url, link.fstype, link.subpath)


def find_link(api: PaddleFlowAPI, fsname: str, fspath: str, username: str | None) -> LinkInfo | None:
    """The link at ``fspath`` of ``fsname``, listed rather than shown: the server answers a missing
    link with a 500, which the client would retry as a transient error."""
    wanted = fspath.rstrip("/") or "/"
    for link in api.iter_links(fsname=fsname, username=username or None):
        if (link.fspath.rstrip("/") or "/") == wanted:
            return link
    return None


class PaddleFlowDeleteLinkOperator(PaddleFlowDeleteOperatorBase):
    """Remove a link from a file system.

    :param fsname: The fs (templated).
    :param fspath: The linked path (templated).
    :param username: Optional. Root only: the fs of this user (templated).
    :param if_missing: Optional. ``"ignore"`` (default: a missing link counts as deleted) or
        ``"fail"``.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("fsname", "fspath", "username")

    def __init__(self, *, fsname: StrArg, fspath: StrArg, username: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        fsname = check_required("fsname", fsname)
        fspath = check_required("fspath", fspath)
        check_optional_str("username", username)
        self.fsname = fsname
        self.fspath = fspath
        self.username = username

    def execute(self, context: Any) -> str:
        from paddleflow_provider.client import NotFoundError

        what = f"PaddleFlow link {self.fspath} in fs {self.fsname}"
        # Looked up first: the server reports a missing link as an internal error, not "not found".
        try:
            exists = find_link(self.api, self.fsname, self.fspath, self.username) is not None
        except NotFoundError as err:  # the fs itself is gone
            self.missing(what, err.message)
            return self.fspath
        if not exists:
            self.missing(what, "no such link")
            return self.fspath
        self.delete_or_ignore(
            what, lambda: self.api.delete_link(self.fsname, self.fspath, username=self.username or None)
        )
        return self.fspath
