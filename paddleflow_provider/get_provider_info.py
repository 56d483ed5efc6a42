"""Airflow provider metadata (entry point ``apache_airflow_provider``).

Airflow imports this on *every* start-up (``import airflow`` discovers providers), so the module
must stay import-free and cheap: plain data only. The connection form is described twice on
purpose: declaratively here (``conn-fields`` / ``ui-field-behaviour``, read by Airflow 3.2+
without importing the hook) and by methods on the hook (read by Airflow 2.x, 3.0 and 3.1).
Both are generated from :data:`CONN_FIELDS` so the two forms cannot drift.
"""

from __future__ import annotations

from typing import Any

import paddleflow_provider

CONN_TYPE = "paddleflow"
HOOK_CLASS = "paddleflow_provider.hooks.paddleflow.PaddleFlowHook"

#: Default UI URL template for extra links. ``{base}`` is ``scheme://host:port`` of the connection.
DEFAULT_UI_URL_TEMPLATE = "{base}/run/{run_id}"

#: Custom connection fields, stored as bare keys of ``Connection.extra``.
CONN_FIELDS: dict[str, dict[str, Any]] = {
    "scheme": {
        "label": "Scheme",
        "description": "http or https.",
        "schema": {"type": ["string", "null"], "enum": ["http", "https"], "default": "http"},
    },
    "verify": {
        "label": "Verify TLS certificate",
        "description": "Check the server certificate when the scheme is https.",
        "schema": {"type": ["boolean", "null"], "default": True},
    },
    "ca_bundle": {
        "label": "CA bundle path",
        "description": "Path of a PEM CA bundle on the workers, for a private certificate authority.",
        "schema": {"type": ["string", "null"]},
    },
    "connect_timeout": {
        "label": "Connect timeout (s)",
        "description": "Seconds to wait for a TCP/TLS connection.",
        "schema": {"type": ["number", "null"], "default": 10.0, "minimum": 0},
    },
    "read_timeout": {
        "label": "Read timeout (s)",
        "description": "Seconds to wait for a response.",
        "schema": {"type": ["number", "null"], "default": 60.0, "minimum": 0},
    },
    "max_attempts": {
        "label": "Max attempts",
        "description": "Attempts per request on connection errors, timeouts, 429 and 5xx.",
        "schema": {"type": ["integer", "null"], "default": 5, "minimum": 1},
    },
    "max_retry_time": {
        "label": "Max retry time (s)",
        "description": "Upper bound on the time spent retrying one request.",
        "schema": {"type": ["number", "null"], "default": 120.0, "minimum": 0},
    },
    "backoff_initial": {
        "label": "Backoff initial (s)",
        "description": "First wait between retries; it doubles (with jitter) after each attempt.",
        "schema": {"type": ["number", "null"], "default": 0.5, "minimum": 0},
    },
    "backoff_max": {
        "label": "Backoff max (s)",
        "description": "Longest wait between two retries.",
        "schema": {"type": ["number", "null"], "default": 8.0, "minimum": 0},
    },
    "ui_url_template": {
        "label": "UI URL template",
        "description": "Link to a run in the PaddleFlow UI; placeholders {base} and {run_id}.",
        "schema": {"type": ["string", "null"], "default": DEFAULT_UI_URL_TEMPLATE},
    },
}

UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden-fields": ["schema", "extra"],
    "relabeling": {"host": "PaddleFlow server host", "login": "Username", "password": "Password"},
    "placeholders": {"host": "127.0.0.1", "port": "8999", "login": "root", "password": "paddleflow"},
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
