"""Operators for PaddleFlow pipelines (stored, versioned run templates).

A pipeline is named by the ``name`` in its YAML and is unique per user; every update appends a
version. Both make a blind Airflow retry unsafe: a second create fails with ``DuplicatedName``, a
second update adds an identical version. ``if_exists="reuse"`` (create) and
``if_unchanged="reuse"`` (update) make them safe: an existing pipeline or latest version with the
*same* definition is reported and returned instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import yaml

from paddleflow_provider._compat import StrArg
from paddleflow_provider.client import _validate as v
from paddleflow_provider.operators._base import (
    PaddleFlowBaseOperator,
    PaddleFlowCreateOperatorBase,
    PaddleFlowDeleteOperatorBase,
    PaddleFlowYamlTemplateMixin,
    check_choice,
    check_optional_str,
    check_required,
    client_check,
)
from paddleflow_provider.runs.arguments import given_or_none, is_templated

if TYPE_CHECKING:
    from paddleflow_provider.client import PaddleFlowAPI, PipelineVersionInfo


__all__ = [
    "PaddleFlowCreatePipelineOperator",
    "PaddleFlowDeletePipelineOperator",
    "PaddleFlowDeletePipelineVersionOperator",
    "PaddleFlowUpdatePipelineOperator",
]

IF_UNCHANGED_CHOICES = ("new_version", "reuse")
#: What to do about the running schedules that keep a pipeline (or version) from being deleted.
STOP_SCHEDULES_FIRST = (
    "stop those schedules first (PaddleFlowStopScheduleOperator, or PaddleFlowDeleteScheduleOperator "
    "with stop=True) in an upstream task"
)


def _parsed(text: str | bytes | None) -> Any:
    """A YAML document as data, so formatting differences do not count as a different definition."""
    if text is None:
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text.decode() if isinstance(text, bytes) else text


def _version_number(version_id: str) -> int:
    digits = re.sub(r"\D", "", version_id or "")
    return int(digits) if digits else -1


class _PipelineSource(PaddleFlowYamlTemplateMixin, PaddleFlowBaseOperator):
    """The YAML source create and update share, and "is this version the same definition?"."""

    yaml_field = "yaml_raw"
    template_fields_renderers: ClassVar[dict[str, str]] = {"yaml_raw": "yaml"}

    def __init__(
        self,
        *,
        fs_name: str | None = None,
        yaml_path: str | None = None,
        username: str | None = None,
        desc: str | None = None,
        yaml_raw: str | bytes | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not any(is_templated(value) for value in (fs_name, yaml_path, yaml_raw)):
            # The client's own rule; a templated source is checked by the client at execute.
            client_check(v.pipeline_source, *(given_or_none(x) for x in (fs_name, yaml_path, yaml_raw)))
        check_optional_str("desc", desc)
        check_optional_str("username", username)
        self.fs_name = fs_name
        self.yaml_path = yaml_path
        self.username = username
        self.desc = desc
        self.yaml_raw = yaml_raw

    def raw_bytes(self) -> bytes | None:
        raw = self.yaml_raw
        return (raw.encode() if isinstance(raw, str) else raw) or None

    def same_definition(self, version: PipelineVersionInfo) -> bool:
        """Raw YAML: the stored YAML parses to the same data. Path: same storage and path."""
        if self.raw_bytes() is not None:
            return _parsed(version.pipeline_yaml) == _parsed(self.raw_bytes())
        return version.fs_name == self.fs_name and version.yaml_path == (self.yaml_path or "./run.yaml")

    def matching_version(self, api: PaddleFlowAPI, pipeline_id: str) -> PipelineVersionInfo | None:
        """The newest version of ``pipeline_id`` with this definition, or None."""
        detail = api.show_pipeline(pipeline_id, max_keys=1000)
        matches = [v for v in detail.versions if self.same_definition(v)]
        return max(matches, key=lambda v: _version_number(v.pipeline_version_id)) if matches else None


class PaddleFlowCreatePipelineOperator(_PipelineSource, PaddleFlowCreateOperatorBase):
    """Create a pipeline from YAML; return its pipeline id.

    Pushes XComs ``pipeline_version_id`` and ``pipeline_name`` too.

    :param yaml_raw: Optional. The pipeline YAML (templated; a ``.yaml``/``.yml`` file name is read
        from the DAG folder; bytes are sent as they are). Its ``name`` names the pipeline.
    :param fs_name: Optional. Storage holding the YAML (instead of ``yaml_raw``).
    :param yaml_path: Optional. Path of the YAML on ``fs_name`` (default ``./run.yaml``).
    :param desc: Optional. Description.
    :param username: Optional. Root only: create it for this user.
    :param if_exists: Optional. ``"fail"`` (default) or ``"reuse"``: a pipeline of the same name
        with a version of the same definition is returned (that version's id is pushed).
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("yaml_raw", "fs_name", "yaml_path", "desc", "username")

    def execute(self, context: Any) -> str:
        api = self.api

        def create() -> Any:
            return api.create_pipeline(
                fs_name=None if self.raw_bytes() else self.fs_name,
                yaml_path=None if self.raw_bytes() else self.yaml_path,
                desc=self.desc or None,
                username=self.username or None,
                yaml_raw=self.raw_bytes(),
            )

        created = self.create_or_reuse(self._what(), create, lambda: self._find(api))
        self.push(context, pipeline_version_id=created.pipeline_version_id, pipeline_name=created.name)
        self.log.info(
            "Pipeline %s (%s), version %s", created.pipeline_id, created.name, created.pipeline_version_id
        )
        return str(created.pipeline_id)

    def _find(self, api: PaddleFlowAPI) -> tuple[Any, str | None]:
        from paddleflow_provider.client import PipelineCreated

        # Raw YAML names its pipeline; a YAML on storage is matched by storage and path instead.
        name = self._pipeline_name()
        owner = self.username or self.hook.get_client_config().username
        for ppl in api.iter_pipelines(name_filter=name) if name else api.iter_pipelines():
            if (name and ppl.name != name) or (owner and ppl.username and ppl.username != owner):
                continue
            version = self.matching_version(api, ppl.pipeline_id)
            if version is None:
                if not name:
                    continue
                return ppl, f"no version of pipeline {ppl.pipeline_id} has this YAML; update it instead"
            return PipelineCreated(ppl.name, ppl.pipeline_id, version.pipeline_version_id), None
        return None, None

    def _what(self) -> str:
        """The pipeline as messages name it: by the YAML's ``name``, else by where its YAML is."""
        name = self._pipeline_name()
        if name:
            return f"PaddleFlow pipeline {name}"
        return f"PaddleFlow pipeline from {self.fs_name}:{self.yaml_path or './run.yaml'}"

    def _pipeline_name(self) -> str | None:
        data = _parsed(self.raw_bytes())
        if isinstance(data, dict) and data.get("name"):
            return str(data["name"])
        return None


class PaddleFlowUpdatePipelineOperator(_PipelineSource):
    """Add a version to a pipeline; return the new pipeline version id.

    The YAML's ``name`` must be the pipeline's name (the server checks it).

    :param pipeline_id: The pipeline to update (templated).
    :param yaml_raw: Optional. The new YAML (templated, as for the create operator).
    :param fs_name: Optional. Storage holding the YAML (instead of ``yaml_raw``).
    :param yaml_path: Optional. Path of the YAML on ``fs_name`` (default ``./run.yaml``).
    :param username: Optional. Root only: on behalf of this user.
    :param desc: Optional. Description.
    :param if_unchanged: Optional. ``"new_version"`` (default: always add a version) or
        ``"reuse"``: when the newest version already has this definition, return it instead of
        adding an identical one (a retried task then adds nothing).
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("pipeline_id", "yaml_raw", "fs_name", "yaml_path", "desc", "username")

    def __init__(self, *, pipeline_id: StrArg, if_unchanged: str = "new_version", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        pipeline_id = check_required("pipeline_id", pipeline_id)
        self.pipeline_id = pipeline_id
        self.if_unchanged = check_choice("if_unchanged", if_unchanged, IF_UNCHANGED_CHOICES)

    def execute(self, context: Any) -> str:
        api = self.api
        if self.if_unchanged == "reuse":
            detail = api.show_pipeline(self.pipeline_id, max_keys=1000)
            if detail.versions:
                latest = max(detail.versions, key=lambda v: _version_number(v.pipeline_version_id))
                if self.same_definition(latest):
                    self.log.info(
                        "Pipeline %s: the newest version %s already has this definition; not adding another",
                        self.pipeline_id,
                        latest.pipeline_version_id,
                    )
                    self.push(context, pipeline_id=self.pipeline_id)
                    return str(latest.pipeline_version_id)
        created = api.update_pipeline(
            self.pipeline_id,
            fs_name=None if self.raw_bytes() else self.fs_name,
            yaml_path=None if self.raw_bytes() else self.yaml_path,
            username=self.username or None,
            desc=self.desc or None,
            yaml_raw=self.raw_bytes(),
        )
        self.log.info("Pipeline %s: added version %s", created.pipeline_id, created.pipeline_version_id)
        self.push(context, pipeline_id=created.pipeline_id)
        return str(created.pipeline_version_id)


class PaddleFlowDeletePipelineOperator(PaddleFlowDeleteOperatorBase):
    """Delete a pipeline and all its versions (refused while a running schedule uses it).

    :param pipeline_id: The pipeline (templated).
    :param if_missing: Optional. ``"ignore"`` (default: a missing pipeline counts as deleted) or
        ``"fail"``.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("pipeline_id",)

    def __init__(self, *, pipeline_id: StrArg, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        pipeline_id = check_required("pipeline_id", pipeline_id)
        self.pipeline_id = pipeline_id

    def execute(self, context: Any) -> str:
        self.delete_or_ignore(
            f"PaddleFlow pipeline {self.pipeline_id}",
            lambda: self.api.delete_pipeline(self.pipeline_id),
            in_use=f"A pipeline cannot be deleted while a running schedule uses it: {STOP_SCHEDULES_FIRST}",
        )
        return self.pipeline_id


class PaddleFlowDeletePipelineVersionOperator(PaddleFlowDeleteOperatorBase):
    """Delete one version of a pipeline (the server refuses to delete the last one).

    :param pipeline_id: The pipeline (templated).
    :param pipeline_version_id: The version (templated).
    :param if_missing: Optional. ``"ignore"`` (default: a missing version counts as deleted) or
        ``"fail"``.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("pipeline_id", "pipeline_version_id")

    def __init__(self, *, pipeline_id: StrArg, pipeline_version_id: StrArg, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        pipeline_id = check_required("pipeline_id", pipeline_id)
        pipeline_version_id = check_required("pipeline_version_id", pipeline_version_id)
        self.pipeline_id = pipeline_id
        self.pipeline_version_id = pipeline_version_id

    def execute(self, context: Any) -> str:
        self.delete_or_ignore(
            f"PaddleFlow pipeline {self.pipeline_id} version {self.pipeline_version_id}",
            lambda: self.api.delete_pipeline_version(self.pipeline_id, self.pipeline_version_id),
            in_use=(
                "The last version of a pipeline cannot be deleted (delete the pipeline instead, with "
                "PaddleFlowDeletePipelineOperator), nor a version a running schedule uses: "
                f"{STOP_SCHEDULES_FIRST}"
            ),
        )
        return self.pipeline_version_id
