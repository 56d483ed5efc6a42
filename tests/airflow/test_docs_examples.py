"""Every ```python block of README.md and docs/airflow.md runs, as written, against the emulator.

A block that defines a DAG is written to a fresh DAGs folder (with the ``run.yaml`` the README says
lies beside it) and each of its DAGs runs through ``dag.test()`` in a fresh Airflow home, with the
``paddleflow_default`` connection pointing at the session's emulator; every task must succeed. Any
other block runs as a script with the emulator's address and root password in the environment
variables the snippets read (``PADDLEFLOW_SERVER_HOST``, ``PADDLEFLOW_PASSWORD``, as the command line
does). So a doc change that breaks an example fails here. Each block runs in its own process:
Airflow reads its configuration (DAGs folder, home) once, at import.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each DAG block is a fresh Airflow process and a whole dag.test()

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("README.md", "docs/airflow.md")
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)

#: The run.yaml the README's DAG reads from its DAG folder: a train step printing one line per epoch.
RUN_YAML = """\
name: readme_train
docker_env: python:3.11
entry_points:
  train:
    parameters:
      epochs: 3
    command: >-
      for i in $(seq 1 {{epochs}}); do echo "epoch $i/{{epochs}}"; sleep 1; done
"""

#: Runs in the fresh Airflow process: dag.test() of every DAG the snippet file defines; prints, as
#: JSON, each task's state and, per log sensor, whether the task upstream of it waits for the run.
_DAG_RUNNER = """
import json, sys
from airflow.models import DagBag
from airflow.utils import db

from paddleflow_provider.sensors.log import PaddleFlowRunLogSensor

db.resetdb()
bag = DagBag(dag_folder=sys.argv[1])
assert not bag.import_errors, bag.import_errors
report = {}
for dag in bag.dags.values():
    dagrun = dag.test()
    states = {ti.task_id: str(ti.state) for ti in dagrun.get_task_instances()}
    gated = {
        task.task_id: sorted(
            up.task_id for up in task.upstream_list if getattr(up, "wait_for_completion", False)
        )
        for task in dag.tasks
        if isinstance(task, PaddleFlowRunLogSensor)
    }
    report[dag.dag_id] = {"states": states, "log_sensors_after_waiting_tasks": gated}
print("REPORT " + json.dumps(report))
"""


def _blocks() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        text = (ROOT / doc).read_text()
        for match in _BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((f"{doc}:{line}", match.group(1)))
    return found


BLOCKS = _blocks()


def _env(tmp_path: Path, emulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PADDLEFLOW"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["TMPDIR"] = str(tmp_path)
    env["PADDLEFLOW_SERVER_HOST"] = f"http://{emulator.host}:{emulator.port}"
    env["PADDLEFLOW_PASSWORD"] = emulator.root_password
    return env


def test_the_docs_have_their_examples():
    where = [name for name, _ in BLOCKS]
    assert len([w for w in where if w.startswith("README.md")]) >= 3, where
    assert [w for w in where if w.startswith("docs/airflow.md")], where


@pytest.mark.parametrize(("where", "code"), BLOCKS, ids=[name for name, _ in BLOCKS])
def test_doc_example_runs_as_written(where, code, paddleflow_emulator, tmp_path):
    env = _env(tmp_path, paddleflow_emulator)
    if "DAG(" not in code:
        # An operator or sensor outside a DAG is a fragment no one can run or copy as it stands.
        assert not re.search(r"(Operator|Sensor)\(", code), f"{where}: operators outside a DAG"
        done = subprocess.run(
            [sys.executable, "-c", code],
            check=False,
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{where}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return

    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "doc_snippet.py").write_text(code)
    (dags / "run.yaml").write_text(RUN_YAML)
    home = tmp_path / "airflow"
    home.mkdir()
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(dags),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW_CONN_PADDLEFLOW_DEFAULT=json.dumps(
            {
                "conn_type": "paddleflow",
                "host": paddleflow_emulator.host,
                "port": paddleflow_emulator.port,
                "login": "root",
                "password": paddleflow_emulator.root_password,
            }
        ),
    )
    from importlib.metadata import version

    if version("apache-airflow").startswith("2."):
        env["AIRFLOW__CORE__EXECUTOR"] = "SequentialExecutor"  # SQLite + dag.test() on Airflow 2
    done = subprocess.run(
        [sys.executable, "-c", _DAG_RUNNER, str(dags / "doc_snippet.py")],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = f"{where}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    assert done.returncode == 0, output
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("REPORT ")]
    report = json.loads(line.removeprefix("REPORT "))
    assert report, f"{where} defines no DAG"
    for dag_id, result in report.items():
        failed = {task: state for task, state in result["states"].items() if state != "success"}
        assert not failed, f"{where}: DAG {dag_id}: {failed}\n{output}"
        # A log sensor after a task that waits for the whole run could only read a finished run.
        gated = {sensor: ups for sensor, ups in result["log_sensors_after_waiting_tasks"].items() if ups}
        assert not gated, f"{where}: DAG {dag_id}: log sensors start only after the run ended: {gated}"
