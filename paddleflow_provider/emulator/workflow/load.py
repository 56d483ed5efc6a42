"""The two entry points the server calls to turn YAML text into a validated :class:`WorkflowSpec`."""

from __future__ import annotations

import hashlib

import yaml

from .errors import WorkflowError
from .parser import load_yaml_map, parse_workflow
from .spec import RunOverrides, WorkflowSpec
from .validate import apply_overrides, validate


def parse_run_yaml(yaml_text: str, overrides: RunOverrides | None = None) -> WorkflowSpec:
    """Parse and validate a run YAML as run creation does (semantics §2.1 steps 1-3, §7.2).

    :param yaml_text: the decoded YAML text (base64 decoding is the caller's job: ``MalformedYaml``).
    :param overrides: the create-run request's values that replace the YAML's.
    :raises WorkflowError: ``InvalidPipeline`` for YAML/workflow errors, ``InvalidNamePattern`` for a bad run
        name, ``InvalidArguments`` when the request's fs name contradicts ``main_fs.name``.
    """
    if not isinstance(yaml_text, str):
        raise WorkflowError("run yaml should be a string", code="InvalidArguments")
    overrides = overrides or RunOverrides()
    raw = load_yaml_map(yaml_text)
    # the source of a raw-YAML run is the md5 of the re-marshalled workflow, before request overrides
    normalized = yaml.safe_dump(raw, sort_keys=True, allow_unicode=True, default_flow_style=False)
    spec = parse_workflow(raw)
    spec.normalized_yaml = normalized
    spec.source_md5 = hashlib.md5(normalized.encode()).hexdigest()  # noqa: S324 - the server's id, not security
    apply_overrides(spec, overrides)
    validate(spec, overrides.parameters)
    spec.parameters = dict(overrides.parameters or {})
    return spec


def validate_pipeline_yaml(yaml_text: str) -> str:
    """Dry-run validation of a pipeline create/update (semantics §7.3); returns the YAML ``name``."""
    return parse_run_yaml(yaml_text).name
