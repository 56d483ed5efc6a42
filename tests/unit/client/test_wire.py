"""Recorded wire calls: what each client method must put on the wire (paddleflow-api.md section 7)
and the documented answer the loopback server replays. One row per call."""

from __future__ import annotations

import base64
from typing import Any

RUN_BRIEF = {
    "runID": "run-000001",
    "name": "r1",
    "source": "./run.yaml",
    "username": "root",
    "fsName": "fs1",
    "description": "d",
    "scheduleID": "",
    "runMsg": "",
    "status": "running",
    "scheduledTime": "",
    "createTime": "2024-03-25 16:16:03",
    "activateTime": "2024-03-25 16:16:04",
    "updateTime": "2024-03-25 16:16:10",
}
STEP = {
    "jobID": "job-run-000001-main-33a69d9b",
    "name": "run-000001-main",
    "type": "step",
    "stepName": "main",
    "parentDagID": "",
    "command": "echo hi",
    "parameters": {"p": "1"},
    "env": {},
    "extraFS": None,
    "startTime": "2024-03-25 16:16:05",
    "endTime": "",
    "status": "running",
    "deps": "",
    "dockerEnv": "img",
    "artifacts": {"input": {}, "output": {}},
    "cache": {"enable": False, "maxExpiredTime": "-1", "fsScope": None},
    "jobMessage": "",
    "cacheRunID": "",
    "cacheJobID": "",
}
DAG = {
    "id": "dag-run-000001-53c2e926b545dd23",
    "name": "dag-run-000001-d",
    "type": "dag",
    "dagName": "d",
    "parentDagID": "",
    "deps": "main",
    "parameters": {},
    "artifacts": {},
    "startTime": "",
    "endTime": "",
    "status": "pending",
    "message": "",
    "entryPoints": {"inner": [{**STEP, "jobID": "job-inner", "stepName": "inner"}]},
}
RUN_DETAIL = {
    **RUN_BRIEF,
    "fsOptions": {"mainFS": {"name": "fs1"}},
    "parameters": {"epoch": 1},
    "runYaml": "name: r1",
    "runtime": {"main": [STEP], "d": [DAG]},
    "postProcess": {"post": {**STEP, "jobID": "job-post"}},
    "failureOptions": {"strategy": "fail_fast"},
    "dockerEnv": "img",
    "disabled": "",
    "runCachedIDs": "",
}
QUEUE = {
    "id": "queue-48ec41bd",
    "name": "q1",
    "namespace": "default",
    "clusterName": "default-cluster",
    "quotaType": "elasticQuota",
    "maxResources": {"cpu": "20", "memory": "20Gi"},
    "minResources": {"cpu": "0", "memory": "0"},
    "location": {},
    "status": "open",
    "createTime": "2024-03-25 16:16:03",
    "updateTime": "2024-03-25 16:16:03",
}
FS = {
    "id": "fs-root-fs1",
    "name": "fs1",
    "serverAddress": "h:9000",
    "type": "hdfs",
    "subPath": "/p",
    "username": "root",
    "properties": {"user": "u"},
    "independentMountProcess": False,
}
LINK = {
    "fsName": "fs1",
    "fsPath": "/l",
    "serverAddress": "h:9000",
    "type": "hdfs",
    "username": "root",
    "subPath": "/x",
    "properties": {},
}
PPL = {
    "pipelineID": "ppl-000001",
    "name": "p1",
    "desc": "",
    "username": "root",
    "createTime": "t",
    "updateTime": "t",
}
PPL_VER = {
    "pipelineVersionID": "1",
    "pipelineID": "ppl-000001",
    "fsName": "fs1",
    "yamlPath": "./run.yaml",
    "pipelineYaml": "name: p1",
    "username": "root",
    "createTime": "t",
    "updateTime": "t",
}
SCHEDULE = {
    "scheduleID": "schedule-000001",
    "name": "s1",
    "desc": "",
    "pipelineID": "ppl-000001",
    "pipelineVersionID": "1",
    "username": "root",
    "fsConfig": {"username": "root"},
    "crontab": "*/5 * * * *",
    "options": {"catchup": True, "expireInterval": 0, "concurrency": 0, "concurrencyPolicy": "suspend"},
    "startTime": "",
    "endTime": "",
    "createTime": "t",
    "updateTime": "t",
    "nextRunTime": "t",
    "scheduleMsg": "",
    "status": "running",
}
CLUSTER = {
    "id": "cluster-05f3854d",
    "clusterName": "c1",
    "description": "",
    "endpoint": "https://k8s:6443",
    "source": "OnPremise",
    "clusterType": "Kubernetes",
    "version": "1.16",
    "status": "online",
    "credential": base64.b64encode(b"kubeconfig").decode(),
    "setting": "",
    "namespaceList": ["ns1"],
    "createTime": "t",
    "updateTime": "t",
}
CACHE = {
    "cacheID": "cch-000001",
    "firstFp": "a",
    "secondFp": "b",
    "runID": "run-000001",
    "source": "s",
    "jobID": "j",
    "fsname": "fs1",
    "username": "root",
    "expiredTime": "-1",
    "strategy": "conservative",
    "custom": "",
    "createTime": "t",
    "updateTime": "t",
}
ARTIFACT = {
    "runID": "run-000001",
    "fsname": "fs1",
    "username": "root",
    "artifactPath": "/a",
    "step": "main",
    "jobID": "j",
    "type": "output",
    "artifactName": "out",
    "meta": "",
    "createTime": "t",
    "updateTime": "t",
}
LOG = {
    "runID": "run-000001",
    "submitLog": "submitted",
    "runLog": [
        {
            "jobID": "job-1",
            "name": "n",
            "type": "",
            "eventList": None,
            "taskList": [
                {
                    "taskID": "t1",
                    "logInfo": {"logContent": "hello\n", "hasNextPage": True, "truncated": False},
                }
            ],
        },
        {"jobID": "job-2", "taskList": None},
    ],
}
YAML = b"name: p1\nentry_points:\n  main:\n    command: echo hi\n"
B64 = base64.b64encode(YAML).decode()


def page(key: str, items: list[Any], marker: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"maxKeys": 100, "isTruncated": bool(marker), key: items}
    if marker:
        data["nextMarker"] = marker
    return data


# (id, method, args, kwargs, (verb, path, query, body), (status, answer), check(response...))
ROWS: list[tuple[Any, ...]] = [
    (
        "add_user",
        "add_user",
        ("alice1", "abc123"),
        {},
        ("POST", "/user", {}, {"username": "alice1", "password": "abc123"}),
        (200, {"username": "alice1"}),
        lambda r: r is None,
    ),
    (
        "del_user",
        "del_user",
        ("alice1",),
        {},
        ("DELETE", "/user/alice1", {}, None),
        (200, None),
        lambda r: r is None,
    ),
    (
        "update_password",
        "update_password",
        ("alice1", "xyz789"),
        {},
        ("PUT", "/user/alice1", {}, {"password": "xyz789"}),
        (200, None),
        lambda r: r is None,
    ),
    (
        "list_user",
        "list_user",
        (),
        {},
        ("GET", "/user", {"maxKeys": "100"}, None),
        (200, {"maxKeys": 0, "isTruncated": False, "userList": [{"name": "alice1", "createTime": "2024"}]}),
        lambda r: r[0].name == "alice1" and r[0].create_time == "2024",
    ),
    (
        "list_user_null",
        "list_user",
        (),
        {"maxsize": 5},
        ("GET", "/user", {"maxKeys": "5"}, None),
        (200, {"maxKeys": 0, "isTruncated": False, "userList": None}),
        lambda r: r == [],
    ),
    (
        "grant_queue",
        "grant_queue",
        ("alice1", "q1"),
        {},
        ("POST", "/grant", {}, {"username": "alice1", "resourceType": "queue", "resourceID": "q1"}),
        (200, {"grantID": "grant-1"}),
        lambda r: r is None,
    ),
    (
        "ungrant_queue",
        "ungrant_queue",
        ("alice1", "q1"),
        {},
        ("DELETE", "/grant", {"username": "alice1", "resourceType": "queue", "resourceID": "q1"}, None),
        (200, None),
        lambda r: r is None,
    ),
    (
        "show_queue_grant",
        "show_queue_grant",
        ("alice1",),
        {},
        ("GET", "/grant", {"maxKeys": "100", "username": "alice1"}, None),
        (
            200,
            page(
                "grantList",
                [
                    {"grantID": "g", "userName": "alice1", "resourceType": "queue", "resourceID": "q1"},
                    {"grantID": "g2", "userName": "alice1", "resourceType": "fs", "resourceID": "f"},
                ],
            ),
        ),
        lambda r: [(g.username, g.resourceName) for g in r] == [("alice1", "q1")],
    ),
    (
        "list_queue",
        "list_queue",
        (),
        {"marker": "m1"},
        ("GET", "/queue", {"maxKeys": "100", "marker": "m1"}, None),
        (200, page("queueList", [QUEUE])),
        lambda r: r[0].name == "q1" and r[0].cpu == "20" and r[0].mem == "20Gi",
    ),
    (
        "show_queue",
        "show_queue",
        ("q1",),
        {},
        ("GET", "/queue/q1", {}, None),
        (200, QUEUE),
        lambda r: r.clusterName == "default-cluster" and r.status == "open",
    ),
    (
        "create_queue",
        "create_queue",
        ("q1", "default", "4", "8Gi", "c1"),
        {},
        (
            "POST",
            "/queue",
            {},
            {
                "name": "q1",
                "namespace": "default",
                "clusterName": "c1",
                "maxResources": {"cpu": "4", "mem": "8Gi"},
            },
        ),
        (200, {"name": "q1"}),
        lambda r: r is None,
    ),
    (
        "stop_queue",
        "stop_queue",
        ("q1",),
        {},
        ("PUT", "/queue/q1", {"action": "close"}, None),
        (200, None),
        lambda r: r is None,
    ),
    (
        "del_queue",
        "del_queue",
        ("q1",),
        {},
        ("DELETE", "/queue/q1", {}, None),
        (200, None),
        lambda r: r is None,
    ),
    (
        "list_flavour",
        "list_flavour",
        (),
        {"clustername": "c1", "key": "fl"},
        ("GET", "/flavour", {"maxKeys": "100", "clusterName": "c1", "name": "fl"}, None),
        (
            200,
            page(
                "flavourList",
                [
                    {
                        "id": "1",
                        "name": "flavour1",
                        "cpu": "1",
                        "mem": "1Gi",
                        "scalarResources": {},
                        "createTime": "t",
                        "updateTime": "t",
                    }
                ],
            ),
        ),
        lambda r: r[0].name == "flavour1",
    ),
    (
        "list_flavour_null",
        "list_flavour",
        (),
        {},
        ("GET", "/flavour", {"maxKeys": "100"}, None),
        (200, {"maxKeys": 100, "isTruncated": False, "flavourList": None}),
        lambda r: r == [],
    ),
    (
        "add_fs",
        "add_fs",
        ("fs1", "hdfs://h:9000/p"),
        {"properties": {"user": "u", "group": "g"}},
        (
            "POST",
            "/fs",
            {},
            {"name": "fs1", "url": "hdfs://h:9000/p", "properties": {"user": "u", "group": "g"}},
        ),
        (201, {"fsName": "fs1", "fsID": "fs-root-fs1"}),
        lambda r: r is None,
    ),
    (
        "show_fs",
        "show_fs",
        ("fs1",),
        {"username": "bob1"},
        ("GET", "/fs/fs1", {"username": "bob1"}, None),
        (200, FS),
        lambda r: (
            r.name == "fs1"
            and r.owner == "root"
            and r.fstype == "hdfs"
            and r.server_adddress == "h:9000"
            and r.server_address == "h:9000"
            and r.subpath == "/p"
        ),
    ),
    (
        "list_fs",
        "list_fs",
        (),
        {},
        ("GET", "/fs", {"maxKeys": "100"}, None),
        (200, {"marker": "", "truncated": False, "nextMarker": "", "fsList": [FS]}),
        lambda r: r[0].name == "fs1",
    ),
    (
        "delete_fs",
        "delete_fs",
        ("fs1",),
        {},
        ("DELETE", "/fs/fs1", {}, None),
        (200, None),
        lambda r: r is None,
    ),
    (
        "add_link",
        "add_link",
        ("fs1", "/l", "hdfs://h:9000/x"),
        {},
        ("POST", "/link", {}, {"fsPath": "/l", "url": "hdfs://h:9000/x", "fsName": "fs1"}),
        (201, None),
        lambda r: r is None,
    ),
    (
        "delete_link",
        "delete_link",
        ("fs1", "/l"),
        {},
        ("DELETE", "/link/fs1", {"fsPath": "/l"}, None),
        (200, None),
        lambda r: r is None,
    ),
    (
        "show_link_one",
        "show_link",
        ("fs1", "/l"),
        {},
        ("GET", "/link/fs1", {"fsPath": "/l"}, None),
        (200, {"marker": "", "truncated": False, "nextMarker": "", "linkList": [LINK]}),
        lambda r: r.fspath == "/l" and r.name == "fs1" and r.server_adddress == "h:9000",
    ),
    (
        "show_link_list",
        "show_link",
        ("fs1",),
        {},
        ("GET", "/link/fs1", {"maxKeys": "100"}, None),
        (200, {"marker": "", "truncated": False, "nextMarker": "", "linkList": None}),
        lambda r: r == [],
    ),
    (
        "create_run",
        "create_run",
        (),
        {"fsname": "fs1", "runyamlpath": "./run.yaml", "run_name": "r1", "param": {"epoch": 1}},
        (
            "POST",
            "/run",
            {},
            {
                "fsName": "fs1",
                "name": "r1",
                "runYamlPath": "./run.yaml",
                "parameters": {"epoch": 1},
                "desc": "<token>",
            },
        ),
        (201, {"runID": "run-000001"}),
        lambda r: r == "run-000001",
    ),
    (
        "create_run_empty_options_not_sent",  # "opt" body keys go only when truthy, as in the SDK
        "create_run",
        (),
        {
            "fs_name": "fs1",
            "run_yaml_path": "./run.yaml",
            "param": {},
            "failure_options": {},
            "docker_env": "",
            "disabled": "",
            "username": "",
        },
        ("POST", "/run", {}, {"fsName": "fs1", "runYamlPath": "./run.yaml", "desc": "<token>"}),
        (201, {"runID": "run-000001"}),
        lambda r: r == "run-000001",
    ),
    (
        "create_run_client_token",
        "create_run",
        (),
        {"run_yaml_raw": YAML, "desc": "nightly", "client_token": "af.dag_1:run-2"},
        ("POST", "/run", {}, {"runYamlRaw": B64, "desc": "nightly [pf-token:af.dag_1:run-2]"}),
        (201, {"runID": "run-000003"}),
        lambda r: r == "run-000003",
    ),
    (
        "find_run_by_client_token",
        "find_run_by_client_token",
        ("t1",),
        {"fsname": "fs1"},
        ("GET", "/run", {"fsFilter": "fs1", "maxKeys": "1000"}, None),
        (
            200,
            {
                "runList": [
                    {**RUN_BRIEF, "runID": "run-000001", "description": "x [pf-token:t1]"},
                    {**RUN_BRIEF, "runID": "run-000002", "description": "[pf-token:t10]"},
                    {**RUN_BRIEF, "runID": "run-000003", "description": "[pf-token:t1]"},
                    {**RUN_BRIEF, "runID": "run-000004", "description": "[pf-token:other]"},
                ],
                "isTruncated": False,
            },
        ),
        lambda r: r.run_id == "run-000003",
    ),
    (
        "find_run_by_client_token_none",
        "find_run_by_client_token",
        ("t1",),
        {},
        ("GET", "/run", {"maxKeys": "1000"}, None),
        (200, {"runList": [{**RUN_BRIEF, "description": "[pf-token:t2]"}]}),
        lambda r: r is None,
    ),
    (
        "create_run_raw",
        "create_run",
        (),
        {
            "run_yaml_raw": YAML.decode(),
            "failure_options": {"strategy": "continue"},
            "disabled": "a,b",
            "docker_env": "img",
        },
        (
            "POST",
            "/run",
            {},
            {
                "runYamlRaw": B64,
                "failureOptions": {"strategy": "continue"},
                "disabled": "a,b",
                "dockerEnv": "img",
                "desc": "<token>",
            },
        ),
        (201, {"runID": "run-000002"}),
        lambda r: r == "run-000002",
    ),
    (
        "list_run",
        "list_run",
        (),
        {
            "fs_name": "fs1",
            "username": "root",
            "run_id": "run-000001",
            "run_name": "r1",
            "status": "running",
            "marker": "m",
        },
        (
            "GET",
            "/run",
            {
                "maxKeys": "100",
                "userFilter": "root",
                "fsFilter": "fs1",
                "runFilter": "run-000001",
                "nameFilter": "r1",
                "statusFilter": "running",
                "marker": "m",
            },
            None,
        ),
        (200, page("runList", [RUN_BRIEF], "next1")),
        lambda r: r["runList"][0].run_id == "run-000001" and r["nextMarker"] == "next1",
    ),
    (
        "show_run",
        "show_run",
        ("run-000001",),
        {},
        ("GET", "/run/run-000001", {}, None),
        (200, RUN_DETAIL),
        lambda r: (
            r.status == "running"
            and r.runtime["main"][0].job_id == STEP["jobID"]
            and r.runtime["d"][0].dag_id == DAG["id"]
            and r.post_process["post"].job_id == "job-post"
            and [j.job_id for j in r.iter_jobs()] == [STEP["jobID"], "job-inner", "job-post"]
        ),
    ),
    (
        "stop_run",
        "stop_run",
        ("run-000001",),
        {"force": True},
        ("PUT", "/run/run-000001", {"action": "stop"}, {"stopForce": True}),
        (200, None),
        lambda r: r is None,
    ),
    (
        "stop_run_default",
        "stop_run",
        ("run-000001",),
        {},
        ("PUT", "/run/run-000001", {"action": "stop"}, {"stopForce": False}),
        (200, None),
        lambda r: r is None,
    ),
    (
        "retry_run",
        "retry_run",
        ("run-000001",),
        {},
        ("PUT", "/run/run-000001", {"action": "retry"}, None),
        (200, {"runID": "run-000002"}),
        lambda r: r == "run-000002",
    ),
    (
        "delete_run",
        "delete_run",
        ("run-000001",),
        {},
        ("DELETE", "/run/run-000001", {}, {"checkCache": None}),
        (200, None),
        lambda r: r is None,
    ),
    (
        "list_cache",
        "list_cache",
        (),
        {"user_filter": "root", "max_keys": 10},
        ("GET", "/runCache", {"userFilter": "root", "maxKeys": "10"}, None),
        (200, page("runCacheList", [CACHE])),
        lambda r: r["runCacheList"][0].cache_id == "cch-000001" and r["nextMarker"] is None,
    ),
    (
        "show_cache",
        "show_cache",
        ("cch-000001",),
        {},
        ("GET", "/runCache/cch-000001", {}, None),
        (200, CACHE),
        lambda r: r.fs_name == "fs1" and r.expired_time == "-1",
    ),
    (
        "delete_cache",
        "delete_cache",
        ("cch-000001",),
        {},
        ("DELETE", "/runCache/cch-000001", {}, None),
        (200, None),
        lambda r: r is None,
    ),
    (
        "list_artifact",
        "list_artifact",
        (),
        {"run_filter": "run-000001", "type_filter": "output"},
        ("GET", "/artifact", {"runFilter": "run-000001", "typeFilter": "output"}, None),
        (200, page("artifactEventList", [ARTIFACT])),
        lambda r: r["artifactList"][0].step == "main" and r["artifactList"][0].type == "output",
    ),
    (
        "create_pipeline",
        "create_pipeline",
        (),
        {"yaml_raw": YAML, "desc": "d"},
        ("POST", "/pipeline", {}, {"yamlRaw": B64, "desc": "d"}),
        (201, {"pipelineID": "ppl-000001", "pipelineVersionID": "1", "name": "p1"}),
        lambda r: r == {"name": "p1", "pplID": "ppl-000001", "pplVerID": "1"},
    ),
    (
        "create_pipeline_fs",
        "create_pipeline",
        (),
        {"fs_name": "fs1", "yaml_path": "./run.yaml"},
        ("POST", "/pipeline", {}, {"fsName": "fs1", "yamlPath": "./run.yaml"}),
        (201, {"pipelineID": "ppl-000001", "pipelineVersionID": "1", "name": "p1"}),
        lambda r: r["pplID"] == "ppl-000001",
    ),
    (
        "list_pipeline",
        "list_pipeline",
        (),
        {"name_filter": "p1", "max_keys": 5},
        ("GET", "/pipeline", {"nameFilter": "p1", "maxKeys": "5"}, None),
        (200, page("pipelineList", [PPL])),
        lambda r: r["pipelineList"][0].pipeline_id == "ppl-000001",
    ),
    (
        "show_pipeline",
        "show_pipeline",
        ("ppl-000001",),
        {"fs_filter": "fs1"},
        ("GET", "/pipeline/ppl-000001", {"fsFilter": "fs1"}, None),
        (200, {"pipeline": PPL, "pplVersions": page("pplVersionList", [PPL_VER], "vm")}),
        lambda r: (
            r["pipelineInfo"].name == "p1"
            and r["pipelineVersionList"][0].yaml_path == "./run.yaml"
            and r["nextMarker"] == "vm"
        ),
    ),
    (
        "update_pipeline",
        "update_pipeline",
        ("ppl-000001",),
        {"yaml_raw": YAML},
        ("POST", "/pipeline/ppl-000001", {}, {"yamlRaw": B64}),
        (201, {"pipelineID": "ppl-000001", "pipelineVersionID": "2"}),
        lambda r: r == {"pipelineID": "ppl-000001", "pipelineVersionID": "2"},
    ),
    (
        "show_pipeline_version",
        "show_pipeline_version",
        ("ppl-000001", "1"),
        {},
        ("GET", "/pipeline/ppl-000001/1", {}, None),
        (200, {"pipeline": PPL, "pipelineVersion": PPL_VER}),
        lambda r: (
            r["pipelineVersionInfo"].pipeline_version_id == "1"
            and r["pipelineInfo"].pipeline_id == "ppl-000001"
        ),
    ),
    (
        "delete_pipeline",
        "delete_pipeline",
        ("ppl-000001",),
        {},
        ("DELETE", "/pipeline/ppl-000001", {}, None),
        (200, None),
        lambda r: r is None,
    ),
    (
        "delete_pipeline_version",
        "delete_pipeline_version",
        ("ppl-000001", "1"),
        {},
        ("DELETE", "/pipeline/ppl-000001/1", {}, None),
        (200, None),
        lambda r: r is None,
    ),
    (
        "create_schedule",
        "create_schedule",
        ("s1", "ppl-000001", "1", "*/5 * * * *"),
        {"catchup": False, "concurrency": 0, "start_time": "2099-01-01 00:00:00"},
        (
            "POST",
            "/schedule",
            {},
            {
                "name": "s1",
                "pipelineID": "ppl-000001",
                "pipelineVersionID": "1",
                "crontab": "*/5 * * * *",
                "catchup": False,
                "concurrency": 0,
                "startTime": "2099-01-01 00:00:00",
            },
        ),
        (201, {"scheduleID": "schedule-000001"}),
        lambda r: r == "schedule-000001",
    ),
    (
        "list_schedule",
        "list_schedule",
        (),
        {"status_filter": "running"},
        ("GET", "/schedule", {"statusFilter": "running"}, None),
        (200, page("scheduleList", [SCHEDULE])),
        lambda r: (
            r["scheduleList"][0].crontab == "*/5 * * * *" and r["scheduleList"][0].options["catchup"] is True
        ),
    ),
    (
        "show_schedule",
        "show_schedule",
        ("schedule-000001",),
        {"max_keys": 10},
        ("GET", "/schedule/schedule-000001", {"maxKeys": "10"}, None),
        (200, {**SCHEDULE, "runs": page("runList", [RUN_BRIEF], "rm")}),
        lambda r: (
            r["scheduleInfo"].schedule_id == "schedule-000001"
            and r["runList"][0].run_id == "run-000001"
            and r["nextMarker"] == "rm"
        ),
    ),
    (
        "stop_schedule",
        "stop_schedule",
        ("schedule-000001",),
        {},
        ("PUT", "/schedule/schedule-000001", {}, None),
        (200, None),
        lambda r: r is None,
    ),
    (
        "delete_schedule",
        "delete_schedule",
        ("schedule-000001",),
        {},
        ("DELETE", "/schedule/schedule-000001", {}, None),
        (200, None),
        lambda r: r is None,
    ),
    (
        "create_cluster",
        "create_cluster",
        ("c1", "https://k8s:6443", "Kubernetes"),
        {"credential": b"kubeconfig", "version": "1.16", "namespacelist": ["ns1"]},
        (
            "POST",
            "/cluster",
            {},
            {
                "clusterName": "c1",
                "endpoint": "https://k8s:6443",
                "clusterType": "Kubernetes",
                "credential": base64.b64encode(b"kubeconfig").decode(),
                "version": "1.16",
                "namespaceList": ["ns1"],
            },
        ),
        (200, CLUSTER),
        lambda r: r == "cluster-05f3854d",
    ),
    (
        "show_cluster",
        "show_cluster",
        ("c1",),
        {},
        ("GET", "/cluster/c1", {}, None),
        (200, CLUSTER),
        lambda r: r.clustername == "c1" and r.credential == "kubeconfig" and "kubeconfig" not in repr(r),
    ),
    (
        "delete_cluster",
        "delete_cluster",
        ("c1",),
        {},
        ("DELETE", "/cluster/c1", {}, None),
        (200, None),
        lambda r: r is None,
    ),
    (
        "update_cluster",
        "update_cluster",
        ("c1",),
        {"description": "new", "status": "offline"},
        ("PUT", "/cluster/c1", {}, {"description": "new", "status": "offline"}),
        (200, CLUSTER),
        lambda r: r == "cluster-05f3854d",
    ),
    (
        "update_cluster_only_truthy",  # the reference: "body with the truthy ones"
        "update_cluster",
        ("c1",),
        {"endpoint": "https://k8s:6443", "description": "", "namespacelist": [], "setting": ""},
        ("PUT", "/cluster/c1", {}, {"endpoint": "https://k8s:6443"}),
        (200, CLUSTER),
        lambda r: r == "cluster-05f3854d",
    ),
    (
        "list_cluster_resource",
        "list_cluster_resource",
        (),
        {"clustername": ["c1", "c2"]},
        ("GET", "/cluster/resource", {"clusterNames": "c1,c2"}, None),
        (200, {"c1": {"nodeList": [], "summary": {}, "errMsg": ""}}),
        lambda r: "c1" in r,
    ),
    (
        "show_log",
        "show_log",
        ("run-000001",),
        {"job_id": "job-1", "page_size": 50, "page_no": 2, "log_file_position": "begin"},
        (
            "GET",
            "/log/run/run-000001",
            {"jobID": "job-1", "pageSize": "50", "pageNo": "2", "logFilePosition": "begin"},
            None,
        ),
        (200, LOG),
        lambda r: (
            len(r) == 1
            and r[0].log_content == "hello\n"
            and r[0].has_next_page
            and r[0].pagesize == 50
            and r[0].pageno == 2
            and r[0].runid == "run-000001"
            and r["submitLog"] == "submitted"
        ),
    ),
    (
        "get_statistics",
        "get_statistics",
        ("job-1",),
        {},
        ("GET", "/statistics/job/job-1", {}, None),
        (200, {"metricsInfo": {"cpu_usage_rate": "12.30%"}}),
        lambda r: r.metrics_info["cpu_usage_rate"] == "12.30%",
    ),
]

# 3-tuple methods: (id, method, args, kwargs, wire, answer, check(response, third))
ROWS3: list[tuple[Any, ...]] = [
    (
        "list_cluster",
        "list_cluster",
        (),
        {"clustername": "c1", "clusterstatus": "online"},
        ("GET", "/cluster", {"maxKeys": "100", "clusterNames": "c1", "clusterStatus": "online"}, None),
        (200, page("clusterList", [CLUSTER], "cm")),
        lambda r, m: r[0].clusterid == "cluster-05f3854d" and m == "cm",
    ),
    (
        "get_statistics_detail",
        "get_statistics_detail",
        ("job-1",),
        {"start": 1, "end": 100, "step": 10},
        ("GET", "/statistics/jobDetail/job-1", {"start": "1", "end": "100", "step": "10"}, None),
        (
            200,
            {
                "result": [
                    {"taskName": "pod", "taskInfo": [{"metric": "cpu_usage_rate", "values": [[1, 0.5]]}]}
                ],
                "truncated": True,
            },
        ),
        lambda r, t: t is True and r.result[0].task_info[0].values == [[1, 0.5]],
    ),
]


# -- the tests ----------------------------------------------------------------------------------------
import pytest  # noqa: E402

from paddleflow_provider.client import PaddleFlowError  # noqa: E402


def _assert_wire(server, wire) -> None:
    verb, path, query, body = wire
    calls = server.calls
    assert len(calls) == 1, [(c.method, c.path) for c in calls]
    seen = calls[0]
    assert (seen.method, seen.path) == (verb, path)
    assert dict(seen.query) == query and len(seen.query) == len(query)
    got = seen.body
    if isinstance(body, dict) and body.get("desc") == "<token>":
        assert got["desc"].startswith("[pf-token:"), got
        got = {**got, "desc": "<token>"}
    assert got == body
    assert seen.headers["x-pf-authorization"] == server.token
    assert seen.headers["x-pf-request-id"]
    if body is None:
        assert seen.raw_body == b""
    else:
        assert seen.headers["content-type"] == "application/json"


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_every_method_speaks_the_documented_wire_protocol(server, client, row):
    _id, method, args, kwargs, wire, (status, answer), check = row
    server.reply(status, answer)
    ok, response = getattr(client, method)(*args, **kwargs)
    assert ok is True, response
    assert check(response)
    _assert_wire(server, wire)


@pytest.mark.parametrize("row", ROWS3, ids=[r[0] for r in ROWS3])
def test_three_tuple_methods(server, client, row):
    _id, method, args, kwargs, wire, (status, answer), check = row
    server.reply(status, answer)
    ok, response, third = getattr(client, method)(*args, **kwargs)
    assert ok is True, response
    assert check(response, third)
    _assert_wire(server, wire)


def test_login_sends_credentials_and_the_token_is_reused(server, client):
    server.reply(200, RUN_DETAIL)
    server.reply(200, RUN_DETAIL)
    assert client.show_run("run-000001")[0] and client.show_run("run-000001")[0]
    logins = [r for r in server.requests if r.path == "/login"]
    assert len(logins) == 1
    assert logins[0].method == "POST" and logins[0].body == {"username": "root", "password": "paddleflow"}
    assert "x-pf-authorization" not in logins[0].headers


def test_explicit_login_returns_the_reference_tuple(server, client):
    assert client.login("root", "paddleflow") == (True, None)
    assert server.logins == 1


def test_server_error_becomes_false_with_code_text_and_request_id(server, client):
    server.error(404, "RunNotFound", "resouceType[run] with ID[run-9] not found")
    ok, message = client.show_run("run-9")
    assert ok is False
    assert "RunNotFound" in message and "run-9" in message and "req-1" in message and "404" in message


def test_typed_face_raises_with_status_code_and_request_id(server, client):
    from paddleflow_provider.client import NotFoundError

    server.error(400, "QueueNameNotFound", "QueueName does not exist")
    with pytest.raises(NotFoundError) as info:
        client.api.show_queue("nope")
    assert (info.value.status_code, info.value.code, info.value.request_id) == (
        400,
        "QueueNameNotFound",
        "req-1",
    )
    assert isinstance(info.value, PaddleFlowError)


#: Optional query values are sent only when truthy (paddleflow-api.md 7, "opt"): an empty filter is
#: no filter, as in the SDK, never ``fsFilter=`` (which a server splitting on "," could read as "the
#: fs named ''"). method, kwargs, path, the list key of the answer, the query expected.
EMPTY_FILTERS = [
    (
        "list_run",
        {"fs_name": "", "username": "", "run_id": "", "run_name": "", "status": "", "marker": ""},
        "/run",
        "runList",
        {"maxKeys": "100"},
    ),
    (
        "list_cache",
        {"user_filter": "", "fs_filter": "", "run_filter": "", "marker": ""},
        "/runCache",
        "runCacheList",
        {},
    ),
    ("list_artifact", {"user_filter": "", "path_filter": ""}, "/artifact", "artifactEventList", {}),
    ("list_pipeline", {"user_filter": "", "name_filter": ""}, "/pipeline", "pipelineList", {}),
    (
        "list_schedule",
        {"ppl_filter": "", "name_filter": "", "status_filter": ""},
        "/schedule",
        "scheduleList",
        {},
    ),
    ("list_cluster", {"clustername": "", "clusterstatus": ""}, "/cluster", "clusterList", {"maxKeys": "100"}),
    ("list_fs", {"username": ""}, "/fs", "fsList", {"maxKeys": "100"}),
    ("show_queue_grant", {"username": ""}, "/grant", "grantList", {"maxKeys": "100"}),
]


@pytest.mark.parametrize(
    ("method", "kwargs", "path", "key", "query"), EMPTY_FILTERS, ids=[r[0] for r in EMPTY_FILTERS]
)
def test_empty_optional_filters_are_not_sent(server, client, method, kwargs, path, key, query):
    server.reply(200, {key: []})
    ok, response = getattr(client, method)(**kwargs)[:2]
    assert ok is True, response
    (seen,) = server.calls
    assert seen.path == path and dict(seen.query) == query and len(seen.query) == len(query)
