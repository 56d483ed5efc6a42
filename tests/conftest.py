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


import pytest  # noqa: E402  (after the environment above, which must precede any airflow import)

from paddleflow_provider.client import _auth  # noqa: E402


@pytest.fixture(autouse=True)
def _forget_login_tokens():
    """Start every test without cached login tokens.

    The client keeps tokens in a process-wide table keyed by server address and user; a test server
    that gets the port of an earlier, closed one would otherwise inherit its token and skip the login
    the test expects to see on the wire.
    """
    _auth._TOKENS.clear()
    yield
    _auth._TOKENS.clear()
