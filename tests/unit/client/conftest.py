"""A loopback PaddleFlow stand-in: records every request and replays scripted answers.

Stdlib only (``http.server`` in a thread on 127.0.0.1:0, optionally behind ``ssl``), HTTP/1.1
keep-alive like the real server.
``POST /login`` answers a token by itself unless an answer for it is queued; everything else answers
from the FIFO queue (``server.reply(...)``), or from ``server.routes[(method, path)]``.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import ssl
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from paddleflow_provider.client import Client

PREFIX = "/api/paddleflow/v1"


@dataclasses.dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON; str/bytes -> raw; None -> empty; callable(server) -> one of those
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    drop: bool = False  # read the request, then close the connection without an answer
    path: str | None = None  # only for this path (else: any)


@dataclasses.dataclass
class Seen:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    raw_body: bytes

    @property
    def body(self) -> Any:
        return json.loads(self.raw_body) if self.raw_body else None


class _QuietServer(ThreadingHTTPServer):
    """Connections the client or a ``drop`` reply cut short are part of the script, not errors."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class Loopback:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[Seen] = []
        self.queue: collections.deque[Reply] = collections.deque()
        self.routes: dict[tuple[str, str], Reply] = {}
        self.token = "tok-1"
        self.logins = 0
        self.lock = threading.Lock()
        loop = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parsed = urllib.parse.urlsplit(self.path)
                path = parsed.path[len(PREFIX) :] if parsed.path.startswith(PREFIX) else parsed.path
                seen = Seen(
                    self.command,
                    path,
                    urllib.parse.parse_qsl(parsed.query, keep_blank_values=True),
                    {k.lower(): v for k, v in self.headers.items()},
                    raw,
                )
                reply = loop._answer(seen)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                body = reply.body(loop) if callable(reply.body) else reply.body
                if isinstance(body, dict | list):
                    data = json.dumps(body).encode()
                elif isinstance(body, str):
                    data = body.encode()
                else:
                    data = body or b""
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-pf-request-id", seen.headers.get("x-pf-request-id", "srv-id"))
                for k, val in reply.headers.items():
                    self.send_header(k, val)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        if tls is not None:  # https: the handshake runs when a connection is accepted
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    def _answer(self, seen: Seen) -> Reply:
        with self.lock:
            self.requests.append(seen)
            for i, queued in enumerate(self.queue):
                if queued.path is None or queued.path == seen.path:
                    if seen.path == "/login" and queued.path != "/login":
                        break
                    del self.queue[i]
                    return queued
            if seen.path == "/login":
                self.logins += 1
                return Reply(200, {"authorization": self.token})
            if (seen.method, seen.path) in self.routes:
                return self.routes[(seen.method, seen.path)]
            return Reply(
                500, {"requestID": "x", "code": "NoReplyQueued", "message": f"{seen.method} {seen.path}"}
            )

    def reply(self, status: int = 200, body: Any = None, **kwargs: Any) -> None:
        self.queue.append(Reply(status, body, **kwargs))

    def route(self, method: str, path: str, status: int, body: Any) -> None:
        """A standing answer for every request to ``method path`` (after the queue)."""
        self.routes[(method, path)] = Reply(status, body)

    def error(self, status: int, code: str, message: str = "", **kwargs: Any) -> None:
        self.reply(status, {"requestID": "req-1", "code": code, "message": message}, **kwargs)

    @property
    def calls(self) -> list[Seen]:
        """Requests other than login."""
        return [r for r in self.requests if r.path != "/login"]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    loop = Loopback()
    yield loop
    loop.close()


@pytest.fixture
def make_server():
    """``make_server(tls=context)``: more loopback servers (e.g. https), closed after the test."""
    made: list[Loopback] = []

    def make(tls: ssl.SSLContext | None = None) -> Loopback:
        made.append(Loopback(tls))
        return made[-1]

    yield make
    for loop in made:
        loop.close()


class SleepRecorder:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def client(server, sleeps):
    c = Client(
        "127.0.0.1",
        "root",
        "paddleflow",
        server.port,
        timeout=(2.0, 5.0),
        max_attempts=4,
        backoff_initial=0.01,
        backoff_max=0.05,
        sleep=sleeps,
    )
    yield c
    c.close()
