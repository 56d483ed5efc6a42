"""Schedules over HTTP: validation, firing on ``@every 1s``, concurrency policies, expiry, end time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from emulator_testlib import Api, assert_error, b64, unique, wait_for


def make_pipeline(api: Api, command: str) -> tuple[str, str]:
    name = unique("sp")
    yaml_text = f"name: {name}\ndocker_env: busybox\nentry_points:\n  main:\n    command: {command}\n"
    r = api.post("/pipeline", json={"yamlRaw": b64(yaml_text)})
    assert r.status_code == 201, r.text
    return r.json()["pipelineID"], r.json()["pipelineVersionID"]


def schedule(api: Api, pid: str, ver: str, **extra: Any) -> str:
    body = {"name": unique("s"), "pipelineID": pid, "pipelineVersionID": ver, "crontab": "@every 1s", **extra}
    r = api.post("/schedule", json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["scheduleID"])


def runs_of(api: Api, sid: str) -> list[dict[str, Any]]:
    return list(api.get(f"/schedule/{sid}", params={"maxKeys": 1000}).json()["runs"]["runList"])


def fmt(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def test_create_validation(root: Api, make_user) -> None:  # type: ignore[no-untyped-def]
    pid, ver = make_pipeline(root, "echo hi")
    base = {"name": unique("v"), "pipelineID": pid, "pipelineVersionID": ver, "crontab": "*/5 * * * *"}
    assert_error(root.post("/schedule", json={**base, "name": "bad-name"}), 400, "InvalidNamePattern")
    assert_error(root.post("/schedule", json={**base, "desc": "d" * 300}), 400, "InvalidArguments")
    assert_error(root.post("/schedule", json={**base, "concurrency": -1}), 400, "InvalidArguments")
    assert_error(root.post("/schedule", json={**base, "concurrencyPolicy": "queue"}), 400, "InvalidArguments")
    assert_error(root.post("/schedule", json={**base, "expireInterval": -5}), 400, "InvalidArguments")
    assert_error(root.post("/schedule", json={**base, "pipelineID": "ppl-999999"}), 404, "PipelineNotFound")
    assert_error(root.post("/schedule", json={**base, "pipelineVersionID": "77"}), 404, "PipelineNotFound")
    past = fmt(datetime.now() - timedelta(hours=1))
    assert_error(root.post("/schedule", json={**base, "startTime": past}), 400, "InvalidArguments")
    assert_error(root.post("/schedule", json={**base, "startTime": "tomorrow"}), 400, "InvalidArguments")
    soon, later = datetime.now() + timedelta(hours=2), datetime.now() + timedelta(hours=1)
    assert_error(
        root.post("/schedule", json={**base, "startTime": fmt(soon), "endTime": fmt(later)}),
        400,
        "InvalidArguments",
    )
    assert_error(root.post("/schedule", json={**base, "crontab": "every minute"}), 400, "InvalidArguments")
    assert_error(root.post("/schedule", data=b"{"), 400, "InvalidHTTPRequest")
    user = make_user()
    assert_error(user.post("/schedule", json=base), 403, "AccessDenied")
    start = datetime.now() + timedelta(days=1)
    sid = schedule(
        root, pid, ver, name=base["name"], crontab="0 3 * * *", startTime=fmt(start), desc="nightly"
    )
    assert_error(root.post("/schedule", json={**base, "crontab": "@daily"}), 400, "DuplicatedName")
    shown = root.get(f"/schedule/{sid}").json()
    assert shown["status"] == "running" and shown["options"] == {
        "catchup": True,
        "expireInterval": 0,
        "concurrency": 0,
        "concurrencyPolicy": "suspend",
    }
    nxt = datetime.strptime(shown["nextRunTime"], "%Y-%m-%d %H:%M:%S")
    assert nxt.hour == 3 and nxt.minute == 0 and nxt > start
    assert shown["runs"]["runList"] == [] and "nextMarker" not in shown["runs"]
    assert_error(user.get(f"/schedule/{sid}"), 403, "AccessDenied")
    assert_error(user.delete(f"/schedule/{sid}"), 404, "ScheduleNotFound")
    assert_error(user.get("/schedule", params={"userFilter": "root"}), 403, "AccessDenied")
    assert_error(root.delete(f"/schedule/{sid}"), 403, "ActionNotAllowed")
    assert_error(root.delete(f"/pipeline/{pid}"), 403, "ActionNotAllowed")
    listed = root.get("/schedule", params={"scheduleFilter": sid}).json()["scheduleList"]
    assert [s["scheduleID"] for s in listed] == [sid]
    assert root.put(f"/schedule/{sid}").text == ""
    assert_error(root.put(f"/schedule/{sid}"), 403, "ActionNotAllowed")
    assert root.delete(f"/schedule/{sid}").text == ""
    assert_error(root.get(f"/schedule/{sid}"), 404, "ScheduleNotFound")


@pytest.mark.slow
def test_every_second_suspend_never_overlaps(root: Api) -> None:
    pid, ver = make_pipeline(root, "sleep 1.5")
    sid = schedule(root, pid, ver, concurrency=1)
    seen_active: list[int] = []

    def enough() -> bool:
        runs = runs_of(root, sid)
        seen_active.append(
            sum(r["status"] in ("initiating", "pending", "running", "terminating") for r in runs)
        )
        return sum(r["status"] == "succeeded" for r in runs) >= 2

    wait_for(enough, timeout=40, interval=0.1)
    root.put(f"/schedule/{sid}")
    assert max(seen_active) == 1
    runs = runs_of(root, sid)
    assert all(r["scheduleID"] == sid and r["scheduledTime"] for r in runs)
    assert all(r["status"] != "skipped" for r in runs)
    names = {r["name"] for r in runs}
    assert len(names) == 1


@pytest.mark.slow
def test_skip_policy_creates_skipped_runs(root: Api) -> None:
    pid, ver = make_pipeline(root, "sleep 3")
    sid = schedule(root, pid, ver, concurrency=1, concurrencyPolicy="skip")
    skipped = wait_for(lambda: [r for r in runs_of(root, sid) if r["status"] == "skipped"], timeout=30)
    root.put(f"/schedule/{sid}")
    assert "policy[skip]" in skipped[0]["runMsg"]
    assert sum(r["status"] != "skipped" for r in runs_of(root, sid)) >= 1


@pytest.mark.slow
def test_replace_policy_stops_the_older_run(root: Api) -> None:
    pid, ver = make_pipeline(root, "sleep 30")
    sid = schedule(root, pid, ver, concurrency=1, concurrencyPolicy="replace")
    wait_for(
        lambda: any(r["status"] in ("terminated", "terminating") for r in runs_of(root, sid)), timeout=30
    )
    root.put(f"/schedule/{sid}")
    for r in runs_of(root, sid):
        if r["status"] not in ("succeeded", "failed", "terminated", "skipped", "terminating"):
            root.put(f"/run/{r['runID']}", params={"action": "stop"}, json={"stopForce": True})


@pytest.mark.slow
def test_end_time_finishes_the_schedule(root: Api) -> None:
    pid, ver = make_pipeline(root, "echo tick")
    end = datetime.now() + timedelta(seconds=3)
    sid = schedule(root, pid, ver, endTime=fmt(end))
    wait_for(lambda: root.get(f"/schedule/{sid}").json()["status"] == "success", timeout=30)
    ticks = [r["scheduledTime"] for r in runs_of(root, sid)]
    assert ticks and all(t <= fmt(end) for t in ticks)
