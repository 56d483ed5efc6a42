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
