"""OpenLineage for the create-run operator: the PaddleFlow run and the artifacts it read and wrote.

Airflow's OpenLineage provider (``apache-airflow-providers-openlineage``) calls an operator's
``get_openlineage_facets_on_complete`` / ``..._on_failure`` after the task ends; the operator hands
itself to :func:`operator_lineage`. Two promises:

* nothing without the provider: importing the operator imports no OpenLineage module (this package
  is only imported inside those methods, and it imports OpenLineage only in ``extract``/``facets``);
* lineage never fails a task: any error while collecting it is logged and empty lineage returned.

``naming`` turns storage + path into dataset names, ``facets`` holds the custom run facet and
``extract`` asks the server. See docs/lineage.md.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage

    from paddleflow_provider.hooks.paddleflow import PaddleFlowHook

log = logging.getLogger(__name__)


class RunOperator(Protocol):
    """What lineage needs of a create-run operator."""

    _run_id: str | None
    pipeline_id: str | None
    pipeline_version_id: str | None

    @property
    def hook(self) -> PaddleFlowHook: ...


def operator_lineage(operator: RunOperator) -> OperatorLineage | None:  # type: ignore[type-arg]
    """The lineage of the run ``operator`` made; empty when there is none or it cannot be read.

    Returns ``None`` (no lineage, as the provider's extractors read it) when the OpenLineage
    provider is not installed.
    """
    try:
        from airflow.providers.openlineage.extractors import OperatorLineage

        from paddleflow_provider.lineage.extract import run_lineage
    except ImportError as err:
        log.debug("No OpenLineage for PaddleFlow runs: %s", err)
        return None
    run_id = getattr(operator, "_run_id", None)
    if not run_id:  # the task ended before a run existed
        return OperatorLineage()
    try:
        hook = operator.hook
        return run_lineage(
            hook.api,
            hook.get_client_config().base_url,
            run_id,
            pipeline_id=_rendered(operator.pipeline_id),
            pipeline_version_id=_rendered(operator.pipeline_version_id),
        )
    except Exception as err:  # lineage is a by-product: it never fails or hides the task's outcome
        log.warning("Could not collect OpenLineage metadata of PaddleFlow run %s: %s", run_id, err)
        log.debug("OpenLineage collection failure", exc_info=True)
        return OperatorLineage()


def _rendered(value: Any) -> str | None:
    """A rendered template field as a string, or None when it was not given."""
    return str(value) if value else None


__all__ = ["RunOperator", "operator_lineage"]
