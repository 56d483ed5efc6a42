"""What survives an emulator restart: run-cache hits from records written before it, and no step process
left over from a server that was SIGKILLed."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import psutil
from emulator_testlib import Api, b64, unique, wait_for

from paddleflow_provider.emulator import Emulator

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
