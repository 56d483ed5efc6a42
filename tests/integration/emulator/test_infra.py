"""Queues, grants, flavours and clusters over HTTP: shapes, defaults, validation and permissions."""

from __future__ import annotations

from emulator_testlib import Api, assert_error, unique


def test_defaults_exist(root: Api) -> None:
    q = root.get("/queue/default-queue").json()
    assert q["clusterName"] == "default-cluster" and q["status"] == "open"
    assert q["maxResources"] == {"cpu": "20", "memory": "20Gi"}
    assert {"usedResources", "idleResources", "minResources", "location"} <= set(q)
    names = [f["name"] for f in root.get("/flavour").json()["flavourList"]]
    assert {"flavour1", "flavour2", "flavour3"} <= set(names)
    assert root.get("/flavour/flavour2").json()["scalarResources"] == {"nvidia.com/gpu": "1"}
    c = root.get("/cluster/default-cluster").json()
    assert c["clusterType"] == "Local" and c["status"] == "online"


def test_queue_lifecycle_validation_and_close(root: Api, make_user) -> None:  # type: ignore[no-untyped-def]
    name = unique("q").lower()
    body = {
        "name": name,
        "namespace": "default",
        "clusterName": "default-cluster",
        "maxResources": {"cpu": "4", "mem": "8Gi"},
    }
    r = root.post("/queue", json=body)
    assert r.status_code == 200 and r.json() == {"name": name}
    assert_error(root.post("/queue", json=body), 403, "QueueNameDuplicated")
    assert_error(root.post("/queue", json={**body, "name": "default"}), 403, "QueueNameDuplicated")
    assert_error(root.post("/queue", json={**body, "name": "Bad_Name"}), 400, "InvalidNamePattern")
    assert_error(root.post("/queue", json={**body, "name": ""}), 400, "QueueNameNotFound")
    assert_error(root.post("/queue", json={**body, "clusterName": "nope"}), 400, "ClusterNotFound")
    assert_error(
        root.post("/queue", json={**body, "name": name + "x", "namespace": "Bad_NS"}),
        400,
        "NamespaceNotFound",
    )
    assert_error(
        root.post("/queue", json={**body, "name": name + "y", "quotaType": "nope"}),
        400,
        "QueueQuotaTypeIsNotSupported",
    )
    assert_error(
        root.post("/queue", json={**body, "name": name + "z", "maxResources": {"cpu": "x", "mem": "1"}}),
        500,
        "InvalidComputeResource",
    )
    shown = root.get(f"/queue/{name}").json()
    assert shown["maxResources"] == {"cpu": "4", "memory": "8Gi"} and shown["quotaType"] == "elasticQuota"
    upd = root.put(f"/queue/{name}", json={"maxResources": {"cpu": "8", "mem": "16Gi"}})
    assert upd.status_code == 200 and upd.json()["maxResources"]["cpu"] == "8"
    assert_error(root.put("/queue/nope-queue", json={}), 404, "RecordNotFound")

    user = make_user()
    assert_error(user.post("/queue", json={**body, "name": name + "u"}), 403, "OnlyRootAllowed")
    assert_error(user.get(f"/queue/{name}"), 403, "ActionNotAllowed")
    assert name not in [x["name"] for x in user.get("/queue").json()["queueList"]]
    g = root.post("/grant", json={"username": user.user, "resourceType": "queue", "resourceID": name})
    assert g.status_code == 200 and g.json()["grantID"].startswith("grant-")
    assert_error(
        root.post("/grant", json={"username": user.user, "resourceType": "queue", "resourceID": name}),
        400,
        "GrantAlreadyExist",
    )
    assert user.get(f"/queue/{name}").status_code == 200
    assert [x["name"] for x in user.get("/queue").json()["queueList"]] == [name]
    grants = root.get("/grant", params={"username": user.user}).json()["grantList"]
    assert [(x["userName"], x["resourceType"], x["resourceID"]) for x in grants] == [
        (user.user, "queue", name)
    ]
    assert_error(user.put(f"/queue/{name}?action=close"), 403, "OnlyRootAllowed")

    closed = root.put(f"/queue/{name}", params={"action": "close"})
    assert closed.status_code == 200 and root.get(f"/queue/{name}").json()["status"] == "closed"
    r = root.delete("/grant", params={"username": user.user, "resourceType": "queue", "resourceID": name})
    assert r.status_code == 200 and r.text == ""
    assert_error(
        root.delete("/grant", params={"username": user.user, "resourceType": "queue", "resourceID": name}),
        400,
        "GrantNotFound",
    )
    assert root.delete(f"/queue/{name}").text == ""
    assert_error(root.get(f"/queue/{name}"), 400, "QueueNameNotFound")


def test_grant_rules(root: Api, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    assert_error(
        root.post(
            "/grant", json={"username": "root", "resourceType": "queue", "resourceID": "default-queue"}
        ),
        400,
        "GrantRootActionNotSupport",
    )
    assert_error(
        root.post("/grant", json={"username": user.user, "resourceType": "pool", "resourceID": "x"}),
        400,
        "GrantResourceTypeNotFound",
    )
    assert_error(
        root.post("/grant", json={"username": user.user, "resourceType": "queue", "resourceID": "nope"}),
        400,
        "QueueNameNotFound",
    )
    assert_error(
        root.post(
            "/grant", json={"username": "ghost1", "resourceType": "queue", "resourceID": "default-queue"}
        ),
        400,
        "UserNotExist",
    )
    assert_error(user.get("/grant"), 403, "OnlyRootAllowed")


def test_queue_list_pagination(root: Api) -> None:
    made = []
    for _ in range(3):
        name = unique("pg").lower()
        root.post(
            "/queue", json={"name": name, "namespace": "default", "maxResources": {"cpu": "1", "mem": "1Gi"}}
        )
        made.append(name)
    seen, marker = [], None
    while True:
        params = {"maxKeys": 2, **({"marker": marker} if marker else {})}
        page = root.get("/queue", params=params).json()
        assert page["maxKeys"] == 2 and len(page["queueList"]) <= 2
        seen += [x["name"] for x in page["queueList"]]
        if not page["isTruncated"]:
            assert "nextMarker" not in page
            break
        marker = page["nextMarker"]
    assert set(made) <= set(seen) and len(seen) == len(set(seen))
    for name in made:
        root.delete(f"/queue/{name}")


def test_flavour_rules(root: Api, make_user) -> None:  # type: ignore[no-untyped-def]
    name = unique("flv")
    assert root.post("/flavour", json={"name": name, "cpu": "2", "mem": "4Gi"}).json() == {"name": name}
    assert_error(root.post("/flavour", json={"name": name, "cpu": "2", "mem": "4Gi"}), 400, "DuplicatedName")
    assert_error(root.post("/flavour", json={"name": "", "cpu": "2", "mem": "4Gi"}), 404, "FlavourNotFound")
    assert_error(
        root.post("/flavour", json={"name": name + "b", "cpu": "0", "mem": "4Gi"}), 400, "FlavourInvalidField"
    )
    assert_error(
        root.post("/flavour", json={"name": name + "c", "cpu": "1", "mem": "1Gi", "clusterName": "nope"}),
        400,
        "ClusterNameNotFound",
    )
    user = make_user()
    assert_error(user.put(f"/flavour/{name}", json={"cpu": "3"}), 403, "ActionNotAllowed")
    assert root.put(f"/flavour/{name}", json={"cpu": "3"}).json()["cpu"] == "3"
    listed = root.get("/flavour", params={"name": name}).json()["flavourList"]
    assert [f["name"] for f in listed] == [name] and {"createTime", "updateTime"} <= set(listed[0])
    assert root.delete(f"/flavour/{name}").text == ""
    assert_error(root.get(f"/flavour/{name}"), 404, "FlavourNotFound")
    assert_error(root.delete(f"/flavour/{name}"), 404, "FlavourNotFound")


def test_clusters_and_real_resources(root: Api, make_user) -> None:  # type: ignore[no-untyped-def]
    name = unique("cl")
    r = root.post(
        "/cluster",
        json={
            "clusterName": name,
            "endpoint": "127.0.0.1",
            "clusterType": "Local",
            "credential": "YWJj",
            "namespaceList": ["ns1"],
        },
    )
    assert r.status_code == 200 and r.json()["id"].startswith("cluster-")
    assert_error(
        root.post("/cluster", json={"clusterName": name + "x", "endpoint": "", "clusterType": "Local"}),
        500,
        "InternalError",
    )
    assert_error(
        root.post("/cluster", json={"clusterName": "-bad-", "endpoint": "e", "clusterType": "Local"}),
        400,
        "InvalidNamePattern",
    )
    assert_error(
        root.post(
            "/queue",
            json={
                "name": unique("qq").lower(),
                "namespace": "other",
                "clusterName": name,
                "maxResources": {"cpu": "1", "mem": "1Gi"},
            },
        ),
        400,
        "NamespaceNotFound",
    )
    assert root.put(f"/cluster/{name}", json={"description": "d"}).json()["description"] == "d"
    listed = root.get("/cluster", params={"clusterNames": name}).json()["clusterList"]
    assert [c["clusterName"] for c in listed] == [name]
    user = make_user()
    assert_error(user.get("/cluster"), 403, "OnlyRootAllowed")
    assert_error(user.get("/cluster/resource"), 403, "OnlyRootAllowed")
    res = root.get("/cluster/resource", params={"clusterNames": "default-cluster"}).json()
    summary = res["default-cluster"]["summary"]
    import psutil

    assert summary["total"]["cpu"] == str(psutil.cpu_count())
    assert res["default-cluster"]["nodeList"][0]["schedulable"] is True
    assert root.delete(f"/cluster/{name}").text == ""
    assert_error(root.delete(f"/cluster/{name}"), 400, "ClusterNotFound")
