"""Log cursor: bytes on the wire per *caught-up* poll (nothing new) at 1,000 to 100,000 lines.

A step of a run on a fresh emulator prints N lines and keeps running; the cursor reads it to the end,
then one more poll finds nothing new: that poll's bytes (request and response, headers included) are
counted by a loopback TCP forwarder between the client and the emulator. Side by side, in the same
run and through the same forwarder, the baseline makes the request the previous cursor made for that
poll: the 100-line page holding its position (``begin`` mode below the server's 500 kB window, the
last 100 lines in tail mode past it). Bytes are deterministic, so one poll per length is the figure.

Run: ``.venv/bin/python bench/bench_logs.py`` (target: 100,000 lines within 1.1x of 1,000 lines, and
under 1 KB). ``tests/integration/client/test_log_poll_bytes.py`` asserts the same with this module.
"""

from __future__ import annotations

import contextlib
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from paddleflow_provider.client import Client
from paddleflow_provider.emulator import Emulator
from paddleflow_provider.runs.logs import PAGE_SIZE, RunLogCursor, jobs_of_run, read_new_lines

LENGTHS = (1_000, 1_050, 10_000, 100_000)
STEP_YAML = """name: loglen{lines}
docker_env: busybox:1.36
entry_points:
  main:
    command: "seq -f 'epoch %g: loss 0.25 accuracy 0.75' 1 {lines} && sleep 600"
"""


class ByteCountingForwarder:
    """A loopback TCP forwarder to ``upstream`` that counts every byte it carries: ``bytes`` both
    ways, ``downloaded`` only the server's answers (what a poll fetches, as opposed to what it asks)."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.bytes = 0
        self.downloaded = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            server = socket.create_connection(self.upstream)
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, answers: bool) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                with self._lock:  # counted before the other side can see it
                    self.bytes += len(data)
                    if answers:
                        self.downloaded += len(data)
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self._listener.close()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()


@contextlib.contextmanager
def counted(forwarder: ByteCountingForwarder) -> Iterator[list[int]]:
    """``with counted(fw) as n:`` -- ``n[0]`` is the bytes carried inside the block both ways,
    ``n[1]`` the bytes of the server's answers alone."""
    result = [0, 0]
    before, before_down = forwarder.bytes, forwarder.downloaded
    yield result
    result[0] = forwarder.bytes - before
    result[1] = forwarder.downloaded - before_down


def start_logging_run(api: Any, lines: int) -> tuple[str, str]:
    """A run whose one step prints ``lines`` lines and keeps running; ``(run_id, job_id)`` once printed."""
    run_id = api.create_run(run_yaml_raw=STEP_YAML.format(lines=lines))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        jobs = jobs_of_run(api.show_run(run_id))
        if jobs:
            log = api.show_log(run_id, job_id=jobs[0][0], page_size=1, page_no=1, log_file_position="end")
            content = log.run_log[0].log_content if log.run_log else ""
            if f"epoch {lines}:" in content:
                return run_id, jobs[0][0]
        time.sleep(0.2)
    raise TimeoutError(f"the step did not print {lines} lines within 120 s")


def caught_up_poll_bytes(emulator_url: str, lines: int, password: str = "paddleflow") -> dict[str, Any]:
    """Bytes of one caught-up poll of a ``lines``-line log: the cursor's and the previous cursor's."""
    host, port = emulator_url.removeprefix("http://").split(":")
    forwarder = ByteCountingForwarder((host, int(port)))
    client = Client(forwarder.url, "root", password)
    api = client.api
    try:
        run_id, job_id = start_logging_run(api, lines)
        info = api.show_run(run_id)
        cursor = RunLogCursor()
        read = 0
        while batch := read_new_lines(api, run_id, info, cursor):  # catch up (a few calls' page budget)
            read += len(batch)
        with counted(forwarder) as ours:
            new = read_new_lines(api, run_id, info, cursor)
        job = cursor.jobs[job_id]
        if job.tail:  # the previous cursor: the last 100 lines, to find its anchor
            previous: dict[str, Any] = {"page_no": 1, "log_file_position": "end"}
        else:  # the previous cursor: the 100-line page holding its position
            previous = {"page_no": job.lines // PAGE_SIZE + 1, "log_file_position": "begin"}
        with counted(forwarder) as baseline:
            api.show_log(run_id, job_id=job_id, page_size=PAGE_SIZE, **previous)
        api.stop_run(run_id)
        return {
            "lines": lines,
            "read": read,
            "new_on_caught_up_poll": len(new),
            "tail": job.tail,
            "bytes": ours[0],
            "downloaded": ours[1],
            "baseline_bytes": baseline[0],
            "baseline_downloaded": baseline[1],
        }
    finally:
        client.close()
        forwarder.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, Emulator(data_dir=Path(tmp) / "data") as emu:
        rows = [caught_up_poll_bytes(emu.url, n) for n in LENGTHS]
    print(
        f"{'log lines':>10} {'mode':>6} {'ours (B)':>9} {'of it answers':>14} "
        f"{'previous cursor (B)':>20} {'of it answers':>14}"
    )
    for row in rows:
        mode = "tail" if row["tail"] else "begin"
        print(
            f"{row['lines']:>10,} {mode:>6} {row['bytes']:>9} {row['downloaded']:>14} "
            f"{row['baseline_bytes']:>20} {row['baseline_downloaded']:>14}"
        )
    first, last = rows[0], rows[-1]
    print(
        f"ratio {last['lines']:,} / {first['lines']:,} lines: ours {last['bytes'] / first['bytes']:.3f}x "
        f"(target <= 1.1x, under 1,024 B), previous cursor "
        f"{last['baseline_bytes'] / first['baseline_bytes']:.3f}x"
    )


if __name__ == "__main__":
    main()
