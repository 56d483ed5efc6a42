"""Load the client and the hook in a worker thread, once per process, before a trigger first needs them.

Why: a triggerer imports a trigger's *module* on its event loop, so the trigger modules stay light
(no client, no pydantic, no httpx at import time). The first ``run()`` then needed the client package
(about 130 modules, 0.4 s and more on a loaded machine); imported on the loop thread, that blocked
every other trigger of the triggerer (issue 9, item 4: Airflow logged "async thread was blocked").
Importing in a worker thread leaves the loop free; Python's per-module import locks make the
concurrent first triggers wait for the one import instead of repeating it, and a module another
thread is still importing is never seen half-done.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import threading

#: What the first poll would otherwise import on the loop thread (the public client names load their
#: modules on first use, so the modules themselves are listed).
HEAVY_MODULES = (
    "paddleflow_provider.client._exceptions",
    "paddleflow_provider.client._config",
    "paddleflow_provider.client._models_run",
    "paddleflow_provider.client._async",
    "paddleflow_provider.hooks.paddleflow",
    "httpx",
    "airflow.providers.common.compat.connection",
)
#: What the libraries import on their first use, on the loop thread: the async connection lookup
#: (asgiref), and httpx's first request (its anyio backend, about 0.3 s). Skipped where absent (a
#: library version that does not use them).
FIRST_USE_MODULES = (
    "asgiref.sync",
    "anyio._backends._asyncio",
    "anyio.streams.tls",
    "anyio.streams.stapled",
    "anyio.streams.memory",
    "anyio.to_thread",
    "httpcore",
    "h11",
)

_LOADED = threading.Event()


def _import_all() -> None:
    for name in HEAVY_MODULES:
        importlib.import_module(name)
    for name in FIRST_USE_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    from paddleflow_provider.client._tls import ssl_context

    ssl_context(True)  # the default CA bundle: ~30 ms of CPU, cached for every later client
    _LOADED.set()


async def load_off_loop() -> None:
    """Return once the client and hook modules are imported; the import runs in a worker thread."""
    if not _LOADED.is_set():
        await asyncio.to_thread(_import_all)
