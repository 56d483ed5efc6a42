"""Clusters and flavours (api §7.3, §7.9; semantics §6.3, §6.4), mixed into :class:`Infra`."""

from __future__ import annotations

import base64
import binascii
import socket
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..caller import Caller
from ..errors import PFError
from ..store import Doc, Row, Store
from ..util import (
    CLUSTER_NAME_RE,
    DNS1123_RE,
    Page,
    fmt_cpu,
    fmt_mem,
    fmt_time,
    paginate,
    parse_quantity,
)
from .access import only_root
from .infra_common import CLUSTER_TYPES, hex_id


@dataclass(frozen=True)
class Resources:
    """CPU and memory as the server writes quantities (``"4"``, ``"500m"``, ``"8Gi"``)."""

    cpu: str
    memory: str


@dataclass(frozen=True)
class MachineResources:
    node_name: str
    total: Resources
    idle: Resources


@dataclass(frozen=True)
class ClusterResources:
    """A cluster's resources: this machine for a Local cluster, nothing for one the emulator cannot reach."""

    name: str
    source: str
    machine: MachineResources | None


CLUSTER_TEXT_FIELDS = ("endpoint", "clusterType", "description", "source", "setting", "status", "version")


@dataclass(frozen=True)
class ClusterFields:
    """The settable fields of a create/update-cluster request.

    :param text: the non-empty text fields given, by wire name (``endpoint``, ``clusterType``, ...).
    :param namespace_list: ``None`` when not given; its items are checked here, not by the decoder.
    """

    text: dict[str, str] = field(default_factory=dict)
    credential: str = ""
    namespace_list: list[object] | None = None


@dataclass(frozen=True)
class FlavourSpec:
    """A create/update-flavour request; ``cpu``/``mem`` are the request's raw JSON values."""

    name: str = ""
    cluster_name: str = ""
    cpu: object = None  # None: not given
    mem: object = None
    scalar_resources: dict[str, Any] | None = None


class ClusterMixin:
    """Cluster and flavour operations; ``store`` comes from :class:`Infra`."""

    store: Store

    if TYPE_CHECKING:

        def _queue(self, name: str) -> Row: ...  # from QueueMixin

        def queue_in_use(self, name: str) -> bool: ...  # from QueueMixin

    # --- clusters -------------------------------------------------------------------------------
    def _cluster(self, name: str, code: str = "ClusterNotFound") -> Row:
        row = self.store.get("clusters", name)
        if row is None:
            raise PFError(code, f"cluster[{name}] not found" if code != "" else "record not found")
        return row

    def create_cluster(self, who: Caller, name: str, fields: ClusterFields) -> Doc:
        if not CLUSTER_NAME_RE.match(name):
            raise PFError("InvalidNamePattern", f"clusterName[{name}] does not match the cluster name rule")
        only_root(who)
        doc = self._cluster_fields(
            fields, {"clusterName": name, "source": "OnPremise", "status": "online"}, code="InternalError"
        )
        with self.store.tx():
            if self.store.get("clusters", name) is not None:
                raise PFError("", f"cluster name[{name}] already exists")
            t = fmt_time()
            doc.update(id=hex_id("cluster"), createTime=t, updateTime=t)
            self.store.insert("clusters", doc, key=name, status=doc["status"])
        return doc

    def _cluster_fields(self, fields: ClusterFields, base: Doc, *, code: str) -> Doc:
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
        doc.update(fields.text)
        if fields.credential:
            cred = fields.credential
            try:
                base64.b64decode(cred, validate=True)
            except (binascii.Error, ValueError):
                raise PFError("InvalidClusterCredential", "credential must be base64 encoded") from None
            doc["credential"] = cred
        if fields.namespace_list is not None:
            ns = fields.namespace_list
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

    def update_cluster(self, who: Caller, name: str, fields: ClusterFields) -> Doc:
        only_root(who)
        with self.store.tx():
            row = self._cluster(name, "ClusterNameNotFound")
            doc = self._cluster_fields(fields, dict(row.doc), code="InvalidClusterProperties")
            doc["updateTime"] = fmt_time()
            row.doc, row.status = doc, doc["status"]
            self.store.update("clusters", row)
        return doc

    def get_cluster(self, who: Caller, name: str) -> Doc:
        only_root(who, "AccessDenied")
        return self._cluster(name, "").doc

    def delete_cluster(self, who: Caller, name: str) -> None:
        only_root(who)
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
    ) -> Page[Doc]:
        only_root(who)
        rows = [
            (r.pk, r.doc)
            for r in self.store.select("clusters")
            if (not names or r.key in names) and (not status or r.status == status)
        ]
        return paginate(rows, marker, max_keys)

    @staticmethod
    def _machine() -> MachineResources:
        """This machine's real CPU and memory now (psutil), formatted as the server formats quantities."""
        import psutil

        vm = psutil.virtual_memory()
        cpus = psutil.cpu_count() or 1
        busy = psutil.cpu_percent(interval=None) / 100.0
        return MachineResources(
            node_name=socket.gethostname(),
            total=Resources(fmt_cpu(cpus), fmt_mem(vm.total)),
            idle=Resources(fmt_cpu(round(cpus * (1 - busy), 3)), fmt_mem(vm.available)),
        )

    def cluster_resources(self, who: Caller, names: list[str]) -> list[ClusterResources]:
        """This machine's resources for every online Local cluster (others cannot be reached)."""
        only_root(who)
        clusters = [r for r in self.store.select("clusters") if r.status == "online"]
        known = {r.key for r in clusters}
        missing = [n for n in names if n not in known]
        if missing:
            raise PFError("", f"clusters {missing} not found or not online")
        return [
            self._resources(row, local_only_online=False) for row in clusters if not names or row.key in names
        ]

    def cluster_resources_v2(self, who: Caller, names: list[str], queue: str) -> list[ClusterResources]:
        """Every named cluster (or the queue's), in any status; only an online Local one has a machine."""
        only_root(who)
        if queue and not names:
            names = [self._queue(queue).parent]
        return [
            self._resources(row, local_only_online=True)
            for row in self.store.select("clusters")
            if not names or row.key in names
        ]

    def _resources(self, row: Row, *, local_only_online: bool) -> ClusterResources:
        local = row.doc.get("clusterType") == "Local" and (row.status == "online" or not local_only_online)
        return ClusterResources(
            name=row.key,
            source=row.doc.get("source", "OnPremise"),
            machine=self._machine() if local else None,
        )

    # --- flavours -------------------------------------------------------------------------------
    @staticmethod
    def _flavour_quantities(cpu: object, mem: object, scalars: dict[str, str]) -> None:
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

    def create_flavour(self, who: Caller, spec: FlavourSpec) -> str:
        """Create the flavour; returns its name."""
        name = spec.name
        if not name:
            raise PFError("FlavourNotFound", "field not be empty")
        cluster = spec.cluster_name
        if cluster and self.store.get("clusters", cluster) is None:
            raise PFError("ClusterNameNotFound", f"cluster[{cluster}] not found")
        cpu = "" if spec.cpu is None else spec.cpu
        mem = "" if spec.mem is None else spec.mem
        scalars = {str(k): str(v) for k, v in (spec.scalar_resources or {}).items()}
        self._flavour_quantities(cpu, mem, scalars)
        with self.store.tx():
            if self.store.get("flavours", name) is not None:
                raise PFError("DuplicatedName")
            t = fmt_time()
            doc = {
                "id": hex_id("flavour"),
                "name": name,
                "cpu": str(cpu),
                "mem": str(mem),
                "scalarResources": scalars,
                "createTime": t,
                "updateTime": t,
            }
            self.store.insert("flavours", doc, key=name, parent=cluster)
        return name

    def _flavour(self, name: str, code: str = "FlavourNotFound") -> Row:
        row = self.store.get("flavours", name)
        if row is None:
            raise PFError(code, f"flavour[{name}] not found")
        return row

    def get_flavour(self, name: str) -> Doc:
        if not name:
            raise PFError("FlavourNameEmpty")
        return self._flavour(name).doc

    def flavour_exists(self, name: str) -> bool:
        return self.store.get("flavours", name) is not None

    def update_flavour(self, who: Caller, name: str, spec: FlavourSpec) -> Doc:
        with self.store.tx():
            row = self._flavour(name, "")
            only_root(who, "ActionNotAllowed")
            if spec.cluster_name != row.parent:
                raise PFError("", f"not support operate to update flavour[{name}]'s cluster")
            doc = row.doc
            cpu, mem = spec.cpu or doc["cpu"], spec.mem or doc["mem"]
            scalars = dict(doc.get("scalarResources") or {})
            scalars.update({str(k): str(v) for k, v in (spec.scalar_resources or {}).items()})
            self._flavour_quantities(cpu, mem, scalars)
            doc.update(cpu=str(cpu), mem=str(mem), scalarResources=scalars, updateTime=fmt_time())
            self.store.update("flavours", row)
        return doc

    def delete_flavour(self, who: Caller, name: str) -> None:
        with self.store.tx():
            row = self._flavour(name)
            only_root(who, "ActionNotAllowed")
            self.store.remove("flavours", row.pk)

    def list_flavours(
        self, marker: str | None, max_keys: int, name: str | None, cluster: str | None
    ) -> Page[Doc]:
        rows = [
            (r.pk, r.doc)
            for r in self.store.select("flavours")
            if (not name or name in r.key) and (r.parent == "" or (cluster and r.parent == cluster))
        ]
        return paginate(rows, marker, max_keys)
