"""Queues and grants (api §7.2; semantics §6.2, §6.5), mixed into :class:`Infra`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..caller import ROOT, Caller
from ..errors import PFError
from ..store import Doc, Row, Store
from ..util import (
    DNS1123_RE,
    Page,
    fmt_cpu,
    fmt_mem,
    fmt_time,
    paginate,
    parse_quantity,
    rfc3339,
)
from .access import only_root
from .infra_common import DEFAULT_CLUSTER, hex_id, resources_out
from .users import Users


@dataclass(frozen=True)
class QueueSpec:
    """A create-queue request. Resources are the request's ``{cpu, mem, scalarResources}`` maps."""

    name: str = ""
    cluster_name: str = ""
    namespace: str = ""
    quota_type: str = ""
    max_resources: dict[str, Any] | None = None
    min_resources: dict[str, Any] | None = None  # None: not given
    location: dict[str, Any] | None = None
    scheduling_policy: list[Any] | None = None


@dataclass(frozen=True)
class QueueUpdate:
    """An update-queue request; ``None`` leaves a field as it is."""

    max_resources: dict[str, Any] | None = None
    min_resources: dict[str, Any] | None = None
    scheduling_policy: list[Any] | None = None  # ``name-`` removes a policy
    location: dict[str, Any] | None = None  # an empty value removes a key


@dataclass(frozen=True)
class GrantSpec:
    user_name: str
    resource_type: str
    resource_id: str


def _quota_resources(spec: QueueSpec, quota: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(max, min) resources in wire form; an elastic quota's minimum must not exceed its maximum."""
    max_res = resources_out(spec.max_resources)
    min_res = resources_out(spec.min_resources)
    if quota == "elasticQuota" and spec.min_resources is not None:
        for k in ("cpu", "memory"):
            if parse_quantity(min_res[k]) > parse_quantity(max_res[k]):
                raise PFError("InvalidComputeResource", "minResources must not exceed maxResources")
    return max_res, min_res


class QueueUser(Protocol):
    def queue_in_use(self, queue: str) -> bool: ...


class QueueMeter(Protocol):
    def queue_usage(self, queue: str) -> tuple[float, float]: ...


class QueueMixin:
    """Queue and grant operations; the attributes come from :class:`Infra`."""

    store: Store
    users: Users
    queue_users: list[QueueUser]
    queue_meter: QueueMeter | None

    if TYPE_CHECKING:

        def _cluster(self, name: str, code: str = "ClusterNotFound") -> Row: ...  # from ClusterMixin

    # --- queues ---------------------------------------------------------------------------------
    def _queue(self, name: str) -> Row:
        row = self.store.get("queues", name)
        if row is None:
            raise PFError("QueueNameNotFound")
        return row

    def queue_status(self, name: str) -> str | None:
        row = self.store.get("queues", name)
        return None if row is None else row.status

    def queue_in_use(self, name: str) -> bool:
        """Steps of active runs or active standalone jobs use the queue."""
        return any(user.queue_in_use(name) for user in self.queue_users)

    def create_queue(self, who: Caller, spec: QueueSpec) -> str:
        """Create the queue; returns its name."""
        only_root(who)
        name = spec.name
        if not name:
            raise PFError("QueueNameNotFound", "queueName is not found.")
        cluster_name = spec.cluster_name or DEFAULT_CLUSTER
        cluster = self._cluster(cluster_name)
        if cluster.status != "online":
            raise PFError("InvalidClusterStatus", f"cluster[{cluster_name}] is not online")
        ns = spec.namespace
        allowed = cluster.doc.get("namespaceList") or []
        if not ns or not DNS1123_RE.match(ns) or (allowed and ns not in allowed):
            raise PFError("NamespaceNotFound", f"namespace[{ns}] is not valid for cluster[{cluster_name}]")
        if not DNS1123_RE.match(name):
            raise PFError("InvalidNamePattern", f"queue name[{name}] must be a DNS-1123 label")
        quota = spec.quota_type or "elasticQuota"
        if quota not in ("elasticQuota", "volcanoCapabilityQuota"):
            raise PFError("QueueQuotaTypeIsNotSupported", f"quotaType[{quota}] is not supported")
        max_res, min_res = _quota_resources(spec, quota)
        location = {str(k): str(v) for k, v in (spec.location or {}).items()}
        if quota == "elasticQuota":
            location.setdefault("paddleflow.baidu.com/resource-isolation-type", "logical")
        t = fmt_time()
        doc: dict[str, Any] = {
            "id": hex_id("queue"),
            "name": name,
            "namespace": ns,
            "clusterName": cluster_name,
            "quotaType": quota,
            "maxResources": max_res,
            "minResources": min_res,
            "location": location,
            "status": "open",
            "createTime": t,
            "updateTime": t,
        }
        policy = [str(p) for p in spec.scheduling_policy or []]
        if policy:
            doc["schedulingPolicy"] = policy
        with self.store.tx():
            if name.lower() == "default" or self.store.get("queues", name) is not None:
                raise PFError("QueueNameDuplicated", "request name duplicated")
            self.store.insert("queues", doc, key=name, parent=cluster_name, status="open")
        return name

    def update_queue(self, who: Caller, name: str, change: QueueUpdate) -> Doc:
        only_root(who)
        with self.store.tx():
            row = self.store.get("queues", name)
            if row is None:
                raise PFError("RecordNotFound", f"queue[{name}] not found")
            doc = row.doc
            if change.max_resources is not None:
                doc["maxResources"] = resources_out(change.max_resources)
            if change.min_resources is not None:
                doc["minResources"] = resources_out(change.min_resources)
            for p in change.scheduling_policy or []:
                pol = doc.setdefault("schedulingPolicy", [])
                if str(p).endswith("-"):
                    doc["schedulingPolicy"] = [x for x in pol if x != str(p)[:-1]]
                elif p not in pol:
                    pol.append(str(p))
            if not doc.get("schedulingPolicy"):
                doc.pop("schedulingPolicy", None)
            for k, v in (change.location or {}).items():
                if v in ("", None):
                    doc["location"].pop(k, None)
                else:
                    doc["location"][k] = str(v)
            doc["updateTime"] = fmt_time()
            self.store.update("queues", row)
        return doc

    def close_queue(self, who: Caller, name: str) -> Doc:
        """The close action (SDK ``stop_queue``): a closed queue refuses new jobs."""
        only_root(who)
        with self.store.tx():
            row = self._queue(name)
            row.status = row.doc["status"] = "closed"
            row.doc["updateTime"] = fmt_time()
            self.store.update("queues", row)
        return row.doc

    def get_queue(self, who: Caller, name: str) -> Doc:
        row = self._queue(name)
        if not who.is_root and not self.granted(who.name, name):
            raise PFError("ActionNotAllowed")  # the queue handler renders only the code's text (api §7.13)
        doc = dict(row.doc)
        used = {"cpu": "0", "memory": "0"}
        if self.queue_meter is not None:
            cpu, mem = self.queue_meter.queue_usage(name)
            used = {"cpu": fmt_cpu(cpu), "memory": fmt_mem(mem)}
        mx = doc["maxResources"]
        doc["usedResources"] = used
        doc["idleResources"] = {
            "cpu": fmt_cpu(parse_quantity(mx["cpu"]) - parse_quantity(used["cpu"])),
            "memory": fmt_mem(parse_quantity(mx["memory"]) - parse_quantity(used["memory"])),
        }
        return doc

    def delete_queue(self, who: Caller, name: str) -> None:
        only_root(who)
        with self.store.tx():
            row = self._queue(name)
            if self.queue_in_use(name):
                raise PFError("QueueIsInUse")
            self.store.remove("queues", row.pk)
            for g in self.store.select("grants", parent=name):
                if g.doc["resourceType"] == "queue":
                    self.store.remove("grants", g.pk)

    def list_queues(self, who: Caller, marker: str | None, max_keys: int, name: str | None) -> Page[Doc]:
        rows = [
            (r.pk, r.doc)
            for r in self.store.select("queues")
            if (not name or r.key == name) and (who.is_root or self.granted(who.name, r.key))
        ]
        return paginate(rows, marker, max_keys)

    # --- grants ---------------------------------------------------------------------------------
    def granted(self, user: str, queue: str) -> bool:
        """Whether ``user`` holds a grant on ``queue`` (root needs none)."""
        return any(
            g.doc["resourceType"] == "queue" for g in self.store.select("grants", owner=user, parent=queue)
        )

    def create_grant(self, who: Caller, spec: GrantSpec) -> str:
        """Grant a user a resource; returns the grant id."""
        only_root(who)
        user, rtype, rid = spec.user_name, spec.resource_type, spec.resource_id
        if user.lower() == ROOT:
            raise PFError("GrantRootActionNotSupport")
        if rtype not in ("queue", "fs", "user"):
            raise PFError("GrantResourceTypeNotFound", f"resourceType[{rtype}] should be queue, fs or user")
        if rtype == "queue" and self.store.get("queues", rid) is None:
            raise PFError("QueueNameNotFound")
        if rtype == "fs" and self.store.get("fs", rid) is None:
            raise PFError("UserNotExist")
        if not self.users.exists(user):
            raise PFError("UserNotExist")
        with self.store.tx():
            if any(
                g.doc["resourceType"] == rtype for g in self.store.select("grants", owner=user, parent=rid)
            ):
                raise PFError("GrantAlreadyExist")
            t = rfc3339()
            doc = {
                "grantID": hex_id("grant"),
                "userName": user,
                "resourceType": rtype,
                "resourceID": rid,
                "createTime": t,
                "updateTime": t,
            }
            self.store.insert("grants", doc, key=doc["grantID"], owner=user, parent=rid)
        return doc["grantID"]

    def delete_grant(self, who: Caller, user: str, rtype: str, rid: str) -> None:
        only_root(who)
        if user.lower() == ROOT:
            raise PFError("GrantRootActionNotSupport")
        with self.store.tx():
            found = [
                g
                for g in self.store.select("grants", owner=user, parent=rid)
                if g.doc["resourceType"] == rtype
            ]
            if not found:
                raise PFError("GrantNotFound")
            for g in found:
                self.store.remove("grants", g.pk)

    def list_grants(self, who: Caller, user: str | None, marker: str | None, max_keys: int) -> Page[Doc]:
        only_root(who)
        rows = [(r.pk, r.doc) for r in self.store.select("grants", owner=user or None)]
        return paginate(rows, marker, max_keys)
