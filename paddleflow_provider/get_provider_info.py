"""Airflow provider metadata (entry point ``apache_airflow_provider``).

Airflow imports this on *every* start-up (``import airflow`` discovers providers), so the module
must stay import-free and cheap: plain data only. The connection form is described twice on
purpose: declaratively here (``conn-fields`` / ``ui-field-behaviour``, read by Airflow 3.2+
without importing the hook) and by methods on the hook (read by Airflow 2.x, 3.0 and 3.1).
Both are generated from ``connection_schema`` (which also gives the client its defaults), so the
forms, the hook's parsing and the client cannot drift.
"""

from __future__ import annotations

from typing import Any

import paddleflow_provider
from paddleflow_provider.connection_schema import CONNECTION_FIELDS, DEFAULT_PORT

CONN_TYPE = "paddleflow"
HOOK_CLASS = "paddleflow_provider.hooks.paddleflow.PaddleFlowHook"

#: Custom connection fields (bare keys of ``Connection.extra``), rendered from the one schema.
CONN_FIELDS: dict[str, dict[str, Any]] = {
    field.name: {"label": field.label, "description": field.description, "schema": field.json_schema()}
    for field in CONNECTION_FIELDS
}

UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden-fields": ["schema", "extra"],
    "relabeling": {"host": "PaddleFlow server host", "login": "Username", "password": "Password"},
    "placeholders": {"host": "127.0.0.1", "port": DEFAULT_PORT, "login": "root", "password": "paddleflow"},
}

EXTRA_LINKS = ["paddleflow_provider.links.PaddleFlowRunLink"]
OPERATOR_MODULES = ("run", "pipeline", "schedule", "queue", "fs", "cluster")


def get_provider_info() -> dict[str, Any]:
    """Return the provider description Airflow's ProvidersManager validates and loads."""
    return {
        "package-name": "airflow-provider-paddleflow",
        "name": "PaddleFlow",
        "description": "Drive PaddleFlow (PaddlePaddle's ML pipeline platform) runs, pipelines, schedules, "
        "queues, storage and clusters from Airflow.",
        "versions": [paddleflow_provider.__version__],
        "integrations": [
            {
                "integration-name": "PaddleFlow",
                "external-doc-url": "https://github.com/PaddlePaddle/PaddleFlow",
                "tags": ["software"],
            }
        ],
        "operators": [
            {
                "integration-name": "PaddleFlow",
                "python-modules": [f"paddleflow_provider.operators.{name}" for name in OPERATOR_MODULES],
            }
        ],
        "sensors": [
            {
                "integration-name": "PaddleFlow",
                "python-modules": ["paddleflow_provider.sensors.run", "paddleflow_provider.sensors.log"],
            }
        ],
        "hooks": [
            {"integration-name": "PaddleFlow", "python-modules": ["paddleflow_provider.hooks.paddleflow"]}
        ],
        "triggers": [
            {
                "integration-name": "PaddleFlow",
                "python-modules": ["paddleflow_provider.triggers.run", "paddleflow_provider.triggers.log"],
            }
        ],
        "connection-types": [
            {
                "connection-type": CONN_TYPE,
                "hook-class-name": HOOK_CLASS,
                "hook-name": "PaddleFlow",
                "conn-fields": CONN_FIELDS,
                "ui-field-behaviour": UI_FIELD_BEHAVIOUR,
            }
        ],
        "extra-links": EXTRA_LINKS,
    }
