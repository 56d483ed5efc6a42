"""A loopback server that answers whatever a property test scripts, down to the bytes.

Why raw sockets and not ``http.server``: the answers under test are the ones a well-behaved HTTP
server cannot send (a ``Content-Length`` that lies, a header that is not text, a connection cut in
the middle of a body, a status line that is no status line, a server that never answers). Each
accepted connection runs in its own daemon thread; requests are read as HTTP/1.1 (head, then the
``Content-Length`` body) and recorded, then answered by the current ``Plan``.

One server serves a whole test module (hypothesis runs many examples per test); ``reset(plan)``
starts an example: it records afresh, and releases and closes every connection of the example
before (a stalled answer waits on that release, so no thread outlives the module).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator

#: the request paths the client sends start with this
PREFIX = "/api/paddleflow/v1"
#: a trickled answer's pace: one byte this often (inside any read timeout the tests configure)
TRICKLE_SECONDS = 0.1
#: how long an endless trickle goes on at most (far past any deadline the tests configure)
ENDLESS_SECONDS = 30.0
#: an endless trickle: what is sent at once, before ``a`` for ever (a status line, a header value, a
#: body that never reaches its length)
_ENDLESS_FROM = {
    "status": b"HTTP/1.1 200 ",
    "headers": b"HTTP/1.1 200 OK\r\nX-Pad: ",
    "body": b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n",
}


@dataclasses.dataclass(frozen=True)
class Answer:
    """One scripted answer.

    ``how``:
    * ``"http"``: ``status`` line, ``headers`` (raw bytes), ``body``; ``length`` says what the
      ``Content-Length`` header claims: ``"exact"``, ``"none"`` (no header: the body ends when the
      connection closes), ``"more"`` (claims more than is sent, then the connection closes),
      ``"less"`` (claims less than is sent) or ``"bad"`` (not a number);
    * ``"raw"``: ``body`` as is, no status line, then close;
    * ``"cut"``: close the connection without a byte;
    * ``"stall"``: never answer (until the example ends);
    * ``"stall_body"``: send the head and half the body, then never send the rest;
    * ``"trickle"``: send the answer one byte every ``TRICKLE_SECONDS`` (each byte well inside the
      read timeout, so no single read times out) from ``trickle_from`` on: ``"status"`` (the whole
      answer), ``"headers"`` (after the status line) or ``"body"`` (after the head); with ``endless``
      the trickle never ends (a status line, a header value or a body that grows for ever; for ever
      being ``ENDLESS_SECONDS``, so a client that does not give up fails its test instead of hanging it).
    """

    how: str = "http"
    status: int = 200
    reason: bytes = b"OK"
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""
    length: str = "exact"
    trickle_from: str = "status"
    endless: bool = False

    def trickled(self) -> tuple[bytes, Iterator[bytes]]:
        """A ``"trickle"`` answer: the bytes sent at once, then the bytes sent one at a time."""
        if self.endless:
            return _ENDLESS_FROM[self.trickle_from], itertools.repeat(b"a")
        whole = self.head() + self.body
        start = {"status": 0, "headers": whole.index(b"\r\n") + 2}.get(self.trickle_from, len(self.head()))
        return whole[:start], (whole[i : i + 1] for i in range(start, len(whole)))

    def head(self) -> bytes:
        lines = [b"HTTP/1.1 %d %s" % (self.status, self.reason)]
        size = {
            "exact": str(len(self.body)).encode(),
            "more": str(len(self.body) + 10).encode(),
            "less": str(max(0, len(self.body) // 2)).encode(),
            "bad": b"12x",
        }.get(self.length)
        if size is not None:
            lines.append(b"Content-Length: " + size)
        if self.length == "none":
            lines.append(b"Connection: close")
        lines.extend(name + b": " + value for name, value in self.headers)
        return b"\r\n".join(lines) + b"\r\n\r\n"

    @property
    def keeps_connection(self) -> bool:
        return self.how == "http" and self.length == "exact"


@dataclasses.dataclass(frozen=True)
class Seen:
    """One request as the server read it."""

    method: str
    path: str
    query: str
    body: bytes


#: How an example answers: a request (``Seen``, and how many requests to that path came before)
#: -> the answer.
Plan = Callable[[Seen, int], Answer]


def _read_request(conn: socket.socket, buffer: bytearray) -> Seen | None:
    """The next request on ``conn`` (``buffer`` keeps bytes already read), or None at its end."""
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buffer.extend(chunk)
    end = buffer.index(b"\r\n\r\n")
    head = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    del buffer[: end + 4]
    method, target, _ = [*head[0].split(" "), "", ""][:3]
    length = 0
    for line in head[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip() or 0)
    while len(buffer) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buffer.extend(chunk)
    body = bytes(buffer[:length])
    del buffer[:length]
    path, _, query = target.partition("?")
    if path.startswith(PREFIX):
        path = path[len(PREFIX) :]
    return Seen(method, path, query, body)


class JunkServer:
    """The server; ``port``, ``requests`` (of the current example), ``reset(plan)``, ``close()``."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port: int = self._listener.getsockname()[1]
        self.requests: list[Seen] = []
        self._plan: Plan = lambda seen, count: Answer()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._connections: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, name="junk-server", daemon=True).start()

    def reset(self, plan: Plan) -> None:
        """Start an example: end the last one's connections (stalled answers too), record afresh."""
        with self._lock:
            self._release.set()
            self._release = threading.Event()
            for conn in self._connections:
                _close(conn)
            self._connections = []
            self.requests = []
            self._plan = plan

    @property
    def calls(self) -> list[Seen]:
        """The current example's requests other than logins."""
        return [r for r in self.requests if r.path != "/login"]

    def close(self) -> None:
        self._closed = True
        self.reset(lambda seen, count: Answer())
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections.append(conn)
                release = self._release
            threading.Thread(target=self._serve, args=(conn, release), daemon=True).start()

    def _serve(self, conn: socket.socket, release: threading.Event) -> None:
        buffer = bytearray()
        try:
            while not release.is_set():
                seen = _read_request(conn, buffer)
                if seen is None:
                    return
                with self._lock:
                    if release.is_set():  # a request that arrives after its example ended
                        return
                    count = sum(1 for r in self.requests if r.path == seen.path)
                    self.requests.append(seen)
                    plan = self._plan
                answer = plan(seen, count)
                if not self._send(conn, answer, release):
                    return
        except (OSError, ValueError):
            return
        finally:
            _close(conn)

    @staticmethod
    def _send(conn: socket.socket, answer: Answer, release: threading.Event) -> bool:
        """Send ``answer``; True when the connection stays open for the next request."""
        if answer.how == "cut":
            return False
        if answer.how == "stall":
            release.wait(60)
            return False
        if answer.how == "raw":
            conn.sendall(answer.body)
            return False
        if answer.how == "trickle":
            return _trickle(conn, answer, release)
        if answer.how == "stall_body":
            conn.sendall(answer.head() + answer.body[: len(answer.body) // 2])
            release.wait(60)
            return False
        conn.sendall(answer.head() + answer.body)
        return answer.keeps_connection


def _trickle(conn: socket.socket, answer: Answer, release: threading.Event) -> bool:
    """Send a ``"trickle"`` answer until it ends, the example ends or ``ENDLESS_SECONDS`` pass."""
    at_once, one_by_one = answer.trickled()
    conn.sendall(at_once)
    stop = time.monotonic() + ENDLESS_SECONDS
    for byte in one_by_one:
        if release.wait(TRICKLE_SECONDS) or time.monotonic() > stop:
            return False
        conn.sendall(byte)
    return False


def _close(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)
    conn.close()
