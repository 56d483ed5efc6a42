"""The example DAG and its one-command demo (what ``bash scripts/demo.sh`` runs) keep working."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # the demo end to end (about 20 s)


def test_run_demo_runs_the_example_dag_to_success(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env["TMPDIR"] = str(tmp_path)  # the demo's own temp dir lands here and is cleaned by pytest
    proc = subprocess.run(
        [sys.executable, "-m", "paddleflow_provider.example_dags.run_demo"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "DAG example_paddleflow_run: success" in proc.stdout
    assert re.search(r"PaddleFlow run id:\s+run-\d+", proc.stdout)
    # the line as the step printed it (the server's timestamp is a separate XCom)
    assert re.search(r"Log line matched:\s+epoch 2/4", proc.stdout)
    assert "'train': 'succeeded'" in proc.stdout
    # The demo's connection password masks nothing else: the task logs keep this provider's logger
    # names (with root/paddleflow they read "***_provider.operators.run").
    logs = proc.stdout + proc.stderr
    assert "paddleflow_provider.operators.run" in logs and "***_provider" not in logs
