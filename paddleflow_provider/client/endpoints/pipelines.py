# ruff: noqa: PLR0917 - methods keep the SDK reference's positional signatures
"""Pipelines and schedules (paddleflow-api.md 7.7, 7.8)."""

from __future__ import annotations

import base64
import re
from typing import Any

from .. import _validate as v
from .._core import Call, Landed, path
from .._exceptions import InvalidArgumentError
from .._model_base import Page, items_of, marker_of
from .._models_run import (
    PipelineCreated,
    PipelineDetail,
    PipelineInfo,
    PipelineVersionCreated,
    PipelineVersionDetail,
    PipelineVersionInfo,
    RunInfo,
    ScheduleDetail,
    ScheduleInfo,
)
from ._common import endpoint, field_parser, none, page_parser, walk

_YAML_NAME = re.compile(r"^name:\s*['\"]?([^'\"#\s]+)", re.MULTILINE)
_PPL = {"pipelineid": "pipeline_id", "ppl_id": "pipeline_id"}
_PPL_VER = {**_PPL, "pipelineversionid": "pipeline_version_id", "ppl_ver_id": "pipeline_version_id"}


def _desc(value: Any) -> str | None:
    v.optional_str("desc", value)
    if value is not None and len(value.encode("utf-8")) > 256:
        raise InvalidArgumentError("desc", "at most 256 bytes", f"{len(value.encode('utf-8'))} bytes")
    return value


@endpoint({"maxsize": "max_keys", "maxkeys": "max_keys"})
def list_pipeline(
    user_filter: str | None = None,
    name_filter: str | None = None,
    max_keys: int | None = None,
    marker: str | None = None,
) -> Call[Page[PipelineInfo]]:
    v.maxsize("max_keys", max_keys, allow_none=True)
    return Call(
        "list_pipeline",
        "GET",
        "/pipeline",
        page_parser(PipelineInfo, "pipelineList"),
        params={"userFilter": user_filter, "nameFilter": name_filter, "maxKeys": max_keys, "marker": marker},
    )


def _pipeline_detail(data: Any) -> PipelineDetail:
    versions = data.get("pplVersions") or {}
    return PipelineDetail(
        PipelineInfo.model_validate(data.get("pipeline") or {}),
        [PipelineVersionInfo.model_validate(i) for i in items_of(versions, "pplVersionList")],
        marker_of(versions),
    )


@endpoint({**_PPL, "maxsize": "max_keys", "maxkeys": "max_keys"})
def show_pipeline(
    pipeline_id: str, fs_filter: str | None = None, max_keys: int | None = None, marker: str | None = None
) -> Call[PipelineDetail]:
    v.required("pipeline_id", pipeline_id)
    v.maxsize("max_keys", max_keys, allow_none=True)
    return Call(
        "show_pipeline",
        "GET",
        path("pipeline", pipeline_id),
        _pipeline_detail,
        params={"fsFilter": fs_filter, "maxKeys": max_keys, "marker": marker},
    )


def _pipeline_landed(fs_name: str | None, yaml_path: str | None, yaml_raw: str | None) -> Any:
    """Find the pipeline an unanswered create made: by yaml name, else by fs + path of its only version."""
    name = None
    if yaml_raw is not None:
        found = _YAML_NAME.search(base64.b64decode(yaml_raw).decode("utf-8", "replace"))
        name = found.group(1) if found else None
    pipelines = yield from walk(lambda m: list_pipeline(name_filter=name, max_keys=1000, marker=m))
    for ppl in reversed(pipelines):
        if name is not None and ppl.name != name:
            continue
        detail = yield show_pipeline(ppl.pipeline_id, max_keys=1000)
        if len(detail.versions) != 1:
            continue
        ver = detail.versions[0]
        if name is not None or (ver.fs_name == fs_name and ver.yaml_path == (yaml_path or "./run.yaml")):
            return Landed(PipelineCreated(ppl.name, ppl.pipeline_id, ver.pipeline_version_id))
    return None


def _created(data: Any) -> PipelineCreated:
    return PipelineCreated(
        str(data.get("name") or ""), field_parser("pipelineID")(data), field_parser("pipelineVersionID")(data)
    )


@endpoint({"fsname": "fs_name", "yamlpath": "yaml_path", "yamlraw": "yaml_raw"})
def create_pipeline(
    fs_name: str | None = None,
    yaml_path: str | None = None,
    desc: str | None = None,
    username: str | None = None,
    yaml_raw: str | bytes | None = None,
) -> Call[PipelineCreated]:
    raw = v.pipeline_source(fs_name, yaml_path, yaml_raw)
    body = {
        "fsName": fs_name,
        "yamlPath": yaml_path,
        "desc": _desc(desc),
        "username": v.optional_str("username", username),
        "yamlRaw": raw,
    }
    body = {k: val for k, val in body.items() if val is not None}
    return Call(
        "create_pipeline",
        "POST",
        "/pipeline",
        _created,
        body=body,
        kind="create",
        landed=lambda: _pipeline_landed(fs_name, yaml_path, raw),
    )


@endpoint({**_PPL, "fsname": "fs_name", "yamlpath": "yaml_path", "yamlraw": "yaml_raw"})
def update_pipeline(
    pipeline_id: str,
    fs_name: str | None = None,
    yaml_path: str | None = None,
    username: str | None = None,
    desc: str | None = None,
    yaml_raw: str | bytes | None = None,
) -> Call[PipelineVersionCreated]:
    """Each update appends a version that cannot be told apart afterwards: never repeated blindly."""
    v.required("pipeline_id", pipeline_id)
    raw = v.pipeline_source(fs_name, yaml_path, yaml_raw)
    body = {
        "fsName": fs_name,
        "yamlPath": yaml_path,
        "desc": _desc(desc),
        "username": v.optional_str("username", username),
        "yamlRaw": raw,
    }
    body = {k: val for k, val in body.items() if val is not None}

    def parse(data: Any) -> PipelineVersionCreated:
        return PipelineVersionCreated(
            field_parser("pipelineID")(data), field_parser("pipelineVersionID")(data)
        )

    return Call("update_pipeline", "POST", path("pipeline", pipeline_id), parse, body=body, kind="once")


@endpoint(_PPL_VER)
def show_pipeline_version(pipeline_id: str, pipeline_version_id: str) -> Call[PipelineVersionDetail]:
    v.required("pipeline_id", pipeline_id)
    v.required("pipeline_version_id", pipeline_version_id)

    def parse(data: Any) -> PipelineVersionDetail:
        return PipelineVersionDetail(
            PipelineInfo.model_validate(data.get("pipeline") or {}),
            PipelineVersionInfo.model_validate(data.get("pipelineVersion") or {}),
        )

    return Call("show_pipeline_version", "GET", path("pipeline", pipeline_id, pipeline_version_id), parse)


@endpoint(_PPL)
def delete_pipeline(pipeline_id: str) -> Call[None]:
    v.required("pipeline_id", pipeline_id)
    return Call(
        "delete_pipeline",
        "DELETE",
        path("pipeline", pipeline_id),
        none,
        kind="mutate",
        done_codes=frozenset({"PipelineNotFound"}),
    )


@endpoint(_PPL_VER)
def delete_pipeline_version(pipeline_id: str, pipeline_version_id: str) -> Call[None]:
    v.required("pipeline_id", pipeline_id)
    v.required("pipeline_version_id", pipeline_version_id)
    return Call(
        "delete_pipeline_version",
        "DELETE",
        path("pipeline", pipeline_id, pipeline_version_id),
        none,
        kind="mutate",
        done_codes=frozenset({"PipelineNotFound"}),
    )


# -- schedules ------------------------------------------------------------------------------------
@endpoint({"maxsize": "max_keys", "maxkeys": "max_keys"})
def list_schedule(
    user_filter: str | None = None,
    ppl_filter: str | None = None,
    ppl_version_filter: str | None = None,
    schedule_filter: str | None = None,
    name_filter: str | None = None,
    status_filter: str | None = None,
    marker: str | None = None,
    max_keys: int | None = None,
) -> Call[Page[ScheduleInfo]]:
    v.maxsize("max_keys", max_keys, allow_none=True)
    return Call(
        "list_schedule",
        "GET",
        "/schedule",
        page_parser(ScheduleInfo, "scheduleList"),
        params={
            "userFilter": user_filter,
            "pplFilter": ppl_filter,
            "pplVersionFilter": ppl_version_filter,
            "scheduleFilter": schedule_filter,
            "nameFilter": name_filter,
            "statusFilter": status_filter,
            "marker": marker,
            "maxKeys": max_keys,
        },
    )


def _schedule_landed(name: str, pipeline_id: str) -> Any:
    schedules = yield from walk(lambda m: list_schedule(name_filter=name, max_keys=1000, marker=m))
    for item in reversed(schedules):
        if item.name == name and item.pipeline_id == pipeline_id:
            return Landed(item.schedule_id)
    return None


@endpoint({**_PPL_VER})
def create_schedule(
    name: str,
    pipeline_id: str,
    pipeline_version_id: str,
    crontab: str,
    desc: str | None = None,
    start_time: str | None = None,
    end_time: str | None = None,
    concurrency: int | None = None,
    concurrency_policy: str | None = None,
    expire_interval: int | None = None,
    catchup: bool | None = None,
    username: str | None = None,
) -> Call[str]:
    """Unlike the old SDK, ``catchup=False`` and ``concurrency=0`` are sent (only ``None`` is left out)."""
    v.name("name", name, "schedule")
    v.required("pipeline_id", pipeline_id)
    v.required("pipeline_version_id", pipeline_version_id)
    v.crontab("crontab", crontab)
    v.schedule_window(start_time, end_time)
    v.int_range("concurrency", concurrency, 0)
    v.int_range("expire_interval", expire_interval, 0)
    v.one_of("concurrency_policy", concurrency_policy, v.CONCURRENCY_POLICIES)
    v.optional_bool("catchup", catchup)
    body = {
        "name": name,
        "pipelineID": pipeline_id,
        "pipelineVersionID": pipeline_version_id,
        "crontab": crontab,
        "desc": _desc(desc),
        "startTime": start_time,
        "endTime": end_time,
        "concurrency": concurrency,
        "concurrencyPolicy": concurrency_policy,
        "expireInterval": expire_interval,
        "catchup": catchup,
        "username": v.optional_str("username", username),
    }
    body = {k: val for k, val in body.items() if val is not None}
    return Call(
        "create_schedule",
        "POST",
        "/schedule",
        field_parser("scheduleID"),
        body=body,
        kind="create",
        landed=lambda: _schedule_landed(name, pipeline_id),
    )


def _schedule_detail(data: Any) -> ScheduleDetail:
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    runs = data.get("runs") or {}
    info = ScheduleInfo.model_validate({k: val for k, val in data.items() if k != "runs"})
    return ScheduleDetail(
        info,
        [RunInfo.model_validate(r) for r in items_of(runs, "runList")],
        marker_of(runs) or marker_of(data),
    )


@endpoint({"scheduleid": "schedule_id", "maxsize": "max_keys", "maxkeys": "max_keys"})
def show_schedule(
    schedule_id: str,
    run_filter: str | None = None,
    status_filter: str | None = None,
    marker: str | None = None,
    max_keys: int | None = None,
) -> Call[ScheduleDetail]:
    v.required("schedule_id", schedule_id)
    v.maxsize("max_keys", max_keys, allow_none=True)
    return Call(
        "show_schedule",
        "GET",
        path("schedule", schedule_id),
        _schedule_detail,
        params={
            "runFilter": run_filter,
            "statusFilter": status_filter,
            "marker": marker,
            "maxKeys": max_keys,
        },
    )


@endpoint({"scheduleid": "schedule_id"})
def stop_schedule(schedule_id: str) -> Call[None]:
    v.required("schedule_id", schedule_id)
    return Call(
        "stop_schedule",
        "PUT",
        path("schedule", schedule_id),
        none,
        kind="mutate",
        done_codes=frozenset({"ActionNotAllowed"}),
    )


@endpoint({"scheduleid": "schedule_id"})
def delete_schedule(schedule_id: str) -> Call[None]:
    v.required("schedule_id", schedule_id)
    return Call(
        "delete_schedule",
        "DELETE",
        path("schedule", schedule_id),
        none,
        kind="mutate",
        done_codes=frozenset({"ScheduleNotFound"}),
    )
