"""Helpers to run the test DAGs with ``dag.test()`` and read what they left behind (states, XComs).

Works on Airflow 3.3 and 2.11: the DAG file is loaded from the DAGs folder (Airflow 3 only
test-runs DAGs from a bundle), and XComs are read straight from the metadata DB.
"""

from __future__ import annotations

import json
import os
import pathlib
import time
from datetime import UTC
from typing import Any

DAGS_DIR = pathlib.Path(__file__).parent.parent / "dags"
DAG_FILES = (
    DAGS_DIR / "paddleflow_test_dags.py",
    DAGS_DIR / "paddleflow_admin_dags.py",
    DAGS_DIR / "paddleflow_log_line_dags.py",
    DAGS_DIR / "paddleflow_ops_dags.py",
)
_DAGS: dict[str, Any] = {}


def get_dag(dag_id: str) -> Any:
    if not _DAGS:
        import importlib.util
        import sys

        for path in DAG_FILES:
            spec = importlib.util.spec_from_file_location(path.stem, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            _DAGS.update({k: v for k, v in vars(module).items() if k.startswith("pf_")})
    return _DAGS[dag_id]


def run_dag(dag_id: str, **conf: Any) -> Any:
    """``dag.test()`` with a unique logical date per call; returns the DagRun."""
    dag = get_dag(dag_id)
    kwargs: dict[str, Any] = {"run_conf": conf or None}
    from paddleflow_provider._compat import AIRFLOW_V_3_0_PLUS

    if not AIRFLOW_V_3_0_PLUS:
        from datetime import datetime

        kwargs["execution_date"] = datetime.fromtimestamp(time.time(), tz=UTC)
    return dag.test(**kwargs)


def ti_states(dagrun: Any) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in dagrun.get_task_instances()}


def ti_tries(dagrun: Any, task_id: str) -> int:
    (ti,) = [t for t in dagrun.get_task_instances() if t.task_id == task_id]
    return int(ti.try_number)


def xcom(dagrun: Any, task_id: str, key: str = "return_value") -> Any:
    """The XCom value a task pushed in this DAG run (None if absent)."""
    from airflow.utils.session import create_session

    try:
        from airflow.models.xcom import XComModel as Model  # Airflow 3
    except ImportError:
        from airflow.models.xcom import BaseXCom as Model
    with create_session() as session:
        row = (
            session.query(Model)
            .filter(
                Model.dag_id == dagrun.dag_id,
                Model.run_id == dagrun.run_id,
                Model.task_id == task_id,
                Model.key == key,
            )
            .one_or_none()
        )
        if row is None:
            return None
        value = row.value
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def runs_named(api: Any, name_part: str) -> list[Any]:
    """Every emulator run whose name contains ``name_part``."""
    return [r for r in api.iter_runs() if name_part in (r.name or "")]


def flag_path(tmp_path: pathlib.Path) -> str:
    path = tmp_path / "flag"
    if path.exists():
        os.unlink(path)
    return str(path)


def extra_link(dagrun: Any, task_id: str) -> str:
    """The "PaddleFlow Run" link as the UI would show it.

    Airflow 3 computes links on the worker when the task ends and stores them as an XCom; Airflow 2
    calls ``get_link`` in the webserver, which reads the ``run_url`` XCom.
    """
    from paddleflow_provider._compat import AIRFLOW_V_3_0_PLUS
    from paddleflow_provider.links import PaddleFlowRunLink

    if AIRFLOW_V_3_0_PLUS:
        return xcom(dagrun, task_id, f"_link_{PaddleFlowRunLink.__name__}")
    (ti,) = [t for t in dagrun.get_task_instances() if t.task_id == task_id]
    return PaddleFlowRunLink().get_link(None, ti_key=ti.key)


def task_state(dagrun: Any, task_id: str, key: str) -> Any:
    """A value from the Airflow 3.3 task state store of one task instance."""
    from airflow.models.task_state_store import TaskStateStoreModel as Model
    from airflow.utils.session import create_session

    with create_session() as session:
        row = (
            session.query(Model)
            .filter_by(dag_id=dagrun.dag_id, run_id=dagrun.run_id, task_id=task_id, key=key)
            .one_or_none()
        )
        return None if row is None else json.loads(row.value)


def saved_state_keys(dagrun: Any, task_id: str) -> list[str]:
    """Keys the provider still holds for a task instance: task state store rows (3.3+) or, on
    older Airflow, ``paddleflow_provider.*`` Variables (the fallback store)."""
    from airflow.utils.session import create_session

    from paddleflow_provider._compat import HAS_TASK_STATE_STORE

    with create_session() as session:
        if HAS_TASK_STATE_STORE:
            from airflow.models.task_state_store import TaskStateStoreModel as Model

            rows = session.query(Model).filter_by(dag_id=dagrun.dag_id, run_id=dagrun.run_id, task_id=task_id)
            return sorted(row.key for row in rows if row.key.startswith("paddleflow_log"))
        from airflow.models import Variable

        return sorted(v.key for v in session.query(Variable) if v.key.startswith("paddleflow_provider."))


def fallback_variables(dagrun: Any, task_id: str) -> list[str]:
    """The ``paddleflow_provider.*`` Variables one task instance holds (the task state fallback
    before Airflow 3.3: keyed by the task instance's identity token)."""
    from types import SimpleNamespace

    from airflow.models import Variable
    from airflow.utils.session import create_session

    from paddleflow_provider.runs.identity import identity_token

    ti = SimpleNamespace(dag_id=dagrun.dag_id, task_id=task_id, run_id=dagrun.run_id, map_index=-1)
    prefix = f"paddleflow_provider.{identity_token({'ti': ti})}."
    with create_session() as session:
        return sorted(v.key for v in session.query(Variable) if v.key.startswith(prefix))


def all_xcoms(dagrun: Any) -> dict[tuple[str, str], Any]:
    """Every XCom of a DAG run, as ``{(task_id, key): value}``."""
    from airflow.utils.session import create_session

    try:
        from airflow.models.xcom import XComModel as Model  # Airflow 3
    except ImportError:
        from airflow.models.xcom import BaseXCom as Model
    with create_session() as session:
        rows = session.query(Model).filter(Model.dag_id == dagrun.dag_id, Model.run_id == dagrun.run_id)
        return {(row.task_id, row.key): row.value for row in rows}


def rendered_fields(dagrun: Any) -> dict[str, Any]:
    """What the UI's "Rendered Template" view shows, per task of a DAG run."""
    from airflow.models.renderedtifields import RenderedTaskInstanceFields as Model
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(Model).filter(Model.dag_id == dagrun.dag_id, Model.run_id == dagrun.run_id)
        return {row.task_id: row.rendered_fields for row in rows}


def serialized_dag(dag_id: str) -> dict[str, Any]:
    """The DAG as the scheduler and webserver store it."""
    from airflow.serialization import serialized_objects

    serializer = getattr(serialized_objects, "DagSerialization", None) or serialized_objects.SerializedDAG
    return serializer.to_dict(get_dag(dag_id))


def redact(text: str) -> str:
    """What Airflow's secret masker makes of ``text`` in this process (task logs pass through it)."""
    import importlib

    for module in (
        "airflow.sdk._shared.secrets_masker",  # Airflow 3.1+
        "airflow.sdk.execution_time.secrets_masker",  # Airflow 3.0
        "airflow.utils.log.secrets_masker",  # Airflow 2
    ):
        try:
            return str(importlib.import_module(module).redact(text))
        except ModuleNotFoundError:
            continue
    raise AssertionError("no secrets masker found in this Airflow")
