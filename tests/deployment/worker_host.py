"""Run ``airflow celery worker`` as if on its own host: ``python -m tests.deployment.worker_host ...``.

Two Celery workers on one machine would both report the machine's name as their task instances'
hostname and both try to serve their logs on ``[logging] worker_log_server_port`` on every
interface, so the api-server could fetch logs from only one of them. Real deployments have one
worker per host; here each worker gets a loopback address of its own (``PF_E2E_WORKER_ADDRESS``,
any of 127/8): ``hostname()`` (set as ``[core] hostname_callable``) reports it, and the worker's
log server binds to it instead of to all interfaces, so both serve on the same port.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def hostname() -> str:
    """``[core] hostname_callable`` of a worker: the address the api-server fetches its logs from."""
    return os.environ["PF_E2E_WORKER_ADDRESS"]


def _bind_log_server_to_own_address() -> None:
    import uvicorn

    run = uvicorn.run

    def run_on_own_address(app: Any, **kwargs: Any) -> None:
        kwargs["host"] = hostname()
        run(app, **kwargs)

    uvicorn.run = run_on_own_address  # type: ignore[assignment]


def main() -> None:
    _bind_log_server_to_own_address()
    from airflow.__main__ import main as airflow_main

    sys.argv = ["airflow", *sys.argv[1:]]
    airflow_main()


if __name__ == "__main__":
    main()
