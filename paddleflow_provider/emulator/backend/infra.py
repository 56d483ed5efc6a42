"""Queues, grants, flavours and clusters (api §7.2, §7.3, §7.9; semantics §6.2-6.5)."""

from __future__ import annotations

import base64
import binascii
import secrets
import socket
from typing import TYPE_CHECKING, Any

from ..errors import PFError
from ..store import Row
from ..util import (
    CLUSTER_NAME_RE,
    DNS1123_RE,
    fmt_cpu,
    fmt_mem,
    fmt_time,
    paginate,
    parse_quantity,
    rfc3339,
)
from ..web import ROOT, Caller

if TYPE_CHECKING:
    from .core import Backend

DEFAULT_CLUSTER = "default-cluster"
DEFAULT_QUEUE = "default-queue"
QUEUE_STATUSES = ("creating", "open", "updating", "closing", "closed", "unavailable")
CLUSTER_TYPES = ("Kubernetes", "Local", "K3S")
SEED_FLAVOURS = (
    ("1", "flavour1", "1", "1Gi", {}),
    ("2", "flavour2", "4", "8Gi", {"nvidia.com/gpu": "1"}),
    ("3", "flavour3", "4", "8Gi", {"nvidia.com/gpu": "2"}),
)


def _hex_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def resources_out(spec: dict[str, Any] | None, *, code: str = "InvalidComputeResource") -> dict[str, Any]:
    """Request resources (``cpu``/``mem``/``scalarResources``) -> wire form (``cpu``/``memory``...)."""
    spec = spec or {}
    try:
        cpu = parse_quantity(spec.get("cpu") or "0")
        mem = parse_quantity(spec.get("mem") or spec.get("memory") or "0")
        scalars = {str(k): str(v) for k, v in (spec.get("scalarResources") or {}).items()}
        bad = cpu < 0 or mem < 0 or any(parse_quantity(v) < 0 for v in scalars.values())
    except (ValueError, AttributeError):
        raise PFError(
            code, f"resource {spec} is invalid: cpu/mem must be quantities such as 4, 500m, 8Gi"
        ) from None
    if bad:
        raise PFError(code, f"resource {spec} is invalid: values must not be negative")
    out: dict[str, Any] = {"cpu": fmt_cpu(cpu), "memory": fmt_mem(mem)}
    if scalars:
        out["scalarResources"] = scalars
    return out


class Infra:
    """Queues, grants, flavours and clusters; seeds the single-cluster defaults on first start."""

    def __init__(self, backend: Backend) -> None:
        self.be = backend
        self.store = backend.store
        with self.store.tx():
            self._seed()

    def _seed(self) -> None:
        st, t = self.store, fmt_time()
        if st.get("clusters", DEFAULT_CLUSTER) is None:
            st.insert(
                "clusters",
                {
                    "id": _hex_id("cluster"),
                    "clusterName": DEFAULT_CLUSTER,
                    "description": "local machine",
                    "endpoint": "127.0.0.1",
                    "source": "OnPremise",
                    "clusterType": "Local",
                    "version": "1.16+",
                    "status": "online",
                    "credential": "",
                    "setting": "",
                    "namespaceList": None,
                    "createTime": t,
                    "updateTime": t,
                },
                key=DEFAULT_CLUSTER,
                status="online",
            )
        if st.get("queues", DEFAULT_QUEUE) is None:
            st.insert(
                "queues",
                {
                    "id": _hex_id("queue"),
                    "name": DEFAULT_QUEUE,
                    "namespace": "default",
                    "clusterName": DEFAULT_CLUSTER,
                    "quotaType": "volcanoCapabilityQuota",
                    "maxResources": {"cpu": "20", "memory": "20Gi"},
                    "minResources": {"cpu": "0", "memory": "0"},
                    "location": {},
                    "status": "open",
                    "createTime": t,
                    "updateTime": t,
                },
                key=DEFAULT_QUEUE,
                parent=DEFAULT_CLUSTER,
                status="open",
            )
        for fid, name, cpu, mem, scalars in SEED_FLAVOURS:
            if st.get("flavours", name) is None:
                st.insert(
                    "flavours",
                    {
                        "id": fid,
                        "name": name,
                        "cpu": cpu,
                        "mem": mem,
                        "scalarResources": scalars,
                        "createTime": t,
                        "updateTime": t,
                    },
                    key=name,
                )

    # --- clusters -------------------------------------------------------------------------------
    def _cluster(self, name: str, code: str = "ClusterNotFound") -> Row:
        row = self.store.get("clusters", name)
        if row is None:
            raise PFError(code, f"cluster[{name}] not found" if code != "" else "record not found")
        return row

    def create_cluster(self, who: Caller, body: Any) -> dict[str, Any]:
        name = body.str("clusterName")
        if not CLUSTER_NAME_RE.match(name):
            raise PFError("InvalidNamePattern", f"clusterName[{name}] does not match the cluster name rule")
        if not who.is_root:
            raise PFError("OnlyRootAllowed")
        doc = self._cluster_fields(
            body, {"clusterName": name, "source": "OnPremise", "status": "online"}, code="InternalError"
        )
        with self.store.tx():
            if self.store.get("clusters", name) is not None:
                raise PFError("", f"cluster name[{name}] already exists")
            t = fmt_time()
            doc.update(id=_hex_id("cluster"), createTime=t, updateTime=t)
            self.store.insert("clusters", doc, key=name, status=doc["status"])
        return doc

    def _cluster_fields(self, body: Any, base: dict[str, Any], *, code: str) -> dict[str, Any]:
        doc = {
            "description": "",
            "endpoint": "",
            "clusterType": "",
            "version": "",
            "credential": "",
            "setting": "",
            "namespaceList": None,
            **base,
        }
        for key in ("endpoint", "clusterType", "description", "source", "setting", "status", "version"):
            if body.get(key):
                doc[key] = body.str(key)
        if body.get("credential"):
            cred = body.str("credential")
            try:
                base64.b64decode(cred, validate=True)
            except (binascii.Error, ValueError):
                raise PFError("InvalidClusterCredential", "credential must be base64 encoded") from None
            doc["credential"] = cred
        if body.has("namespaceList"):
            ns = body.list("namespaceList") or []
            bad = [n for n in ns if not isinstance(n, str) or not DNS1123_RE.match(n)]
            if bad:
                raise PFError(code, f"namespace {bad} is not a valid DNS-1123 label")
            doc["namespaceList"] = ns or None
        if not doc["endpoint"]:
            raise PFError(code, "endpoint should not be empty")
        if doc["clusterType"] not in CLUSTER_TYPES:
            raise PFError(code, f"clusterType[{doc['clusterType']}] should be one of {list(CLUSTER_TYPES)}")
        if doc["clusterType"] == "Kubernetes" and not doc["version"]:
            raise PFError(code, "version should not be empty for a Kubernetes cluster")
        if doc["status"] not in ("online", "offline"):
            raise PFError(code, f"status[{doc['status']}] should be online or offline")
        return doc

    def update_cluster(self, who: Caller, name: str, body: Any) -> dict[str, Any]:
        if not who.is_root:
            raise PFError("OnlyRootAllowed")
        with self.store.tx():
            row = self._cluster(name, "ClusterNameNotFound")
            doc = self._cluster_fields(body, dict(row.doc), code="InvalidClusterProperties")
            doc["updateTime"] = fmt_time()
            row.doc, row.status = doc, doc["status"]
            self.store.update("clusters", row)
        return doc

    def get_cluster(self, who: Caller, name: str) -> dict[str, Any]:
        if not who.is_root:
            raise PFError("AccessDenied")
        return self._cluster(name, "").doc

    def delete_cluster(self, who: Caller, name: str) -> None:
        if not who.is_root:
            raise PFError("OnlyRootAllowed")
        with self.store.tx():
            row = self._cluster(name)
            queues = self.store.select("queues", parent=name)
            if any(self.queue_in_use(q.key) for q in queues):
                raise PFError("QueueIsInUse", f"queues of cluster[{name}] are in use")
            for qrow in queues:
                self.store.remove("queues", qrow.pk)
            self.store.remove("clusters", row.pk)

    def list_clusters(
        self, who: Caller, marker: str | None, max_keys: int, names: list[str], status: str | None
    ) -> dict[str, Any]:
        if not who.is_root:
            raise PFError("OnlyRootAllowed")
        rows = [
            (r.pk, r.doc)
            for r in self.store.select("clusters")
            if (not names or r.key in names) and (not status or r.status == status)
        ]
        page, env = paginate(rows, marker, max_keys)
        env["clusterList"] = page or None
        return env

    @staticmethod
    def _machine() -> tuple[dict[str, Any], dict[str, Any]]:
        import psutil

        vm = psutil.virtual_memory()
        cpus = psutil.cpu_count() or 1
        busy = psutil.cpu_percent(interval=None) / 100.0
        total = {"cpu": fmt_cpu(cpus), "memory": fmt_mem(vm.total)}
        idle = {"cpu": fmt_cpu(round(cpus * (1 - busy), 3)), "memory": fmt_mem(vm.available)}
        return total, idle

    def cluster_resources(self, who: Caller, names: list[str]) -> dict[str, Any]:
        """This machine's real CPU and memory (psutil) for every online Local cluster."""
        if not who.is_root:
            raise PFError("OnlyRootAllowed")
        clusters = [r for r in self.store.select("clusters") if r.status == "online"]
        known = {r.key for r in clusters}
        missing = [n for n in names if n not in known]
        if missing:
            raise PFError("", f"clusters {missing} not found or not online")
        out: dict[str, Any] = {}
        for row in clusters:
            if names and row.key not in names:
                continue
            if row.doc.get("clusterType") == "Local":
                total, idle = self._machine()
                node = {"nodeName": socket.gethostname(), "schedulable": True, "total": total, "idle": idle}
                out[row.key] = {"nodeList": [node], "summary": {"total": total, "idle": idle}, "errMsg": ""}
            else:
                zero = {"cpu": "0", "memory": "0"}
                out[row.key] = {
                    "nodeList": [],
                    "summary": {"total": zero, "idle": zero},
                    "errMsg": "the emulator cannot reach remote clusters",
                }
        return out

    def cluster_resources_v2(self, who: Caller, names: list[str], queue: str) -> dict[str, Any]:
        if not who.is_root:
            raise PFError("OnlyRootAllowed")
        if queue and not names:
            names = [self._queue(queue).parent]
        out: dict[str, Any] = {}
        for row in self.store.select("clusters"):
            if names and row.key not in names:
                continue
            item: dict[str, Any] = {
                "allocatable": {},
                "capacity": {},
                "labels": {},
                "clusterName": row.key,
                "clusterSource": row.doc.get("source", "OnPremise"),
            }
            if row.doc.get("clusterType") == "Local" and row.status == "online":
                total, idle = self._machine()
                host = socket.gethostname()
                item["allocatable"] = {
                    host: {"cpu": parse_quantity(idle["cpu"]), "memory": parse_quantity(idle["memory"])}
                }
                item["capacity"] = {host: total}
                item["labels"] = {host: {"kubernetes.io/hostname": host}}
            if queue:
                item["queueName"] = queue
            out[row.key] = item
        return out

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
        runs = getattr(self.be, "runs", None)
        return bool(runs and runs.queue_in_use(name))

    def create_queue(self, who: Caller, body: Any) -> dict[str, Any]:
        if not who.is_root:
            raise PFError("OnlyRootAllowed")
        name = body.str("name")
        if not name:
            raise PFError("QueueNameNotFound", "queueName is not found.")
        cluster_name = body.str("clusterName") or DEFAULT_CLUSTER
        cluster = self._cluster(cluster_name)
        if cluster.status != "online":
            raise PFError("InvalidClusterStatus", f"cluster[{cluster_name}] is not online")
        ns = body.str("namespace")
        allowed = cluster.doc.get("namespaceList") or []
        if not ns or not DNS1123_RE.match(ns) or (allowed and ns not in allowed):
            raise PFError("NamespaceNotFound", f"namespace[{ns}] is not valid for cluster[{cluster_name}]")
        if not DNS1123_RE.match(name):
            raise PFError("InvalidNamePattern", f"queue name[{name}] must be a DNS-1123 label")
        quota = body.str("quotaType") or "elasticQuota"
        if quota not in ("elasticQuota", "volcanoCapabilityQuota"):
            raise PFError("QueueQuotaTypeIsNotSupported", f"quotaType[{quota}] is not supported")
        max_res = resources_out(body.dict("maxResources"))
        min_res = resources_out(body.dict("minResources"))
        if quota == "elasticQuota" and body.has("minResources"):
            for k in ("cpu", "memory"):
                if parse_quantity(min_res[k]) > parse_quantity(max_res[k]):
                    raise PFError("InvalidComputeResource", "minResources must not exceed maxResources")
        location = {str(k): str(v) for k, v in (body.dict("location") or {}).items()}
        if quota == "elasticQuota":
            location.setdefault("paddleflow.baidu.com/resource-isolation-type", "logical")
        t = fmt_time()
        doc: dict[str, Any] = {
            "id": _hex_id("queue"),
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
        policy = [str(p) for p in body.list("schedulingPolicy") or []]
        if policy:
            doc["schedulingPolicy"] = policy
        with self.store.tx():
            if name.lower() == "default" or self.store.get("queues", name) is not None:
                raise PFError("QueueNameDuplicated", "request name duplicated")
            self.store.insert("queues", doc, key=name, parent=cluster_name, status="open")
        return {"name": name}

    def update_queue(self, who: Caller, name: str, body: Any) -> dict[str, Any]:
        if not who.is_root:
            raise PFError("OnlyRootAllowed")
        with self.store.tx():
            row = self.store.get("queues", name)
            if row is None:
                raise PFError("RecordNotFound", f"queue[{name}] not found")
            doc = row.doc
            if body.has("maxResources"):
                doc["maxResources"] = resources_out(body.dict("maxResources"))
            if body.has("minResources"):
                doc["minResources"] = resources_out(body.dict("minResources"))
            for p in body.list("schedulingPolicy") or []:
                pol = doc.setdefault("schedulingPolicy", [])
                if str(p).endswith("-"):
                    doc["schedulingPolicy"] = [x for x in pol if x != str(p)[:-1]]
                elif p not in pol:
                    pol.append(str(p))
            if not doc.get("schedulingPolicy"):
                doc.pop("schedulingPolicy", None)
            for k, v in (body.dict("location") or {}).items():
                if v in ("", None):
                    doc["location"].pop(k, None)
                else:
                    doc["location"][k] = str(v)
            doc["updateTime"] = fmt_time()
            self.store.update("queues", row)
        return doc

    def close_queue(self, who: Caller, name: str) -> dict[str, Any]:
        """The close action (SDK ``stop_queue``): a closed queue refuses new jobs."""
        if not who.is_root:
            raise PFError("OnlyRootAllowed")
        with self.store.tx():
            row = self._queue(name)
            row.status = row.doc["status"] = "closed"
            row.doc["updateTime"] = fmt_time()
            self.store.update("queues", row)
        return row.doc

    def get_queue(self, who: Caller, name: str) -> dict[str, Any]:
        row = self._queue(name)
        if not who.is_root and not self._granted(who.name, name):
            raise PFError("ActionNotAllowed", f"user[{who.name}] has no grant of queue[{name}]")
        doc = dict(row.doc)
        used = {"cpu": "0", "memory": "0"}
        runs = getattr(self.be, "runs", None)
        if runs is not None:
            cpu, mem = runs.queue_usage(name)
            used = {"cpu": fmt_cpu(cpu), "memory": fmt_mem(mem)}
        mx = doc["maxResources"]
        doc["usedResources"] = used
        doc["idleResources"] = {
            "cpu": fmt_cpu(parse_quantity(mx["cpu"]) - parse_quantity(used["cpu"])),
            "memory": fmt_mem(parse_quantity(mx["memory"]) - parse_quantity(used["memory"])),
        }
        return doc

    def delete_queue(self, who: Caller, name: str) -> None:
        if not who.is_root:
            raise PFError("OnlyRootAllowed")
        with self.store.tx():
            row = self._queue(name)
            if self.queue_in_use(name):
                raise PFError("QueueIsInUse")
            self.store.remove("queues", row.pk)
            for g in self.store.select("grants", parent=name):
                if g.doc["resourceType"] == "queue":
                    self.store.remove("grants", g.pk)

    def list_queues(self, who: Caller, marker: str | None, max_keys: int, name: str | None) -> dict[str, Any]:
        rows = [
            (r.pk, r.doc)
            for r in self.store.select("queues")
            if (not name or r.key == name) and (who.is_root or self._granted(who.name, r.key))
        ]
        page, env = paginate(rows, marker, max_keys)
        env["queueList"] = page
        return env

    # --- grants ---------------------------------------------------------------------------------
    def _granted(self, user: str, queue: str) -> bool:
        return any(
            g.doc["resourceType"] == "queue" for g in self.store.select("grants", owner=user, parent=queue)
        )

    def create_grant(self, who: Caller, body: Any) -> dict[str, Any]:
        if not who.is_root:
            raise PFError("OnlyRootAllowed")
        user, rtype, rid = body.str("userName"), body.str("resourceType"), body.str("resourceID")
        if user.lower() == ROOT:
            raise PFError("GrantRootActionNotSupport")
        if rtype not in ("queue", "fs", "user"):
            raise PFError("GrantResourceTypeNotFound", f"resourceType[{rtype}] should be queue, fs or user")
        if rtype == "queue" and self.store.get("queues", rid) is None:
            raise PFError("QueueNameNotFound")
        if rtype == "fs" and self.store.get("fs", rid) is None:
            raise PFError("UserNotExist")
        if not self.be.users.exists(user):
            raise PFError("UserNotExist")
        with self.store.tx():
            if any(
                g.doc["resourceType"] == rtype for g in self.store.select("grants", owner=user, parent=rid)
            ):
                raise PFError("GrantAlreadyExist")
            t = rfc3339()
            doc = {
                "grantID": _hex_id("grant"),
                "userName": user,
                "resourceType": rtype,
                "resourceID": rid,
                "createTime": t,
                "updateTime": t,
            }
            self.store.insert("grants", doc, key=doc["grantID"], owner=user, parent=rid)
        return {"grantID": doc["grantID"]}

    def delete_grant(self, who: Caller, user: str, rtype: str, rid: str) -> None:
        if not who.is_root:
            raise PFError("OnlyRootAllowed")
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

    def list_grants(self, who: Caller, user: str | None, marker: str | None, max_keys: int) -> dict[str, Any]:
        if not who.is_root:
            raise PFError("OnlyRootAllowed")
        rows = [(r.pk, r.doc) for r in self.store.select("grants", owner=user or None)]
        page, env = paginate(rows, marker, max_keys)
        env["grantList"] = page
        return env

    # --- flavours -------------------------------------------------------------------------------
    @staticmethod
    def _flavour_quantities(cpu: Any, mem: Any, scalars: dict[str, Any]) -> None:
        try:
            ok = parse_quantity(cpu) > 0 and parse_quantity(mem) > 0
            ok = ok and all(parse_quantity(v) >= 0 for v in scalars.values())
        except ValueError:
            ok = False
        if not ok:
            raise PFError(
                "FlavourInvalidField",
                f"cpu[{cpu}] and mem[{mem}] must be quantities > 0, scalar resources >= 0",
            )

    def create_flavour(self, who: Caller, body: Any) -> dict[str, Any]:
        name = body.str("name")
        if not name:
            raise PFError("FlavourNotFound", "field not be empty")
        cluster = body.str("clusterName")
        if cluster and self.store.get("clusters", cluster) is None:
            raise PFError("ClusterNameNotFound", f"cluster[{cluster}] not found")
        cpu, mem = body.get("cpu", ""), body.get("mem", "")
        scalars = {str(k): str(v) for k, v in (body.dict("scalarResources") or {}).items()}
        self._flavour_quantities(cpu, mem, scalars)
        with self.store.tx():
            if self.store.get("flavours", name) is not None:
                raise PFError("DuplicatedName")
            t = fmt_time()
            doc = {
                "id": _hex_id("flavour"),
                "name": name,
                "cpu": str(cpu),
                "mem": str(mem),
                "scalarResources": scalars,
                "createTime": t,
                "updateTime": t,
            }
            self.store.insert("flavours", doc, key=name, parent=cluster)
        return {"name": name}

    def get_flavour(self, name: str) -> dict[str, Any]:
        if not name:
            raise PFError("FlavourNameEmpty")
        row = self.store.get("flavours", name)
        if row is None:
            raise PFError("FlavourNotFound", f"flavour[{name}] not found")
        return row.doc

    def flavour_exists(self, name: str) -> bool:
        return self.store.get("flavours", name) is not None

    def update_flavour(self, who: Caller, name: str, body: Any) -> dict[str, Any]:
        with self.store.tx():
            row = self.store.get("flavours", name)
            if row is None:
                raise PFError("", f"flavour[{name}] not found")
            if not who.is_root:
                raise PFError("ActionNotAllowed")
            if body.str("clusterName") != row.parent:
                raise PFError("", f"not support operate to update flavour[{name}]'s cluster")
            doc = row.doc
            cpu, mem = body.get("cpu") or doc["cpu"], body.get("mem") or doc["mem"]
            scalars = dict(doc.get("scalarResources") or {})
            scalars.update({str(k): str(v) for k, v in (body.dict("scalarResources") or {}).items()})
            self._flavour_quantities(cpu, mem, scalars)
            doc.update(cpu=str(cpu), mem=str(mem), scalarResources=scalars, updateTime=fmt_time())
            self.store.update("flavours", row)
        return doc

    def delete_flavour(self, who: Caller, name: str) -> None:
        with self.store.tx():
            row = self.store.get("flavours", name)
            if row is None:
                raise PFError("FlavourNotFound", f"flavour[{name}] not found")
            if not who.is_root:
                raise PFError("ActionNotAllowed")
            self.store.remove("flavours", row.pk)

    def list_flavours(
        self, marker: str | None, max_keys: int, name: str | None, cluster: str | None
    ) -> dict[str, Any]:
        rows = [
            (r.pk, r.doc)
            for r in self.store.select("flavours")
            if (not name or name in r.key) and (r.parent == "" or (cluster and r.parent == cluster))
        ]
        page, env = paginate(rows, marker, max_keys)
        env["flavourList"] = page
        return env
