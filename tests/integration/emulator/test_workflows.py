"""Workflow features seen through the API: cache hits and records, conditions, loops, post-process,
disabled steps, artifacts and the delete-with-checkCache rule."""

from __future__ import annotations

from typing import Any

from emulator_testlib import Api, assert_error, b64, unique, wait_for

FINAL = ("succeeded", "failed", "terminated", "skipped")


def run(api: Api, yaml_text: str, **body: Any) -> dict[str, Any]:
    r = api.post("/run", json={"runYamlRaw": b64(yaml_text), **body})
    assert r.status_code == 201, r.text
    rid = r.json()["runID"]
    return dict(wait_for(lambda: (d := api.get(f"/run/{rid}").json())["status"] in FINAL and d, timeout=60))


def make_fs(api: Api) -> str:
    name = unique("wfs")
    assert api.post("/fs", json={"name": name, "url": f"local://{name}"}).status_code == 201
    return name


def test_cache_hit_records_and_delete_check(root: Api, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    fs = make_fs(user)
    yaml_text = (
        f"name: cached\ndocker_env: busybox\nfs_options:\n  main_fs: {{name: {fs}}}\n"
        "cache:\n  enable: true\n  max_expired_time: -1\n"
        "entry_points:\n  produce:\n    command: echo produced > {{out}}\n"
        "    artifacts:\n      output: [out]\n"
    )
    first = run(user, yaml_text)
    assert first["status"] == "succeeded", first["runMsg"]
    second = run(user, yaml_text)
    step = second["runtime"]["produce"][0]
    assert second["status"] == "succeeded"
    assert step["cacheRunID"] == first["runID"] and step["jobID"] == ""
    records = user.get("/runCache", params={"runFilter": first["runID"]}).json()["runCacheList"]
    assert len(records) == 1 and records[0]["cacheID"].startswith("cch-")
    assert set(records[0]) >= {
        "cacheID",
        "firstFp",
        "secondFp",
        "runID",
        "source",
        "jobID",
        "fsname",
        "username",
        "expiredTime",
        "strategy",
        "custom",
        "createTime",
        "updateTime",
    }
    cid = records[0]["cacheID"]
    assert user.get(f"/runCache/{cid}").json()["runID"] == first["runID"]
    other = make_user()
    assert_error(other.get(f"/runCache/{cid}"), 403, "AccessDenied")
    assert other.get("/runCache").json()["runCacheList"] == []
    assert_error(user.get("/runCache", params={"maxKeys": 5000}), 400, "InvalidURI")
    # the cached run now lists its user; deleting it is refused while that user exists
    assert user.get(f"/run/{first['runID']}").json()["runCachedIDs"] == second["runID"]
    assert_error(user.delete(f"/run/{first['runID']}"), 403, "ActionNotAllowed")
    assert user.delete(f"/run/{first['runID']}", json={"checkCache": False}).text == ""
    # artifacts recorded
    arts = user.get("/artifact", params={"runFilter": first["runID"]}).json()["artifactEventList"]
    assert arts and arts[0]["artifactName"] == "out" and arts[0]["type"] == "output"
    assert user.delete(f"/runCache/{cid}").text == ""
    assert_error(user.get(f"/runCache/{cid}"), 404, "RunCacheNotFound")


def test_condition_loop_disabled_and_post_process(root: Api) -> None:
    yaml_text = (
        "name: features\ndocker_env: busybox\n"
        "entry_points:\n"
        "  gate:\n    parameters: {num: -1}\n    condition: '{{num}} > 0'\n    command: echo never\n"
        "  looped:\n    loop_argument: [1, 2, 3]\n    command: echo item-{{PF_LOOP_ARGUMENT}}\n"
        "  muted:\n    command: echo muted\n"
        "post_process:\n  finish:\n    command: echo post\n"
    )
    d = run(root, yaml_text, disabled="muted")
    assert d["status"] == "succeeded", d["runMsg"]
    assert d["runtime"]["gate"][0]["status"] == "skipped"
    assert [v["status"] for v in d["runtime"]["looped"]] == ["succeeded"] * 3
    assert d["runtime"]["muted"][0]["status"] == "skipped"
    assert d["postProcess"]["finish"]["status"] == "succeeded"
    logs = root.get(f"/log/run/{d['runID']}").json()["runLog"]
    text = "".join(e["taskList"][0]["logInfo"]["logContent"] for e in logs)
    assert all(f"item-{i}" in text for i in (1, 2, 3)) and "post" in text and "never" not in text


def test_post_process_runs_after_failure_with_continue(root: Api) -> None:
    yaml_text = (
        "name: fopp\ndocker_env: busybox\nfailure_options: {strategy: continue}\n"
        "entry_points:\n"
        "  step1:\n    command: echo 1\n  step2:\n    deps: step1\n    command: echo 2\n"
        "  step4:\n    command: exit 1\n  step5:\n    deps: step4\n    command: echo 5\n"
        "post_process:\n  step6:\n    command: echo 6\n"
    )
    d = run(root, yaml_text)
    rt = d["runtime"]
    assert d["status"] == "failed"
    assert rt["step2"][0]["status"] == "succeeded" and rt["step5"][0]["status"] == "cancelled"
    assert d["postProcess"]["step6"]["status"] == "succeeded"
    assert "step4" in d["runMsg"]


def test_parameters_override_and_dag(root: Api) -> None:
    yaml_text = (
        "name: dagged\ndocker_env: busybox\n"
        "entry_points:\n"
        "  outer:\n    parameters: {p: 1}\n    entry_points:\n"
        "      inner:\n        parameters: {q: '{{PF_PARENT.p}}'}\n        command: echo q={{q}}\n"
    )
    d = run(root, yaml_text, parameters={"outer.p": 7})
    assert d["status"] == "succeeded", d["runMsg"]
    dag = d["runtime"]["outer"][0]
    assert dag["type"] == "dag" and dag["id"].startswith(f"dag-{d['runID']}-")
    inner = dag["entryPoints"]["inner"][0]
    log = root.get(f"/log/run/{d['runID']}", params={"jobID": inner["jobID"]}).json()["runLog"][0]
    assert "q=7" in log["taskList"][0]["logInfo"]["logContent"]
    assert_error(
        root.post("/run", json={"runYamlRaw": b64(yaml_text), "parameters": {"nope": 1}}),
        400,
        "InvalidPipeline",
    )


def test_closed_queue_refuses_new_steps(root: Api) -> None:
    name = unique("cq").lower()
    root.post(
        "/queue", json={"name": name, "namespace": "default", "maxResources": {"cpu": "2", "mem": "2Gi"}}
    )
    root.put(f"/queue/{name}", params={"action": "close"})
    yaml_text = (
        f"name: closedq\ndocker_env: busybox\nentry_points:\n  a:\n    command: echo\n"
        f"    env: {{PF_JOB_QUEUE_NAME: {name}}}\n"
    )
    d = run(root, yaml_text)
    assert d["status"] == "failed"
    assert "closed" in d["runtime"]["a"][0]["jobMessage"]
