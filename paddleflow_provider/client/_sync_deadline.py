"""A deadline for a whole answer on the sync face: status line, headers and body, however they trickle.

urllib3 applies the read timeout to each socket read, so a server that sends one byte
per second keeps an attempt going for ever. Here every read of an answer waits at most until the
attempt's deadline (``_core.attempt_seconds``): the answer's socket reader sets the socket's timeout
to what is left of it before each read, and refuses to read once it has passed. No thread, no watchdog
closing sockets behind urllib3's back: a fast answer costs one clock read per socket read.

Wiring: the client's urllib3 pool manager builds its pools from ``DEADLINE_POOLS``, whose connections'
``response_class`` is ``_DeadlineResponse``, which reads through ``_DeadlineReader``. The
deadline of the attempt in flight travels in ``ANSWER_DEADLINE`` (a context variable: per thread, set
by ``_sync.SyncTransport._send`` around one request).
"""

from __future__ import annotations

import contextvars
import http.client
import io
import socket
import time
from typing import Any, cast

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

#: ``time.monotonic()`` by which the answer being read must be complete (None: no deadline).
ANSWER_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)


class DeadlineExceeded(TimeoutError):
    """The answer was not complete by the attempt's deadline (a ``TimeoutError``, so urllib3 reports
    it as a read timeout, which is what it is)."""


class _DeadlineReader(io.RawIOBase):
    """The raw reader ``http.client`` reads an answer through, each read bounded by the deadline.

    It wraps the socket's own unbuffered reader (``makefile``), so the socket counts it as an open
    reader: a connection closed while its answer is still being read (an answer that ends when the
    server closes, ``Connection: close``) keeps its socket until the answer is read, as without it.
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._socket = sock
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._raw.fileno()

    def readinto(self, b: Any) -> int | None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded("the answer did not complete by its deadline")
        timeout = self._socket.gettimeout()
        if timeout is not None and left >= timeout:
            return self._raw.readinto(b)
        self._socket.settimeout(left)  # (urllib3 sets the socket's timeout afresh on its next use)
        try:
            return self._raw.readinto(b)
        except TimeoutError as exc:
            raise DeadlineExceeded("the answer did not complete by its deadline") from exc

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _DeadlineSocket:
    """What ``http.client.HTTPResponse`` is given as its socket: all it does with one is ``makefile``."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))


class _DeadlineResponse(http.client.HTTPResponse):
    """``http.client``'s answer reader, reading through ``_DeadlineReader`` while a deadline is set."""

    def __init__(self, sock: Any, *args: Any, **kwargs: Any) -> None:
        deadline = ANSWER_DEADLINE.get()
        if deadline is not None:
            sock = cast(socket.socket, _DeadlineSocket(sock, deadline))
        super().__init__(sock, *args, **kwargs)


class _HTTPConnection(HTTPConnection):
    response_class = _DeadlineResponse


class _HTTPSConnection(HTTPSConnection):
    response_class = _DeadlineResponse


class _HTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


#: The pool classes a urllib3 pool manager (direct, or through an HTTP proxy) builds: their
#: connections read answers under ``ANSWER_DEADLINE``.
DEADLINE_POOLS = {"http": _HTTPConnectionPool, "https": _HTTPSConnectionPool}
