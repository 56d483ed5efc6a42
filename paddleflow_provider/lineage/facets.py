"""The custom OpenLineage run facet of a PaddleFlow run.

Imports OpenLineage at module level: only :mod:`paddleflow_provider.lineage.extract` imports this
module, and only when Airflow's OpenLineage provider asks an operator for its lineage.
"""

from __future__ import annotations

from airflow.providers.common.compat.openlineage.facet import RunFacet
from attrs import define

from paddleflow_provider import __version__

#: Key of :class:`PaddleFlowRunFacet` in an event's ``run.facets``.
FACET_KEY = "paddleflow_run"

#: Who made the facet (OpenLineage's ``_producer``): this distribution, at this version. The package
#: has no public source home yet, so its index page stands for it.
PRODUCER = f"https://pypi.org/project/airflow-provider-paddleflow/{__version__}/"

#: The facet's JSON schema (``_schemaURL``). The schema ships in the package next to this module,
#: ``PaddleFlowRunFacet.json``; a test validates emitted facets against it.
SCHEMA_URL = f"{PRODUCER}#/paddleflow_provider/lineage/PaddleFlowRunFacet.json"


@define
class PaddleFlowRunFacet(RunFacet):
    """The PaddleFlow run behind an Airflow task: which run, from which pipeline, how it ended.

    Field names are camelCase, like OpenLineage's own facets. Values PaddleFlow did not record (a
    run made from YAML has no pipeline) are ``None``.
    """

    runId: str
    runName: str
    status: str
    fsName: str | None = None
    pipelineId: str | None = None
    pipelineVersionId: str | None = None

    def __attrs_post_init__(self) -> None:
        if not self._producer:  # made by this provider, not by the OpenLineage client
            self._producer = PRODUCER
        super().__attrs_post_init__()

    @staticmethod
    def _get_schema() -> str:
        return SCHEMA_URL
