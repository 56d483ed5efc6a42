"""What the scenarios use to drive and observe the deployment: Airflow's REST API v2 (a token from
``/auth/token``), the task processes (found by their command line) and the emulator's run list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import requests

from tests.deployment.deployment import ADMIN_PASSWORD, EMULATOR_PASSWORD, wait_for

FINISHED = {"success", "failed", "skipped", "upstream_failed", "removed"}


@dataclass
class Run:
    """One DAG run being watched."""

    api: AirflowAPI
    dag_id: str
    run_id: str

    @property
    def path(self) -> str:
        return f"{self.api.prefix}/dags/{self.dag_id}/dagRuns/{self.run_id}"

    def state(self) -> str:
        return str(self.api.get(self.path)["state"])

    def ti(self, task_id: str) -> dict[str, Any]:
        return self.api.get(f"{self.path}/taskInstances/{task_id}")

    def wait_ti(self, task_id: str, states: Iterable[str], timeout: float = 120) -> dict[str, Any]:
        wanted = set(states)
        return wait_for(
            f"{self.dag_id}.{task_id} in {sorted(wanted)}",
            lambda: (ti := self.ti(task_id))["state"] in wanted and ti,
            timeout=timeout,
        )

    def wait_finished(self, timeout: float = 180) -> str:
        return str(
            wait_for(
                f"DAG run {self.dag_id} to finish",
                lambda: (s := self.state()) in ("success", "failed") and s,
                timeout=timeout,
            )
        )

    def mark(self, task_id: str, new_state: str) -> None:
        self.api.patch(f"{self.path}/taskInstances/{task_id}", {"new_state": new_state})

    def clear(self, task_id: str) -> None:
        self.api.post(
            f"{self.api.prefix}/dags/{self.dag_id}/clearTaskInstances",
            {
                "dry_run": False,
                "dag_run_id": self.run_id,
                "task_ids": [task_id],
                "only_failed": False,
                "reset_dag_runs": True,
            },
        )

    def log(self, task_id: str, try_number: int) -> str:
        """The task's log for one try as text, one event message per line."""
        reply = self.api.get(
            f"{self.path}/taskInstances/{task_id}/logs/{try_number}",
            params={"full_content": "true"},
            headers={"Accept": "application/json"},  # Airflow 2 answers text/plain without it
        )
        content = reply.get("content", "")
        if isinstance(content, str):
            return content
        return "\n".join(
            str(part.get("event", "")) if isinstance(part, dict) else str(part) for part in content
        )

    def links(self, task_id: str) -> dict[str, Any]:
        """The task's extra links, ``{name: url or None}``."""
        return dict(self.api.get(f"{self.path}/taskInstances/{task_id}/links")["extra_links"])


class AirflowAPI:
    """A logged-in REST API session as user ``admin``: v2 with a token from ``/auth/token`` (Airflow 3,
    simple auth manager), or v1 with basic auth (Airflow 2, ``airflow.api.auth.backend.basic_auth``)."""

    def __init__(self, base_url: str, *, version: int = 2) -> None:
        self.base_url = base_url
        self.prefix = f"/api/v{version}"
        self.session = requests.Session()
        if version == 2:
            token = wait_for("an API token", self._token, timeout=60)
            self.session.headers["Authorization"] = f"Bearer {token}"
        else:
            self.session.auth = ("admin", ADMIN_PASSWORD)

    def _token(self) -> str:
        reply = self.session.post(
            f"{self.base_url}/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD}, timeout=10
        )
        reply.raise_for_status()
        return str(reply.json()["access_token"])

    def request(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        reply = self.session.request(method, f"{self.base_url}{path}", json=body, timeout=30, **kwargs)
        if reply.status_code >= 400:
            raise AssertionError(f"{method} {path} -> HTTP {reply.status_code}: {reply.text[:500]}")
        return reply.json() if reply.content else None

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self.request("PATCH", path, body)

    def trigger(self, dag_id: str, conf: dict[str, Any] | None = None) -> Run:
        wait_for(f"DAG {dag_id} to be parsed", lambda: self.get(f"{self.prefix}/dags/{dag_id}"), timeout=120)
        body: dict[str, Any] = {"conf": conf or {}}
        if self.prefix == "/api/v2":
            body["logical_date"] = None
        reply = self.post(f"{self.prefix}/dags/{dag_id}/dagRuns", body)
        return Run(self, dag_id, str(reply["dag_run_id"]))


def task_process(ti_id: str) -> psutil.Process:
    """The process running one try of a task: Airflow 3's task runner titles itself
    ``airflow worker -- <task instance id>``."""
    return find_process(f"airflow worker -- {ti_id}", exact=True)


def task_process_af2(run: Run, task_id: str) -> psutil.Process:
    """Airflow 2's raw task process: ``airflow task runner: <dag_id> <task_id> <run_id> <job_id>``."""
    return find_process(f"airflow task runner: {run.dag_id} {task_id} {run.run_id} ", exact=False)


def find_process(title: str, *, exact: bool) -> psutil.Process:
    def find() -> psutil.Process | None:
        for proc in psutil.process_iter(["cmdline"]):
            line = " ".join(proc.info["cmdline"] or []).strip()
            if line == title or (not exact and line.startswith(title)):
                return proc
        return None

    return wait_for(f"the process {title!r}", find, timeout=60)


class EmulatorRuns:
    """The emulator's runs, read over its HTTP API with the project's own client."""

    def __init__(self, port: int) -> None:
        from paddleflow_provider.client import ClientConfig, PaddleFlowAPI

        self.api = PaddleFlowAPI(
            ClientConfig(host="127.0.0.1", port=str(port), username="root", password=EMULATOR_PASSWORD)
        )

    def of_task(self, task_id: str) -> list[Any]:
        """Runs the provider created for ``task_id`` (default run name ``<task_id>-<token>``)."""
        return [r for r in self.api.iter_runs() if r.name.startswith(f"{task_id}-")]

    def wait_status(self, task_id: str, statuses: Iterable[str], timeout: float = 60) -> list[Any]:
        wanted = set(statuses)
        return wait_for(
            f"the runs of {task_id} to be {sorted(wanted)}",
            lambda: (runs := self.of_task(task_id)) and all(r.status in wanted for r in runs) and runs,
            timeout=timeout,
        )


class Scenarios:
    """The scenarios' DAG runs: each triggered once (all up front, or on first use), with the
    release file its gated step waits for (see dags/e2e_dags.py)."""

    def __init__(self, api: AirflowAPI, release_dir: Path) -> None:
        self.api = api
        self.release_dir = release_dir
        self.release_dir.mkdir(parents=True, exist_ok=True)
        self.runs: dict[str, Run] = {}

    def start(self, *dag_ids: str) -> None:
        for dag_id in dag_ids:
            if dag_id not in self.runs:
                conf = {"release": str(self.release_dir / dag_id)}
                self.runs[dag_id] = self.api.trigger(dag_id, conf)

    def __getitem__(self, dag_id: str) -> Run:
        self.start(dag_id)
        return self.runs[dag_id]

    def release(self, run: Run) -> None:
        """Let the run's gated step finish (four more lines, then it ends)."""
        (self.release_dir / run.dag_id).touch()
