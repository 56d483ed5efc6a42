"""An optional part used without its extra names the extra in one line (the module is blocked, not
uninstalled: ``sys.modules[name] = None`` makes ``import name`` fail as if it were absent)."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

from paddleflow_provider._extras import MissingExtraError, missing_modules, require_airflow
from paddleflow_provider.client import AsyncPaddleFlowAPI, ClientConfig
from paddleflow_provider.emulator import Emulator

EMULATOR_LINE = (
    "the emulator needs the 'emulator' extra: pip install 'airflow-provider-paddleflow[emulator]' "
    "(missing: {})"
)
ROOT = Path(__file__).resolve().parents[2]


def _run_cli_without(*modules: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys\n"
        f"for name in {modules!r}: sys.modules[name] = None\n"
        "from paddleflow_provider.emulator.__main__ import main\n"
        "raise SystemExit(main(['--port', '0']))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=ROOT,
    )


def test_emulator_cli_without_fastapi_says_which_extra_in_one_line():
    done = _run_cli_without("fastapi")
    assert done.returncode == 2
    assert done.stderr == EMULATOR_LINE.format("fastapi") + "\n"
    assert "Traceback" not in done.stderr


def test_emulator_cli_names_every_missing_module():
    done = _run_cli_without("fastapi", "uvicorn", "yaml")
    assert done.returncode == 2
    assert done.stderr.strip() == EMULATOR_LINE.format("fastapi, uvicorn, pyyaml")  # what pip installs


def test_the_paddleflow_command_without_click_says_which_extra_in_one_line():
    code = "import sys\nsys.modules['click'] = None\nfrom paddleflow_provider.cli import main\nmain()\n"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert done.stderr == (
        "the command line needs the 'cli' extra: pip install 'airflow-provider-paddleflow[cli]' "
        "(missing: click)\n"
    )


def test_emulator_launcher_without_the_extra_raises_before_starting_a_process(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "psutil", None)
    emu = Emulator(data_dir=tmp_path / "data", port=0)
    with pytest.raises(MissingExtraError) as info:
        emu.start()
    assert str(info.value) == EMULATOR_LINE.format("psutil")
    assert emu.pid is None
    assert not (tmp_path / "data").exists()


def test_async_client_without_httpx_says_which_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "httpx", None)
    with pytest.raises(ImportError) as info:
        AsyncPaddleFlowAPI(ClientConfig(host="127.0.0.1"))
    assert isinstance(info.value, MissingExtraError)
    assert str(info.value) == (
        "the async client (AsyncPaddleFlowAPI) needs the 'async' extra: "
        "pip install 'airflow-provider-paddleflow[async]' (missing: httpx)"
    )
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_installed_extras_report_nothing_missing():
    assert missing_modules(["json", "pytest"]) == []
    assert missing_modules(["json", "no_such_module_here", "no_such_pkg.sub"]) == [
        "no_such_module_here",
        "no_such_pkg.sub",
    ]


AIRFLOW_LINE = (
    "the Airflow provider needs the 'airflow' extra: pip install 'airflow-provider-paddleflow[airflow]' "
    "(missing: {})"
)


def test_airflow_face_without_airflow_says_which_extra():
    code = "import sys; sys.modules['airflow'] = None\nimport paddleflow_provider.hooks.paddleflow\n"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "paddleflow_provider._extras.MissingExtraError: " + AIRFLOW_LINE.format("airflow")
    )


@pytest.mark.parametrize("installed", ["1.7.0", "1.11.0", "1.21.3"])
def test_airflow_face_with_an_old_common_compat_names_the_bound(installed):
    with pytest.raises(MissingExtraError) as info:
        require_airflow(version_of=lambda name: installed)
    assert str(info.value) == AIRFLOW_LINE.format(
        f"apache-airflow-providers-common-compat>=1.22.0, found {installed}"
    )


def test_airflow_face_without_common_compat_names_it():
    def version_of(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    with pytest.raises(MissingExtraError) as info:
        require_airflow(version_of=version_of)
    assert str(info.value) == AIRFLOW_LINE.format("apache-airflow-providers-common-compat")


@pytest.mark.parametrize("installed", ["1.22.0", "1.23.0", "1.22.1rc1", "2.0.0+local"])
def test_airflow_face_with_a_recent_common_compat_passes(installed):
    pytest.importorskip("airflow")
    require_airflow(version_of=lambda name: installed)
    require_airflow()  # and the installed one
