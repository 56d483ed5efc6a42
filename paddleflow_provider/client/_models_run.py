"""Info classes for runs (with their DAG/step runtime), run caches, artifacts, pipelines, schedules, logs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from pydantic import field_validator

from ._model_base import Info, Page, f


class RunStatus:
    """Known run statuses. Statuses are plain strings on the models, so a new one never crashes."""

    INITIATING = "initiating"
    PENDING = "pending"
    RUNNING = "running"
    TERMINATING = "terminating"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TERMINATED = "terminated"
    SKIPPED = "skipped"
    FINAL = frozenset({SUCCEEDED, FAILED, TERMINATED, SKIPPED})
    ACTIVE = frozenset({INITIATING, PENDING, RUNNING, TERMINATING})


class JobInfo(Info):
    """A step of a run. Reference attributes: name, deps, parameters, command, env, status, start_time,
    end_time, dockerEnv, jobId (both also as ``docker_env`` / ``job_id``)."""

    job_id: str = f("jobID", "job_id", "jobId")
    name: str = f("name")
    type: str = f("type", default="step")
    step_name: str = f("stepName", "step_name")
    parent_dag_id: str = f("parentDagID", "parent_dag_id")
    status: str = f("status")
    start_time: str = f("startTime", "start_time")
    end_time: str = f("endTime", "end_time")
    deps: str = f("deps")
    parameters: dict[str, Any] = f("parameters", default=dict)
    command: str = f("command")
    env: dict[str, Any] = f("env", default=dict)
    docker_env: str = f("dockerEnv", "docker_env")
    artifacts: dict[str, Any] = f("artifacts", default=dict)
    cache: dict[str, Any] = f("cache", default=dict)
    extra_fs: list[Any] = f("extraFS", "extra_fs", default=list)
    job_message: str = f("jobMessage", "job_message")
    cache_run_id: str = f("cacheRunID", "cache_run_id")
    cache_job_id: str = f("cacheJobID", "cache_job_id")

    @property
    def jobId(self) -> str:
        return self.job_id

    @property
    def dockerEnv(self) -> str:
        return self.docker_env


def _component(item: Any) -> JobInfo | DagInfo:
    """The SDK's rule: an element is a DAG iff it has ``entryPoints`` (or says ``type: dag``)."""
    if isinstance(item, JobInfo | DagInfo):
        return item
    if not isinstance(item, dict):
        raise TypeError(f"runtime entry is {type(item).__name__}, expected an object")
    if "entryPoints" in item or "entry_points" in item or item.get("type") == "dag":
        return DagInfo.model_validate(item)
    return JobInfo.model_validate(item)


def _components(value: Any) -> dict[str, list[JobInfo | DagInfo]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError(f"runtime is {type(value).__name__}, expected an object")
    out: dict[str, list[JobInfo | DagInfo]] = {}
    for key, entries in value.items():
        listed = [] if entries is None else entries if isinstance(entries, list) else [entries]
        out[key] = [_component(i) for i in listed]
    return out


class DagInfo(Info):
    """A sub-DAG of a run; ``entry_points`` holds its own steps and DAGs."""

    dag_id: str = f("id", "dagID", "dag_id")
    name: str = f("name")
    type: str = f("type", default="dag")
    dag_name: str = f("dagName", "dag_name")
    parent_dag_id: str = f("parentDagID", "parent_dag_id")
    deps: str = f("deps")
    parameters: dict[str, Any] = f("parameters", default=dict)
    artifacts: dict[str, Any] = f("artifacts", default=dict)
    start_time: str = f("startTime", "start_time")
    end_time: str = f("endTime", "end_time")
    status: str = f("status")
    message: str = f("message")
    entry_points: dict[str, list[JobInfo | DagInfo]] = f("entryPoints", "entry_points", default=dict)

    _entry = field_validator("entry_points", mode="before")(lambda cls, v: _components(v))

    def iter_jobs(self) -> Iterator[JobInfo]:
        for items in self.entry_points.values():
            for item in items:
                if isinstance(item, DagInfo):
                    yield from item.iter_jobs()
                else:
                    yield item


class RunInfo(Info):
    """A run. ``list_run`` fills only the brief fields; ``show_run`` fills all, with ``runtime`` as
    ``{name: [JobInfo | DagInfo]}`` and ``post_process`` as ``{name: JobInfo}``."""

    run_id: str = f("runID", "run_id")
    name: str = f("name")
    status: str = f("status")
    fs_name: str = f("fsName", "fsname", "fs_name")
    username: str = f("username", "userName")
    description: str = f("description", "desc")
    source: str = f("source")
    parameters: dict[str, Any] = f("parameters", default=dict)
    run_yaml: str = f("runYaml", "run_yaml")
    runtime: dict[str, list[JobInfo | DagInfo]] = f("runtime", default=dict)
    post_process: dict[str, JobInfo] = f("postProcess", "post_process", default=dict)
    docker_env: str = f("dockerEnv", "docker_env")
    run_msg: str = f("runMsg", "run_msg", "message")
    schedule_id: str = f("scheduleID", "schedule_id")
    scheduled_time: str = f("scheduledTime", "scheduled_time")
    fs_options: dict[str, Any] = f("fsOptions", "fs_options", default=dict)
    failure_options: dict[str, Any] = f("failureOptions", "failure_options", default=dict)
    disabled: str = f("disabled")
    run_cached_ids: str = f("runCachedIDs", "run_cached_ids")
    create_time: str = f("createTime", "create_time")
    activate_time: str = f("activateTime", "activate_time")
    update_time: str = f("updateTime", "update_time")

    _runtime = field_validator("runtime", mode="before")(lambda cls, v: _components(v))

    @field_validator("post_process", mode="before")
    @classmethod
    def _post(cls, value: Any) -> Any:
        if value is None:
            return {}
        if isinstance(value, dict):  # tolerate a one-element list per name, like runtime
            return {k: (v[0] if isinstance(v, list) and v else v) for k, v in value.items() if v}
        return value

    @property
    def message(self) -> str:
        return self.run_msg

    @property
    def desc(self) -> str:
        return self.description

    @property
    def is_final(self) -> bool:
        return self.status in RunStatus.FINAL

    def iter_jobs(self) -> Iterator[JobInfo]:
        """Every step in ``runtime`` (recursing through DAGs), then ``post_process``."""
        for items in self.runtime.values():
            for item in items:
                if isinstance(item, DagInfo):
                    yield from item.iter_jobs()
                else:
                    yield item
        yield from self.post_process.values()


class RunCacheInfo(Info):
    cache_id: str = f("cacheID", "cache_id")
    first_fp: str = f("firstFp", "first_fp")
    second_fp: str = f("secondFp", "second_fp")
    run_id: str = f("runID", "run_id")
    source: str = f("source")
    job_id: str = f("jobID", "job_id")
    fs_name: str = f("fsname", "fsName", "fs_name")
    username: str = f("username")
    expired_time: str = f("expiredTime", "expired_time")
    strategy: str = f("strategy")
    custom: str = f("custom")
    create_time: str = f("createTime", "create_time")
    update_time: str = f("updateTime", "update_time")


class ArtifactInfo(Info):
    """An artifact event. Unlike the old SDK, ``step`` and ``type`` are not swapped."""

    run_id: str = f("runID", "run_id")
    fs_name: str = f("fsname", "fsName", "fs_name")
    username: str = f("username")
    artifact_path: str = f("artifactPath", "artifact_path")
    step: str = f("step")
    job_id: str = f("jobID", "job_id")
    type: str = f("type")
    artifact_name: str = f("artifactName", "artifact_name")
    meta: str = f("meta")
    create_time: str = f("createTime", "create_time")
    update_time: str = f("updateTime", "update_time")


class PipelineInfo(Info):
    pipeline_id: str = f("pipelineID", "pipeline_id")
    name: str = f("name")
    username: str = f("username")
    desc: str = f("desc")
    create_time: str = f("createTime", "create_time")
    update_time: str = f("updateTime", "update_time")


class PipelineVersionInfo(Info):
    pipeline_version_id: str = f("pipelineVersionID", "pipeline_version_id")
    pipeline_id: str = f("pipelineID", "pipeline_id")
    fs_name: str = f("fsName", "fsname", "fs_name")
    yaml_path: str = f("yamlPath", "yaml_path")
    pipeline_yaml: str = f("pipelineYaml", "pipeline_yaml")
    username: str = f("username")
    create_time: str = f("createTime", "create_time")
    update_time: str = f("updateTime", "update_time")


class ScheduleInfo(Info):
    schedule_id: str = f("scheduleID", "schedule_id")
    name: str = f("name")
    desc: str = f("desc")
    pipeline_id: str = f("pipelineID", "pipeline_id")
    pipeline_version_id: str = f("pipelineVersionID", "pipeline_version_id")
    username: str = f("username")
    fs_config: dict[str, Any] = f("fsConfig", "fs_config", default=dict)
    crontab: str = f("crontab")
    options: dict[str, Any] = f("options", default=dict)
    start_time: str = f("startTime", "start_time")
    end_time: str = f("endTime", "end_time")
    create_time: str = f("createTime", "create_time")
    update_time: str = f("updateTime", "update_time")
    next_run_time: str = f("nextRunTime", "next_run_time")
    message: str = f("scheduleMsg", "message")
    status: str = f("status")


class LogInfo(Info):
    runid: str = f("runid", "runID")
    jobid: str = f("jobid", "jobID")
    taskid: str = f("taskid", "taskID")
    has_next_page: bool = f("hasNextPage", "has_next_page", default=False)
    truncated: bool = f("truncated", default=False)
    pagesize: int = f("pagesize", "pageSize", default=100)
    pageno: int = f("pageno", "pageNo", default=1)
    log_content: str = f("logContent", "log_content")


class RunPage(Page[RunInfo]):
    pass


@dataclasses.dataclass
class RunLog:
    """``show_log`` result: the server's submit trace plus one ``LogInfo`` per task."""

    submit_log: str
    run_log: list[LogInfo]
    run_id: str = ""


@dataclasses.dataclass
class PipelineCreated:
    name: str
    pipeline_id: str
    pipeline_version_id: str


@dataclasses.dataclass
class PipelineDetail:
    pipeline: PipelineInfo
    versions: list[PipelineVersionInfo]
    next_marker: str | None = None


@dataclasses.dataclass
class PipelineVersionDetail:
    pipeline: PipelineInfo
    version: PipelineVersionInfo


@dataclasses.dataclass
class PipelineVersionCreated:
    pipeline_id: str
    pipeline_version_id: str


@dataclasses.dataclass
class ScheduleDetail:
    schedule: ScheduleInfo
    runs: list[RunInfo]
    next_marker: str | None = None


RunInfo.model_rebuild()
DagInfo.model_rebuild()
