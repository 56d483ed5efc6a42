"""A local PaddleFlow-compatible server for development and tests.

``with Emulator(data_dir=...) as emu:`` starts the server in a child process (robust to kill, no GIL
contention with the caller) and gives ``emu.host``, ``emu.port`` and ``emu.url``. Importing this
module is cheap: FastAPI and uvicorn are only imported by the child process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from .._extras import require_extra

__all__ = ["Emulator", "EmulatorStartError"]

_READY = "PaddleFlow emulator listening on "


class EmulatorStartError(RuntimeError):
    """The emulator process exited or stayed silent before it was listening."""


class Emulator:
    """Start/stop a PaddleFlow emulator process.

    :param data_dir: state directory; a temporary one (removed on stop) when ``None``.
    :param host: bind address.
    :param port: port, ``0`` for a free one.
    :param faults: enable the ``/_emulator/faults`` API.
    :param root_password: root's password on a fresh data dir.
    :param start_timeout: seconds to wait for the ``listening`` line.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: bool = False,
        root_password: str = "paddleflow",  # noqa: S107 - the documented default
        start_timeout: float = 30.0,
    ) -> None:
        self._own_dir = data_dir is None
        self.data_dir = (
            Path(data_dir) if data_dir is not None else Path(tempfile.mkdtemp(prefix="pf-emulator-"))
        )
        self.host = host
        self.port = port
        self.faults = faults
        self.root_password = root_password
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen[str] | None = None
        self._requested_port = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    def start(self) -> Emulator:
        require_extra("the emulator", "emulator")  # one line naming the extra, not the child's traceback
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "paddleflow_provider.emulator",
            "--host",
            self.host,
            "--port",
            str(self._requested_port),
            "--data-dir",
            str(self.data_dir),
        ]
        if self.faults:
            cmd.append("--faults")
        # The child stops when this pipe closes: a test run killed outright (SIGKILL, a CI timeout)
        # takes its emulator and the emulator's step processes with it.
        cmd.append("--stop-with-parent")
        env = {**os.environ, "PADDLEFLOW_EMULATOR_ROOT_PASSWORD": self.root_password}
        log = (self.data_dir / "emulator.log").open("a")
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=env,
            start_new_session=True,
        )
        log.close()
        line = self._read_ready_line()
        self.port = int(line.rsplit(":", 1)[1])
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _read_ready_line(self) -> str:
        assert self._proc is not None and self._proc.stdout is not None
        result: list[str] = []

        def read() -> None:
            assert self._proc is not None and self._proc.stdout is not None
            for raw in self._proc.stdout:
                if raw.startswith(_READY):
                    result.append(raw.strip())
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(self.start_timeout)
        if not result:
            self.stop()
            tail = (self.data_dir / "emulator.log").read_text(errors="replace")[-2000:]
            raise EmulatorStartError(f"the emulator did not start within {self.start_timeout}s:\n{tail}")
        return result[0]

    def _drain(self) -> None:
        proc = self._proc
        if proc is not None and proc.stdout is not None:
            for _ in proc.stdout:
                pass

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM (the server stops its step processes), then SIGKILL after ``timeout``."""
        proc, self._proc = self._proc, None
        code = None
        if proc is not None:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)
            code = proc.returncode
            if proc.stdin is not None:
                proc.stdin.close()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        return code

    # --- conveniences for tests -----------------------------------------------------------------
    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(  # noqa: S310 - http URL we built
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - http URL we built
            return json.loads(resp.read() or b"null")

    def add_faults(self, *rules: dict[str, Any]) -> Any:
        """Install fault rules (needs ``faults=True``); see docs/emulator.md for the rule keys."""
        return self._call("POST", "/_emulator/faults", {"rules": list(rules)})

    def clear_faults(self) -> Any:
        return self._call("DELETE", "/_emulator/faults")

    def stats(self) -> dict[str, int]:
        return dict(self._call("GET", "/_emulator/stats"))

    def wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._call("GET", "/_emulator/health")
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
