"""The client end to end against the emulator: the reference's calls, real state, injected faults."""

from __future__ import annotations

import asyncio
import json
import stat
import time
import uuid

import pytest

from paddleflow_provider.client import AsyncPaddleFlowAPI, Client, NotFoundError, RunStatus, _mount

YAML = """name: {name}
docker_env: busybox:1.36
entry_points:
  say-hi:
    command: echo hello-from-{name}
"""


def _uid() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def client(paddleflow_emulator):
    c = Client(
        paddleflow_emulator.url,
        "root",
        paddleflow_emulator.root_password,
        backoff_initial=0.05,
        backoff_max=0.2,
    )
    yield c
    c.close()


def _wait_final(client: Client, run_id: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        ok, run = client.show_run(run_id)
        assert ok, run
        if run.status in RunStatus.FINAL or time.monotonic() > deadline:
            return run
        time.sleep(0.1)


def test_users_end_to_end(client):
    name = f"u{_uid()}"
    assert client.add_user(name, "abc123") == (True, None)
    ok, users = client.list_user()
    assert ok and name in [u.name for u in users]
    assert client.update_password(name, "xyz789") == (True, None)
    other = Client(client.config.base_url, name, "xyz789")
    ok, runs = other.list_run()
    assert ok and runs["runList"] == []
    other.close()
    assert client.del_user(name) == (True, None)
    ok, message = client.del_user(name)
    assert ok is False and "UserNotExist" in message


def test_queues_and_grants_end_to_end(client):
    ok, queues = client.list_queue()
    assert ok and "default-queue" in [q.name for q in queues]
    qname, user = f"q-{_uid()}", f"g{_uid()}"
    assert client.create_queue(qname, "default", "2", "2Gi", "default-cluster") == (True, None)
    ok, queue = client.show_queue(qname)
    assert ok and queue.cpu == "2" and queue.mem == "2Gi" and queue.clusterName == "default-cluster"
    client.add_user(user, "abc123")
    assert client.grant_queue(user, qname) == (True, None)
    ok, grants = client.show_queue_grant(user)
    assert ok and [(g.username, g.resourceName) for g in grants] == [(user, qname)]
    assert client.ungrant_queue(user, qname) == (True, None)
    assert client.stop_queue(qname) == (True, None)
    assert client.show_queue(qname)[1].status == "closed"
    ok, flavours = client.list_flavour()
    assert ok and isinstance(flavours, list)
    assert client.del_queue(qname) == (True, None)
    ok, message = client.show_queue(qname)
    assert ok is False and "QueueNameNotFound" in message
    client.del_user(user)


def test_file_systems_end_to_end(client):
    fs = f"fs{_uid()}"
    assert client.add_fs(fs, f"local://{fs}") == (True, None)
    ok, info = client.show_fs(fs)
    assert ok and info.name == fs and info.fstype == "local"
    ok, all_fs = client.list_fs()
    assert ok and fs in [f.name for f in all_fs]
    ok, links = client.show_link(fs)
    assert ok and isinstance(links, list)
    assert client.delete_fs(fs) == (True, None)
    ok, message = client.show_fs(fs)
    assert ok is False and "RecordNotFound" in message


def test_run_lifecycle_with_logs(client):
    name = f"hello_{_uid()}"
    ok, run_id = client.create_run(run_yaml_raw=YAML.format(name=name), run_name=name)
    assert ok, run_id
    run = _wait_final(client, run_id)
    assert run.status == "succeeded", run.message
    assert [j.step_name for j in run.iter_jobs()] == ["say-hi"]
    ok, logs = client.show_log(run_id)
    assert ok and any(f"hello-from-{name}" in log.log_content for log in logs)
    job_id = next(run.iter_jobs()).job_id
    ok, stats = client.get_statistics(job_id)
    assert ok and isinstance(stats.metrics_info, dict)
    ok, detail, truncated = client.get_statistics_detail(job_id)
    assert ok and isinstance(truncated, bool) and isinstance(detail.result, list)
    ok, listed = client.list_run(run_name=name)
    assert ok and [r.run_id for r in listed["runList"]] == [run_id]
    assert [r.run_id for r in client.api.iter_runs(run_name=name)] == [run_id]
    ok, message = client.retry_run(run_id)
    assert ok is False and "ActionNotAllowed" in message  # only failed/terminated runs retry
    assert client.delete_run(run_id) == (True, None)
    with pytest.raises(NotFoundError):
        client.api.show_run(run_id)


def test_stop_and_retry_a_long_run(client):
    name = f"long_{_uid()}"
    yaml = f"name: {name}\ndocker_env: busybox\nentry_points:\n  wait:\n    command: sleep 30\n"
    run_id = client.api.create_run(run_yaml_raw=yaml)
    assert client.stop_run(run_id, force=True) == (True, None)
    assert _wait_final(client, run_id).status == "terminated"
    ok, new_id = client.retry_run(run_id)
    assert ok and new_id != run_id
    client.stop_run(new_id, force=True)
    _wait_final(client, new_id)


def test_pipelines_and_schedules_end_to_end(client):
    name = f"ppl_{_uid()}"
    ok, created = client.create_pipeline(yaml_raw=YAML.format(name=name).encode())
    assert ok and created["name"] == name and created["pplVerID"] == "1"
    ppl_id = created["pplID"]
    ok, updated = client.update_pipeline(ppl_id, yaml_raw=YAML.format(name=name))
    assert ok and updated["pipelineVersionID"] == "2"
    ok, detail = client.show_pipeline(ppl_id)
    assert ok and [v.pipeline_version_id for v in detail["pipelineVersionList"]] == ["1", "2"]
    ok, version = client.show_pipeline_version(ppl_id, "2")
    assert ok and version["pipelineVersionInfo"].pipeline_id == ppl_id
    ok, listed = client.list_pipeline(name_filter=name)
    assert ok and [p.pipeline_id for p in listed["pipelineList"]] == [ppl_id]
    assert client.delete_pipeline_version(ppl_id, "1") == (True, None)

    sname = f"s_{_uid()}"
    ok, sid = client.create_schedule(sname, ppl_id, "2", "@every 1s", concurrency=1)
    assert ok, sid
    ok, schedules = client.list_schedule(name_filter=sname)
    assert ok and [s.schedule_id for s in schedules["scheduleList"]] == [sid]
    ok, shown = client.show_schedule(sid)
    assert ok and shown["scheduleInfo"].crontab == "@every 1s"
    assert client.stop_schedule(sid) == (True, None)
    assert client.show_schedule(sid)[1]["scheduleInfo"].status == "terminated"
    for run in client.show_schedule(sid)[1]["runList"]:
        client.stop_run(run.run_id, force=True)
    assert client.delete_schedule(sid) == (True, None)
    for run in client.api.iter_runs(run_name=sname):
        _wait_final(client, run.run_id)
    assert client.delete_pipeline(ppl_id) == (True, None)


def test_clusters_end_to_end(client):
    name = f"c{_uid()}"
    ok, cid = client.create_cluster(name, "http://127.0.0.1:1", "Local", credential=b"secret-kubeconfig")
    assert ok, cid
    ok, info = client.show_cluster(name)
    assert ok and info.clusterid == cid and info.credential == "secret-kubeconfig"
    ok, clusters, _marker = client.list_cluster(clustername=name)
    assert ok and [c.clustername for c in clusters] == [name]
    ok, updated = client.update_cluster(name, description="updated")
    assert ok and updated == cid
    ok, resources = client.list_cluster_resource()
    assert ok and isinstance(resources, dict)
    assert client.delete_cluster(name) == (True, None)


def test_creating_a_cluster_that_exists_is_a_conflict_not_a_success(client):
    """The server answers a duplicate cluster name with a bare 500; the client must not mistake the
    existing cluster for the one it was asked to create."""
    name = f"c{_uid()}"
    ok, cid = client.create_cluster(name, "http://127.0.0.1:1", "Local")
    assert ok, cid
    try:
        ok, message = client.create_cluster(name, "http://127.0.0.1:2", "Local", credential=b"kubeconfig-2")
        assert ok is False and "already exists with a different endpoint, credential" in message
        assert "kubeconfig-2" not in message
        # The same definition again is the same cluster: reported as it is, not duplicated.
        assert client.create_cluster(name, "http://127.0.0.1:1", "Local") == (True, cid)
    finally:
        client.delete_cluster(name)


def test_a_create_whose_answer_is_lost_after_commit_is_not_duplicated(client, paddleflow_emulator):
    name = f"dup_{_uid()}"
    paddleflow_emulator.add_faults({"method": "POST", "path": "/run$", "drop": True, "after_commit": True})
    try:
        ok, run_id = client.create_run(run_yaml_raw=YAML.format(name=name), run_name=name)
    finally:
        paddleflow_emulator.clear_faults()
    assert ok, run_id
    ok, listed = client.list_run(run_name=name)
    assert [r.run_id for r in listed["runList"]] == [run_id]
    _wait_final(client, run_id)


def test_transient_5xx_and_429_are_ridden_out(client, paddleflow_emulator):
    paddleflow_emulator.add_faults(
        {"method": "GET", "path": "/run$", "status": 503, "times": 2},
        {"method": "GET", "path": "/queue$", "status": 429, "retry_after": 0},
    )
    try:
        assert client.list_run(maxsize=1)[0] is True
        assert client.list_queue()[0] is True
    finally:
        paddleflow_emulator.clear_faults()


def test_async_api_polls_the_emulator(client, paddleflow_emulator):
    name = f"asy_{_uid()}"
    run_id = client.api.create_run(run_yaml_raw=YAML.format(name=name))

    async def poll():
        async with AsyncPaddleFlowAPI(client.config) as api:
            while True:
                run = await api.show_run(run_id)
                if run.is_final:
                    return run, await api.show_log(run_id)
                await asyncio.sleep(0.1)

    run, log = asyncio.run(asyncio.wait_for(poll(), 60))
    assert run.status == "succeeded"
    assert any(f"hello-from-{name}" in entry.log_content for entry in log.run_log)


def test_async_own_password_change_keeps_the_api_logged_in(client):
    name = f"u{_uid()}"
    assert client.add_user(name, "abc123") == (True, None)

    async def scenario():
        async with AsyncPaddleFlowAPI(client.config.replace(username=name, password="abc123")) as api:
            before = await api.list_run()  # logged in with the old password
            await api.update_password(name, "xyz789")
            after = await api.list_run()
            await api.login()  # the stored credentials are the new ones
            return before, after

    before, after = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert before.items == [] and after.items == []
    fresh = Client(client.config.base_url, name, "abc123", max_attempts=1)
    ok, message = fresh.login()
    assert ok is False and "AuthFailed" in message  # the server really has the new password
    fresh.close()
    assert client.del_user(name) == (True, None)


def test_client_token_marks_the_run_and_finds_it_again(client):
    name = f"tok_{_uid()}"
    token = f"af.{_uid()}:try-1"
    ok, first = client.create_run(run_yaml_raw=YAML.format(name=name), run_name=name, client_token=token)
    assert ok, first
    ok, other = client.create_run(run_yaml_raw=YAML.format(name=name), run_name=name)
    assert ok, other
    assert client.api.show_run(first).description == f"[pf-token:{token}]"  # one marker, not two
    assert client.api.find_run_by_client_token(token).run_id == first
    ok, found = client.find_run_by_client_token(token, run_name=name)
    assert ok and found.run_id == first
    assert client.api.find_run_by_client_token(f"{token}x") is None

    async def lookup():
        async with AsyncPaddleFlowAPI(client.config) as api:
            return await api.find_run_by_client_token(token, run_name=name)

    assert asyncio.run(lookup()).run_id == first
    # The same token again: a second run, and the lookup now answers the newest one.
    again = client.api.create_run(run_yaml_raw=YAML.format(name=name), run_name=name, client_token=token)
    assert again != first and client.api.find_run_by_client_token(token).run_id == again
    for run_id in (first, other, again):
        _wait_final(client, run_id)


def test_a_lost_create_with_a_client_token_is_not_duplicated(client, paddleflow_emulator):
    name = f"tokdup_{_uid()}"
    token = f"af-{_uid()}"
    paddleflow_emulator.add_faults({"method": "POST", "path": "/run$", "drop": True, "after_commit": True})
    try:
        run_id = client.api.create_run(run_yaml_raw=YAML.format(name=name), client_token=token)
    finally:
        paddleflow_emulator.clear_faults()
    assert [r.run_id for r in client.api.iter_runs(run_name=name)] == [run_id]
    assert client.api.find_run_by_client_token(token).run_id == run_id
    _wait_final(client, run_id)


def test_explicit_login_and_a_wrong_password(client):
    assert client.login("root", client.config.password) == (True, None)
    other = Client(client.config.base_url, "root", "not-the-password", max_attempts=1)
    ok, message = other.login()
    assert ok is False and "AuthFailed" in message and "not-the-password" not in message
    ok, message = other.list_run()
    assert ok is False and "AuthFailed" in message
    other.close()


def test_links_end_to_end(client):
    fs = f"h{_uid()}"
    assert client.add_fs(fs, "hdfs://127.0.0.1:9000/data", properties={"user": "u", "group": "g"}) == (
        True,
        None,
    )
    assert client.add_link(fs, "/lnk", "local:///tmp/pf-link", properties={"debug": "true"}) == (True, None)
    ok, link = client.show_link(fs, "/lnk")
    assert ok and (link.name, link.fspath, link.fstype, link.subpath) == (fs, "/lnk", "local", "/tmp/pf-link")
    ok, links = client.show_link(fs)
    assert ok and [x.fspath for x in links] == ["/lnk"]
    assert [x.fspath for x in client.list_link(fs)[1]] == ["/lnk"]
    assert [x.fspath for x in client.api.iter_links(fsname=fs)] == ["/lnk"]
    ok, message = client.add_link(fs, "/lnk", "local:///tmp/pf-link2", properties={"debug": "true"})
    assert ok is False and "FileSystemNotExist" in message  # (sic) the server's code for a taken path
    assert client.delete_link(fs, "/lnk") == (True, None)
    assert client.list_link(fs) == (True, [])
    # The server answers a missing link with HTTP 500 (LinkModelError / "record not found"): an answer,
    # reported as not-found at once, not retried as a fault.
    for call in (lambda: client.api.delete_link(fs, "/lnk"), lambda: client.api.show_link(fs, "/lnk")):
        with pytest.raises(NotFoundError) as caught:
            call()
        assert caught.value.status_code == 500
    assert client.delete_fs(fs) == (True, None)


CACHED_YAML = """name: {name}
docker_env: busybox:1.36
cache:
  enable: true
  max_expired_time: -1
entry_points:
  produce:
    command: echo data > {{{{out}}}}
    artifacts:
      output:
      - out
"""


def test_run_caches_and_artifacts_end_to_end(client):
    fs, name = f"fs{_uid()}", f"art_{_uid()}"
    client.add_fs(fs, f"local://{fs}")
    first = client.api.create_run(fs_name=fs, run_yaml_raw=CACHED_YAML.format(name=name))
    assert _wait_final(client, first).status == "succeeded"
    ok, caches = client.list_cache(run_filter=first)
    assert ok and [c.run_id for c in caches["runCacheList"]] == [first]
    cache = caches["runCacheList"][0]
    assert cache.fs_name == fs and cache.strategy == "conservative"
    ok, shown = client.show_cache(cache.cache_id)
    assert ok and shown.first_fp == cache.first_fp and shown.job_id == cache.job_id
    assert [c.cache_id for c in client.api.iter_caches(fs_filter=fs)] == [cache.cache_id]
    ok, artifacts = client.list_artifact(run_filter=first, type_filter="output")
    assert ok and [(a.step, a.type, a.artifact_name) for a in artifacts["artifactList"]] == [
        ("produce", "output", "out")
    ]
    assert artifacts["artifactList"][0].artifact_path.startswith(f".pipeline/{first}/")
    assert len(list(client.api.iter_artifacts(run_filter=first))) == 1
    # The same run again is a cache hit: no new job, the step points at the first run.
    second = client.api.create_run(fs_name=fs, run_yaml_raw=CACHED_YAML.format(name=name))
    hit = _wait_final(client, second)
    assert hit.status == "succeeded" and next(hit.iter_jobs()).cache_run_id == first
    assert client.delete_cache(cache.cache_id) == (True, None)
    ok, message = client.show_cache(cache.cache_id)
    assert ok is False and "RunCacheNotFound" in message


def _recording_fuse(tmp_path) -> str:
    """A stand-in FUSE client that logs in to the server with what it was given, and records it."""
    script = tmp_path / "pfs-fuse"
    script.write_text(
        "#!/usr/bin/env python3\n"
        "import json, os, sys, urllib.request\n"
        "args = dict(a[2:].split('=', 1) for a in sys.argv[2:] if a.startswith('--'))\n"
        "body = json.dumps({'username': args['user-name'], 'password': os.environ['PF_PASSWORD']})\n"
        "req = urllib.request.Request('http://' + args['server'] + '/api/paddleflow/v1/login',\n"
        "    data=body.encode(), headers={'Content-Type': 'application/json'})\n"
        "status = urllib.request.urlopen(req).status\n"
        f"json.dump({{'argv': sys.argv, 'login': status}}, open({str(tmp_path / 'record.json')!r}, 'w'))\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_mount_end_to_end(client, tmp_path, monkeypatch):
    fs = f"fs{_uid()}"
    client.add_fs(fs, f"local://{fs}")
    record = tmp_path / "record.json"
    monkeypatch.setattr(_mount, "is_mount", lambda _path: record.exists())
    mountpoint = tmp_path / "mnt"
    mountpoint.mkdir()
    c = Client(client.config.base_url, "root", client.config.password, fuse_binary=_recording_fuse(tmp_path))
    assert c.mount(fs, str(mountpoint), mountOptions={"block-size": 4096}) == (True, None)
    started = json.loads(record.read_text())
    assert started["login"] == 200  # the password reached the FUSE client, through its environment
    assert f"--fs-id=fs-root-{fs}" in started["argv"] and "--block-size=4096" in started["argv"]
    assert not any(client.config.password in arg for arg in started["argv"][1:])
    record.unlink()
    ok, message = c.mount(f"no{_uid()}", str(mountpoint))
    assert ok is False and "RecordNotFound" in message and not record.exists()
    c.close()
