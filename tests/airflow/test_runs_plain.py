"""The plain-Python modules of ``paddleflow_provider.runs`` import without Airflow, so the verdict,
the log cursor, the wait loop and the log matching can be used (and tested) anywhere."""

from __future__ import annotations

import subprocess
import sys

import pytest

BLOCK_AIRFLOW = """
import sys

class BlockAirflow:
    def find_spec(self, name, path=None, target=None):
        if name == "airflow" or name.startswith("airflow."):
            raise ImportError(f"{name} imported by a plain module")

sys.meta_path.insert(0, BlockAirflow())
import paddleflow_provider.runs.{module}
"""


@pytest.mark.parametrize(
    "module", ["status", "verdict", "logs", "log_match", "waiting", "backoff", "identity"]
)
def test_plain_module_imports_without_airflow(module):
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_AIRFLOW.replace("{module}", module)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
