# ruff: noqa: PLR0917 - methods keep the SDK reference's positional signatures
"""Clusters and job statistics (paddleflow-api.md 7.9, 7.12)."""

from __future__ import annotations

import base64
import binascii
import contextlib
from typing import Any

from .. import _validate as v
from .._core import Call, Landed, path
from .._exceptions import ConflictError, InvalidArgumentError
from .._model_base import Page
from .._models import ClusterInfo, StatisticsJobDetailInfo, StatisticsJobInfo
from ._common import endpoint, field_parser, landed_if_found, model_parser, none, page_parser

_NAME = {"cluster_name": "clustername", "clusterName": "clustername", "name": "clustername"}


def _names(argument: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return ",".join(v.string_list(argument, value) or [])
    return v.optional_str(argument, value)


@endpoint({"maxsize": "maxkeys", "max_keys": "maxkeys", **_NAME, "cluster_status": "clusterstatus"})
def list_cluster(
    maxkeys: int = 100,
    marker: str | None = None,
    clustername: str | list[str] | None = None,
    clusterstatus: str | None = None,
) -> Call[Page[ClusterInfo]]:
    v.maxsize("maxkeys", maxkeys)
    return Call(
        "list_cluster",
        "GET",
        "/cluster",
        page_parser(ClusterInfo, "clusterList"),
        params={
            "maxKeys": maxkeys,
            "marker": marker,
            "clusterNames": _names("clustername", clustername),
            "clusterStatus": clusterstatus,
        },
    )


def _decoded_cluster(data: Any) -> ClusterInfo:
    """``show_cluster`` hands back the credential decoded, as the reference SDK does (raw if not base64)."""
    info = model_parser(ClusterInfo)(data)
    if info.credential:
        with contextlib.suppress(binascii.Error, UnicodeDecodeError):
            info.credential = base64.b64decode(info.credential, validate=True).decode("utf-8")
    return info


@endpoint(_NAME)
def show_cluster(clustername: str) -> Call[ClusterInfo]:
    v.required("clustername", clustername)
    return Call("show_cluster", "GET", path("cluster", clustername), _decoded_cluster)


def _cluster_body(
    endpoint_: Any,
    clustertype: Any,
    credential: Any,
    description: Any,
    source: Any,
    setting: Any,
    status: Any,
    namespacelist: Any,
    version: Any,
) -> dict[str, Any]:
    v.one_of("status", status, v.CLUSTER_STATUSES)
    body = {
        "endpoint": v.optional_str("endpoint", endpoint_),
        "clusterType": v.optional_str("clustertype", clustertype),
        "credential": v.base64_text("credential", credential),
        "description": v.optional_str("description", description),
        "source": v.optional_str("source", source),
        "setting": v.optional_str("setting", setting),
        "status": status,
        "namespaceList": v.string_list("namespacelist", namespacelist),
        "version": v.optional_str("version", version),
    }
    # "opt" keys: only the truthy ones, as the SDK sends them (an update with namespacelist=[] or
    # description="" leaves those fields alone rather than clearing them).
    return {k: val for k, val in body.items() if val not in (None, "", [])}


@endpoint(
    {**_NAME, "cluster_type": "clustertype", "namespace_list": "namespacelist", "cluster_id": "clusterid"}
)
def create_cluster(
    clustername: str,
    endpoint: str,
    clustertype: str,
    credential: str | bytes | None = None,
    description: str | None = None,
    source: str | None = None,
    setting: str | None = None,
    status: str | None = None,
    namespacelist: list[str] | None = None,
    version: str | None = None,
    clusterid: str | None = None,
) -> Call[str]:
    v.name("clustername", clustername, "cluster")
    v.required("endpoint", endpoint)
    v.cluster_type("clustertype", clustertype, version, creating=True)
    body = {
        "clusterName": clustername,
        **_cluster_body(
            endpoint, clustertype, credential, description, source, setting, status, namespacelist, version
        ),
    }
    if v.optional_str("clusterid", clusterid):
        body["id"] = clusterid
    return Call(
        "create_cluster",
        "POST",
        "/cluster",
        field_parser("id"),
        body=body,
        kind="create",
        landed=lambda: _cluster_landed(clustername, body),
    )


#: create body key -> ClusterInfo attribute, for telling "my create landed" from "it was already there".
_CLUSTER_FIELDS = {
    "endpoint": "endpoint",
    "clusterType": "clustertype",
    "description": "description",
    "source": "source",
    "setting": "setting",
    "status": "status",
    "version": "version",
    "namespaceList": "namespacelist",
    "credential": "credential",
}


def _cluster_landed(clustername: str, body: dict[str, Any]) -> Any:
    """The create's "did it land?" check. The server answers a duplicate cluster name with a bare
    HTTP 500 (empty code), which looks like a fault; so a cluster found by name counts as this
    create's only if it holds what was sent. Otherwise it was already there: a conflict, naming the
    differing fields (never their values: one may be the credential)."""
    found = yield from landed_if_found(show_cluster(clustername), lambda info: info)
    if found is None:
        return None
    info = found.value
    differing = []
    for key, attribute in _CLUSTER_FIELDS.items():
        if key not in body:
            continue
        sent = body[key]
        if key == "credential":
            sent = base64.b64decode(sent).decode("utf-8", "replace")
        if sent != getattr(info, attribute):
            differing.append(key)
    if differing:
        raise ConflictError(
            f"create_cluster: a cluster named {clustername!r} already exists with a different "
            + ", ".join(differing),
            code="DuplicatedName",
        )
    return Landed(info.clusterid)


@endpoint({**_NAME, "cluster_type": "clustertype", "namespace_list": "namespacelist"})
def update_cluster(
    clustername: str,
    endpoint: str | None = None,
    credential: str | bytes | None = None,
    clustertype: str | None = None,
    description: str | None = None,
    source: str | None = None,
    setting: str | None = None,
    status: str | None = None,
    namespacelist: list[str] | None = None,
    version: str | None = None,
) -> Call[str]:
    v.required("clustername", clustername)
    v.cluster_type("clustertype", clustertype)
    body = _cluster_body(
        endpoint, clustertype, credential, description, source, setting, status, namespacelist, version
    )
    # Setting the same fields twice is harmless, so this repeats like a read.
    return Call("update_cluster", "PUT", path("cluster", clustername), field_parser("id"), body=body)


@endpoint(_NAME)
def delete_cluster(clustername: str) -> Call[None]:
    v.required("clustername", clustername)
    return Call(
        "delete_cluster",
        "DELETE",
        path("cluster", clustername),
        none,
        kind="mutate",
        done_codes=frozenset({"ClusterNotFound"}),
    )


@endpoint(_NAME)
def list_cluster_resource(clustername: str | list[str] | None = None) -> Call[dict[str, Any]]:
    def parse(data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise TypeError(f"expected a JSON object, got {type(data).__name__}")
        return data

    return Call(
        "list_cluster_resource",
        "GET",
        "/cluster/resource",
        parse,
        params={"clusterNames": _names("clustername", clustername)},
    )


# -- statistics -----------------------------------------------------------------------------------
@endpoint({"job_id": "jobid", "run_id": "runid"})
def get_statistics(jobid: str, runid: str | None = None) -> Call[StatisticsJobInfo]:
    v.required("jobid", jobid)
    if runid is not None:
        raise InvalidArgumentError("runid", "statistics by run id are not supported by the server yet")
    return Call("get_statistics", "GET", path("statistics", "job", jobid), model_parser(StatisticsJobInfo))


@endpoint({"job_id": "jobid", "run_id": "runid"})
def get_statistics_detail(
    jobid: str,
    start: int | None = None,
    end: int | None = None,
    step: int | None = None,
    runid: str | None = None,
) -> Call[StatisticsJobDetailInfo]:
    v.required("jobid", jobid)
    if runid is not None:
        raise InvalidArgumentError("runid", "statistics by run id are not supported by the server yet")
    v.int_range("start", start, 0)
    v.int_range("end", end, 0)
    v.int_range("step", step, 1)
    if start is not None and end is not None and end and start > end:
        raise InvalidArgumentError("end", "must not be before start", end)
    return Call(
        "get_statistics_detail",
        "GET",
        path("statistics", "jobDetail", jobid),
        model_parser(StatisticsJobDetailInfo),
        params={"start": start, "end": end, "step": step},
    )
