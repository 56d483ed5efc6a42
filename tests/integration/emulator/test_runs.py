"""Run lifecycle over HTTP: create from each source, show/list shapes, stop, retry, delete, logs, cache."""

from __future__ import annotations

from typing import Any

from emulator_testlib import Api, assert_error, b64, unique, wait_for

FINAL = ("succeeded", "failed", "terminated", "skipped")


def run_yaml(name: str, steps: str, extra: str = "") -> str:
    return f"name: {name}\ndocker_env: busybox\n{extra}entry_points:\n{steps}"


def create(api: Api, yaml_text: str, **body: Any) -> str:
    r = api.post("/run", json={"runYamlRaw": b64(yaml_text), **body})
    assert r.status_code == 201, r.text
    return str(r.json()["runID"])


def wait_final(api: Api, run_id: str, timeout: float = 60) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        d = api.get(f"/run/{run_id}").json()
        return d if d["status"] in FINAL else None

    return dict(wait_for(done, timeout))


def steps_of(detail: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for name, views in detail["runtime"].items():
        for v in views:
            out[name if len(views) == 1 else v["name"]] = v
    return out


def test_hello_run_succeeds_with_full_detail_and_logs(root: Api) -> None:
    rid = create(root, run_yaml("hello", "  say-hi:\n    command: sleep 0.3; echo hello-from-step\n"))
    assert rid.startswith("run-")
    detail = wait_final(root, rid)
    expected = {
        "runID",
        "name",
        "source",
        "username",
        "fsName",
        "fsOptions",
        "description",
        "parameters",
        "runYaml",
        "runtime",
        "postProcess",
        "failureOptions",
        "dockerEnv",
        "disabled",
        "scheduleID",
        "runMsg",
        "status",
        "runCachedIDs",
        "createTime",
        "activateTime",
        "updateTime",
    }
    assert expected <= set(detail)
    assert detail["status"] == "succeeded" and detail["username"] == "root"
    assert detail["failureOptions"] == {"strategy": "fail_fast"} and len(detail["source"]) == 32
    step = detail["runtime"]["say-hi"][0]
    assert step["status"] == "succeeded" and step["jobID"].startswith(f"job-{rid}-say-hi-")
    log = root.get(f"/log/run/{rid}").json()
    assert log["runID"] == rid and "submitLog" in log
    [entry] = log["runLog"]
    assert entry["jobID"] == step["jobID"]
    assert "hello-from-step" in entry["taskList"][0]["logInfo"]["logContent"]
    only = root.get(
        f"/log/run/{rid}", params={"jobID": step["jobID"], "pageSize": 1, "logFilePosition": "begin"}
    )
    assert len(only.json()["runLog"]) == 1
    assert_error(root.get(f"/log/run/{rid}", params={"pageSize": 101}), 400, "InvalidURI")
    assert_error(root.get(f"/log/run/{rid}", params={"logFilePosition": "middle"}), 400, "InvalidURI")
    assert_error(root.get(f"/log/run/{rid}", params={"pageNo": "x"}), 400, "InvalidURI")
    stats = root.get(f"/statistics/job/{step['jobID']}")
    metrics = stats.json()["metricsInfo"]
    assert stats.status_code == 200 and set(metrics) == {
        "cpu_usage_rate",
        "memory_usage_rate",
        "memory_usage",
    }
    # the step's own shell, not the image of the server it was started from
    assert 0 < float(metrics["memory_usage"].removesuffix("(Bytes)")) < 32 * 1024 * 1024
    detail_stats = root.get(f"/statistics/jobDetail/{step['jobID']}").json()
    assert set(detail_stats) == {"result", "truncated"}
    assert_error(root.get("/statistics/job/job-run-999999-x-1234abcd"), 404, "JobNotFound")


def test_create_errors(root: Api) -> None:
    assert_error(root.post("/run", json={"runYamlRaw": "%%%"}), 400, "MalformedYaml")
    assert_error(
        root.post("/run", json={"runYamlRaw": b64("name: x\nentry_points: [1]\n")}), 400, "InvalidPipeline"
    )
    assert_error(root.post("/run", json={}), 400, "InvalidArguments")
    assert_error(
        root.post("/run", json={"fsname": "nope", "runYamlPath": "./run.yaml"}), 400, "InvalidArguments"
    )
    assert_error(
        root.post(
            "/run", json={"runYamlRaw": b64(run_yaml("ok", "  a:\n    command: echo\n")), "name": "bad name!"}
        ),
        400,
        "InvalidNamePattern",
    )
    assert_error(root.post("/run", json={"pipelineID": "ppl-999999"}), 404, "PipelineNotFound")
    assert_error(root.post("/run", data=b"{"), 400, "MalformedJSON")


def test_step_failure_fail_fast_and_continue(root: Api) -> None:
    steps = (
        "  bad:\n    command: exit 3\n"
        "  slow:\n    command: sleep 30\n"
        "  after:\n    deps: bad\n    command: echo after\n"
    )
    rid = create(root, run_yaml("ff", steps))
    d = wait_final(root, rid)
    s = steps_of(d)
    assert d["status"] == "failed"
    assert s["bad"]["status"] == "failed" and s["slow"]["status"] == "terminated"
    assert s["after"]["status"] == "cancelled"
    rid = create(
        root,
        run_yaml(
            "cont",
            "  bad:\n    command: exit 3\n  other:\n    command: echo ok\n"
            "  after:\n    deps: bad\n    command: echo after\n",
        ),
        failureOptions={"strategy": "continue"},
    )
    d = wait_final(root, rid)
    s = steps_of(d)
    assert (
        d["status"] == "failed"
        and s["other"]["status"] == "succeeded"
        and s["after"]["status"] == "cancelled"
    )


def test_stop_then_retry_keeps_succeeded_steps_and_delete_rules(root: Api, make_user) -> None:  # type: ignore[no-untyped-def]
    steps = "  first:\n    command: echo one\n  second:\n    deps: first\n    command: sleep 30\n"
    rid = create(root, run_yaml("stoppable", steps))
    wait_for(lambda: steps_of(root.get(f"/run/{rid}").json()).get("second", {}).get("status") == "running")
    assert_error(root.delete(f"/run/{rid}"), 403, "ActionNotAllowed")
    assert_error(root.put(f"/run/{rid}", params={"action": "retry"}), 403, "ActionNotAllowed")
    other = make_user()
    assert_error(
        other.put(f"/run/{rid}", params={"action": "stop"}, json={"stopForce": False}), 403, "AccessDenied"
    )
    r = root.put(f"/run/{rid}", params={"action": "stop"}, json={"stopForce": False})
    assert r.status_code == 200 and r.text == ""
    d = wait_final(root, rid)
    assert d["status"] == "terminated"
    assert_error(root.put(f"/run/{rid}", params={"action": "stop"}, json={}), 403, "ActionNotAllowed")
    assert_error(root.put(f"/run/{rid}", params={"action": "jump"}), 400, "InvalidArguments")
    old_first = steps_of(d)["first"]
    r = root.put(f"/run/{rid}", params={"action": "retry"})
    assert r.status_code == 200
    new = r.json()["runID"]
    assert new != rid
    wait_for(lambda: steps_of(root.get(f"/run/{new}").json()).get("second", {}).get("status") == "running")
    kept = steps_of(root.get(f"/run/{new}").json())["first"]
    assert kept["jobID"] == old_first["jobID"] and kept["status"] == "succeeded"
    root.put(f"/run/{new}", params={"action": "stop"}, json={"stopForce": True})
    wait_final(root, new)
    assert root.delete(f"/run/{rid}", json={"checkCache": None}).text == ""
    assert_error(root.get(f"/run/{rid}"), 404, "RunNotFound")
    assert_error(other.get(f"/run/{new}"), 403, "AccessDenied")
    assert_error(other.delete(f"/run/{new}"), 403, "AccessDenied")


def test_list_filters_and_visibility(root: Api, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    name = unique("lst")
    rid = create(user, run_yaml("x", "  a:\n    command: echo\n"), name=name)
    wait_final(user, rid)
    mine = user.get("/run", params={"userFilter": "root"}).json()["runList"]
    assert {r["username"] for r in mine} == {user.user}
    brief = next(r for r in mine if r["runID"] == rid)
    assert set(brief) == {
        "runID",
        "name",
        "source",
        "username",
        "fsName",
        "description",
        "scheduleID",
        "runMsg",
        "status",
        "scheduledTime",
        "createTime",
        "activateTime",
        "updateTime",
    }
    by_name = root.get("/run", params={"nameFilter": name}).json()["runList"]
    assert [r["runID"] for r in by_name] == [rid]
    assert root.get("/run", params={"nameFilter": name, "statusFilter": "running"}).json()["runList"] == []
    page = root.get("/run", params={"maxKeys": 1}).json()
    assert page["isTruncated"] and page["nextMarker"]
    assert_error(root.get("/run", params={"maxKeys": 0}), 400, "InvalidURI")


def test_run_from_pipeline_and_fs_path(root: Api, make_user, paddleflow_emulator) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    pname = unique("pr")
    pid = user.post("/pipeline", json={"yamlRaw": b64(run_yaml(pname, "  a:\n    command: echo p\n"))}).json()
    r = user.post("/run", json={"pipelineID": pid["pipelineID"], "pipelineVersionID": "1"})
    assert r.status_code == 201
    rid = r.json()["runID"]
    d = wait_final(user, rid)
    assert d["source"] == f"{pid['pipelineID']}-1" and d["status"] == "succeeded"
    other = make_user()
    assert_error(other.post("/run", json={"pipelineID": pid["pipelineID"]}), 403, "AccessDenied")
    fs = unique("rfs")
    assert user.post("/fs", json={"name": fs, "url": f"local://{fs}"}).status_code == 201
    folder = paddleflow_emulator.data_dir / "storage" / fs
    (folder / "run.yaml").write_text(run_yaml(unique("fsp"), "  w:\n    command: echo data > out.txt\n"))
    r = user.post("/run", json={"fsname": fs})
    assert r.status_code == 201, r.text
    d = wait_final(user, r.json()["runID"])
    assert d["status"] == "succeeded" and d["source"] == "./run.yaml" and d["fsName"] == fs
    assert (folder / "out.txt").read_text().strip() == "data"
    assert_error(other.post("/run", json={"fsname": fs}), 400, "InvalidArguments")


def test_log_by_limit_reads_head_or_tail(root: Api) -> None:
    rid = create(
        root, run_yaml("many-lines", "  talk:\n    command: for i in 1 2 3 4 5; do echo line$i; done\n")
    )
    job = wait_final(root, rid)["runtime"]["talk"][0]["jobID"]
    params = {"jobID": job, "clusterName": "default-cluster", "lineLimit": "2"}
    head = root.get("/log/job", params=params).json()
    info = head["taskList"][0]["logInfo"]
    assert head["jobID"] == job and "line1" in info["logContent"] and "line3" not in info["logContent"]
    assert info["hasNextPage"] is True
    tail = root.get("/log/job", params={**params, "readFromTail": "True"}).json()["taskList"][0]["logInfo"]
    assert "line5" in tail["logContent"] and "line1" not in tail["logContent"]
    assert_error(root.get("/log/job", params={"jobID": job}), 400, "InvalidURI")
    assert_error(root.get("/log/job", params={**params, "lineLimit": "x"}), 400, "InvalidURI")


def test_pipeline_yaml_storage_must_exist(root: Api) -> None:
    yaml_text = run_yaml(
        unique("nofs"), "  a:\n    command: echo\n", "fs_options:\n  main_fs: {name: ghostfs}\n"
    )
    assert_error(root.post("/pipeline", json={"yamlRaw": b64(yaml_text)}), 400, "InvalidArguments")
