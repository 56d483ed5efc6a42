"""Starting, restarting and stopping the processes of a real Airflow deployment for the scenarios.

``scripts/e2e.sh`` provides what outlives a pytest session (PostgreSQL, Redis, a temporary folder,
the ``PF_E2E_MARK`` every process inherits so the script can stop strays); this module starts the
PaddleFlow emulator and the Airflow components, each in its own process group (a component's
forked children -- executor workers, task supervisors, task processes, log servers -- go with it).

Every component gets the same configuration (environment variables), except that each Celery
worker has its own AIRFLOW_HOME (logs), working directory and loopback address: two "hosts" with
no shared local state.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[2]
DAGS = Path(__file__).resolve().parent / "dags"
#: The emulator's root password: not an ordinary word, so Airflow's secret masker hides only it.
EMULATOR_PASSWORD = "e2e-Root-Secret-1"
ADMIN_PASSWORD = "e2e-Admin-Secret-1"
CONN_ID = "paddleflow_default"
#: Loopback addresses standing in for the two Celery workers' hosts (all of 127/8 is local).
WORKER_ADDRESSES = {"worker-a": "127.0.0.2", "worker-b": "127.0.0.3"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(what: str, check: Callable[[], Any], timeout: float = 120, every: float = 0.5) -> Any:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except Exception as err:  # a component still starting answers errors; keep polling
            last = err
        else:
            if last:
                return last
        time.sleep(every)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}; last: {last!r}")


@dataclass
class Component:
    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal_group(self, sig: int) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM the process group (Airflow's components shut down cleanly on it), then SIGKILL."""
        if self.proc is None:
            return
        self.signal_group(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout)
        self.signal_group(signal.SIGKILL)  # also whatever the leader left behind in its group
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)
        self.proc = None

    def kill(self) -> None:
        """SIGKILL the whole process group at once, as when a machine dies."""
        self.signal_group(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(10)
            self.proc = None


@dataclass
class Deployment:
    """One Airflow deployment (Airflow 3 components) against one emulator, under ``root``."""

    root: Path
    executor: str  # "LocalExecutor" | "CeleryExecutor"
    sql_conn: str
    broker: str = ""
    result_backend: str = ""
    components: dict[str, Component] = field(default_factory=dict)
    api_port: int = field(default_factory=free_port)
    emulator_port: int = field(default_factory=free_port)

    # -- configuration ----------------------------------------------------------------------------

    @property
    def home(self) -> Path:
        return self.root / "airflow-home"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def base_env(self) -> dict[str, str]:
        """The environment every component shares (configuration as Airflow env variables)."""
        from cryptography.fernet import Fernet

        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
        env["PYTHONPATH"] = str(REPO)
        secrets_file = self.root / "secrets.json"
        if not secrets_file.exists():
            secrets_file.write_text(
                json.dumps({"jwt": secrets.token_urlsafe(32), "fernet": Fernet.generate_key().decode()})
            )
        keys = json.loads(secrets_file.read_text())
        passwords = self.root / "passwords.json"
        passwords.write_text(json.dumps({"admin": ADMIN_PASSWORD}))
        ports = self.root / "ports.json"
        if not ports.exists():
            ports.write_text(json.dumps({"worker_log": free_port(), "trigger_log": free_port()}))
        log_ports = json.loads(ports.read_text())
        conf = {
            "CORE__EXECUTOR": self.executor,
            "CORE__DAGS_FOLDER": str(DAGS),
            "CORE__LOAD_EXAMPLES": "False",
            "CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "CORE__PARALLELISM": "8",
            "CORE__FERNET_KEY": keys["fernet"],
            "CORE__EXECUTION_API_SERVER_URL": f"{self.base_url}/execution/",
            "CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "CORE__TEST_CONNECTION": "Enabled",
            "DATABASE__SQL_ALCHEMY_CONN": self.sql_conn,
            "API__HOST": "127.0.0.1",
            "API__PORT": str(self.api_port),
            "API__BASE_URL": self.base_url,
            "API__WORKERS": "1",
            "API_AUTH__JWT_SECRET": keys["jwt"],
            # Signs the api-server's requests to the workers' and triggerer's log servers; without
            # it every AIRFLOW_HOME gets a random one and logs of another host are refused.
            "API__SECRET_KEY": keys["jwt"],
            "LOGGING__WORKER_LOG_SERVER_PORT": str(log_ports["worker_log"]),
            "LOGGING__TRIGGER_LOG_SERVER_PORT": str(log_ports["trigger_log"]),
            # A SIGKILLed task (or a lost worker) is noticed in seconds, not minutes.
            "SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "12",
            "SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "3",
            "TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "10",
            "DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "DAG_PROCESSOR__PARSING_PROCESSES": "1",
        }
        if self.executor == "CeleryExecutor":
            conf |= {
                "CELERY__BROKER_URL": self.broker,
                "CELERY__RESULT_BACKEND": self.result_backend,
                "CELERY__WORKER_CONCURRENCY": "4",
                "CELERY__WORKER_PREFETCH_MULTIPLIER": "1",
            }
        env |= {f"AIRFLOW__{k}": v for k, v in conf.items()}
        env["AIRFLOW_HOME"] = str(self.home)
        return env

    # -- processes ----------------------------------------------------------------------------------

    def add(self, name: str, argv: list[str], *, home: Path | None = None, **extra: str) -> Component:
        env = self.base_env() | extra
        cwd = self.root / name
        cwd.mkdir(parents=True, exist_ok=True)
        if home is not None:
            env["AIRFLOW_HOME"] = str(home)
        component = Component(name, argv, env, cwd, self.root / "logs" / f"{name}.log")
        self.components[name] = component
        return component

    def airflow(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "airflow", *args]

    def start(self) -> None:
        """Emulator, database schema, then the Airflow components; returns once all are healthy."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.home.mkdir(parents=True, exist_ok=True)
        emulator = self.add("emulator", self.emulator_argv())
        emulator.start()
        subprocess.run(
            self.airflow("db", "migrate"),
            env=self.base_env(),
            cwd=self.root,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.add("api-server", self.airflow("api-server")).start()
        self.add("scheduler", self.airflow("scheduler")).start()
        self.add("dag-processor", self.airflow("dag-processor")).start()
        self.add("triggerer", self.airflow("triggerer")).start()
        if self.executor == "CeleryExecutor":
            for name in WORKER_ADDRESSES:
                self.add_worker(name).start()
        wait_for("the emulator", lambda: "listening on" in emulator.log.read_text(), timeout=30)
        wait_for("a healthy deployment", self.healthy, timeout=180)

    def emulator_argv(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "paddleflow_provider.emulator",
            "--port",
            str(self.emulator_port),
            "--data-dir",
            str(self.root / "emulator-data"),
            "--root-password",
            EMULATOR_PASSWORD,
        ]

    def add_worker(self, name: str) -> Component:
        """A Celery worker as its own "host": own AIRFLOW_HOME (logs), cwd and loopback address."""
        address = WORKER_ADDRESSES[name]
        return self.add(
            name,
            [sys.executable, "-m", "tests.deployment.worker_host", *self.airflow_args_worker(name)],
            home=self.root / name / "airflow-home",
            PF_E2E_WORKER_ADDRESS=address,
            AIRFLOW__CORE__HOSTNAME_CALLABLE="tests.deployment.worker_host.hostname",
        )

    @staticmethod
    def airflow_args_worker(name: str) -> list[str]:
        return ["celery", "worker", "--celery-hostname", f"{name}@%h", "--concurrency", "4"]

    def restart(self, name: str) -> None:
        component = self.components[name]
        component.stop()
        component.start()

    def healthy(self) -> bool:
        reply = requests.get(f"{self.base_url}/api/v2/monitor/health", timeout=5).json()
        parts = ("metadatabase", "scheduler", "triggerer", "dag_processor")
        return all(reply.get(p, {}).get("status") == "healthy" for p in parts)

    def stop(self) -> None:
        """Workers first (so their tasks end while the API still answers), the emulator last."""
        order = [n for n in self.components if n.startswith("worker")]
        order += ["scheduler", "triggerer", "dag-processor", "api-server", "emulator"]
        for name in order:
            if name in self.components:
                self.components[name].stop()


@dataclass
class Airflow2Deployment(Deployment):
    """The same deployment on Airflow 2.11: webserver (REST API v1, basic auth), scheduler, triggerer.

    ``.venv-af2`` has no PostgreSQL driver, so with a SQLite URL the executor is the
    SequentialExecutor (the only one Airflow 2 allows on SQLite): one task at a time, run by the
    scheduler; deferred tasks wait in the triggerer as usual.
    """

    def base_env(self) -> dict[str, str]:
        env = super().base_env()
        for key in [k for k in env if k.startswith(("AIRFLOW__API", "AIRFLOW__DAG_PROCESSOR"))]:
            del env[key]
        env |= {
            "AIRFLOW__CORE__EXECUTOR": self.executor,
            "AIRFLOW__WEBSERVER__WEB_SERVER_HOST": "127.0.0.1",
            "AIRFLOW__WEBSERVER__WEB_SERVER_PORT": str(self.api_port),
            "AIRFLOW__WEBSERVER__WORKERS": "1",
            "AIRFLOW__WEBSERVER__SECRET_KEY": env["AIRFLOW__CORE__FERNET_KEY"],
            "AIRFLOW__API__AUTH_BACKENDS": "airflow.api.auth.backend.basic_auth",
            "AIRFLOW__SCHEDULER__SCHEDULER_ZOMBIE_TASK_THRESHOLD": "12",
            "AIRFLOW__SCHEDULER__ZOMBIE_DETECTION_INTERVAL": "3",
            "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "10",
        }
        return env

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.home.mkdir(parents=True, exist_ok=True)
        emulator = self.add("emulator", self.emulator_argv())
        emulator.start()
        for args in (
            ("db", "migrate"),
            (
                "users",
                "create",
                "--role",
                "Admin",
                "--username",
                "admin",
                "--password",
                ADMIN_PASSWORD,
                "--email",
                "admin@example.org",
                "--firstname",
                "e2e",
                "--lastname",
                "admin",
            ),
        ):
            subprocess.run(
                self.airflow(*args), env=self.base_env(), cwd=self.root, check=True, stdout=subprocess.DEVNULL
            )
        self.add("webserver", self.airflow("webserver")).start()
        self.add("scheduler", self.airflow("scheduler")).start()
        self.add("triggerer", self.airflow("triggerer")).start()
        wait_for("the emulator", lambda: "listening on" in emulator.log.read_text(), timeout=30)
        wait_for("a healthy deployment", self.healthy, timeout=240)

    def healthy(self) -> bool:
        reply = requests.get(f"{self.base_url}/api/v1/health", timeout=5).json()
        return all(
            reply.get(p, {}).get("status") == "healthy" for p in ("metadatabase", "scheduler", "triggerer")
        )

    def stop(self) -> None:
        for name in ("scheduler", "triggerer", "webserver", "emulator"):
            if name in self.components:
                self.components[name].stop()
