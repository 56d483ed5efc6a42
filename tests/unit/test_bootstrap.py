"""The set-up script leaves the machine's own Python and tools alone.

``scripts/bootstrap.sh`` is run for real, in a copy of the checkout, with ``PYTHON`` set to
Debian's externally managed ``/usr/bin/python3`` (PEP 668: it refuses ``pip install``). The
interpreter is reached through a wrapper that records every command line it is given, and a
stand-in ``uv`` first on PATH records any call to it: the test observes what the script does
instead of reading it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = Path("/usr/bin/python3")
UV_VERSION = "0.13.9"

needs_managed_python = pytest.mark.skipif(
    not list(Path("/usr/lib").glob("python3.*/EXTERNALLY-MANAGED")) or not SYSTEM_PYTHON.exists(),
    reason="needs an externally managed /usr/bin/python3 (Debian/Ubuntu, PEP 668)",
)


def _checkout_copy(tmp_path: Path) -> Path:
    """The files the set-up reads, copied so the run builds .tools there and not in the checkout."""
    copy = tmp_path / "checkout"
    shutil.copytree(ROOT / "scripts", copy / "scripts")
    shutil.copytree(ROOT / "requirements", copy / "requirements")
    shutil.copy2(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def _recording_python(tmp_path: Path, log: Path, extra_env: str = "") -> Path:
    """A PYTHON that logs its arguments, one call per line, then runs /usr/bin/python3 with them."""
    wrapper = tmp_path / "python-wrapper"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\n{extra_env}exec {SYSTEM_PYTHON} "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


def _users_uv(tmp_path: Path, log: Path) -> Path:
    """A uv of the user's own, first on PATH: any call to it is logged (and fails)."""
    bin_dir = tmp_path / "user-bin"
    bin_dir.mkdir()
    uv = bin_dir / "uv"
    uv.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\necho "uv 0.0.1"\nexit 1\n')
    uv.chmod(0o755)
    return bin_dir


def _site_state() -> dict[str, list[str]]:
    """What /usr/bin/python3 has installed: every entry of each of its site-packages directories."""
    code = (
        "import json, os, site\n"
        "dirs = site.getsitepackages() + [site.getusersitepackages()]\n"
        "print(json.dumps({d: sorted(os.listdir(d)) if os.path.isdir(d) else [] for d in dirs}))\n"
    )
    out = subprocess.run([str(SYSTEM_PYTHON), "-c", code], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout))


def _bootstrap(
    checkout: Path, mode: str, python: Path, path_prefix: Path
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON", "UV_"))}
    env["PYTHON"] = str(python)
    env["PATH"] = f"{path_prefix}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        ["bash", str(checkout / "scripts" / "bootstrap.sh"), mode],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.mark.slow
@needs_managed_python
def test_tools_set_up_with_an_externally_managed_python_leaves_it_and_the_users_uv_alone(tmp_path):
    checkout = _checkout_copy(tmp_path)
    python_calls, uv_calls = tmp_path / "python-calls.log", tmp_path / "uv-calls.log"
    python = _recording_python(tmp_path, python_calls)
    user_bin = _users_uv(tmp_path, uv_calls)
    before = _site_state()

    done = _bootstrap(checkout, "tools", python, user_bin)

    assert done.returncode == 0, done.stderr
    uv = checkout / ".tools" / "bin" / "uv"
    version = subprocess.run([str(uv), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.split()[1] == UV_VERSION
    # .tools is a virtual environment of the given Python, not an install into it
    assert "home = /usr/bin" in (checkout / ".tools" / "pyvenv.cfg").read_text()
    assert _site_state() == before
    calls = python_calls.read_text().splitlines()
    assert calls, "the given Python was never run"
    assert not [c for c in calls if c.startswith("-m pip")], calls
    assert not uv_calls.exists(), f"the user's own uv was run: {uv_calls.read_text()}"

    again = _bootstrap(checkout, "tools", python, user_bin)
    assert again.returncode == 0, again.stderr
    assert "setting up" not in again.stderr  # a second run reuses .tools


@needs_managed_python
def test_a_python_without_venv_gets_a_one_line_message_naming_the_package(tmp_path):
    # Debian's python3 without the python3-venv package has no ensurepip: shadow the module.
    shadow = tmp_path / "no-ensurepip"
    (shadow / "ensurepip").mkdir(parents=True)
    (shadow / "ensurepip" / "__init__.py").write_text("raise ImportError('ensurepip is not installed')\n")
    checkout = _checkout_copy(tmp_path)
    python = _recording_python(tmp_path, tmp_path / "python-calls.log", f'PYTHONPATH="{shadow}" ')
    user_bin = _users_uv(tmp_path, tmp_path / "uv-calls.log")

    done = _bootstrap(checkout, "af3", python, user_bin)

    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "python3-venv" in lines[0]
    assert str(python) in lines[0]
    assert not (checkout / ".tools").exists()
    assert not (checkout / ".venv").exists()
