"""``mount``: no shell, no password on the command line, clear failures."""

from __future__ import annotations

import json
import os
import stat

import pytest

from paddleflow_provider.client import Client, _mount

FS = {"id": "fs-root-fs1", "name": "fs1", "type": "local", "username": "root"}


def _fake_fuse(tmp_path, exit_code: int) -> str:
    """A stand-in FUSE client that records how it was started."""
    record = tmp_path / "record.json"
    script = tmp_path / "pfs-fuse"
    script.write_text(
        "#!/usr/bin/env python3\nimport json, os, sys\n"
        f"part = {str(record) + '.part'!r}\n"
        "with open(part, 'w') as out:\n"
        "    json.dump({'argv': sys.argv, 'password': os.environ.get('PF_PASSWORD')}, out)\n"
        f"os.replace(part, {str(record)!r})  # appears whole: the test's is_mount watches for it\n"
        f"sys.exit({exit_code})\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_mount_passes_the_password_in_the_environment_only(server, sleeps, tmp_path, monkeypatch):
    binary = _fake_fuse(tmp_path, 0)
    mountpoint = tmp_path / "mnt"
    mountpoint.mkdir()
    record = tmp_path / "record.json"
    monkeypatch.setattr(_mount, "is_mount", lambda p: record.exists())
    c = Client("127.0.0.1", "root", "paddleflow", server.port, sleep=sleeps, fuse_binary=binary)
    server.reply(200, FS)
    assert c.mount("fs1", str(mountpoint), {"block-size": 4096, "debug": True}) == (True, None)
    started = json.loads(record.read_text())
    assert started["password"] == "paddleflow"
    assert not any("paddleflow" in a or a.startswith("--password") for a in started["argv"][1:])
    assert started["argv"][1:] == [
        "mount",
        "--fs-id=fs-root-fs1",
        f"--mount-point={mountpoint}",
        f"--server=127.0.0.1:{server.port}",
        "--user-name=root",
        "--block-size=4096",
        "--debug=true",
    ]
    c.close()


def test_mount_reports_a_failing_fuse_client(server, sleeps, tmp_path):
    binary = _fake_fuse(tmp_path, 3)
    c = Client("127.0.0.1", "root", "paddleflow", server.port, sleep=sleeps, fuse_binary=binary)
    server.reply(200, FS)
    ok, message = c.mount("fs1", str(tmp_path))
    assert (
        ok is False
        and "exited with code 3" in message
        and "paddleflow" not in message.replace("paddleflow-mount", "")
    )
    c.close()


def test_mount_without_a_binary_is_a_clear_false(server, sleeps, tmp_path, monkeypatch):
    monkeypatch.delenv("fuse_env", raising=False)
    c = Client("127.0.0.1", "root", "paddleflow", server.port, sleep=sleeps)
    ok, message = c.mount("fs1", str(tmp_path))
    assert ok is False and "fuse_env" in message
    monkeypatch.setenv("fuse_env", str(tmp_path / "missing-binary"))
    ok, message = c.mount("fs1", str(tmp_path))
    assert ok is False and "not found" in message
    assert server.requests == []
    c.close()


def test_mount_checks_the_mount_point_first(server, sleeps, tmp_path):
    c = Client("127.0.0.1", "root", "paddleflow", server.port, sleep=sleeps, fuse_binary="/bin/true")
    assert c.mount("fs1", str(tmp_path / "nope")) == (False, f"{tmp_path / 'nope'} No such directory")
    if os.path.ismount("/"):
        assert c.mount("fs1", "/") == (False, "/ is a mountpoint, can not be mounted twice")
    ok, message = c.mount("fs1", str(tmp_path), {"--evil": "x"})
    assert ok is False and "mount_options" in message
    c.close()


@pytest.mark.parametrize("alias", ["mountOptions"])
def test_mount_accepts_the_reference_keyword(server, sleeps, tmp_path, alias, monkeypatch):
    monkeypatch.delenv("fuse_env", raising=False)
    c = Client("127.0.0.1", "root", "paddleflow", server.port, sleep=sleeps)
    ok, message = c.mount("fs1", str(tmp_path), **{alias: {}})
    assert ok is False and "fuse_env" in message  # got past argument checks
    c.close()


def test_mount_reports_a_binary_the_system_cannot_start(server, sleeps, tmp_path):
    """An executable file that is not a program (no shebang, not a binary) cannot be started: the tuple
    face says so instead of raising ``OSError``."""
    binary = tmp_path / "pfs-fuse"
    binary.write_bytes(b"\x00\x01not a program\n")
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    mountpoint = tmp_path / "mnt"
    mountpoint.mkdir()
    c = Client("127.0.0.1", "root", "paddleflow", server.port, sleep=sleeps, fuse_binary=str(binary))
    server.reply(200, FS)
    ok, message = c.mount("fs1", str(mountpoint))
    assert ok is False and "could not start" in message and str(binary) in message
    assert "paddleflow" not in message.replace(str(tmp_path), "")
    c.close()
