"""Info classes for users, queues, grants, flavours, storage, clusters and statistics."""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from ._model_base import Info, f


class UserInfo(Info):
    name: str = f("name", "userName")
    create_time: str = f("createTime", "create_time")


class GrantInfo(Info):
    username: str = f("userName", "username")
    resourceName: str = f("resourceID", "resourceName")
    resource_type: str = f("resourceType", "resource_type")
    grant_id: str = f("grantID", "grant_id")
    create_time: str = f("createTime", "create_time")
    update_time: str = f("updateTime", "update_time")


class QueueInfo(Info):
    """Reference attributes: name, status, namespace, mem, cpu, clusterName, createTime, updateTime.

    ``cpu``/``mem`` are the queue's maximum (from ``maxResources``; the server says ``memory`` there).
    """

    name: str = f("name")
    status: str = f("status")
    namespace: str = f("namespace")
    mem: str = f("mem")
    cpu: str = f("cpu")
    clusterName: str = f("clusterName", "cluster_name")
    createTime: str = f("createTime", "create_time")
    updateTime: str = f("updateTime", "update_time")
    id: str = f("id")
    quotaType: str = f("quotaType", "quota_type")
    maxResources: dict[str, Any] = f("maxResources", default=dict)
    minResources: dict[str, Any] = f("minResources", default=dict)
    usedResources: dict[str, Any] | None = f("usedResources", default=None)
    idleResources: dict[str, Any] | None = f("idleResources", default=None)
    location: dict[str, Any] = f("location", default=dict)
    schedulingPolicy: list[str] = f("schedulingPolicy", default=list)

    @model_validator(mode="after")
    def _max_to_cpu_mem(self) -> QueueInfo:
        if not self.cpu:
            self.cpu = str(self.maxResources.get("cpu", "") or "")
        if not self.mem:
            self.mem = str(self.maxResources.get("memory", self.maxResources.get("mem", "")) or "")
        return self


class FlavourInfo(Info):
    name: str = f("name")
    cpu: str = f("cpu")
    mem: str = f("mem", "memory")
    scalar_resources: dict[str, Any] = f("scalarResources", "scalar_resources", default=dict)
    cluster_name: str = f("clusterName", "cluster_name")
    id: str = f("id")
    create_time: str = f("createTime", "create_time")
    update_time: str = f("updateTime", "update_time")


class FSInfo(Info):
    """Reference attributes: name, owner, fstype, server_adddress (sic; also ``server_address``),
    subpath, properties."""

    name: str = f("name")
    owner: str = f("username", "owner")
    fstype: str = f("type", "fstype")
    server_adddress: str = f("serverAddress", "server_address", "server_adddress")
    subpath: str = f("subPath", "subpath")
    properties: dict[str, Any] = f("properties", default=dict, repr=False)
    id: str = f("id")

    @property
    def server_address(self) -> str:
        return self.server_adddress


class LinkInfo(Info):
    """Reference attributes: name, owner, fstype, fspath, server_adddress (sic), subpath, properties."""

    name: str = f("fsName", "name")
    owner: str = f("username", "owner")
    fstype: str = f("type", "fstype")
    fspath: str = f("fsPath", "fspath")
    server_adddress: str = f("serverAddress", "server_address", "server_adddress")
    subpath: str = f("subPath", "subpath")
    properties: dict[str, Any] = f("properties", default=dict, repr=False)

    @property
    def server_address(self) -> str:
        return self.server_adddress


class ClusterInfo(Info):
    """Reference attributes: clusterid, clustername, description, endpoint, source, clustertype, status,
    credential, setting, namespacelist, createtime, updatetime. ``credential`` is kept out of ``repr``."""

    clusterid: str = f("id", "clusterid")
    clustername: str = f("clusterName", "clustername")
    description: str = f("description")
    endpoint: str = f("endpoint")
    source: str = f("source")
    clustertype: str = f("clusterType", "clustertype")
    status: str = f("status")
    credential: str = f("credential", repr=False)
    setting: str = f("setting")
    namespacelist: list[str] = f("namespaceList", "namespacelist", default=list)
    version: str = f("version")
    createtime: str = f("createTime", "createtime")
    updatetime: str = f("updateTime", "updatetime")


class StatisticsJobInfo(Info):
    metrics_info: dict[str, Any] = f("metricsInfo", "metrics_info", default=dict)


class TaskInfo(Info):
    metric: str = f("metric")
    values: list[list[Any]] = f("values", default=list)


class StatisticsResult(Info):
    task_name: str = f("taskName", "task_name")
    task_info: list[TaskInfo] = f("taskInfo", "task_info", default=list)


class StatisticsJobDetailInfo(Info):
    result: list[StatisticsResult] = f("result", default=list)
    truncated: bool = f("truncated", default=False)
