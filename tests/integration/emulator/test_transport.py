"""The emulator answers a kept-alive connection as fast as a fresh one, however it is started.

Measured side by side on one server: the median latency of requests on one kept-alive
connection against the median of requests each on a new connection. Before the listening
socket was made with ``IPPROTO_TCP`` the first was about 20 times the second (Nagle's algorithm
meeting delayed ACKs: ~42 ms against ~2 ms); a kept-alive request does strictly less work, so
any ratio above 1.5 means the stall is back.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from paddleflow_provider.emulator import Emulator

ROUTE = "/api/paddleflow/v1/user"  # any route shows it; this one needs no login and answers 400/401
ROUNDS = 25
STALL_RATIO = 1.5


def _exchange(sock: socket.socket, host: str) -> None:
    """Send one keep-alive GET on ``sock`` and read its whole answer (uvicorn sends a length)."""
    sock.sendall(f"GET {ROUTE} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)


def _kept_alive_vs_new(host: str, port: int) -> tuple[float, float]:
    """Median seconds per request: on one kept-alive connection, and on a new connection each."""
    kept, new = [], []
    with socket.create_connection((host, port)) as keep:
        _exchange(keep, host)  # warm up the connection and the route
        for _ in range(ROUNDS):
            started = time.perf_counter()
            _exchange(keep, host)
            kept.append(time.perf_counter() - started)
            started = time.perf_counter()
            with socket.create_connection((host, port)) as fresh:
                _exchange(fresh, host)
            new.append(time.perf_counter() - started)
    return statistics.median(kept), statistics.median(new)


def _assert_no_stall(host: str, port: int) -> None:
    kept, new = _kept_alive_vs_new(host, port)
    assert kept <= new * STALL_RATIO, (
        f"kept-alive requests take {kept * 1000:.1f} ms (median) against {new * 1000:.1f} ms on new "
        f"connections: the transport stall is back (is TCP_NODELAY set on accepted connections?)"
    )


def test_pytest_fixture_emulator_has_no_keep_alive_stall(paddleflow_emulator: Any) -> None:
    _assert_no_stall(paddleflow_emulator.host, paddleflow_emulator.port)


def test_emulator_class_has_no_keep_alive_stall(tmp_path: Any) -> None:
    with Emulator(data_dir=tmp_path, port=0) as emu:
        _assert_no_stall(emu.host, emu.port)


@pytest.fixture()
def command_line_emulator(tmp_path: Any) -> Iterator[tuple[str, int]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "paddleflow_provider.emulator", "--port", "0", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "listening on http://" in line, line
        address = line.rsplit("http://", 1)[1].strip()
        host, port = address.rsplit(":", 1)
        yield host, int(port)
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_command_line_emulator_has_no_keep_alive_stall(command_line_emulator: tuple[str, int]) -> None:
    _assert_no_stall(*command_line_emulator)
