"""An optional part used without its extra names the extra in one line (the module is blocked, not
uninstalled: ``sys.modules[name] = None`` makes ``import name`` fail as if it were absent)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from paddleflow_provider._extras import MissingExtraError, missing_modules
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
    done = _run_cli_without("fastapi", "uvicorn", "croniter")
    assert done.returncode == 2
    assert done.stderr.strip() == EMULATOR_LINE.format("fastapi, uvicorn, croniter")


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
