"""The public names fixed by the architecture (users' DAGs and imports depend on them) stay importable.

The table is the contract, copied from the project's architecture notes: a restructuring that moves a
class must leave it reachable under these names.
"""

from __future__ import annotations

import importlib

import pytest

PUBLIC_NAMES = {
    "paddleflow_provider.client": ["Client"],
    "paddleflow_provider.hooks.paddleflow": ["PaddleFlowHook"],
    "paddleflow_provider.operators.run": [
        "PaddleFlowCreateRunOperator",
        "PaddleFlowStopRunOperator",
        "PaddleFlowRetryRunOperator",
        "PaddleFlowDeleteRunOperator",
    ],
    "paddleflow_provider.operators.pipeline": [
        "PaddleFlowCreatePipelineOperator",
        "PaddleFlowUpdatePipelineOperator",
        "PaddleFlowDeletePipelineOperator",
        "PaddleFlowDeletePipelineVersionOperator",
    ],
    "paddleflow_provider.operators.schedule": [
        "PaddleFlowCreateScheduleOperator",
        "PaddleFlowStopScheduleOperator",
        "PaddleFlowDeleteScheduleOperator",
    ],
    "paddleflow_provider.operators.queue": [
        "PaddleFlowCreateQueueOperator",
        "PaddleFlowStopQueueOperator",
        "PaddleFlowDeleteQueueOperator",
        "PaddleFlowGrantQueueOperator",
        "PaddleFlowUngrantQueueOperator",
    ],
    "paddleflow_provider.operators.fs": [
        "PaddleFlowCreateFsOperator",
        "PaddleFlowDeleteFsOperator",
        "PaddleFlowCreateLinkOperator",
        "PaddleFlowDeleteLinkOperator",
    ],
    "paddleflow_provider.operators.cluster": [
        "PaddleFlowCreateClusterOperator",
        "PaddleFlowUpdateClusterOperator",
        "PaddleFlowDeleteClusterOperator",
    ],
    "paddleflow_provider.sensors.run": ["PaddleFlowRunSensor"],
    "paddleflow_provider.sensors.log": ["PaddleFlowRunLogSensor"],
    "paddleflow_provider.triggers.run": ["PaddleFlowRunTrigger"],
    "paddleflow_provider.triggers.log": ["PaddleFlowRunLogTrigger"],
    "paddleflow_provider.emulator": ["Emulator"],
}


@pytest.mark.parametrize(("module", "names"), PUBLIC_NAMES.items(), ids=list(PUBLIC_NAMES))
def test_public_names_import(module, names):
    imported = importlib.import_module(module)
    for name in names:
        assert isinstance(getattr(imported, name), type), f"{module}.{name}"


def test_hook_and_connection_type_names():
    from paddleflow_provider.hooks.paddleflow import PaddleFlowHook

    assert PaddleFlowHook.conn_type == "paddleflow"
    assert PaddleFlowHook.default_conn_name == "paddleflow_default"


def test_operators_and_sensors_import_without_the_client_faces():
    """DAG files import the operators at every parse: their argument rules (``client._validate``)
    must not pull in the client's faces (requests, pydantic, tenacity: about 0.3 s)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import paddleflow_provider.operators.run, paddleflow_provider.operators.pipeline\n"
        "import paddleflow_provider.operators.cluster, paddleflow_provider.sensors.log\n"
        "print(sorted(m for m in sys.modules if m.startswith('paddleflow_provider.client.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = done.stdout.strip().splitlines()[-1]
    assert loaded == "['paddleflow_provider.client._exceptions', 'paddleflow_provider.client._validate']"


def test_every_public_client_name_resolves_to_its_definition():
    import paddleflow_provider.client as client

    for name in client.__all__:
        value = getattr(client, name)
        assert value.__name__ == name
        assert value.__module__.startswith("paddleflow_provider.client.")
