"""The client end to end against the emulator: the reference's calls, real state, injected faults."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from paddleflow_provider.client import AsyncPaddleFlowAPI, Client, NotFoundError, RunStatus

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
    c = Client(paddleflow_emulator.url, "root", "paddleflow", backoff_initial=0.05, backoff_max=0.2)
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
