# ruff: noqa: PLR0917 - methods keep the SDK reference's positional signatures
"""Users, queues, grants and flavours (paddleflow-api.md 7.1-7.3)."""

from __future__ import annotations

import re
from typing import Any

from .. import _validate as v
from .._core import Call, Landed, path
from .._exceptions import InvalidArgumentError
from .._model_base import Page
from .._models import FlavourInfo, GrantInfo, QueueInfo, UserInfo
from ._common import endpoint, landed_if_found, model_parser, none, page_parser, walk

_STRONG = (re.compile(r"\d"), re.compile(r"[a-z]"))


def _password(argument: str, value: Any) -> str:
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidArgumentError(argument, "bytes must be UTF-8 text") from None
    v.required(argument, value)
    if len(value) < 6 or not all(p.search(value) for p in _STRONG):
        raise InvalidArgumentError(argument, "at least 6 characters with a digit and a lower-case letter")
    return value


@endpoint()
def list_user(maxsize: int = 100, marker: str | None = None) -> Call[Page[UserInfo]]:
    v.maxsize("maxsize", maxsize)
    return Call(
        "list_user",
        "GET",
        "/user",
        page_parser(UserInfo, "userList"),
        params={"maxKeys": maxsize, "marker": v.optional_str("marker", marker)},
    )


def _user_landed(user_name: str) -> Any:
    users = yield from walk(lambda m: list_user(1000, m))
    return Landed(None) if any(u.name == user_name for u in users) else None


@endpoint({"username": "user_name", "name": "user_name"})
def add_user(user_name: str, password: str | bytes) -> Call[None]:
    v.name("user_name", user_name, "user")
    secret = _password("password", password)
    return Call(
        "add_user",
        "POST",
        "/user",
        none,
        body={"username": user_name, "password": secret},
        kind="create",
        landed=lambda: _user_landed(user_name),
        done_codes=frozenset({"UserNameDuplicated"}),
    )


@endpoint({"username": "user_name", "name": "user_name"})
def del_user(user_name: str) -> Call[None]:
    v.required("user_name", user_name)
    return Call(
        "del_user",
        "DELETE",
        path("user", user_name),
        none,
        kind="mutate",
        done_codes=frozenset({"UserNotExist"}),
    )


@endpoint({"username": "user_name", "name": "user_name"})
def update_password(user_name: str, password: str | bytes) -> Call[None]:
    v.required("user_name", user_name)
    secret = _password("password", password)
    # Setting the same password twice is harmless, so this repeats like a read.
    return Call(
        "update_password",
        "PUT",
        path("user", user_name),
        none,
        body={"password": secret},
        sets_password_of=user_name,  # the client's own password: it goes on with the new one
    )


# -- queues ---------------------------------------------------------------------------------------
@endpoint()
def list_queue(maxsize: int = 100, marker: str | None = None) -> Call[Page[QueueInfo]]:
    v.maxsize("maxsize", maxsize)
    return Call(
        "list_queue",
        "GET",
        "/queue",
        page_parser(QueueInfo, "queueList"),
        params={"maxKeys": maxsize, "marker": v.optional_str("marker", marker)},
    )


@endpoint({"name": "queuename", "queue_name": "queuename"})
def show_queue(queuename: str) -> Call[QueueInfo]:
    v.required("queuename", queuename)
    return Call("show_queue", "GET", path("queue", queuename), model_parser(QueueInfo))


@endpoint({"men": "mem", "clusterName": "clustername", "cluster_name": "clustername"})
def create_queue(
    name: str,
    namespace: str,
    cpu: str | int | float,
    mem: str | int | float,
    clustername: str | None = None,
    scalar_resources: dict[str, str] | None = None,
    min_resources: dict[str, Any] | None = None,
    scheduling_policy: list[str] | None = None,
    location: dict[str, str] | None = None,
    quota_type: str | None = None,
) -> Call[None]:
    v.name("name", name, "queue")
    v.name("namespace", namespace, "namespace")
    v.quantity("cpu", cpu)
    v.quantity("mem", mem)
    max_resources: dict[str, Any] = {"cpu": str(cpu), "mem": str(mem)}
    if v.mapping("scalar_resources", scalar_resources):
        max_resources["scalarResources"] = scalar_resources
    body: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "clusterName": clustername,
        "maxResources": max_resources,
    }
    if v.mapping("min_resources", min_resources) is not None:
        body["minResources"] = min_resources
    if v.string_list("scheduling_policy", scheduling_policy) is not None:
        body["schedulingPolicy"] = scheduling_policy
    if v.mapping("location", location) is not None:
        body["location"] = location
    if v.one_of("quota_type", quota_type, v.QUOTA_TYPES) is not None:
        body["quotaType"] = quota_type
    return Call(
        "create_queue",
        "POST",
        "/queue",
        none,
        body=body,
        kind="create",
        landed=lambda: landed_if_found(show_queue(name)),
        done_codes=frozenset({"QueueNameDuplicated"}),
    )


@endpoint({"name": "queuename", "queue_name": "queuename"})
def stop_queue(queuename: str) -> Call[None]:
    """Close a queue: ``PUT /queue/{name}?action=close`` (the reference SDK's wire form)."""
    v.required("queuename", queuename)
    return Call(
        "stop_queue", "PUT", path("queue", queuename), none, params={"action": "close"}, kind="mutate"
    )


@endpoint({"name": "queuename", "queue_name": "queuename"})
def del_queue(queuename: str) -> Call[None]:
    v.required("queuename", queuename)
    return Call(
        "del_queue",
        "DELETE",
        path("queue", queuename),
        none,
        kind="mutate",
        done_codes=frozenset({"QueueNameNotFound"}),
    )


# -- grants ---------------------------------------------------------------------------------------
@endpoint()
def show_queue_grant(
    username: str | None = None, maxsize: int = 100, marker: str | None = None
) -> Call[Page[GrantInfo]]:
    v.maxsize("maxsize", maxsize)
    return Call(
        "show_queue_grant",
        "GET",
        "/grant",
        page_parser(GrantInfo, "grantList", keep=lambda g: g.resource_type in ("queue", "")),
        params={
            "maxKeys": maxsize,
            "username": v.optional_str("username", username),
            "marker": v.optional_str("marker", marker),
        },
    )


def _grant_landed(username: str, queuename: str) -> Any:
    grants = yield from walk(lambda m: show_queue_grant(username, 1000, m))
    return Landed(None) if any(g.resourceName == queuename for g in grants) else None


@endpoint({"user_name": "username", "queue_name": "queuename"})
def grant_queue(username: str, queuename: str) -> Call[None]:
    v.required("username", username)
    v.required("queuename", queuename)
    return Call(
        "grant_queue",
        "POST",
        "/grant",
        none,
        body={"username": username, "resourceType": "queue", "resourceID": queuename},
        kind="create",
        landed=lambda: _grant_landed(username, queuename),
        done_codes=frozenset({"GrantAlreadyExist"}),
    )


@endpoint({"user_name": "username", "queue_name": "queuename"})
def ungrant_queue(username: str, queuename: str) -> Call[None]:
    v.required("username", username)
    v.required("queuename", queuename)
    return Call(
        "ungrant_queue",
        "DELETE",
        "/grant",
        none,
        params={"username": username, "resourceType": "queue", "resourceID": queuename},
        kind="mutate",
        done_codes=frozenset({"GrantNotFound"}),
    )


# -- flavours -------------------------------------------------------------------------------------
@endpoint({"cluster_name": "clustername"})
def list_flavour(
    maxsize: int = 100, marker: str | None = None, clustername: str = "", key: str = ""
) -> Call[Page[FlavourInfo]]:
    v.maxsize("maxsize", maxsize)
    return Call(
        "list_flavour",
        "GET",
        "/flavour",
        page_parser(FlavourInfo, "flavourList"),
        params={
            "maxKeys": maxsize,
            "marker": v.optional_str("marker", marker),
            "name": v.optional_str("key", key) or None,
            "clusterName": v.optional_str("clustername", clustername) or None,
        },
    )
