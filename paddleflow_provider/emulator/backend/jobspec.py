"""The job API's request checks and the stored Job document (api §7.11, §8.9).

Every create failure is a ``400 JobCreateFailed`` carrying the specific reason, as on the server. The
stored document is the wire ``Job`` object (``UserName`` capitalised, ``framework``/``members`` only when
set) plus private ``_`` keys the runner needs (the tasks to execute).
"""

from __future__ import annotations

import re
import shlex
import uuid
from typing import TYPE_CHECKING, Any

from ..errors import PFError
from ..web import Body, Caller

if TYPE_CHECKING:
    from .core import Backend

JOB_TYPES = ("single", "distributed", "workflow")
DISTRIBUTED_FRAMEWORKS = ("paddle", "tensorflow", "pytorch", "mxnet", "mpi", "spark", "ray", "aitj")
ROLES = ("master", "worker", "pserver", "driver", "executor")
CREATE_PRIORITIES = ("LOW", "NORMAL", "HIGH")
UPDATE_PRIORITIES = ("VERY_LOW", "LOW", "NORMAL", "HIGH", "VERY_HIGH")
CUSTOM_FLAVOUR = "customFlavour"
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def _fail(message: str) -> PFError:
    return PFError("JobCreateFailed", message)


def _str_map(value: Any, field: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _fail(f"{field} should be a map of strings")
    return {str(k): v for k, v in value.items()}


def _priority(policy: dict[str, Any]) -> str:
    priority = str(policy.get("priority") or "NORMAL").upper()
    if priority not in CREATE_PRIORITIES:
        raise _fail(f"invalid job priority {policy.get('priority')}, should be in [LOW, NORMAL, HIGH]")
    return priority


def _command(spec: Body) -> str:
    """``command`` plus ``args`` as one shell text (args are quoted words, as a container gets them)."""
    command = spec.str("command")
    args = spec.get("args") or []
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise _fail("args should be a list of strings")
    return " ".join([command, *(shlex.quote(a) for a in args)]).strip()


class JobSpecs:
    """Turns a create request into the stored document, checking it against the platform's state."""

    def __init__(self, backend: Backend) -> None:
        self.be = backend
        self.store = backend.store

    def _queue(self, who: Caller, name: str) -> None:
        if not name:
            raise _fail("schedulingPolicy.queue is required")
        status = self.be.infra.queue_status(name)
        if status is None:
            raise _fail(f"queue[{name}] is not found")
        if status != "open":
            raise _fail(f"queue[{name}] status is {status}, and only queue with open status can submit jobs")
        if not who.is_root and not self.be.infra._granted(who.name, name):
            raise _fail(f"user[{who.name}] has no access to queue[{name}]")

    def _flavour(self, value: Any) -> dict[str, Any]:
        flavour = value if isinstance(value, dict) else {}
        name = str(flavour.get("name") or "")
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
            "cpu": str(flavour.get("cpu") or "1"),
            "mem": str(flavour.get("mem") or "1Gi"),
            "scalarResources": flavour.get("scalarResources") or {},
        }

    def _fs(self, who: Caller, value: Any) -> dict[str, Any]:
        fs = value if isinstance(value, dict) else {}
        name = str(fs.get("name") or "")
        if name and self.be.fs.root_of(who.name, name) is None:
            raise _fail(f"fs[{name}] of user[{who.name}] not found")
        return {
            "name": name,
            "type": "",
            "mountPath": str(fs.get("mountPath") or ""),
            "subPath": str(fs.get("subPath") or ""),
            "readOnly": bool(fs.get("readOnly") or False),
        }

    def _job_id(self, requested: str) -> str:
        if not requested:
            return f"job-{uuid.uuid4().hex[:16]}"
        if len(requested) > 63 or not DNS1123_LABEL.match(requested):
            raise _fail(f"job id[{requested}] is invalid: it must be a DNS-1123 label")
        if self.store.get("jobs", requested, deleted=True) is not None:
            raise _fail(f"job id[{requested}] already exists")
        return requested

    def build(self, who: Caller, job_type: str, body: Body) -> dict[str, Any]:
        """The stored document of a new job (status ``pending``); raises ``JobCreateFailed``."""
        if job_type == "workflow":
            raise _fail("workflow (argo) jobs are not supported by the emulator")
        policy = body.dict("schedulingPolicy") or {}
        queue = str(policy.get("queue") or "")
        self._queue(who, queue)
        priority = _priority(policy)
        framework = body.str("framework")
        tasks: list[dict[str, Any]] = []
        members: list[dict[str, Any]] = []
        job_id = self._job_id(body.str("id"))
        if job_type == "single":
            if framework not in ("", "standalone"):
                raise _fail(f"framework[{framework}] is not supported for single job, should be standalone")
            if not body.str("image"):
                raise _fail("required fields in {image} are empty, please fill it")
            env = _str_map(body.get("env"), "env")
            fs = self._fs(who, body.get("fs"))
            tasks.append(
                {"id": job_id, "role": "", "index": 0, "command": _command(body), "env": env, "fs": fs}
            )
        else:
            if framework not in DISTRIBUTED_FRAMEWORKS:
                raise _fail(
                    f"framework[{framework}] is not supported, should be in {list(DISTRIBUTED_FRAMEWORKS)}"
                )
            members, tasks = self._members(who, job_id, queue, priority, body)
        doc: dict[str, Any] = {
            "id": job_id,
            "name": body.str("name"),
            "labels": _str_map(body.get("labels"), "labels"),
            "annotations": _str_map(body.get("annotations"), "annotations"),
            "schedulingPolicy": {"queue": queue, "priority": priority},
            "UserName": who.name,
            "flavour": self._flavour(body.get("flavour")) if job_type == "single" else {},
            "limitFlavour": {"cpu": "", "mem": "", "name": ""},
            "fs": tasks[0]["fs"] if job_type == "single" else {"name": "", "type": ""},
            "extraFS": body.list("extraFS") if job_type == "single" else None,
            "image": body.str("image") if job_type == "single" else "",
            "env": _str_map(body.get("env"), "env") if job_type == "single" else {},
            "command": body.str("command") if job_type == "single" else "",
            "args": body.list("args") if job_type == "single" else None,
            "port": body.int("port") if job_type == "single" else 0,
            "extensionTemplate": body.get("extensionTemplate"),
            "status": "pending",
            "message": "",
            "acceptTime": "",
            "startTime": "",
            "finishTime": "",
            "_type": job_type,
            "_tasks": tasks,
        }
        if framework or job_type == "single":
            doc["framework"] = framework or "standalone"
        if members:
            doc["members"] = members
        return doc

    def _members(
        self, who: Caller, job_id: str, queue: str, priority: str, body: Body
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        raw = body.list("members") or []
        if not raw:
            raise _fail("members of a distributed job are required")
        members, tasks = [], []
        for item in raw:
            if not isinstance(item, dict):
                raise _fail("each member should be an object")
            spec = Body(item, "JobCreateFailed")
            role = spec.str("role")
            if role not in ROLES:
                raise _fail(f"member role[{role}] is not supported, should be in {list(ROLES)}")
            replicas = spec.int("replicas", 1)
            if replicas < 1:
                raise _fail(f"replicas of member[{role}] should be at least 1")
            if not spec.str("image"):
                raise _fail("required fields in {image} are empty, please fill it")
            env = _str_map(spec.get("env"), "env")
            command = _command(spec)
            fs = self._fs(who, spec.get("fs"))
            members.append(
                {
                    "id": f"{job_id}-{role}",
                    "replicas": replicas,
                    "role": role,
                    "name": spec.str("name"),
                    "fs": fs,
                    "extraFS": spec.list("extraFS"),
                    "flavour": self._flavour(spec.get("flavour")),
                    "limitFlavour": {"cpu": "", "mem": "", "name": ""},
                    "priority": priority,
                    "clusterID": "default-cluster",
                    "queueID": queue,
                    "queueName": queue,
                    "kindGroupVersion": "",
                    "labels": _str_map(spec.get("labels"), "labels"),
                    "annotations": _str_map(spec.get("annotations"), "annotations"),
                    "env": env,
                    "command": spec.str("command"),
                    "image": spec.str("image"),
                    "port": spec.int("port"),
                    "args": spec.list("args"),
                }
            )
            for index in range(replicas):
                task_id = f"{job_id}-{role}-{index}"
                tasks.append(
                    {"id": task_id, "role": role, "index": index, "command": command, "env": env, "fs": fs}
                )
        return members, tasks
