"""The standalone job API (api §7.11, §8.9) over HTTP: jobs really run their command as local processes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator_testlib import Api, assert_error, unique, wait_for

IMMUTABLE = ("succeeded", "failed", "terminated")
QUEUE = {"queue": "default-queue"}


def _wait_final(api: Api, job_id: str) -> dict[str, Any]:
    return wait_for(
        lambda: (j := api.get(f"/job/{job_id}").json()).get("status") in IMMUTABLE and j, timeout=30
    )


def _log(api: Api, job_id: str) -> list[str]:
    r = api.get("/log/job", params={"jobID": job_id, "clusterName": "default-cluster"})
    assert r.status_code == 200, r.text
    return [task["logInfo"]["logContent"] for task in r.json()["taskList"]]


def test_single_job_runs_its_command_with_logs_statistics_and_list(root: Api) -> None:
    body = {
        "schedulingPolicy": {**QUEUE, "priority": "high"},
        "image": "busybox",
        "name": "hello",
        "labels": {"team": unique("t")},
        "command": "printf '%s|' \"hello from $PF_JOB_QUEUE_NAME\"",  # args come after, as quoted words
        "args": ["two words"],
        "flavour": {"name": "flavour1"},
    }
    r = root.post("/job/single", json=body)
    assert r.status_code == 200, r.text
    job_id = r.json()["id"]
    assert job_id.startswith("job-") and len(job_id) == 20
    job = _wait_final(root, job_id)
    assert job["status"] == "succeeded", job["message"]
    assert job["UserName"] == "root" and job["name"] == "hello" and job["framework"] == "standalone"
    assert job["schedulingPolicy"] == {"queue": "default-queue", "priority": "HIGH"}
    assert job["flavour"]["name"] == "flavour1" and job["args"] == ["two words"]
    assert job["acceptTime"] and job["startTime"] and job["finishTime"]
    assert job["runtime"]["status"] == "succeeded" and "distributedRuntime" not in job
    assert not any(key.startswith("_") for key in job)
    (content,) = _log(root, job_id)
    assert content.splitlines()[-1].split(" ", 1)[1] == "hello from default-queue|two words|"
    metrics = root.get(f"/statistics/job/{job_id}").json()["metricsInfo"]
    assert set(metrics) == {"cpu_usage_rate", "memory_usage_rate", "memory_usage"}
    listed = root.get("/job", params={"labels": f'{{"team": "{body["labels"]["team"]}"}}'}).json()
    assert [j["id"] for j in listed["jobList"]] == [job_id]
    assert "runtime" not in listed["jobList"][0]
    assert (
        root.get(
            "/job", params={"status": "failed", "labels": f'{{"team": "{body["labels"]["team"]}"}}'}
        ).json()["jobList"]
        == []
    )
    assert root.delete(f"/job/{job_id}").text == ""
    assert_error(root.get(f"/job/{job_id}"), 404, "JobNotFound")


def test_stop_modify_and_delete_rules(root: Api) -> None:
    job_id = unique("sleeper").lower()
    body = {"schedulingPolicy": QUEUE, "image": "busybox", "id": job_id, "command": "sleep 30"}
    assert root.post("/job/single", json=body).json() == {"id": job_id}
    assert_error(root.post("/job/single", json=body), 400, "JobCreateFailed")  # the id is taken
    wait_for(lambda: root.get(f"/job/{job_id}").json()["status"] == "running")
    assert_error(root.delete(f"/job/{job_id}"), 403, "ActionNotAllowed")
    assert_error(root.put(f"/job/{job_id}", params={"action": "pause"}), 403, "ActionNotAllowed")
    assert_error(
        root.put(f"/job/{job_id}", params={"action": "modify"}, json={"priority": "urgent"}),
        400,
        "InvalidArguments",
    )
    r = root.put(
        f"/job/{job_id}", params={"action": "modify"}, json={"priority": "very_high", "labels": {"a": "b"}}
    )
    assert r.status_code == 200 and r.text == ""
    shown = root.get(f"/job/{job_id}").json()
    assert shown["schedulingPolicy"]["priority"] == "VERY_HIGH" and shown["labels"] == {"a": "b"}
    assert root.put(f"/job/{job_id}", params={"action": "stop"}).text == ""
    job = _wait_final(root, job_id)
    assert job["status"] == "terminated"
    stop_again = root.put(f"/job/{job_id}", params={"action": "stop"})
    assert stop_again.status_code == 500 and stop_again.json()["code"] == ""
    assert root.delete(f"/job/{job_id}").status_code == 200


def test_create_checks_and_permissions(root: Api, make_user: Callable[..., Api]) -> None:
    base = {"schedulingPolicy": QUEUE, "image": "busybox", "command": "true"}
    bad = [
        {**base, "schedulingPolicy": {}},
        {**base, "schedulingPolicy": {"queue": unique("noq")}},
        {**base, "schedulingPolicy": {**QUEUE, "priority": "urgent"}},
        {**base, "image": ""},
        {**base, "id": "Not_A_Label"},
        {**base, "framework": "paddle"},
        {**base, "flavour": {"name": unique("nof")}},
    ]
    for body in bad:
        assert_error(root.post("/job/single", json=body), 400, "JobCreateFailed")
    assert_error(root.post("/job/workflow", json=base), 400, "JobCreateFailed")
    assert_error(root.post("/job/distributed", json={**base, "framework": "paddle"}), 400, "JobCreateFailed")
    user = make_user()
    assert_error(user.post("/job/single", json=base), 400, "JobCreateFailed")  # no grant on the queue
    job_id = root.post("/job/single", json=base).json()["id"]
    assert_error(user.get(f"/job/{job_id}"), 403, "ActionNotAllowed")
    assert_error(user.delete(f"/job/{job_id}"), 403, "ActionNotAllowed")
    assert job_id not in [j["id"] for j in user.get("/job").json()["jobList"]]
    assert_error(root.get("/job", params={"queue": unique("noq")}), 400, "QueueNameNotFound")
    assert_error(root.get("/job", params={"labels": "not json"}), 400, "InvalidURI")
    assert_error(root.get("/job", params={"timestamp": "yesterday"}), 400, "InvalidURI")
    assert_error(root.get("/job/job-unknown0000000"), 404, "JobNotFound")
    _wait_final(root, job_id)


def test_distributed_job_runs_every_replica_and_fails_with_one(root: Api) -> None:
    def member(role: str, replicas: int, command: str) -> dict[str, Any]:
        return {"role": role, "replicas": replicas, "image": "busybox", "command": command}

    body = {
        "schedulingPolicy": QUEUE,
        "framework": "paddle",
        "members": [member("master", 1, "echo master"), member("worker", 2, "echo worker")],
    }
    job_id = root.post("/job/distributed", json=body).json()["id"]
    job = _wait_final(root, job_id)
    assert job["status"] == "succeeded", job["message"]
    runtimes = job["distributedRuntime"]["runtimes"]
    assert sorted(rt["name"] for rt in runtimes) == [
        f"{job_id}-master-0",
        f"{job_id}-worker-0",
        f"{job_id}-worker-1",
    ]
    assert [m["role"] for m in job["members"]] == ["master", "worker"] and job["image"] == ""
    assert sorted(c.split(" ", 1)[1].strip() for c in _log(root, job_id)) == ["master", "worker", "worker"]
    body["members"] = [member("master", 1, "sleep 30"), member("worker", 1, "exit 3")]
    failing = root.post("/job/distributed", json=body).json()["id"]
    job = _wait_final(root, failing)
    assert job["status"] == "failed" and "exit code 3" in job["message"]


def test_queue_rules_for_jobs(root: Api, make_user: Callable[..., Api]) -> None:
    name = unique("jq").lower()
    queue = {"name": name, "namespace": "default", "maxResources": {"cpu": "2", "mem": "2Gi"}}
    assert root.post("/queue", json=queue).status_code == 200
    body = {"schedulingPolicy": {"queue": name}, "image": "busybox", "command": "sleep 30"}
    user = make_user()
    assert root.post("/grant", json={"username": user.user, "resourceType": "queue", "resourceID": name}).ok
    job_id = user.post("/job/single", json=body).json()["id"]  # granted: allowed
    wait_for(lambda: user.get(f"/job/{job_id}").json()["status"] == "running")
    assert [j["id"] for j in user.get("/job", params={"queue": name}).json()["jobList"]] == [job_id]
    assert_error(root.delete(f"/queue/{name}"), 400, "QueueIsInUse")
    assert user.put(f"/job/{job_id}", params={"action": "stop"}).status_code == 200
    assert _wait_final(user, job_id)["status"] == "terminated"
    root.put(f"/queue/{name}", params={"action": "close"})
    refused = assert_error(root.post("/job/single", json=body), 400, "JobCreateFailed")
    assert "closed" in refused["message"]
