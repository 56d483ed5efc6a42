"""Airflow's secret masker and the credentials this project hands out (issue 9, item 6).

With the emulator's documented ``root``/``paddleflow`` in a connection, Airflow registered the word
"paddleflow" as a secret and every task log line showed ``***_provider`` for this provider's logger
names, and ``***`` for any step output or host name containing the word. The demo and the pytest
fixture now give the emulator's root a random password; these tests read logs the way a task does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

# A task process: the connection is fetched through Airflow (which registers its password with
# the masker), then a log line passes through the masker as every task log line does.
MASKED_IN_A_TASK = """
import sys
from paddleflow_provider._compat import BaseHook
BaseHook.get_connection("pf_demo")
try:
    from airflow.sdk._shared.secrets_masker import redact  # Airflow 3.1+
except ImportError:
    try:
        from airflow.sdk.execution_time.secrets_masker import redact  # Airflow 3.0
    except ImportError:
        from airflow.utils.log.secrets_masker import redact  # Airflow 2
print(redact(sys.argv[1]))
"""

LINE = "[paddleflow_provider.operators.run] [train] epoch 2 on paddleflow-worker-1: paddleflow ok"


def as_a_task_logs(connection: str, line: str, tmp_path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN_")}
    env.update(AIRFLOW_CONN_PF_DEMO=connection, AIRFLOW_HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", MASKED_IN_A_TASK, line],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_the_demo_connection_leaves_provider_names_and_step_output_unmasked(tmp_path):
    from paddleflow_provider.example_dags import run_demo

    emulator = SimpleNamespace(host="127.0.0.1", port=8999, root_password=run_demo.demo_root_password())
    assert as_a_task_logs(run_demo.demo_connection(emulator), LINE, tmp_path) == LINE
    # ... while the password itself is still masked
    leak = f"password={emulator.root_password}"
    assert as_a_task_logs(run_demo.demo_connection(emulator), leak, tmp_path) == "password=***"


def test_the_pytest_fixture_connection_leaves_provider_names_unmasked(pf_conn, tmp_path):
    connection = os.environ["AIRFLOW_CONN_PADDLEFLOW_DEFAULT"]  # what pf_conn gives the tests
    assert as_a_task_logs(connection, LINE, tmp_path) == LINE
