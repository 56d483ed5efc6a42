"""The emulator as a process: CLI line, port 0, signals, restart durability, faults, clock, load."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from emulator_testlib import PREFIX, Api, assert_error, b64, unique, wait_for

from paddleflow_provider.emulator import Emulator

pytestmark = pytest.mark.slow  # emulator processes started and stopped, each a few seconds

FINAL = ("succeeded", "failed", "terminated", "skipped")


def test_cli_prints_one_line_and_stops_on_sigterm(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "paddleflow_provider.emulator", "--port", "0", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("PaddleFlow emulator listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1]
        r = requests.post(
            url + PREFIX + "/login", json={"username": "root", "password": "paddleflow"}, timeout=5
        )
        assert r.status_code == 200
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
        assert proc.returncode == 0 and out == ""
    finally:
        if proc.poll() is None:
            proc.kill()


def test_sigterm_while_watching_for_the_parent_stops_cleanly(tmp_path: Path) -> None:
    """``--stop-with-parent`` (what ``Emulator`` starts) with the parent still there: a SIGTERM (a
    ``kill``, a CI runner's stop) must end the server with status 0, not abort the interpreter on the
    thread that is blocked reading standard input."""
    for _ in range(3):  # before the fix, every stop aborted ("Fatal Python error", SIGABRT)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "paddleflow_provider.emulator",
                "--port",
                "0",
                "--stop-with-parent",
                "--data-dir",
                str(tmp_path),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None and proc.stderr is not None
            assert proc.stdout.readline().startswith("PaddleFlow emulator listening on")
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)  # standard input stays open: the parent is alive
            errors = proc.stderr.read()
            assert proc.returncode == 0, errors
            assert "Fatal Python error" not in errors
        finally:
            if proc.poll() is None:
                proc.kill()
            if proc.stdin is not None:
                proc.stdin.close()


def test_root_password_option_and_cli_rejects_bad_port(tmp_path: Path) -> None:
    bad = subprocess.run(
        [sys.executable, "-m", "paddleflow_provider.emulator", "--port", "70000"],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bad.returncode != 0 and "--port" in bad.stderr
    with Emulator(data_dir=tmp_path, root_password="s3cret99") as emu:
        r = requests.post(
            emu.url + PREFIX + "/login", json={"username": "root", "password": "s3cret99"}, timeout=5
        )
        assert r.status_code == 200
        assert_error(
            requests.post(
                emu.url + PREFIX + "/login", json={"username": "root", "password": "paddleflow"}, timeout=5
            ),
            400,
            "AuthFailed",
        )
    assert "s3cret99" not in (tmp_path / "emulator.log").read_text()


def test_state_survives_restart_and_runs_in_flight_resume(tmp_path: Path) -> None:
    yaml_text = (
        "name: durable\ndocker_env: busybox\nentry_points:\n"
        "  first:\n    command: echo first\n"
        "  second:\n    deps: first\n    command: sleep 2; echo second-done\n"
    )
    with Emulator(data_dir=tmp_path) as emu:
        api = Api(emu.url)
        user = unique("dur")
        assert api.post("/user", json={"username": user, "password": "pass1234"}).status_code == 200
        rid = api.post("/run", json={"runYamlRaw": b64(yaml_text)}).json()["runID"]

        def second_running() -> bool:
            rt = api.get(f"/run/{rid}").json()["runtime"]
            return rt.get("second", [{}])[0].get("status") == "running"

        wait_for(second_running, timeout=30)
        first_job = api.get(f"/run/{rid}").json()["runtime"]["first"][0]["jobID"]
    with Emulator(data_dir=tmp_path) as emu:
        api = Api(emu.url)
        assert Api(emu.url, user, "pass1234").user == user  # users and passwords persisted
        detail = wait_for(lambda: (d := api.get(f"/run/{rid}").json())["status"] in FINAL and d, timeout=60)
        assert detail["status"] == "succeeded", detail["runMsg"]
        assert detail["runtime"]["first"][0]["jobID"] == first_job  # the finished step was kept
        stats = requests.get(emu.url + "/_emulator/stats", timeout=5).json()
        assert stats.get("runs_resumed") == 1


def test_fault_injection_status_drop_and_after_commit(root: Api, paddleflow_emulator: Emulator) -> None:
    emu = paddleflow_emulator
    try:
        emu.add_faults({"method": "GET", "path": "/queue$", "status": 503, "times": 2, "retry_after": "1"})
        r1, r2, r3 = (root.get("/queue") for _ in range(3))
        assert (
            r1.status_code == 503
            and r1.headers["Retry-After"] == "1"
            and set(r1.json()) == {"requestID", "code", "message"}
        )
        assert r2.status_code == 503 and r3.status_code == 200
        emu.add_faults({"method": "GET", "path": "/version", "drop": True})
        with pytest.raises(requests.ConnectionError):
            root.get("/version")
        assert root.get("/version").status_code == 200
        before = emu.stats().get("runs_created", 0)
        yaml_text = "name: ac\ndocker_env: busybox\nentry_points:\n  a:\n    command: echo\n"
        emu.add_faults({"method": "POST", "path": "/run$", "drop": True, "after_commit": True})
        with pytest.raises(requests.ConnectionError):
            root.post("/run", json={"runYamlRaw": b64(yaml_text)})
        assert emu.stats()["runs_created"] == before + 1  # the run landed although the answer was lost
        emu.add_faults({"method": "POST", "path": "/run$", "status": 500, "after_commit": True})
        assert root.post("/run", json={"runYamlRaw": b64(yaml_text)}).status_code == 500
        assert emu.stats()["runs_created"] == before + 2
        emu.add_faults({"path": "/queue$", "delay_s": 0.2, "times": 1})
        t0 = time.monotonic()
        assert root.get("/queue").status_code == 200
        assert time.monotonic() - t0 >= 0.2
        r = requests.post(emu.url + "/_emulator/faults", json={"rules": [{"status": "x"}]}, timeout=5)
        assert r.status_code == 400
    finally:
        emu.clear_faults()
    assert requests.get(emu.url + "/_emulator/faults", timeout=5).json()["rules"] == []


def test_faults_api_is_absent_without_the_flag(tmp_path: Path) -> None:
    with Emulator(data_dir=tmp_path) as emu:
        r = requests.post(emu.url + "/_emulator/faults", json={"rules": [{"status": 503}]}, timeout=5)
        assert r.status_code == 404
        assert (
            requests.post(emu.url + "/_emulator/clock", json={"offset_s": 60}, timeout=5).status_code == 404
        )


def test_expired_ticks_become_skipped_runs(tmp_path: Path) -> None:
    with Emulator(data_dir=tmp_path, faults=True) as emu:
        api = Api(emu.url)
        yaml_text = "name: exp\ndocker_env: busybox\nentry_points:\n  a:\n    command: echo\n"
        p = api.post("/pipeline", json={"yamlRaw": b64(yaml_text)}).json()
        sid = api.post(
            "/schedule",
            json={
                "name": "expiring",
                "pipelineID": p["pipelineID"],
                "pipelineVersionID": "1",
                "crontab": "@every 1s",
                "expireInterval": 3,
                "concurrency": 0,
            },
        ).json()["scheduleID"]
        assert (
            requests.post(emu.url + "/_emulator/clock", json={"offset_s": 20}, timeout=5).status_code == 200
        )
        runs = wait_for(
            lambda: [
                r
                for r in api.get(f"/schedule/{sid}", params={"maxKeys": 1000}).json()["runs"]["runList"]
                if r["status"] == "skipped"
            ],
            timeout=30,
        )
        assert "beyond expire interval[3]" in runs[0]["runMsg"]
        api.put(f"/schedule/{sid}")


def test_hundred_runs_at_once_all_finish_with_logs(root: Api) -> None:
    yaml_text = "name: many\ndocker_env: busybox\nentry_points:\n  a:\n    command: echo run-{{PF_RUN_ID}}\n"
    body = {"runYamlRaw": b64(yaml_text)}
    with ThreadPoolExecutor(16) as pool:
        responses = list(pool.map(lambda _: root.post("/run", json=body), range(100)))
    assert all(r.status_code == 201 for r in responses)
    ids = [r.json()["runID"] for r in responses]
    assert len(set(ids)) == 100

    def all_final() -> bool:
        page = root.get("/run", params={"runFilter": ",".join(ids), "maxKeys": 1000}).json()["runList"]
        return len(page) == 100 and all(r["status"] in FINAL for r in page)

    wait_for(all_final, timeout=240, interval=0.5)
    page = root.get("/run", params={"runFilter": ",".join(ids), "maxKeys": 1000}).json()["runList"]
    assert {r["status"] for r in page} == {"succeeded"}
    for rid in ids:
        log = root.get(f"/log/run/{rid}").json()["runLog"]
        assert f"run-{rid}" in log[0]["taskList"][0]["logInfo"]["logContent"]


def test_plugin_import_is_cheap_and_emulator_never_imports_airflow() -> None:
    code = (
        "import sys\n"
        "import paddleflow_provider.emulator.pytest_plugin\n"
        "assert 'fastapi' not in sys.modules and 'uvicorn' not in sys.modules, 'plugin import is heavy'\n"
        "import paddleflow_provider.emulator.app, paddleflow_provider.emulator.server\n"
        "import paddleflow_provider.emulator.backend.core\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'airflow'], 'airflow imported'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


def test_backend_and_engine_know_no_http_framework() -> None:
    """The layers: handlers speak HTTP; the backend, the engine seam and the workflow engine do not."""
    code = (
        "import sys\n"
        "import paddleflow_provider.emulator.backend.core, paddleflow_provider.emulator.engine\n"
        "http = [m for m in sys.modules if m.split('.')[0] in ('fastapi', 'starlette', 'uvicorn')]\n"
        "assert not http, http\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


def test_every_emulator_module_imports_alone() -> None:
    """No import circle: each module of the emulator imports on its own, with none of the project's
    modules loaded before it (third-party packages stay cached, so one interpreter serves all)."""
    import paddleflow_provider.emulator as emulator

    root = Path(emulator.__file__).parent
    names = sorted(
        ".".join(("paddleflow_provider.emulator", *p.relative_to(root).with_suffix("").parts)).removesuffix(
            ".__init__"
        )
        for p in root.rglob("*.py")
        if p.name != "__main__.py"
    )
    code = (
        "import importlib, sys, traceback\n"
        "for name in sys.argv[1:]:\n"
        "    for loaded in [m for m in sys.modules if m.startswith('paddleflow_provider')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        print(f'{name}: {exc!r}')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *names], capture_output=True, text=True, timeout=120, check=True
    )
    assert len(names) > 50
    assert done.stdout == "", done.stdout


def test_binding_beyond_loopback_warns(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "paddleflow_provider.emulator",
            "--host",
            "127.0.0.2",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("PaddleFlow emulator listening on http://127.0.0.2:")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
        assert "WARNING" in err and "run commands" in err
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_an_emulator_whose_owner_is_killed_stops_with_its_steps(tmp_path: Path) -> None:
    """SIGKILL the process that started an ``Emulator`` (what a CI timeout does): no context manager
    or fixture teardown runs, yet the server and the step it was running go away."""
    import psutil

    owner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from paddleflow_provider.emulator import Emulator\n"
            f"emu = Emulator(data_dir={str(tmp_path)!r}, port=0).start()\n"
            "print(emu.url, emu.pid, flush=True)\n"
            "time.sleep(600)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    processes: list[psutil.Process] = []
    try:
        assert owner.stdout is not None
        url, pid = owner.stdout.readline().split()
        server = psutil.Process(int(pid))
        processes.append(server)
        sleeper = "name: orphan\ndocker_env: busybox\nentry_points:\n  wait:\n    command: sleep 300\n"
        run_id = Api(url).post("/run", json={"runYamlRaw": b64(sleeper)}).json()["runID"]
        processes += wait_for(lambda: server.children(recursive=True), timeout=30)
        owner.kill()
        owner.wait(10)
        _gone, alive = psutil.wait_procs(processes, timeout=30)
        assert alive == [], f"still running after the owner died: {alive} (run {run_id})"
    finally:
        if owner.poll() is None:
            owner.kill()
        for process in processes:  # only in the failure case is any left; psutil checks it is the same one
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
