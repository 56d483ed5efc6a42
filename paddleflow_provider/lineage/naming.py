"""Where a PaddleFlow artifact lives, as an OpenLineage dataset identity (namespace, name).

An artifact event carries a path *relative to its storage* (``.pipeline/<runID>/...``); the storage
(fs) says what lies underneath. OpenLineage names a dataset by the system that holds the bytes
(https://openlineage.io/docs/spec/naming), so the same file reported by PaddleFlow and by, say, a
Spark job reading the same HDFS folder is one dataset:

* ``hdfs`` / ``hdfsWithKerberos``: namespace ``hdfs://<namenode host:port>``, name the path on HDFS
  (the storage's sub path joined with the artifact path);
* ``s3`` with a known bucket (property ``bucket``): namespace ``s3://<bucket>``, name the object key;
* anything else (``local``, ``mock``, ``cfs``, ``glusterfs``, ``bos``, ``afs``, ``sftp``, an s3
  storage without a bucket): the storage is only addressable through PaddleFlow, so the namespace
  is ``paddleflow://<server host:port>/<fs id>`` and the name the path inside that storage.

Names carry no leading ``/``, as Airflow's own OpenLineage provider writes object storage paths.
This module is plain Python (no Airflow, no OpenLineage), so the rule is testable everywhere.
"""

from __future__ import annotations

import posixpath
from typing import NamedTuple
from urllib.parse import urlsplit

#: PaddleFlow storage types whose bytes live on HDFS (``type`` of a FileSystem object).
HDFS_TYPES = frozenset({"hdfs", "hdfsWithKerberos"})


class DatasetId(NamedTuple):
    """An OpenLineage dataset identity."""

    namespace: str
    name: str


class Storage(NamedTuple):
    """What naming needs of a PaddleFlow storage (from ``show_fs``)."""

    fs_id: str  # ``fs-<owner>-<name>``: unique on a server, unlike the bare name
    type: str
    server_address: str
    sub_path: str
    bucket: str = ""


def server_authority(base_url: str) -> str:
    """``host:port`` of the PaddleFlow server from the client's base URL (``http://h:8999/...``)."""
    parsed = urlsplit(base_url if "//" in base_url else f"//{base_url}")
    if not parsed.hostname:
        raise ValueError(f"base_url must name a host, got {base_url!r}")
    return parsed.netloc.rsplit("@", 1)[-1]


def _join(*parts: str) -> str:
    """POSIX join of non-empty parts, normalised, without a leading ``/``."""
    joined = posixpath.normpath("/" + "/".join(p.strip("/") for p in parts if p.strip("/")))
    return joined.lstrip("/")


def artifact_dataset(storage: Storage, artifact_path: str, server: str) -> DatasetId:
    """The dataset of ``artifact_path`` (relative to ``storage``) on the PaddleFlow server ``server``.

    :param storage: The storage the artifact event names.
    :param artifact_path: The event's ``artifactPath``, relative to the storage's root.
    :param server: ``host:port`` of the PaddleFlow server (see :func:`server_authority`).
    """
    if storage.type in HDFS_TYPES and storage.server_address:
        return DatasetId(f"hdfs://{storage.server_address}", _join(storage.sub_path, artifact_path))
    if storage.type == "s3" and storage.bucket:
        return DatasetId(f"s3://{storage.bucket}", _join(storage.sub_path, artifact_path))
    return DatasetId(f"paddleflow://{server}/{storage.fs_id}", _join(artifact_path))
