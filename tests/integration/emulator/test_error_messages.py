"""Every validation rule a user can hit (semantics §6, §7; api §7), pinned to the exact HTTP status, code
and message of the answer. Texts quoted by the references are the server's; the rest pin the emulator's
own wording so it cannot drift unnoticed."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import requests
from emulator_testlib import PREFIX, Api, b64, unique, wait_for

HELLO = "name: {name}\ndocker_env: busybox\nentry_points:\n  a:\n    command: echo hi\n"
ONE_WORD_RE = "^[A-Za-z0-9]{{4,16}}$"


@pytest.fixture(scope="module")
def w(root: Api) -> dict[str, Any]:
    """A user with a storage, a pipeline with one version, a finished run, a flavour and a cluster."""
    name = unique("msg")
    assert root.post("/user", json={"username": name, "password": "pass1234"}).status_code == 200
    user = Api(root.base, name, "pass1234")
    fs = unique("mfs")
    assert user.post("/fs", json={"name": fs, "url": f"local://{fs}"}).status_code == 201
    pname = unique("mp")
    ppl = user.post("/pipeline", json={"yamlRaw": b64(HELLO.format(name=pname))}).json()["pipelineID"]
    run = user.post("/run", json={"runYamlRaw": b64(HELLO.format(name="done"))}).json()["runID"]
    wait_for(lambda: user.get(f"/run/{run}").json()["status"] == "succeeded")
    flavour = unique("mflv")
    assert root.post("/flavour", json={"name": flavour, "cpu": "1", "mem": "1Gi"}).status_code == 200
    queue = unique("mq").lower()
    body = {"name": queue, "namespace": "default", "maxResources": {"cpu": "1", "mem": "1Gi"}}
    assert root.post("/queue", json=body).status_code == 200
    return {
        "root": root,
        "user": user,
        "u": name,
        "fs": fs,
        "pname": pname,
        "ppl": ppl,
        "run": run,
        "flavour": flavour,
        "queue": queue,
    }


# (id, who, method, path, request kwargs, status, code, message); {placeholders} come from the fixture
CASES: list[tuple[str, str, str, str, dict[str, Any], int, str, str]] = [
    # --- auth and users (semantics §6, §6.1)
    ("no-token", "anon", "GET", "/run", {}, 400, "AuthWithoutToken", "Request should login first"),
    (
        "login-unknown",
        "anon",
        "POST",
        "/login",
        {"json": {"username": "ghost99", "password": "abc123"}},
        400,
        "UserNotExist",
        "User not exist",
    ),
    (
        "login-bad-password",
        "anon",
        "POST",
        "/login",
        {"json": {"username": "root", "password": "nope12"}},
        400,
        "AuthFailed",
        "Username or password not correct",
    ),
    (
        "user-name-pattern",
        "root",
        "POST",
        "/user",
        {"json": {"username": "a_b", "password": "abc123"}},
        400,
        "InvalidNamePattern",
        f"username[a_b] should match {ONE_WORD_RE}",
    ),
    (
        "user-weak-password",
        "root",
        "POST",
        "/user",
        {"json": {"username": "abcd1", "password": "abcdef"}},
        400,
        "UserPasswordWeak",
        "Password must consist of at least one number and one letter, and length must be greater than 6",
    ),
    (
        "user-create-not-root",
        "user",
        "POST",
        "/user",
        {"json": {"username": "{u}", "password": "abc123"}},
        403,
        "OnlyRootAllowed",
        "This operation is only allowed for root user",
    ),
    (
        "user-acting-for-other",
        "user",
        "POST",
        "/user",
        {"json": {"username": "other1", "password": "abc123"}},
        400,
        "AuthIllegalUser",
        "The user does not have permission to operate other users",
    ),
    (
        "user-duplicate",
        "root",
        "POST",
        "/user",
        {"json": {"username": "{u}", "password": "abc123"}},
        403,
        "UserNameDuplicated",
        "The user name already exists",
    ),
    ("user-list-not-root", "user", "GET", "/user", {}, 403, "AccessDenied", "Access denied"),
    (
        "password-of-other",
        "user",
        "PUT",
        "/user/root",
        {"json": {"password": "abc1234"}},
        403,
        "AccessDenied",
        "Access denied",
    ),
    (
        "password-unknown-user",
        "root",
        "PUT",
        "/user/ghost99",
        {"json": {"password": "abc1234"}},
        400,
        "UserNotExist",
        "User not exist",
    ),
    ("delete-root", "root", "DELETE", "/user/root", {}, 403, "AccessDenied", "root user can not be deleted"),
    ("delete-unknown-user", "root", "DELETE", "/user/ghost99", {}, 400, "UserNotExist", "User not exist"),
    # --- queues (§6.2)
    (
        "queue-not-root",
        "user",
        "POST",
        "/queue",
        {"json": {"name": "qx", "namespace": "default"}},
        403,
        "OnlyRootAllowed",
        "This operation is only allowed for root user",
    ),
    (
        "queue-no-name",
        "root",
        "POST",
        "/queue",
        {"json": {"namespace": "default"}},
        400,
        "QueueNameNotFound",
        "queueName is not found.",
    ),
    (
        "queue-duplicate",
        "root",
        "POST",
        "/queue",
        {"json": {"name": "{queue}", "namespace": "default", "maxResources": {"cpu": "1", "mem": "1Gi"}}},
        403,
        "QueueNameDuplicated",
        "request name duplicated",
    ),
    (
        "queue-show-unknown",
        "root",
        "GET",
        "/queue/nope-q",
        {},
        400,
        "QueueNameNotFound",
        "QueueName does not exist",
    ),
    (
        "queue-show-no-grant",
        "user",
        "GET",
        "/queue/{queue}",
        {},
        403,
        "ActionNotAllowed",
        "The operation cannot be executed at this phase/stage",
    ),
    (
        "queue-update-unknown",
        "root",
        "PUT",
        "/queue/nope-q",
        {"json": {}},
        404,
        "RecordNotFound",
        "queue[nope-q] not found",
    ),
    (
        "queue-delete-unknown",
        "root",
        "DELETE",
        "/queue/nope-q",
        {},
        400,
        "QueueNameNotFound",
        "QueueName does not exist",
    ),
    # --- grants (§6.5): generic messages of the code
    (
        "grant-root",
        "root",
        "POST",
        "/grant",
        {"json": {"username": "root", "resourceType": "queue", "resourceID": "default-queue"}},
        400,
        "GrantRootActionNotSupport",
        "Can not delete or create root's grant",
    ),
    (
        "grant-unknown-queue",
        "root",
        "POST",
        "/grant",
        {"json": {"username": "{u}", "resourceType": "queue", "resourceID": "nope-q"}},
        400,
        "QueueNameNotFound",
        "QueueName does not exist",
    ),
    (
        "grant-unknown-user",
        "root",
        "POST",
        "/grant",
        {"json": {"username": "ghost99", "resourceType": "queue", "resourceID": "default-queue"}},
        400,
        "UserNotExist",
        "User not exist",
    ),
    (
        "ungrant-missing",
        "root",
        "DELETE",
        "/grant",
        {"params": {"username": "{u}", "resourceType": "queue", "resourceID": "default-queue"}},
        400,
        "GrantNotFound",
        "Grant not found. check the user and resource",
    ),
    (
        "grant-list-not-root",
        "user",
        "GET",
        "/grant",
        {},
        403,
        "OnlyRootAllowed",
        "This operation is only allowed for root user",
    ),
    # --- flavours (§6.4)
    (
        "flavour-no-name",
        "root",
        "POST",
        "/flavour",
        {"json": {"cpu": "1", "mem": "1Gi"}},
        404,
        "FlavourNotFound",
        "field not be empty",
    ),
    (
        "flavour-duplicate",
        "root",
        "POST",
        "/flavour",
        {"json": {"name": "{flavour}", "cpu": "1", "mem": "1Gi"}},
        400,
        "DuplicatedName",
        "Name has existed. Duplicated name is not allowed",
    ),
    (
        "flavour-update-cluster",
        "root",
        "PUT",
        "/flavour/{flavour}",
        {"json": {"clusterName": "default-cluster"}},
        500,
        "",
        "not support operate to update flavour[{flavour}]'s cluster",
    ),
    (
        "flavour-update-unknown",
        "root",
        "PUT",
        "/flavour/nope",
        {"json": {"cpu": "2"}},
        500,
        "",
        "flavour[nope] not found",
    ),
    (
        "flavour-show-unknown",
        "root",
        "GET",
        "/flavour/nope",
        {},
        404,
        "FlavourNotFound",
        "flavour[nope] not found",
    ),
    (
        "flavour-update-not-root",
        "user",
        "PUT",
        "/flavour/{flavour}",
        {"json": {"cpu": "2"}},
        403,
        "ActionNotAllowed",
        "The operation cannot be executed at this phase/stage",
    ),
    # --- clusters (§6.3, api §7.9)
    ("cluster-show-unknown", "root", "GET", "/cluster/nope", {}, 500, "", "record not found"),
    (
        "cluster-update-unknown",
        "root",
        "PUT",
        "/cluster/nope",
        {"json": {"description": "d"}},
        400,
        "ClusterNameNotFound",
        "cluster[nope] not found",
    ),
    (
        "cluster-no-endpoint",
        "root",
        "POST",
        "/cluster",
        {"json": {"clusterName": "c1x", "endpoint": "", "clusterType": "Local"}},
        500,
        "InternalError",
        "endpoint should not be empty",
    ),
    (
        "cluster-duplicate",
        "root",
        "POST",
        "/cluster",
        {"json": {"clusterName": "default-cluster", "endpoint": "e", "clusterType": "Local"}},
        500,
        "",
        "cluster name[default-cluster] already exists",
    ),
    # --- storage (§6.6, api §7.4)
    (
        "fs-duplicate",
        "user",
        "POST",
        "/fs",
        {"json": {"name": "{fs}", "url": "local://{fs}"}},
        400,
        "DuplicatedName",
        "fsID[fs-{u}-{fs}] is exists",
    ),
    (
        "fs-show-unknown",
        "user",
        "GET",
        "/fs/nope",
        {},
        404,
        "RecordNotFound",
        "username[{u}] not create fsName[nope]",
    ),
    (
        "fs-delete-unknown",
        "user",
        "DELETE",
        "/fs/nope",
        {},
        404,
        "RecordNotFound",
        "fs[fs-{u}-nope] not exist",
    ),
    (
        "fs-cache-unknown-fs",
        "user",
        "POST",
        "/fsCache",
        {"json": {"fsName": "nope", "metaDriver": "mem"}},
        404,
        "RecordNotFound",
        "fs[fs-{u}-nope] not exist",
    ),
    # --- pipelines (§7.3)
    (
        "ppl-raw-and-path",
        "user",
        "POST",
        "/pipeline",
        {"json": {"yamlRaw": b64("name: x\n"), "yamlPath": "./a.yaml"}},
        400,
        "InvalidArguments",
        "you can only specify one of YamlPath and YamlRaw",
    ),
    (
        "ppl-raw-and-fs",
        "user",
        "POST",
        "/pipeline",
        {"json": {"yamlRaw": b64("name: x\n"), "fsName": "{fs}"}},
        400,
        "InvalidArguments",
        "you cannot specify FsName while you specified YamlRaw",
    ),
    (
        "ppl-path-without-fs",
        "user",
        "POST",
        "/pipeline",
        {"json": {}},
        400,
        "InvalidArguments",
        "cannot get pipeline: fsname shall not be empty while you specified YamlPath[./run.yaml]",
    ),
    (
        "ppl-path-unknown-fs",
        "user",
        "POST",
        "/pipeline",
        {"json": {"fsName": "nope"}},
        400,
        "InvalidArguments",
        "check permission of user[{u}] fsID[fs-{u}-nope] failed, err: record not found",
    ),
    (
        "ppl-duplicate",
        "user",
        "POST",
        "/pipeline",
        {"json": {"yamlRaw": b64(HELLO.format(name="{pname}"))}},
        400,
        "DuplicatedName",
        "CreatePipeline failed: user[{u}] already has pipeline[{pname}], "
        "cannot create again, use update instead!",
    ),
    (
        "ppl-update-other-name",
        "user",
        "POST",
        "/pipeline/{ppl}",
        {"json": {"yamlRaw": b64(HELLO.format(name="zz"))}},
        400,
        "InvalidArguments",
        "update pipeline failed, pplname[zz] in yaml not the same as [{pname}] of pipeline[{ppl}]",
    ),
    (
        "ppl-unknown-version",
        "user",
        "GET",
        "/pipeline/{ppl}/9",
        {},
        404,
        "PipelineNotFound",
        "pipeline[{ppl}] version[9] not exist",
    ),
    (
        "ppl-last-version",
        "user",
        "DELETE",
        "/pipeline/{ppl}/1",
        {},
        403,
        "ActionNotAllowed",
        "delete pipeline[{ppl}] version[1] failed, "
        "only one pipeline version left, pls delete pipeline instead",
    ),
    (
        "ppl-user-filter",
        "user",
        "GET",
        "/pipeline",
        {"params": {"userFilter": "root"}},
        403,
        "AccessDenied",
        "only root user can set userFilter!",
    ),
    (
        "ppl-invalid-yaml",
        "user",
        "POST",
        "/pipeline",
        {"json": {"yamlRaw": b64("name: x\nentry_points: 3\n")}},
        400,
        "InvalidPipeline",
        "validateWorkflowForPipeline failed. err:",
    ),
    # --- runs (§2.1, §2.8-2.10, api §7.5)
    (
        "run-no-source",
        "user",
        "POST",
        "/run",
        {"json": {}},
        400,
        "InvalidArguments",
        "can not get runYaml without fs",
    ),
    (
        "run-unknown",
        "user",
        "GET",
        "/run/run-999999",
        {},
        404,
        "RunNotFound",
        "resouceType[run] with ID[run-999999] not found",
    ),
    (
        "run-bad-strategy",
        "user",
        "POST",
        "/run",
        {"json": {"runYamlRaw": b64(HELLO.format(name="fs1")), "failureOptions": {"strategy": "x"}}},
        400,
        "InvalidPipeline",
        "failure strategy should be [fail_fast] or [continue], setted by [x]",
    ),
    (
        "run-stop-final",
        "user",
        "PUT",
        "/run/{run}",
        {"params": {"action": "stop"}, "json": {"stopForce": False}},
        403,
        "ActionNotAllowed",
        "cannot stop run[{run}] as run is already in status[succeeded]",
    ),
    (
        "run-retry-succeeded",
        "user",
        "PUT",
        "/run/{run}",
        {"params": {"action": "retry"}},
        403,
        "ActionNotAllowed",
        "run[{run}] has status[succeeded], no need to retry",
    ),
    (
        "run-unknown-action",
        "user",
        "PUT",
        "/run/{run}",
        {"params": {"action": "jump"}},
        400,
        "InvalidArguments",
        "invalid action[jump] for UpdateRun",
    ),
    (
        "run-log-page-size",
        "user",
        "GET",
        "/log/run/{run}",
        {"params": {"pageSize": "101"}},
        400,
        "InvalidURI",
        "LogPageSize over max value",
    ),
    (
        "run-log-position",
        "user",
        "GET",
        "/log/run/{run}",
        {"params": {"logFilePosition": "mid"}},
        400,
        "InvalidURI",
        "LogFilePosition has wrong value",
    ),
    # --- schedules (§4.1, api §7.8)
    (
        "schedule-name",
        "user",
        "POST",
        "/schedule",
        {"json": {"name": "bad-name", "pipelineID": "{ppl}", "pipelineVersionID": "1", "crontab": "@daily"}},
        400,
        "InvalidNamePattern",
        "name[bad-name] of schedule should match ^[A-Za-z_][A-Za-z0-9_]{{1,49}}$",
    ),
    (
        "schedule-policy",
        "user",
        "POST",
        "/schedule",
        {
            "json": {
                "name": "s_ok",
                "pipelineID": "{ppl}",
                "pipelineVersionID": "1",
                "crontab": "@daily",
                "concurrencyPolicy": "queue",
            }
        },
        400,
        "InvalidArguments",
        "concurrency policy[queue] not supported",
    ),
    (
        "schedule-unknown-version",
        "user",
        "POST",
        "/schedule",
        {"json": {"name": "s_ok", "pipelineID": "{ppl}", "pipelineVersionID": "7", "crontab": "@daily"}},
        404,
        "PipelineNotFound",
        "pipeline[{ppl}] version[7] not exist",
    ),
    (
        "schedule-user-filter",
        "user",
        "GET",
        "/schedule",
        {"params": {"userFilter": "root"}},
        403,
        "AccessDenied",
        "only root user can set userFilter!",
    ),
    # --- paging and routing (api §2, §4)
    (
        "max-keys",
        "user",
        "GET",
        "/run",
        {"params": {"maxKeys": "0"}},
        400,
        "InvalidURI",
        "maxKeys[0] is invalid",
    ),
    (
        "page-limit",
        "user",
        "GET",
        "/runCache",
        {"params": {"maxKeys": "0"}},
        400,
        "InvalidURI",
        "invalid query pageLimit[0]: should be in 1..1000",
    ),
    (
        "marker",
        "user",
        "GET",
        "/run",
        {"params": {"marker": "zz"}},
        400,
        "InvalidMarker",
        "The marker is invalid",
    ),
    ("unknown-path", "user", "GET", "/nowhere", {}, 404, "PathNotFound", ""),
    ("wrong-method", "user", "PATCH", "/run", {}, 405, "MethodNotAllowed", ""),
    (
        "malformed-json",
        "user",
        "POST",
        "/run",
        {"data": b"{"},
        400,
        "MalformedJSON",
        "The JSON provided was not well-formatted",
    ),
]


def _fill(value: Any, w: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format(**{k: v for k, v in w.items() if isinstance(v, str)})
    if isinstance(value, dict):
        return {k: _fill(v, w) for k, v in value.items()}
    return value


@pytest.mark.parametrize(
    ("who", "method", "path", "kwargs", "status", "code", "message"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_error_status_code_and_message(
    w: dict[str, Any],
    who: str,
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
    code: str,
    message: str,
) -> None:
    kwargs = _fill(kwargs, w)
    if "yamlRaw" in kwargs.get("json", {}):  # the yaml text itself may carry a placeholder
        text = base64.b64decode(kwargs["json"]["yamlRaw"]).decode()
        kwargs["json"]["yamlRaw"] = b64(_fill(text, w))
    if who == "anon":
        r = requests.request(method, w["root"].base + PREFIX + _fill(path, w), timeout=20, **kwargs)
    else:
        r = w[who].call(method, _fill(path, w), **kwargs)
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"requestID", "code", "message"}
    expected = _fill(message, w)
    assert body["code"] == code
    if expected.endswith(":"):  # the server appends the engine's own detail
        assert body["message"].startswith(expected), body["message"]
    else:
        assert body["message"] == expected
