"""A TCP proxy that counts what crosses it: connections opened and HTTP requests, by method and path.

Why a proxy: the number of requests and TCP connections a set of triggers makes is the thing to
measure, and it must be measured outside the code under test (the client's own counters would only
repeat what the client believes it did). It runs its own event loop in a daemon thread, so the
loop under test is not slowed by it. Used by ``bench_triggers.py`` and by the shared-polling tests
(loaded from its path).
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from dataclasses import dataclass, field

#: The start of a request line. A client writes a request's head in one send, so it arrives at the
#: start of a read or after the previous request's CRLF; the target may be cut at the read's end.
_REQUEST_LINE = re.compile(rb"(?:^|\r\n)(GET|POST|PUT|DELETE|PATCH|HEAD) (/[^ \r\n]*)")


@dataclass
class Seen:
    """What the proxy saw so far (read it under ``lock``, or copy with :meth:`CountingProxy.snapshot`)."""

    connections: int = 0
    open_connections: int = 0
    requests: list[tuple[float, str, str]] = field(default_factory=list)  # (time, method, target)


class CountingProxy:
    """``with CountingProxy(host, port) as proxy:`` then point the client at ``proxy.port``."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.host = "127.0.0.1"
        self.port = 0
        self.lock = threading.Lock()
        self.seen = Seen()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="counting-proxy", daemon=True)
        self._server: asyncio.Server | None = None

    def __enter__(self) -> CountingProxy:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, self.host, 0, backlog=2048), self._loop
        ).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            assert self._server is not None
            self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def snapshot(self) -> Seen:
        with self.lock:
            return Seen(self.seen.connections, self.seen.open_connections, list(self.seen.requests))

    def requests_since(self, since: float, method: str = "GET", pattern: str = ".*") -> int:
        regex = re.compile(pattern)
        seen = self.snapshot().requests
        return sum(1 for t, m, target in seen if t >= since and m == method and regex.search(target))

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with self.lock:
            self.seen.connections += 1
            self.seen.open_connections += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
            await asyncio.gather(self._pipe(reader, up_writer, count=True), self._pipe(up_reader, writer))
        except (OSError, asyncio.CancelledError):  # the proxy is closing: not an error worth a traceback
            pass
        finally:
            with self.lock:
                self.seen.open_connections -= 1
            writer.close()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, count: bool = False
    ) -> None:
        try:
            while data := await reader.read(65536):
                if count:
                    now = time.time()
                    found = [(now, m[1].decode(), m[2].decode()) for m in _REQUEST_LINE.finditer(data)]
                    with self.lock:
                        self.seen.requests.extend(found)
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()
