"""Where the command line finds its server and user, and how it fails: one line, non-zero, no traceback."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from cli_testlib import assert_one_line_error

ROOT = Path(__file__).resolve().parents[2]


def ini(path: Path, host: str, port: int | str, name: str = "root", password: str = "paddleflow") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"[user]\nname = {name}\npassword = {password}\n"
        f"[server]\n# the server\npaddleflow_server_host = {host}\npaddleflow_server_port = {port}\n"
    )
    return path


NO_ENV = {
    "PADDLEFLOW_SERVER_HOST": "",
    "PADDLEFLOW_SERVER_PORT": "",
    "PADDLEFLOW_USER": "",
    "PADDLEFLOW_PASSWORD": "",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_config_file_given_with_pf_config(pf, paddleflow_emulator, tmp_path):
    emu = paddleflow_emulator
    path = ini(tmp_path / "my.ini", emu.host, emu.port, password=emu.root_password)
    result = pf("--pf_config", str(path), "run", "list", env=NO_ENV)
    assert result.exit_code == 0, result.stderr
    assert "| run id" in result.stdout


def test_the_default_config_location_and_default_port(pf, paddleflow_emulator, tmp_path):
    emu = paddleflow_emulator
    ini(tmp_path / ".paddleflow" / "paddleflow.ini", emu.host, emu.port, password=emu.root_password)
    assert pf("run", "list", env=NO_ENV | {"HOME": str(tmp_path)}).exit_code == 0
    # without a port anywhere, the default 8999 is used (and named in the failure)
    (tmp_path / ".paddleflow" / "paddleflow.ini").write_text(
        "[user]\nname = root\npassword = paddleflow\n[server]\npaddleflow_server_host = 127.0.0.1\n"
    )
    result = pf("run", "list", env=NO_ENV | {"HOME": str(tmp_path)})
    assert_one_line_error(result)


@pytest.mark.slow
def test_environment_beats_the_file_and_flags_beat_the_environment(pf, paddleflow_emulator, tmp_path):
    dead = free_port()
    path = ini(tmp_path / "dead.ini", "127.0.0.1", dead, password="wrong")
    env = {"PADDLEFLOW_CONFIG": str(path), "PADDLEFLOW_SERVER_PORT": str(paddleflow_emulator.port)}
    assert pf("run", "list", env=env).exit_code == 0  # port and password from the environment
    assert_one_line_error(pf("--port", str(dead), "run", "list", env=env))  # the flag wins: a dead port
    flagged = pf(
        "--host", paddleflow_emulator.url, "run", "list", env={"PADDLEFLOW_SERVER_HOST": "nowhere.invalid"}
    )
    assert flagged.exit_code == 0, flagged.stderr


def test_bad_settings_name_the_value_and_where_it_came_from(pf, tmp_path):
    assert_one_line_error(
        pf("run", "list", env={"PADDLEFLOW_SERVER_PORT": "99999"}),
        "port",
        "PADDLEFLOW_SERVER_PORT",
        "99999",
    )
    assert_one_line_error(pf("--host", "bad host!", "run", "list"), "host", "--host", "bad host!")
    assert_one_line_error(
        pf("--pf_config", str(tmp_path / "missing.ini"), "run", "list"), "missing.ini", "does not exist"
    )
    broken = tmp_path / "broken.ini"
    broken.write_text("no section header\n")
    assert_one_line_error(pf("--pf_config", str(broken), "run", "list"), "broken.ini")
    assert_one_line_error(pf("run", "list", env=NO_ENV), "no PaddleFlow server", "PADDLEFLOW_SERVER_HOST")
    assert_one_line_error(pf("run", "list", env={"PADDLEFLOW_PASSWORD": ""}), "PADDLEFLOW_PASSWORD")
    wrong = pf("run", "list", env={"PADDLEFLOW_PASSWORD": "not-the-password"})
    assert_one_line_error(wrong)
    assert "not-the-password" not in wrong.stderr + wrong.stdout


def test_a_dead_server_is_one_line(pf):
    result = pf("run", "show", "run-000001", env={"PADDLEFLOW_SERVER_PORT": str(free_port())})
    assert_one_line_error(result, "127.0.0.1")
    assert result.exit_code == 1


def test_usage_errors_exit_2_and_help_needs_no_server(pf):
    assert pf("--help", env=NO_ENV).exit_code == 0
    assert pf("run", "show").exit_code == 2
    assert pf("--output", "yaml", "run", "list").exit_code == 2
    assert pf("run", "nosuchverb").exit_code == 2
    both = pf("--conn-id", "x", "--host", "h", "run", "list")
    assert both.exit_code == 2 and "--conn-id" in both.stderr


def run_module(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )


def test_python_dash_m_and_the_entry_point(server_env):
    done = run_module(
        "-m", "paddleflow_provider.cli", "--output", "json", "run", "list", "-m", "1", env=server_env
    )
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)) == {"items", "nextMarker"}
    failed = run_module("-m", "paddleflow_provider.cli", "run", "show", "run-999999", env=server_env)
    assert failed.returncode == 1 and failed.stderr.startswith("Error: ") and "Traceback" not in failed.stderr
    dead_env = {**server_env, "PADDLEFLOW_SERVER_PORT": "1"}
    dead = run_module("-m", "paddleflow_provider.cli", "run", "list", env=dead_env)
    assert dead.returncode == 1 and dead.stderr.count("\n") == 1 and dead.stderr.startswith("Error: ")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["paddleflow"] == "paddleflow_provider.cli:main"


def test_importing_the_cli_loads_no_airflow():
    code = (
        "import sys, paddleflow_provider.cli.main, paddleflow_provider.cli.__main__;"
        "bad = sorted(m for m in sys.modules if m == 'airflow' or m.startswith('airflow.'));"
        "assert not bad, bad"
    )
    done = run_module("-c", code, env={})
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
@pytest.mark.airflow
def test_conn_id_uses_an_airflow_connection(paddleflow_emulator, tmp_path):
    if importlib.util.find_spec("airflow") is None:
        pytest.skip("Airflow is not installed")
    conn = json.dumps(
        {
            "conn_type": "paddleflow",
            "host": paddleflow_emulator.host,
            "port": paddleflow_emulator.port,
            "login": "root",
            "password": paddleflow_emulator.root_password,
        }
    )
    env = {
        "AIRFLOW_HOME": str(tmp_path),
        "AIRFLOW_CONN_PF_CLI": conn,
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        **NO_ENV,
    }
    done = run_module(
        "-m", "paddleflow_provider.cli", "--conn-id", "pf_cli", "--output", "json", "run", "list", env=env
    )
    assert done.returncode == 0, done.stderr
    assert "items" in json.loads(done.stdout)
    missing = run_module("-m", "paddleflow_provider.cli", "--conn-id", "nope", "run", "list", env=env)
    assert missing.returncode == 1 and missing.stderr.startswith("Error: ") and "nope" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_closed_pipe_ends_quietly():
    import click
    from click.testing import CliRunner

    from paddleflow_provider.cli.session import ErrorBoundaryGroup

    @click.group(cls=ErrorBoundaryGroup)
    def root() -> None:
        pass

    @root.command()
    def talk() -> None:
        raise BrokenPipeError(32, "Broken pipe")

    result = CliRunner().invoke(root, ["talk"])
    assert result.exit_code == 1 and "Traceback" not in result.output and "Error" not in result.stderr
