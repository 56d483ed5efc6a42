"""Build the OpenLineage metadata of one PaddleFlow run: the run facets and its artifact datasets.

Imports Airflow's OpenLineage provider at module level; :func:`paddleflow_provider.lineage.operator_lineage`
imports this module only when that provider asks for lineage. Every call here may raise: the
caller turns any failure into empty lineage, so a task never fails because of lineage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow.providers.common.compat.openlineage.facet import (
    ExternalQueryRunFacet,
    InputDataset,
    OutputDataset,
    RunFacet,
)
from airflow.providers.openlineage.extractors import OperatorLineage

from paddleflow_provider.lineage.facets import FACET_KEY, PaddleFlowRunFacet
from paddleflow_provider.lineage.naming import DatasetId, Storage, artifact_dataset, server_authority

if TYPE_CHECKING:
    from paddleflow_provider.client import ArtifactInfo, PaddleFlowAPI, RunInfo


def run_lineage(
    api: PaddleFlowAPI,
    base_url: str,
    run_id: str,
    *,
    pipeline_id: str | None = None,
    pipeline_version_id: str | None = None,
) -> OperatorLineage:  # type: ignore[type-arg]
    """The lineage of PaddleFlow run ``run_id`` as the server reports it now.

    :param api: A logged-in typed API of the server that ran it.
    :param base_url: That server's base URL (its ``host:port`` names PaddleFlow-only storages).
    :param run_id: The run.
    :param pipeline_id: The pipeline the operator ran, if any (the run object does not carry it).
    :param pipeline_version_id: Its version as the operator asked for it (``None``: the latest).
    """
    server = server_authority(base_url)
    run = api.show_run(run_id)
    pipeline_id, pipeline_version_id = _pipeline(run, pipeline_id, pipeline_version_id)
    run_facets: dict[str, RunFacet] = {
        FACET_KEY: PaddleFlowRunFacet(
            runId=run.run_id or run_id,
            runName=run.name,
            status=run.status,
            fsName=run.fs_name or None,
            pipelineId=pipeline_id,
            pipelineVersionId=pipeline_version_id,
        ),
        # OpenLineage's standard way to say "this task ran job X in external system Y".
        "externalQuery": ExternalQueryRunFacet(externalQueryId=run_id, source=f"paddleflow://{server}"),
    }
    # Ordered sets: a path listed twice (a loop step, a cache hit) is one dataset.
    found: dict[str, dict[DatasetId, None]] = {"input": {}, "output": {}}
    storages = _StorageCache(api)
    for artifact in api.iter_artifacts(run_filter=run_id):
        if artifact.type in found:  # the API knows only these two
            dataset = artifact_dataset(storages.of(artifact), artifact.artifact_path, server)
            found[artifact.type].setdefault(dataset, None)
    inputs, outputs = found["input"], found["output"]
    return OperatorLineage(
        inputs=[InputDataset(namespace=d.namespace, name=d.name) for d in inputs],
        outputs=[OutputDataset(namespace=d.namespace, name=d.name) for d in outputs],
        run_facets=run_facets,
    )


def _pipeline(
    run: RunInfo, pipeline_id: str | None, pipeline_version_id: str | None
) -> tuple[str | None, str | None]:
    """The pipeline id and version of a run made from a pipeline.

    The server records the source of such a run as ``<pipelineID>-<pipelineVersionID>``; when the
    operator asked for the latest version, the recorded version is the only place it can be read
    (and may be empty: then it is unknown and reported as ``None``).
    """
    if not pipeline_id:
        return None, None
    if pipeline_version_id:
        return pipeline_id, pipeline_version_id
    prefix = f"{pipeline_id}-"
    recorded = run.source[len(prefix) :] if run.source.startswith(prefix) else ""
    return pipeline_id, recorded or None


class _StorageCache:
    """``show_fs`` once per storage of a run (its artifacts usually share one)."""

    def __init__(self, api: PaddleFlowAPI) -> None:
        self._api = api
        self._known: dict[tuple[str, str], Storage] = {}

    def of(self, artifact: ArtifactInfo) -> Storage:
        key = (artifact.username, artifact.fs_name)
        if key not in self._known:
            fs = self._api.show_fs(artifact.fs_name, username=artifact.username or None)
            self._known[key] = Storage(
                fs_id=fs.id or f"fs-{fs.owner}-{fs.name}",
                type=fs.fstype,
                server_address=fs.server_adddress,
                sub_path=fs.subpath,
                bucket=str(fs.properties.get("bucket") or ""),
            )
        return self._known[key]


__all__ = ["run_lineage"]
