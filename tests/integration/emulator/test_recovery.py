"""What survives an emulator restart: run-cache hits from records written before it, and no step process
left over from a server that was SIGKILLed."""

from __future__ import annotations

import os
import signal
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil
import pytest
from emulator_testlib import Api, b64, unique, wait_for

from paddleflow_provider.emulator import Emulator

pytestmark = pytest.mark.slow  # emulator restarts, each several seconds

FINAL = ("succeeded", "failed", "terminated", "skipped")


def _run_to_end(api: Api, yaml_text: str) -> dict[str, Any]:
    r = api.post("/run", json={"runYamlRaw": b64(yaml_text)})
    assert r.status_code == 201, r.text
    rid = r.json()["runID"]
    return wait_for(lambda: (d := api.get(f"/run/{rid}").json())["status"] in FINAL and d, timeout=60)


def test_cache_records_written_before_a_restart_still_give_hits(tmp_path: Path) -> None:
    fs = unique("cfs")
    yaml_text = (
        f"name: cached\ndocker_env: busybox\nfs_options:\n  main_fs: {{name: {fs}}}\n"
        "cache:\n  enable: true\n  max_expired_time: -1\n"
        "entry_points:\n  produce:\n    command: echo produced > {{out}}\n"
        "    artifacts:\n      output: [out]\n"
    )
    with Emulator(data_dir=tmp_path) as emu:
        api = Api(emu.url)
        assert api.post("/fs", json={"name": fs, "url": f"local://{fs}"}).status_code == 201
        first = _run_to_end(api, yaml_text)
        assert first["status"] == "succeeded", first["runMsg"]
        record = api.get("/runCache", params={"runFilter": first["runID"]}).json()["runCacheList"][0]
        assert record["custom"] == ""  # a string on the wire
    with Emulator(data_dir=tmp_path) as emu:
        api = Api(emu.url)
        second = _run_to_end(api, yaml_text)
        step = second["runtime"]["produce"][0]
        assert second["status"] == "succeeded", second["runMsg"]
        assert step["cacheRunID"] == first["runID"] and step["jobID"] == ""
        assert step["artifacts"]["output"] == first["runtime"]["produce"][0]["artifacts"]["output"]
        assert api.get(f"/run/{first['runID']}").json()["runCachedIDs"] == second["runID"]


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_processes_of_a_killed_server_are_killed_on_restart_runs_resume_jobs_fail(tmp_path: Path) -> None:
    # the first attempt leaves a marker and sleeps; the resumed attempt sees the marker and finishes
    yaml_text = (
        "name: orphan\ndocker_env: busybox\nentry_points:\n  nap:\n"
        '    command: "if [ -f nap.marker ]; then echo resumed; else echo $$ > nap.pid; touch nap.marker;'
        ' sleep 30 & wait; fi"\n'
    )
    emu = Emulator(data_dir=tmp_path).start()
    try:
        api = Api(emu.url)
        rid = api.post("/run", json={"runYamlRaw": b64(yaml_text)}).json()["runID"]
        pid_file = tmp_path / "runs" / rid / "workdir" / "nap.pid"
        wait_for(lambda: pid_file.exists() and pid_file.read_text().endswith("\n"), timeout=30)
        shell = psutil.Process(int(pid_file.read_text()))
        wait_for(shell.children, timeout=10)
        sleeper = shell.children()[0].pid
        job = {
            "schedulingPolicy": {"queue": "default-queue"},
            "image": "busybox",
            "command": "echo $$ > j.pid; sleep 30",
        }
        job_id = api.post("/job/single", json=job).json()["id"]
        job_pid_file = tmp_path / "jobs" / job_id / "workdir" / "j.pid"
        wait_for(lambda: job_pid_file.exists() and job_pid_file.read_text().endswith("\n"), timeout=30)
        job_shell = int(job_pid_file.read_text())
        assert emu.pid is not None
        os.kill(emu.pid, signal.SIGKILL)  # no chance to stop its steps
    finally:
        emu.stop()
    assert _alive(shell.pid) and _alive(sleeper) and _alive(job_shell)  # orphans really were left behind
    with Emulator(data_dir=tmp_path) as emu:
        assert not _alive(shell.pid) and not _alive(sleeper) and not _alive(job_shell)  # gone before resuming
        api = Api(emu.url)
        lost = api.get(f"/job/{job_id}").json()
        assert lost["status"] == "failed" and "not resumed" in lost["message"]
        detail = wait_for(lambda: (d := api.get(f"/run/{rid}").json())["status"] in FINAL and d, timeout=60)
        assert detail["status"] == "succeeded", detail["runMsg"]
        job = detail["runtime"]["nap"][0]["jobID"]
        log = api.get(f"/log/run/{rid}", params={"jobID": job}).json()["runLog"][0]
        assert "resumed" in log["taskList"][0]["logInfo"]["logContent"]


def _schedule_ticks(api: Api, sid: str) -> list[str]:
    runs = api.get(f"/schedule/{sid}", params={"maxKeys": 1000}).json()["runs"]["runList"]
    return [r["scheduledTime"] for r in runs]


@pytest.mark.parametrize("older_data_dir", [False, True], ids=["current", "without-tick-records"])
def test_a_restart_replays_a_schedule_window_without_double_firing(
    tmp_path: Path, older_data_dir: bool
) -> None:
    """A crash after a tick's run was created but before the schedule's cursor moved must not fire it
    twice; ticks missed while the server was down are back-filled, so every second has one run.
    A data dir written before the fired-tick records existed is back-filled from its runs."""
    yaml_text = "name: ticker\ndocker_env: busybox\nentry_points:\n  a:\n    command: echo tick\n"
    with Emulator(data_dir=tmp_path) as emu:
        api = Api(emu.url)
        ppl = api.post("/pipeline", json={"yamlRaw": b64(yaml_text)}).json()
        body = {"name": "ticker", "pipelineID": ppl["pipelineID"], "pipelineVersionID": "1"}
        sid = api.post("/schedule", json={**body, "crontab": "@every 1s"}).json()["scheduleID"]
        before = wait_for(lambda: (t := _schedule_ticks(api, sid)) and len(t) >= 3 and t, timeout=30)
    # the crash window: rewind the cursor to a tick whose run already exists
    with sqlite3.connect(tmp_path / "paddleflow.db") as db:
        db.execute("UPDATE schedules SET doc=json_set(doc, '$.nextRunTime', ?) WHERE key=?", (before[0], sid))
        if older_data_dir:
            db.execute("DROP TABLE schedule_ticks")
            db.execute("DELETE FROM meta WHERE k='schedule_ticks_backfilled'")
    with Emulator(data_dir=tmp_path) as emu:
        api = Api(emu.url)
        ticks = wait_for(lambda: (t := _schedule_ticks(api, sid)) and len(t) >= len(before) + 3 and t)
        assert api.put(f"/schedule/{sid}").status_code == 200
        ticks = _schedule_ticks(api, sid)
    assert len(ticks) == len(set(ticks)), ticks
    first, last = (datetime.strptime(t, "%Y-%m-%d %H:%M:%S") for t in (min(ticks), max(ticks)))
    assert len(ticks) == (last - first).seconds + 1  # no second lost, none doubled


def test_a_plain_stop_pending_at_a_restart_still_lets_post_process_run(tmp_path: Path) -> None:
    """A run stopped without force is resumed after a restart as a plain stop: its post_process still
    runs (semantics §2.8), it is not cancelled as a forced stop would do."""
    yaml_text = (
        "name: tidy\ndocker_env: busybox\nentry_points:\n  work:\n    command: echo work\n"
        "post_process:\n  cleanup:\n    command: sleep 3; echo cleaned\n"
    )
    with Emulator(data_dir=tmp_path) as emu:
        api = Api(emu.url)
        rid = api.post("/run", json={"runYamlRaw": b64(yaml_text)}).json()["runID"]
        wait_for(
            lambda: api.get(f"/run/{rid}").json()["postProcess"].get("cleanup", {}).get("status") == "running"
        )
        assert api.put(f"/run/{rid}", params={"action": "stop"}, json={"stopForce": False}).status_code == 200
    with sqlite3.connect(tmp_path / "paddleflow.db") as db:
        (status,) = db.execute("SELECT status FROM runs WHERE key=?", (rid,)).fetchone()
    assert status == "terminating"  # the server stopped while the clean-up step still ran
    with Emulator(data_dir=tmp_path) as emu:
        api = Api(emu.url)
        detail = wait_for(lambda: (d := api.get(f"/run/{rid}").json())["status"] in FINAL and d, timeout=60)
        cleanup = detail["postProcess"]["cleanup"]
        assert cleanup["status"] == "succeeded", (cleanup, detail["runMsg"])
        assert detail["runtime"]["work"][0]["status"] == "succeeded"
