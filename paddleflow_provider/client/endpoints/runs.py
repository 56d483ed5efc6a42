# ruff: noqa: PLR0917 - methods keep the SDK reference's positional signatures
"""Runs, run caches, artifacts and run logs (paddleflow-api.md 7.5, 7.6, 7.10).

Duplicate-free ``create_run``: the server has no idempotency key and allows duplicate run names, so
every run created by this client carries one marker in its description, ``[pf-token:<token>]``
(appended to the caller's ``desc``). The token is the caller's ``client_token`` when given (an
extension: a caller such as the Airflow operator derives it from its own identity and can find the run
again later with ``find_run_by_client_token``), else 16 random hex digits. After an ambiguous failure
(no answer, 5xx) the client looks the marker up (the same lookup as ``find_run_by_client_token``)
before sending again.
"""

from __future__ import annotations

import uuid
from typing import Any

from .. import _validate as v
from .._core import Call, Flow, Landed, path
from .._model_base import Page, items_of, marker_of
from .._models_run import ArtifactInfo, LogInfo, RunCacheInfo, RunInfo, RunLog, RunPage
from ._common import endpoint, field_parser, model_parser, none, page_parser, walk

TOKEN_PREFIX = "[pf-token:"  # noqa: S105 - a marker, not a secret

_RUN_ALIASES = {
    "fsname": "fs_name",
    "runyamlpath": "run_yaml_path",
    "runyamlraw": "run_yaml_raw",
    "runname": "run_name",
    "user_name": "username",
    "pipelineid": "pipeline_id",
    "pipelineversionid": "pipeline_version_id",
    "dockerenv": "docker_env",
    "failureoptions": "failure_options",
    "description": "desc",
}
_RUN_ID = {"runid": "run_id", "runID": "run_id"}


def _run_page(data: Any) -> RunPage:
    items = [RunInfo.model_validate(i) for i in items_of(data, "runList")]
    return RunPage(items, marker_of(data), bool(data.get("isTruncated", False)))


@endpoint({"fsname": "fs_name", "runid": "run_id", "runname": "run_name", "maxkeys": "maxsize"})
def list_run(
    fs_name: str | None = None,
    username: str | None = None,
    run_id: str | None = None,
    run_name: str | None = None,
    status: str | None = None,
    maxsize: int = 100,
    marker: str | None = None,
) -> Call[RunPage]:
    v.maxsize("maxsize", maxsize)
    params = {
        "maxKeys": maxsize,
        "userFilter": v.optional_str("username", username),
        "fsFilter": v.optional_str("fs_name", fs_name),
        "runFilter": v.optional_str("run_id", run_id),
        "nameFilter": v.optional_str("run_name", run_name),
        "statusFilter": v.optional_str("status", status),
        "marker": v.optional_str("marker", marker),
    }
    return Call("list_run", "GET", "/run", _run_page, params=params)


@endpoint(_RUN_ID)
def show_run(run_id: str) -> Call[RunInfo]:
    v.required("run_id", run_id)
    return Call("show_run", "GET", path("run", run_id), model_parser(RunInfo))


def run_marker(client_token: str) -> str:
    """The description marker of a client token (the closing bracket keeps ``ab`` from matching ``abc``)."""
    return f"{TOKEN_PREFIX}{client_token}]"


def _newest_with_marker(marker: str, fs_name: str | None, run_name: str | None) -> Any:
    """Flow: the newest run whose description carries ``marker`` (lists are oldest first), or None."""
    runs = yield from walk(lambda m: list_run(fs_name=fs_name, run_name=run_name, maxsize=1000, marker=m))
    for run in reversed(runs):
        if marker in run.description:
            return run
    return None


def _run_landed(marker: str, fs_name: str | None, run_name: str | None) -> Any:
    run = yield from _newest_with_marker(marker, fs_name, run_name)
    return None if run is None else Landed(run.run_id)


@endpoint({"fsname": "fs_name", "runname": "run_name"})
def find_run_by_client_token(
    client_token: str, fs_name: str | None = None, run_name: str | None = None
) -> Flow[RunInfo | None]:
    """The newest run created with ``create_run(client_token=...)``, or None (extension, not in the
    SDK reference). ``fs_name``/``run_name`` narrow the listing; without them every visible run is
    scanned. Returns a ``RunInfo`` from the run list (call ``show_run`` for its runtime)."""
    marker = run_marker(v.client_token("client_token", client_token))
    v.optional_str("fs_name", fs_name)
    v.optional_str("run_name", run_name)
    return _newest_with_marker(marker, fs_name, run_name)


@endpoint(_RUN_ALIASES)
def create_run(
    fs_name: str | None = None,
    username: str | None = None,
    run_name: str | None = None,
    desc: str | None = None,
    run_yaml_path: str | None = None,
    run_yaml_raw: str | bytes | None = None,
    pipeline_id: str | None = None,
    pipeline_version_id: str | None = None,
    param: dict[str, Any] | None = None,
    disabled: str | None = None,
    docker_env: str | None = None,
    failure_options: dict[str, Any] | None = None,
    *,
    client_token: str | None = None,
) -> Call[str]:
    """Create a run. ``client_token`` (extension) fixes the description marker ``[pf-token:<token>]``
    so the caller can find this run again with ``find_run_by_client_token``; by default it is random."""
    v.run_source(run_yaml_raw, run_yaml_path, pipeline_id, pipeline_version_id, fs_name)
    if fs_name is not None:
        v.fs_name("fs_name", fs_name)
    v.optional_name("run_name", run_name, "run")
    disabled = v.disabled_steps("disabled", disabled)
    v.optional_str("docker_env", docker_env)
    v.optional_str("desc", desc)
    v.mapping("param", param)
    failure_options = v.failure_options("failure_options", failure_options)
    if client_token is None:
        client_token = uuid.uuid4().hex[:16]
    token = run_marker(v.client_token("client_token", client_token))
    body: dict[str, Any] = {
        "fsName": fs_name,
        "username": v.optional_str("username", username),
        "name": run_name,
        "desc": f"{desc} {token}" if desc else token,
        "runYamlPath": v.optional_str("run_yaml_path", run_yaml_path),
        "runYamlRaw": v.base64_text("run_yaml_raw", run_yaml_raw),
        "pipelineID": v.optional_str("pipeline_id", pipeline_id),
        "pipelineVersionID": v.optional_str("pipeline_version_id", pipeline_version_id),
        "parameters": param,
        "disabled": disabled,
        "dockerEnv": docker_env,
        "failureOptions": failure_options,
    }
    # Every key is "opt" in the reference: sent only when truthy, as the SDK does (an empty
    # failureOptions would override the yaml's strategy with "").
    body = {k: val for k, val in body.items() if val not in (None, "", {})}
    return Call(
        "create_run",
        "POST",
        "/run",
        field_parser("runID"),
        body=body,
        kind="create",
        landed=lambda: _run_landed(token, fs_name, run_name),
    )


@endpoint(_RUN_ID)
def stop_run(run_id: str, force: bool = False) -> Call[None]:
    v.required("run_id", run_id)
    if not isinstance(force, bool):
        raise v.InvalidArgumentError("force", "must be True or False", force)
    # A repeat after a lost answer finds the run already stopping: that is the wanted outcome.
    return Call(
        "stop_run",
        "PUT",
        path("run", run_id),
        none,
        params={"action": "stop"},
        body={"stopForce": force},
        kind="mutate",
        done_codes=frozenset({"ActionNotAllowed"}),
    )


@endpoint(_RUN_ID)
def retry_run(run_id: str) -> Call[str]:
    """Retry makes a *new* run with nothing to recognise it by, so it is never repeated blindly."""
    v.required("run_id", run_id)
    return Call(
        "retry_run",
        "PUT",
        path("run", run_id),
        field_parser("runID"),
        params={"action": "retry"},
        kind="once",
    )


@endpoint(_RUN_ID)
def delete_run(run_id: str, check_cache: bool | None = None) -> Call[None]:
    v.required("run_id", run_id)
    if check_cache is not None and not isinstance(check_cache, bool):
        raise v.InvalidArgumentError("check_cache", "must be True, False or None", check_cache)
    return Call(
        "delete_run",
        "DELETE",
        path("run", run_id),
        none,
        body={"checkCache": check_cache},
        kind="mutate",
        done_codes=frozenset({"RunNotFound"}),
    )


# -- run cache and artifacts ----------------------------------------------------------------------
@endpoint({"maxsize": "max_keys", "maxkeys": "max_keys"})
def list_cache(
    user_filter: str | None = None,
    fs_filter: str | None = None,
    run_filter: str | None = None,
    max_keys: int | None = None,
    marker: str | None = None,
) -> Call[Page[RunCacheInfo]]:
    v.maxsize("max_keys", max_keys, allow_none=True)
    return Call(
        "list_cache",
        "GET",
        "/runCache",
        page_parser(RunCacheInfo, "runCacheList"),
        params={
            "userFilter": user_filter,
            "fsFilter": fs_filter,
            "runFilter": run_filter,
            "maxKeys": max_keys,
            "marker": marker,
        },
    )


@endpoint({"cacheid": "cache_id"})
def show_cache(cache_id: str) -> Call[RunCacheInfo]:
    v.required("cache_id", cache_id)
    return Call("show_cache", "GET", path("runCache", cache_id), model_parser(RunCacheInfo))


@endpoint({"cacheid": "cache_id"})
def delete_cache(cache_id: str) -> Call[None]:
    v.required("cache_id", cache_id)
    return Call(
        "delete_cache",
        "DELETE",
        path("runCache", cache_id),
        none,
        kind="mutate",
        done_codes=frozenset({"RunCacheNotFound"}),
    )


@endpoint({"maxsize": "maxkeys", "max_keys": "maxkeys"})
def list_artifact(
    user_filter: str | None = None,
    fs_filter: str | None = None,
    run_filter: str | None = None,
    type_filter: str | None = None,
    path_filter: str | None = None,
    maxkeys: int | None = None,
    marker: str | None = None,
) -> Call[Page[ArtifactInfo]]:
    v.maxsize("maxkeys", maxkeys, allow_none=True)
    v.one_of("type_filter", type_filter, ("input", "output"))
    return Call(
        "list_artifact",
        "GET",
        "/artifact",
        page_parser(ArtifactInfo, "artifactEventList"),
        params={
            "userFilter": user_filter,
            "fsFilter": fs_filter,
            "runFilter": run_filter,
            "typeFilter": type_filter,
            "pathFilter": path_filter,
            "maxKeys": maxkeys,
            "marker": marker,
        },
    )


# -- logs -----------------------------------------------------------------------------------------
def _run_log(page_size: int | None, page_no: int | None) -> Any:
    def parse(data: Any) -> RunLog:
        if not isinstance(data, dict):
            raise TypeError(f"expected a JSON object, got {type(data).__name__}")
        run_id = str(data.get("runID") or "")
        logs: list[LogInfo] = []
        for job in items_of(data, "runLog"):
            for task in items_of(job, "taskList"):
                info = task.get("logInfo") or {}
                logs.append(
                    LogInfo(
                        runid=run_id,
                        jobid=str(job.get("jobID") or ""),
                        taskid=str(task.get("taskID") or ""),
                        has_next_page=bool(info.get("hasNextPage", False)),
                        truncated=bool(info.get("truncated", False)),
                        pagesize=page_size or 100,
                        pageno=page_no or 1,
                        log_content=str(info.get("logContent") or ""),
                    )
                )
        return RunLog(str(data.get("submitLog") or ""), logs, run_id)

    return parse


@endpoint(
    {
        **_RUN_ID,
        "jobid": "job_id",
        "pagesize": "page_size",
        "pageno": "page_no",
        "logfileposition": "log_file_position",
    }
)
def show_log(
    run_id: str,
    job_id: str | None = None,
    page_size: int | None = None,
    page_no: int | None = None,
    log_file_position: str | None = None,
) -> Call[RunLog]:
    v.required("run_id", run_id)
    v.int_range("page_size", page_size, 1, 100)
    v.int_range("page_no", page_no, 1)
    v.one_of("log_file_position", log_file_position, ("begin", "end"))
    return Call(
        "show_log",
        "GET",
        path("log", "run", run_id),
        _run_log(page_size, page_no),
        params={
            "jobID": v.optional_str("job_id", job_id),
            "pageSize": page_size,
            "pageNo": page_no,
            "logFilePosition": log_file_position,
        },
    )
