"""Run the example DAG end to end on this machine: a local PaddleFlow emulator plus ``dag.test()``.

    python -m paddleflow_provider.example_dags.run_demo [--keep]

What it does, in order (nothing outside a fresh temporary directory is touched):

1. starts the bundled PaddleFlow emulator on a free port (data in ``<tmp>/emulator``);
2. points Airflow at a private home (``<tmp>/airflow``, SQLite) whose DAGs folder is this package's
   ``example_dags`` (Airflow 3 only test-runs DAGs that live in its DAGs folder), and sets the
   ``paddleflow_default`` connection through ``AIRFLOW_CONN_PADDLEFLOW_DEFAULT``. The emulator's
   root gets a random password, not the default ``paddleflow``: Airflow masks a connection's
   password wherever it appears in task logs, and that word is in every logger name of this
   provider (``***_provider.operators.run``), in host names and in step output;
3. runs ``example_paddleflow_run`` with ``dag.test()`` (deferred waits run their triggers inline);
4. prints where to look: the run id and its UI link, the emulator URL, the Airflow task logs.

``--keep`` leaves the emulator running afterwards until Ctrl-C, to look at the run over HTTP.
Environment variables must be set before Airflow is imported, so every Airflow import is inside
:func:`main`.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import secrets
import sys
import tempfile
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
DAG_ID = "example_paddleflow_run"


def _prepare_airflow_env(home: pathlib.Path, emulator: Any) -> None:
    home.mkdir(parents=True, exist_ok=True)  # Airflow 3.0 does not create it before opening its SQLite DB
    os.environ["AIRFLOW_HOME"] = str(home)
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(HERE)
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["AIRFLOW__LOGGING__BASE_LOG_FOLDER"] = str(home / "logs")
    from importlib.metadata import version

    if version("apache-airflow").startswith("2."):
        os.environ["AIRFLOW__CORE__EXECUTOR"] = "SequentialExecutor"  # SQLite + dag.test on 2.x
    os.environ["AIRFLOW_CONN_PADDLEFLOW_DEFAULT"] = demo_connection(emulator)


def demo_root_password() -> str:
    """A password no log line contains by chance (see step 2 of the module docstring)."""
    return secrets.token_hex(16)


def demo_connection(emulator: Any) -> str:
    """The ``paddleflow_default`` connection (Airflow's JSON form) for the demo's emulator."""
    return json.dumps(
        {
            "conn_type": "paddleflow",
            "host": emulator.host,
            "port": emulator.port,
            "login": "root",
            "password": emulator.root_password,
        }
    )


def _xcom(dagrun: Any, task_id: str, key: str = "return_value") -> Any:
    from airflow.utils.session import create_session

    from paddleflow_provider._compat import xcom_db_model

    model = xcom_db_model()
    with create_session() as session:
        row = (
            session.query(model)
            .filter_by(dag_id=dagrun.dag_id, run_id=dagrun.run_id, task_id=task_id, key=key)
            .one_or_none()
        )
        value = None if row is None else row.value
    if isinstance(value, bytes):
        value = value.decode()
    try:
        return json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the emulator running until Ctrl-C")
    args = parser.parse_args(argv)

    from paddleflow_provider.emulator import Emulator

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="paddleflow-demo-"))
    with Emulator(data_dir=tmp / "emulator", port=0, root_password=demo_root_password()) as emulator:
        _prepare_airflow_env(tmp / "airflow", emulator)
        print(f"PaddleFlow emulator: {emulator.url}  (data in {tmp / 'emulator'})", flush=True)
        print(f"Airflow home:        {tmp / 'airflow'}", flush=True)

        from airflow.utils import db

        db.resetdb()
        import importlib

        module = importlib.import_module("paddleflow_provider.example_dags.example_paddleflow_run")
        dagrun = module.dag.test()

        states = {ti.task_id: str(ti.state) for ti in dagrun.get_task_instances()}
        run_id = _xcom(dagrun, "submit")
        print()
        print("=" * 72)
        print(f"DAG {DAG_ID}: {dagrun.state}")
        for task_id, state in states.items():
            print(f"  task {task_id:<18} {state}")
        print(f"PaddleFlow run id:   {run_id}")
        print(f"Run link (XCom):     {_xcom(dagrun, 'submit', 'run_url')}")
        print(f"Log line matched:    {_xcom(dagrun, 'wait_for_epoch_2')}")
        print(f"Step statuses:       {_xcom(dagrun, 'show_result')}")
        print(f"Emulator API:        {emulator.url}/api/paddleflow/v1/run/{run_id} (user root)")
        print(f"Airflow task logs:   above (dag.test prints them); files, if any: {tmp / 'airflow' / 'logs'}")
        print("=" * 72, flush=True)
        ok = str(dagrun.state) in ("success", "DagRunState.SUCCESS")
        if args.keep:
            print(
                f"Emulator kept running (login root / {emulator.root_password}); Ctrl-C to stop.", flush=True
            )
            try:
                import time

                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
