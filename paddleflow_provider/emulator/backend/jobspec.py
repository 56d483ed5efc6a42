"""The job API's request checks and the stored Job document (api §7.11, §8.9).

Every create failure is a ``400 JobCreateFailed`` carrying the specific reason, as on the server. The
stored document is the wire ``Job`` object (``UserName`` capitalised, ``framework``/``members`` only when
set) plus private ``_`` keys the runner needs (the tasks to execute).
"""

from __future__ import annotations

import re
import shlex
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..caller import Caller
from ..errors import PFError
from ..store import Doc, Store
from .fs import FileSystems
from .infra import Infra

JOB_TYPES = ("single", "distributed", "workflow")
DISTRIBUTED_FRAMEWORKS = ("paddle", "tensorflow", "pytorch", "mxnet", "mpi", "spark", "ray", "aitj")
ROLES = ("master", "worker", "pserver", "driver", "executor")
CREATE_PRIORITIES = ("LOW", "NORMAL", "HIGH")
UPDATE_PRIORITIES = ("VERY_LOW", "LOW", "NORMAL", "HIGH", "VERY_HIGH")
CUSTOM_FLAVOUR = "customFlavour"
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True)
class JobFs:
    """The storage a job (member) works on; ``name`` "" means none."""

    name: str = ""
    mount_path: str = ""
    sub_path: str = ""
    read_only: bool = False


@dataclass(frozen=True)
class JobFlavour:
    """A named flavour, or ``customFlavour`` / no name with its own ``cpu``/``mem``."""

    name: str = ""
    cpu: str = ""
    mem: str = ""
    scalar_resources: object = None  # stored as given


@dataclass(frozen=True)
class ContainerSpec:
    """What one container runs: a single job's top-level fields, or one member of a distributed job.
    ``env``/``args`` are the request's raw values: their shape is checked here, in the server's order."""

    image: str = ""
    command: str = ""
    args: object = None
    port: int = 0
    env: object = None
    fs: JobFs = field(default_factory=JobFs)
    extra_fs: list[Any] | None = None
    flavour: JobFlavour = field(default_factory=JobFlavour)


@dataclass(frozen=True)
class MemberRequest:
    """One role of a distributed job; ``labels``/``annotations`` are raw, checked here like ``env``."""

    role: str = ""
    replicas: int = 1
    name: str = ""
    container: ContainerSpec = field(default_factory=ContainerSpec)
    labels: object = None
    annotations: object = None


@dataclass(frozen=True)
class JobRequest:
    """A create-job request (``single`` runs its ``container``, ``distributed`` its ``members``).

    ``members`` holds ``None`` for an item that is not an object (refused when its turn comes).
    """

    id: str = ""
    name: str = ""
    framework: str = ""
    queue: str = ""
    priority: object = None  # raw: echoed as given in the error text
    container: ContainerSpec = field(default_factory=ContainerSpec)
    labels: object = None
    annotations: object = None
    extension_template: object = None
    members: list[MemberRequest | None] = field(default_factory=list)


def _fail(message: str) -> PFError:
    return PFError("JobCreateFailed", message)


def _str_map(value: object, name: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _fail(f"{name} should be a map of strings")
    return {str(k): v for k, v in value.items()}


def _priority(requested: object) -> str:
    priority = str(requested or "NORMAL").upper()
    if priority not in CREATE_PRIORITIES:
        raise _fail(f"invalid job priority {requested}, should be in [LOW, NORMAL, HIGH]")
    return priority


def _command(command: str, args: object) -> str:
    """``command`` plus ``args`` as one shell text (args are quoted words, as a container gets them)."""
    args = args or []
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise _fail("args should be a list of strings")
    return " ".join([command, *(shlex.quote(a) for a in args)]).strip()


class JobSpecs:
    """Turns a create request into the stored document, checking it against the platform's state."""

    def __init__(self, store: Store, infra: Infra, fs: FileSystems) -> None:
        self.store = store
        self.infra = infra
        self.fs = fs

    def _queue(self, who: Caller, name: str) -> None:
        if not name:
            raise _fail("schedulingPolicy.queue is required")
        status = self.infra.queue_status(name)
        if status is None:
            raise _fail(f"queue[{name}] is not found")
        if status != "open":
            raise _fail(f"queue[{name}] status is {status}, and only queue with open status can submit jobs")
        if not who.is_root and not self.infra.granted(who.name, name):
            raise _fail(f"user[{who.name}] has no access to queue[{name}]")

    def _flavour(self, flavour: JobFlavour) -> Doc:
        name = flavour.name
        if name and name != CUSTOM_FLAVOUR:
            row = self.store.get("flavours", name)
            if row is None:
                raise _fail(f"flavour[{name}] not found")
            d = row.doc
            return {
                "name": name,
                "cpu": d["cpu"],
                "mem": d["mem"],
                "scalarResources": d.get("scalarResources") or {},
            }
        return {
            "name": name,
            "cpu": flavour.cpu or "1",
            "mem": flavour.mem or "1Gi",
            "scalarResources": flavour.scalar_resources or {},
        }

    def _fs(self, who: Caller, fs: JobFs) -> Doc:
        name = fs.name
        if name and self.fs.root_of(who.name, name) is None:
            raise _fail(f"fs[{name}] of user[{who.name}] not found")
        return {
            "name": name,
            "type": "",
            "mountPath": fs.mount_path,
            "subPath": fs.sub_path,
            "readOnly": fs.read_only,
        }

    def _job_id(self, requested: str) -> str:
        if not requested:
            return f"job-{uuid.uuid4().hex[:16]}"
        if len(requested) > 63 or not DNS1123_LABEL.match(requested):
            raise _fail(f"job id[{requested}] is invalid: it must be a DNS-1123 label")
        if self.store.get("jobs", requested, deleted=True) is not None:
            raise _fail(f"job id[{requested}] already exists")
        return requested

    def build(self, who: Caller, job_type: str, req: JobRequest) -> Doc:
        """The stored document of a new job (status ``pending``); raises ``JobCreateFailed``."""
        if job_type == "workflow":
            raise _fail("workflow (argo) jobs are not supported by the emulator")
        queue = req.queue
        self._queue(who, queue)
        priority = _priority(req.priority)
        framework = req.framework
        tasks: list[Doc] = []
        members: list[Doc] = []
        job_id = self._job_id(req.id)
        single = job_type == "single"
        main = req.container
        if single:
            if framework not in ("", "standalone"):
                raise _fail(f"framework[{framework}] is not supported for single job, should be standalone")
            if not main.image:
                raise _fail("required fields in {image} are empty, please fill it")
            env = _str_map(main.env, "env")
            fs = self._fs(who, main.fs)
            command = _command(main.command, main.args)
            tasks.append({"id": job_id, "role": "", "index": 0, "command": command, "env": env, "fs": fs})
        else:
            if framework not in DISTRIBUTED_FRAMEWORKS:
                raise _fail(
                    f"framework[{framework}] is not supported, should be in {list(DISTRIBUTED_FRAMEWORKS)}"
                )
            members, tasks = self._members(who, job_id, queue, priority, req.members)
        doc: Doc = {
            "id": job_id,
            "name": req.name,
            "labels": _str_map(req.labels, "labels"),
            "annotations": _str_map(req.annotations, "annotations"),
            "schedulingPolicy": {"queue": queue, "priority": priority},
            "UserName": who.name,
            "flavour": self._flavour(main.flavour) if single else {},
            "limitFlavour": {"cpu": "", "mem": "", "name": ""},
            "fs": tasks[0]["fs"] if single else {"name": "", "type": ""},
            "extraFS": main.extra_fs if single else None,
            "image": main.image if single else "",
            "env": _str_map(main.env, "env") if single else {},
            "command": main.command if single else "",
            "args": main.args if single else None,
            "port": main.port if single else 0,
            "extensionTemplate": req.extension_template,
            "status": "pending",
            "message": "",
            "acceptTime": "",
            "startTime": "",
            "finishTime": "",
            "_type": job_type,
            "_tasks": tasks,
        }
        if framework or single:
            doc["framework"] = framework or "standalone"
        if members:
            doc["members"] = members
        return doc

    def _members(
        self, who: Caller, job_id: str, queue: str, priority: str, requested: list[MemberRequest | None]
    ) -> tuple[list[Doc], list[Doc]]:
        if not requested:
            raise _fail("members of a distributed job are required")
        members, tasks = [], []
        for spec in requested:
            if spec is None:
                raise _fail("each member should be an object")
            role = spec.role
            if role not in ROLES:
                raise _fail(f"member role[{role}] is not supported, should be in {list(ROLES)}")
            replicas = spec.replicas
            if replicas < 1:
                raise _fail(f"replicas of member[{role}] should be at least 1")
            box = spec.container
            if not box.image:
                raise _fail("required fields in {image} are empty, please fill it")
            env = _str_map(box.env, "env")
            command = _command(box.command, box.args)
            fs = self._fs(who, box.fs)
            members.append(
                {
                    "id": f"{job_id}-{role}",
                    "replicas": replicas,
                    "role": role,
                    "name": spec.name,
                    "fs": fs,
                    "extraFS": box.extra_fs,
                    "flavour": self._flavour(box.flavour),
                    "limitFlavour": {"cpu": "", "mem": "", "name": ""},
                    "priority": priority,
                    "clusterID": "default-cluster",
                    "queueID": queue,
                    "queueName": queue,
                    "kindGroupVersion": "",
                    "labels": _str_map(spec.labels, "labels"),
                    "annotations": _str_map(spec.annotations, "annotations"),
                    "env": env,
                    "command": box.command,
                    "image": box.image,
                    "port": box.port,
                    "args": box.args,
                }
            )
            for index in range(replicas):
                task_id = f"{job_id}-{role}-{index}"
                tasks.append(
                    {"id": task_id, "role": role, "index": index, "command": command, "env": env, "fs": fs}
                )
        return members, tasks
