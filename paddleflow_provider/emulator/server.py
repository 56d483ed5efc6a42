"""Run the emulator in this process: bind, serve with uvicorn, announce, stop cleanly on signals."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sys
from typing import Any

from .backend.core import Backend, Config

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
log = logging.getLogger("paddleflow_provider.emulator")


class _Stop(Exception):
    """Raised by our SIGINT/SIGTERM handler once uvicorn has shut down and re-raises the signal."""


def _stop(signum: int, frame: Any) -> None:
    raise _Stop(signum)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(config: Config) -> int:
    """Serve until SIGINT/SIGTERM; prints one ``listening on`` line once connections are accepted."""
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
    backend = Backend(config)
    app = create_app(backend, faults=config.faults)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=3,
            timeout_keep_alive=30,
        )
    )
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

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
