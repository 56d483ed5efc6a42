"""Storage (fs, links, fs cache) and pipelines over HTTP."""

from __future__ import annotations

from emulator_testlib import Api, assert_error, b64, unique

HELLO = "name: {name}\ndocker_env: busybox\nentry_points:\n  say-hi:\n    command: echo hi\n"


def test_fs_lifecycle_and_visibility(root: Api, make_user, paddleflow_emulator) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    name = unique("fs")
    r = user.post("/fs", json={"name": name, "url": f"local://{name}/data"})
    assert r.status_code == 201 and r.json() == {"fsName": name, "fsID": f"fs-{user.user}-{name}"}
    assert (paddleflow_emulator.data_dir / "storage" / name / "data").is_dir()
    assert_error(user.post("/fs", json={"name": name, "url": f"local://{name}/data"}), 400, "DuplicatedName")
    assert_error(
        user.post("/fs", json={"name": "bad name", "url": "local://x"}), 400, "FileSystemNameFormatError"
    )
    assert_error(
        user.post("/fs", json={"name": name + "b", "url": "ftp://x/y"}), 400, "InvalidFileSystemParamsURL"
    )
    assert_error(
        user.post("/fs", json={"name": name + "c", "url": "local://root"}), 400, "InvalidFileSystemParamsURL"
    )
    assert_error(
        user.post("/fs", json={"name": name + "d", "url": "s3://bucket/p"}),
        400,
        "InvalidFileSystemParamsProperties",
    )
    shown = user.get(f"/fs/{name}").json()
    assert shown["type"] == "local" and shown["subPath"] == f"/{name}/data" and shown["username"] == user.user
    # other users cannot see it; root can address it with username
    other = make_user()
    assert_error(other.get(f"/fs/{name}"), 404, "RecordNotFound")
    assert root.get(f"/fs/{name}", params={"username": user.user}).status_code == 200
    listed = user.get("/fs", params={"maxKeys": 100}).json()
    assert [f["name"] for f in listed["fsList"]] == [name] and listed["nextMarker"] == ""
    assert name in [f["name"] for f in root.get("/fs", params={"maxKeys": 100}).json()["fsList"]]
    # s3 secrets never come back in clear
    props = {"accessKey": "ak", "secretKey": "very-secret", "endpoint": "s3.local"}
    assert (
        user.post("/fs", json={"name": name + "s3", "url": "s3://bucket/p", "properties": props}).status_code
        == 201
    )
    assert "very-secret" not in user.get(f"/fs/{name}s3").text
    shown = user.get(f"/fs/{name}s3").json()  # the server takes the bucket from the URL's host
    assert (shown["properties"]["bucket"], shown["serverAddress"]) == ("bucket", "s3.local")
    # fs cache config
    assert_error(user.post("/fsCache", json={"fsName": name, "metaDriver": "nope"}), 400, "InvalidArguments")
    r = user.post(
        "/fsCache", json={"fsName": name, "metaDriver": "disk", "cacheDir": "/tmp/c", "blockSize": 4096}
    )
    assert r.status_code == 201 and r.text == ""
    assert user.get(f"/fsCache/{name}").json()["metaDriver"] == "disk"
    assert user.delete(f"/fsCache/{name}").text == ""
    assert_error(user.get(f"/fsCache/{name}"), 404, "RecordNotFound")
    # links only on non-local fs
    assert_error(
        user.post(
            "/link",
            json={
                "fsName": name,
                "fsPath": "/a",
                "url": "hdfs://h:9000/x",
                "properties": {"user": "u", "group": "g"},
            },
        ),
        400,
        "InvalidFileSystemFsName",
    )
    link = {
        "fsName": name + "s3",
        "fsPath": "/lnk",
        "url": "local://elsewhere",
        "properties": {"debug": "true"},
    }
    r = user.post("/link", json=link)
    assert r.status_code == 201 and r.text == ""
    assert_error(user.post("/link", json=link), 403, "FileSystemNotExist")
    links = user.get(f"/link/{name}s3").json()["linkList"]
    assert [x["fsPath"] for x in links] == ["/lnk"]
    assert user.get(f"/link/{name}s3", params={"fsPath": "/lnk"}).json()["linkList"][0]["type"] == "local"
    assert user.delete(f"/link/{name}s3", params={"fsPath": "/lnk"}).text == ""
    assert_error(user.delete(f"/link/{name}s3", params={"fsPath": "/lnk"}), 500, "LinkModelError")
    assert user.delete(f"/fs/{name}").text == ""
    assert_error(user.delete(f"/fs/{name}"), 404, "RecordNotFound")


def test_pipeline_create_update_versions_and_delete_rules(root: Api, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    pname = unique("ppl")
    r = user.post("/pipeline", json={"yamlRaw": b64(HELLO.format(name=pname)), "desc": "first"})
    assert r.status_code == 201, r.text
    created = r.json()
    pid = created["pipelineID"]
    assert pid.startswith("ppl-") and created == {"pipelineID": pid, "pipelineVersionID": "1", "name": pname}
    assert_error(
        user.post("/pipeline", json={"yamlRaw": b64(HELLO.format(name=pname))}), 400, "DuplicatedName"
    )
    assert_error(user.post("/pipeline", json={"yamlRaw": "%%%"}), 400, "Decode base64")
    assert_error(
        user.post("/pipeline", json={"yamlRaw": b64("name: x\nentry_points: 3\n")}), 400, "InvalidPipeline"
    )
    assert_error(
        user.post("/pipeline", json={"yamlRaw": b64(HELLO), "yamlPath": "./a.yaml"}), 400, "InvalidArguments"
    )
    assert_error(user.post("/pipeline", json={"yamlPath": "./a.yaml"}), 400, "InvalidArguments")
    assert_error(
        user.post("/pipeline", json={"yamlRaw": b64(HELLO), "desc": "x" * 300}), 400, "InvalidArguments"
    )
    assert_error(user.post("/pipeline", data=b"{oops"), 400, "InvalidHTTPRequest")
    up = user.post(f"/pipeline/{pid}", json={"yamlRaw": b64(HELLO.format(name=pname))})
    assert up.status_code == 201 and up.json() == {"pipelineID": pid, "pipelineVersionID": "2"}
    assert_error(
        user.post(f"/pipeline/{pid}", json={"yamlRaw": b64(HELLO.format(name=pname + "x"))}),
        400,
        "InvalidArguments",
    )
    shown = user.get(f"/pipeline/{pid}", params={"maxKeys": 1}).json()
    assert shown["pipeline"]["name"] == pname and shown["pipeline"]["desc"] == "first"
    page1 = shown["pplVersions"]
    assert [v["pipelineVersionID"] for v in page1["pplVersionList"]] == ["1"] and page1["isTruncated"]
    page2 = user.get(f"/pipeline/{pid}", params={"maxKeys": 1, "marker": page1["nextMarker"]}).json()[
        "pplVersions"
    ]
    assert [v["pipelineVersionID"] for v in page2["pplVersionList"]] == ["2"] and "nextMarker" not in page2
    ver = user.get(f"/pipeline/{pid}/2").json()
    assert ver["pipelineVersion"]["pipelineYaml"] == HELLO.format(name=pname)
    assert_error(user.get(f"/pipeline/{pid}/9"), 404, "PipelineNotFound")
    other = make_user()
    assert_error(other.get(f"/pipeline/{pid}"), 403, "AccessDenied")
    assert_error(other.get("/pipeline", params={"userFilter": user.user}), 403, "AccessDenied")
    assert pid not in [p["pipelineID"] for p in other.get("/pipeline").json()["pipelineList"]]
    assert pid in [
        p["pipelineID"]
        for p in root.get("/pipeline", params={"userFilter": user.user}).json()["pipelineList"]
    ]
    assert user.delete(f"/pipeline/{pid}/1").text == ""
    assert_error(user.delete(f"/pipeline/{pid}/2"), 403, "ActionNotAllowed")
    # version ids keep counting deleted versions
    assert (
        user.post(f"/pipeline/{pid}", json={"yamlRaw": b64(HELLO.format(name=pname))}).json()[
            "pipelineVersionID"
        ]
        == "3"
    )
    assert user.delete(f"/pipeline/{pid}").text == ""
    assert_error(user.get(f"/pipeline/{pid}"), 404, "PipelineNotFound")


def test_pipeline_from_fs_yaml_path(make_user, paddleflow_emulator) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    fs = unique("pfs")
    assert user.post("/fs", json={"name": fs, "url": f"local://{fs}"}).status_code == 201
    pname = unique("fromfs")
    (paddleflow_emulator.data_dir / "storage" / fs / "run.yaml").write_text(HELLO.format(name=pname))
    r = user.post("/pipeline", json={"fsname": fs})
    assert r.status_code == 201 and r.json()["name"] == pname
    assert_error(
        user.post("/pipeline", json={"fsname": fs, "yamlPath": "./missing.yaml"}), 400, "ReadYamlFileFailed"
    )
    (paddleflow_emulator.data_dir / "storage" / fs / "latin1.yaml").write_bytes(b"name: caf\xe9\n")
    r = user.post("/pipeline", json={"fsname": fs, "yamlPath": "./latin1.yaml"})
    assert_error(r, 400, "ReadYamlFileFailed")
    assert "not UTF-8" in r.json()["message"]
