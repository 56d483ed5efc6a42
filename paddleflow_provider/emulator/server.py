"""Run the emulator in this process: bind, serve with uvicorn, announce, stop cleanly on signals."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
import threading
from typing import Any

from .backend.core import Backend, Config
from .engine import Engine

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
log = logging.getLogger("paddleflow_provider.emulator")


class _Stop(Exception):
    """Raised by our SIGINT/SIGTERM handler once uvicorn has shut down and re-raises the signal."""


def _stop(signum: int, frame: Any) -> None:
    raise _Stop(signum)


def stop_when_stdin_closes() -> None:
    """Watch standard input in a daemon thread; at end of file, SIGTERM this process.

    The parent holds the other end of the pipe. However it ends (even SIGKILL), the kernel closes
    that end, and the read returns: the normal SIGTERM shutdown then stops every step process.

    The thread reads the file descriptor itself, not ``sys.stdin.buffer``: a daemon thread blocked
    inside a buffered reader holds its lock, and the interpreter, flushing standard streams at exit,
    then aborts with "Fatal Python error: _enter_buffered_busy".
    """

    def watch() -> None:
        try:
            fd = sys.stdin.fileno()
            while os.read(fd, 4096):
                pass
        except (AttributeError, OSError, ValueError):  # no, closed or unreadable stdin: no parent to wait for
            pass
        log.warning("standard input closed: the parent process is gone; stopping")
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="stop-with-parent", daemon=True).start()


def bind(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves (so the port is known before uvicorn starts).

    The protocol must be given as ``IPPROTO_TCP``: asyncio sets ``TCP_NODELAY`` on an accepted
    connection only when its socket says so (``base_events._set_nodelay``), and a socket made with
    the default protocol 0 does not. Without it every answer on a kept-alive connection waits
    about 40 ms for Nagle's algorithm to meet the client's delayed ACK (Go's ``net/http``, which the
    real server uses, sets ``TCP_NODELAY`` on every connection)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(config: Config, *, stop_with_parent: bool = False) -> int:
    """Serve until SIGINT/SIGTERM (or, with ``stop_with_parent``, until standard input closes);
    prints one ``listening on`` line once connections are accepted."""
    import uvicorn

    from .app import create_app

    if config.host not in LOCAL_HOSTS:
        print(
            f"WARNING: the PaddleFlow emulator runs pipeline steps as local commands; binding to "
            f"{config.host} lets anyone who can reach it run commands as this user.",
            file=sys.stderr,
            flush=True,
        )
    sock = bind(config.host, config.port)
    port = sock.getsockname()[1]
    config.port = port
    backend = Backend(config, engine=Engine())
    app = create_app(backend, faults=config.faults)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=3,
            timeout_keep_alive=30,
            server_header=False,  # as the real server (Go's net/http sends no Server header)
        )
    )
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if stop_with_parent:
        stop_when_stdin_closes()

    async def main() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.005)
        if server.started:
            backend.start()
            host = f"[{config.host}]" if ":" in config.host else config.host
            print(f"PaddleFlow emulator listening on http://{host}:{port}", flush=True)
        await task

    try:
        asyncio.run(main())
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        backend.shutdown()
        sock.close()
    return 0
