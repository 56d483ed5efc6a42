"""The "PaddleFlow Run" extra link on run operators and sensors.

The URL is computed on the worker (from the connection's ``ui_url_template``) and pushed to XCom as
``run_url`` the moment the run id is known, *before* any waiting, so the link works for running,
deferred and failed tasks alike. ``get_link`` only reads that XCom: on Airflow 3 it runs on the
worker at the end of the task and must never raise.

Airflow 3 does not call ``get_link`` when the UI asks: the API server reads the link's *own* XCom
(``BaseOperatorLink.xcom_key``, ``_link_PaddleFlowRunLink``), which the task runner writes only when
the task ends. So the URL is pushed under that key too, at the same moment as ``run_url``: without
it the link stays empty for as long as a non-deferrable task waits.
"""

from __future__ import annotations

import logging
from typing import Any

from paddleflow_provider._compat import BaseOperatorLink, XCom

log = logging.getLogger(__name__)

XCOM_RUN_ID = "run_id"
XCOM_RUN_URL = "run_url"


class PaddleFlowRunLink(BaseOperatorLink):
    """Link to the PaddleFlow run a task created or watched."""

    name = "PaddleFlow Run"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        try:
            url = XCom.get_value(key=XCOM_RUN_URL, ti_key=ti_key)
        except Exception:
            log.debug("no %s XCom for %s", XCOM_RUN_URL, ti_key, exc_info=True)
            return ""
        return str(url) if url else ""


def push_run_xcoms(context: Any, run_id: str, run_url: str) -> None:
    """Persist the identifiers first, wait second: links and retries rely on them."""
    ti = context["ti"]
    ti.xcom_push(key=XCOM_RUN_ID, value=run_id)
    ti.xcom_push(key=XCOM_RUN_URL, value=run_url)
    link_key = getattr(PaddleFlowRunLink(), "xcom_key", None)  # Airflow 3; 2.x calls get_link
    if link_key:
        ti.xcom_push(key=link_key, value=run_url)
