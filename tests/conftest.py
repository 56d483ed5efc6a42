"""Suite-wide set-up.

Airflow reads its configuration when first imported, so the environment it should see (a private
AIRFLOW_HOME, no example DAGs, the test DAG folder) is fixed here, before any test module can import it.
"""

from __future__ import annotations

import os
import pathlib
import tempfile

_TESTS = pathlib.Path(__file__).parent
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="pf-airflow-home-"))
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(_TESTS / "dags")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")
