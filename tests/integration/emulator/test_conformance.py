"""Wire conformance over every list route and object shape: marker pagination, the keys the SDK indexes
with ``[]`` (api §4, §7, §8, §10), and many clients writing at once (ids unique, nothing lost)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from emulator_testlib import Api, assert_error, b64, unique, wait_for

FINAL = ("succeeded", "failed", "terminated", "skipped")
CACHED_YAML = (
    "name: {name}\ndocker_env: busybox\nfs_options:\n  main_fs: {{name: {fs}}}\n"
    "cache:\n  enable: true\nentry_points:\n"
    "  a:\n    command: echo {{{{PF_RUN_ID}}}} > {{{{out}}}}\n    artifacts:\n      output: [out]\n"
)


@pytest.fixture(scope="module")
def world(root: Api) -> dict[str, Any]:
    """At least two of everything, owned by a fresh user (so its lists hold only these objects)."""
    name = unique("conf")
    assert root.post("/user", json={"username": name, "password": "pass1234"}).status_code == 200
    assert root.post("/user", json={"username": unique("conf"), "password": "pass1234"}).status_code == 200
    user = Api(root.base, name, "pass1234")
    queues = [unique("cq").lower() for _ in range(2)]
    for q in queues:
        body = {"name": q, "namespace": "default", "maxResources": {"cpu": "2", "mem": "2Gi"}}
        assert root.post("/queue", json=body).status_code == 200
        grant = {"username": name, "resourceType": "queue", "resourceID": q}
        assert root.post("/grant", json=grant).status_code == 200
    cluster = {"clusterName": unique("ccl"), "endpoint": "127.0.0.1", "clusterType": "Local"}
    assert root.post("/cluster", json=cluster).status_code == 200
    fs = unique("cfs")
    assert user.post("/fs", json={"name": fs, "url": f"local://{fs}"}).status_code == 201
    link_fs = unique("lfs")
    props = {"accessKey": "ak", "secretKey": "sk", "endpoint": "s3.local"}
    assert user.post("/fs", json={"name": link_fs, "url": "s3://b/p", "properties": props}).status_code == 201
    link = {"fsName": link_fs, "fsPath": "/l1", "url": "local://x", "properties": {"debug": "true"}}
    assert user.post("/link", json=link).status_code == 201
    cache_cfg = {"fsName": fs, "metaDriver": "mem", "blockSize": 4096}
    assert user.post("/fsCache", json=cache_cfg).status_code == 201
    pipelines = []
    for _ in range(2):
        text = CACHED_YAML.format(name=unique("cp"), fs=fs)
        r = user.post("/pipeline", json={"yamlRaw": b64(text)})
        assert r.status_code == 201, r.text
        pipelines.append(r.json()["pipelineID"])
    ppl_text = user.get(f"/pipeline/{pipelines[0]}/1").json()["pipelineVersion"]["pipelineYaml"]
    assert user.post(f"/pipeline/{pipelines[0]}", json={"yamlRaw": b64(ppl_text)}).status_code == 201
    # two runs with different parameters: two cache records, two artifact events
    runs = [
        user.post("/run", json={"runYamlRaw": b64(CACHED_YAML.format(name=f"r{i}", fs=fs))}).json()["runID"]
        for i in range(2)
    ]
    for rid in runs:
        wait_for(lambda rid=rid: user.get(f"/run/{rid}").json()["status"] in FINAL)
    body = {"pipelineID": pipelines[1], "pipelineVersionID": "1", "crontab": "@every 1s"}
    ticking = user.post("/schedule", json={**body, "name": unique("cs")}).json()["scheduleID"]
    wait_for(lambda: len(user.get(f"/schedule/{ticking}").json()["runs"]["runList"]) >= 2)
    assert user.put(f"/schedule/{ticking}").status_code == 200
    idle = {**body, "name": unique("cs"), "crontab": "0 0 1 1 *"}
    assert user.post("/schedule", json=idle).status_code == 201
    jobs = []
    for q in queues:
        job = {"schedulingPolicy": {"queue": q}, "image": "busybox", "command": "echo job"}
        r = user.post("/job/single", json=job)
        assert r.status_code == 200, r.text
        jobs.append(r.json()["id"])
    return {
        "root": root,
        "user": user,
        "fs": fs,
        "link_fs": link_fs,
        "pipeline": pipelines[0],
        "schedule": ticking,
        "runs": runs,
        "jobs": jobs,
    }


# (route, who lists it, list key, item id key, default page size echoed)
LISTS: list[tuple[str, str, str, str]] = [
    ("/user", "root", "userList", "name"),
    ("/queue", "root", "queueList", "name"),
    ("/grant", "root", "grantList", "grantID"),
    ("/flavour", "root", "flavourList", "name"),
    ("/cluster", "root", "clusterList", "clusterName"),
    ("/run", "user", "runList", "runID"),
    ("/runCache", "user", "runCacheList", "cacheID"),
    ("/artifact", "user", "artifactEventList", "artifactPath"),
    ("/pipeline", "user", "pipelineList", "pipelineID"),
    ("/pipeline/{pipeline}", "user", "pplVersions.pplVersionList", "pipelineVersionID"),
    ("/schedule", "user", "scheduleList", "scheduleID"),
    ("/schedule/{schedule}", "user", "runs.runList", "runID"),
    ("/job", "user", "jobList", "id"),
]


def _page(body: dict[str, Any], key: str) -> tuple[dict[str, Any], list[Any]]:
    """The paging envelope and its items (``runs.runList`` lives one level down)."""
    *outer, last = key.split(".")
    for part in outer:
        body = body[part]
    return body, body[last] or []


@pytest.mark.parametrize(("route", "who", "key", "id_key"), LISTS, ids=[x[0] for x in LISTS])
def test_marker_pagination_on_every_list_route(
    world: dict[str, Any], route: str, who: str, key: str, id_key: str
) -> None:
    api: Api = world[who]
    path = route.format(**world)
    users = route == "/user"  # the server never sets maxKeys in the user list
    env, items = _page(api.get(path).json(), key)
    assert env["maxKeys"] == (0 if users else 50)
    all_at_once = [x[id_key] for x in _page(api.get(path, params={"maxKeys": 1000}).json(), key)[1]]
    assert len(all_at_once) >= 2
    seen: list[Any] = []
    marker: str | None = None
    for _ in range(len(all_at_once) + 2):
        env, items = _page(api.get(path, params={"maxKeys": 1, "marker": marker}).json(), key)
        assert len(items) <= 1 and env["maxKeys"] == (0 if users else 1)
        seen += [x[id_key] for x in items]
        assert env["isTruncated"] == ("nextMarker" in env)
        if not env["isTruncated"]:
            break
        marker = env["nextMarker"]
        assert isinstance(marker, str) and marker
    else:
        pytest.fail(f"{path}: paging never ended")
    assert seen == all_at_once  # every item once, in the server's order
    for bad in ("0", "1001", "x"):
        assert_error(api.get(path, params={"maxKeys": bad}), 400, "InvalidURI")
    assert_error(api.get(path, params={"marker": "not a marker!"}), 400, "InvalidMarker")


def test_fs_and_link_lists_use_their_own_scheme(world: dict[str, Any]) -> None:
    user = world["user"]
    for path, key in (("/fs", "fsList"), (f"/link/{world['link_fs']}", "linkList")):
        body = user.get(path).json()
        assert set(body) == {"marker", "truncated", "nextMarker", key}, body
        assert body["truncated"] is False and body["nextMarker"] == ""


# (name, request, object extractor, keys the SDK reads with [])
SHAPES: list[tuple[str, Callable[[dict[str, Any]], requests.Response], Callable[[Any], Any], set[str]]] = [
    (
        "queue_list_item",
        lambda w: w["root"].get("/queue"),
        lambda b: b["queueList"][0],
        {"name", "namespace", "status", "clusterName", "quotaType", "maxResources", "minResources"},
    ),
    (
        "queue",
        lambda w: w["root"].get("/queue/default-queue"),
        lambda b: b,
        {"name", "namespace", "status", "clusterName", "quotaType", "maxResources", "minResources"}
        | {"usedResources", "idleResources", "location", "createTime", "updateTime"},
    ),
    (
        "user",
        lambda w: w["root"].get("/user"),
        lambda b: b["userList"][0],
        {"name", "createTime"},
    ),
    (
        "grant",
        lambda w: w["root"].get("/grant"),
        lambda b: b["grantList"][0],
        {"grantID", "userName", "resourceType", "resourceID", "createTime", "updateTime"},
    ),
    (
        "flavour",
        lambda w: w["root"].get("/flavour/flavour1"),
        lambda b: b,
        {"id", "name", "cpu", "mem", "scalarResources", "createTime", "updateTime"},
    ),
    (
        "cluster",
        lambda w: w["root"].get("/cluster/default-cluster"),
        lambda b: b,
        {"id", "clusterName", "description", "endpoint", "source", "clusterType", "version", "status"}
        | {"credential", "setting", "namespaceList", "createTime", "updateTime"},
    ),
    (
        "fs",
        lambda w: w["user"].get(f"/fs/{w['fs']}"),
        lambda b: b,
        {"id", "name", "serverAddress", "type", "subPath", "username", "properties"},
    ),
    (
        "link",
        lambda w: w["user"].get(f"/link/{w['link_fs']}"),
        lambda b: b["linkList"][0],
        {"fsName", "fsPath", "serverAddress", "type", "username", "subPath", "properties"},
    ),
    (
        "fs_cache",
        lambda w: w["user"].get(f"/fsCache/{w['fs']}"),
        lambda b: b,
        {"cacheDir", "metaDriver", "blockSize", "fsName", "username"},
    ),
    (
        "pipeline_version",
        lambda w: w["user"].get(f"/pipeline/{w['pipeline']}/1"),
        lambda b: {**b["pipeline"], **b["pipelineVersion"]},
        {"pipelineID", "name", "desc", "username", "createTime", "updateTime"}
        | {"pipelineVersionID", "fsName", "yamlPath", "pipelineYaml"},
    ),
    (
        "schedule",
        lambda w: w["user"].get(f"/schedule/{w['schedule']}"),
        lambda b: b,
        {"scheduleID", "name", "desc", "pipelineID", "pipelineVersionID", "username", "fsConfig"}
        | {"crontab", "options", "startTime", "endTime", "createTime", "updateTime", "nextRunTime"}
        | {"scheduleMsg", "status", "runs"},
    ),
    (
        "run_cache",
        lambda w: w["user"].get("/runCache"),
        lambda b: b["runCacheList"][0],
        {"cacheID", "firstFp", "secondFp", "runID", "source", "jobID", "fsname", "username"}
        | {"expiredTime", "strategy", "custom", "createTime", "updateTime"},
    ),
    (
        "artifact",
        lambda w: w["user"].get("/artifact"),
        lambda b: b["artifactEventList"][0],
        {"runID", "fsname", "username", "artifactPath", "step", "jobID", "type", "artifactName"}
        | {"meta", "createTime", "updateTime"},
    ),
    (
        "job",
        lambda w: w["user"].get(f"/job/{w['jobs'][0]}"),
        lambda b: b,
        {"id", "name", "labels", "annotations", "schedulingPolicy", "flavour", "fs", "extraFS", "image"}
        | {"env", "command", "args", "port", "extensionTemplate", "status", "message", "acceptTime"}
        | {"startTime", "finishTime"},
    ),
    (
        "run_log",
        lambda w: w["user"].get(f"/log/run/{w['runs'][0]}"),
        lambda b: {**b, **b["runLog"][0], **b["runLog"][0]["taskList"][0]["logInfo"]},
        {"submitLog", "runLog", "runID", "jobID", "taskList", "logContent", "hasNextPage", "truncated"},
    ),
]


@pytest.mark.parametrize(("name", "call", "pick", "keys"), SHAPES, ids=[s[0] for s in SHAPES])
def test_objects_carry_every_key_the_sdk_indexes(
    world: dict[str, Any], name: str, call: Callable[..., Any], pick: Callable[[Any], Any], keys: set[str]
) -> None:
    r = call(world)
    assert r.status_code == 200, r.text
    obj = pick(r.json())
    assert keys <= set(obj), keys - set(obj)


@pytest.mark.slow
def test_many_clients_writing_at_once_get_unique_ids_and_lose_nothing(root: Api) -> None:
    stats_before = requests.get(root.base + "/_emulator/stats", timeout=5).json()
    tag = unique("par")
    yaml_text = "name: par\ndocker_env: busybox\nentry_points:\n  a:\n    command: echo par\n"

    def one(i: int) -> tuple[str, str, str, str]:
        api = Api(root.base, password=root.password)  # a separate client (own connection pool) per task
        user, queue = f"{tag}{i:03d}"[-16:], f"{tag}-{i:03d}".lower()
        r1 = api.post("/user", json={"username": user, "password": "pass1234"})
        body = {"name": queue, "namespace": "default", "maxResources": {"cpu": "1", "mem": "1Gi"}}
        r2 = api.post("/queue", json=body)
        r3 = api.post("/run", json={"runYamlRaw": b64(yaml_text), "name": f"{tag}_{i}"})
        r4 = Api(root.base, user, "pass1234").post(
            "/pipeline", json={"yamlRaw": b64(yaml_text.replace("name: par", f"name: {tag}p{i}"))}
        )
        assert (r1.status_code, r2.status_code, r3.status_code, r4.status_code) == (200, 200, 201, 201)
        return user, queue, r3.json()["runID"], r4.json()["pipelineID"]

    n = 24
    with ThreadPoolExecutor(8) as pool:
        made = list(pool.map(one, range(n)))
    users, queues, runs, pipelines = (list(x) for x in zip(*made, strict=True))
    assert len(set(runs)) == n and len(set(pipelines)) == n
    listed_users = {u["name"] for u in root.get("/user", params={"maxKeys": 1000}).json()["userList"]}
    assert set(users) <= listed_users
    listed_queues = {q["name"] for q in root.get("/queue", params={"maxKeys": 1000}).json()["queueList"]}
    assert set(queues) <= listed_queues
    listed_runs = root.get("/run", params={"maxKeys": 1000, "runFilter": ",".join(runs)}).json()["runList"]
    assert sorted(r["runID"] for r in listed_runs) == sorted(runs)
    for rid in runs:
        wait_for(lambda rid=rid: root.get(f"/run/{rid}").json()["status"] == "succeeded")
    stats_after = requests.get(root.base + "/_emulator/stats", timeout=5).json()
    assert stats_after["pipelines_created"] - stats_before.get("pipelines_created", 0) >= n
    for user, queue in zip(users, queues, strict=True):
        root.delete(f"/user/{user}")
        root.delete(f"/queue/{queue}")
