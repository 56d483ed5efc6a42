# ruff: noqa: PLR0917 - methods keep the SDK reference's positional signatures
"""``Client``: the SDK reference's tuple face, over the typed ``PaddleFlowAPI``.

Every method returns ``(True, response)`` on success and ``(False, message)`` on any failure the
reference describes (server error, network failure after retries, invalid argument); it never raises
for those (``@replies`` turns the errors into the failure tuple). Each method calls its typed twin and
says what ``response`` is, following the reference's return tables; ``list_cluster`` and
``get_statistics_detail`` return 3-tuples, as their tables say.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeAlias, TypeVar, cast

from ._api import PaddleFlowAPI
from ._config import DEFAULT_PORT, ClientConfig
from ._exceptions import InvalidArgumentError, PaddleFlowError
from ._model_base import Page
from ._models import (
    ClusterInfo,
    FlavourInfo,
    FSInfo,
    GrantInfo,
    LinkInfo,
    QueueInfo,
    StatisticsJobDetailInfo,
    StatisticsJobInfo,
    UserInfo,
)
from ._models_run import (
    LogInfo,
    RunCacheInfo,
    RunInfo,
    RunLog,
)
from ._mount import MOUNT_ALIASES
from .endpoints import clusters, fs, pipelines, runs, users
from .endpoints._common import takes

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
#: what a tuple-face method answers: ``(True, response)`` or ``(False, message)``
Reply: TypeAlias = tuple[Literal[True], T] | tuple[Literal[False], str]

#: ``Client(**options)`` takes every ``ClientConfig`` field but the four positional ones.
_CONFIG_OPTIONS = tuple(
    f.name for f in dataclasses.fields(ClientConfig) if f.name not in ("host", "port", "username", "password")
)
_RUNTIME_OPTIONS = ("sleep", "fuse_binary")


class LogList(list[LogInfo]):
    """``show_log``'s response: the list of ``LogInfo`` the reference table promises, which also answers
    ``["runLog"]`` and ``["submitLog"]`` like the historical SDK's dict."""

    def __init__(self, log: RunLog) -> None:
        super().__init__(log.run_log)
        self.submit_log = log.submit_log

    def __getitem__(self, key: Any) -> Any:
        if key == "runLog":
            return list(self)
        if key == "submitLog":
            return self.submit_log
        return super().__getitem__(key)


def _listing(key: str, page: Page[Any]) -> dict[str, Any]:
    """A list answer as the reference's dict: the items under ``key``, and ``nextMarker``."""
    return {key: page.items, "nextMarker": page.next_marker}


def describe(exc: PaddleFlowError) -> str:
    """The ``(False, message)`` text: the cause (server status, code, text, request id; or the argument)."""
    return str(exc)


def replies(
    builder: Callable[..., Any] | None = None,
    *,
    aliases: Mapping[str, str] | None = None,
    failure: tuple[Any, ...] = (),
) -> Callable[[F], F]:
    """Decorate a tuple-face method: ``takes(builder)``'s argument rules, and every ``PaddleFlowError``
    (server, network after retries, argument) answered as ``(False, message, *failure)``.

    The method body only says what ``(True, ...)`` holds; ``failure`` is what follows the message
    when the method's success tuple is longer than two (``list_cluster``, ``get_statistics_detail``).
    """

    def wrap(method: F) -> F:
        checked = takes(builder, aliases=aliases)(method)

        @functools.wraps(method)
        def reply(self: Client, *args: Any, **kwargs: Any) -> Any:
            try:
                return checked(self, *args, **kwargs)
            except PaddleFlowError as exc:
                return (False, describe(exc), *failure)

        return cast(F, reply)

    return wrap


class Client:
    """The PaddleFlow SDK client (tuple face). ``client.api`` is the typed face over the same session.

    ``Client(host, username, password, port="8999", **options)``: ``host`` may be a full
    ``http(s)://host:port`` URL. Options: ``scheme``, ``verify``, ``ca_bundle``, ``timeout`` (seconds or
    a ``(connect, read)`` pair), ``max_attempts``, ``max_retry_time``, ``backoff_initial``,
    ``backoff_max``, ``retry_after_max``, plus ``fuse_binary`` (for ``mount``) and ``sleep`` (tests).
    The token is obtained lazily from the credentials; ``login()`` still works explicitly.
    """

    def __init__(
        self,
        paddleflow_server_host: str,
        username: str | None = None,
        password: str | bytes | None = None,
        paddleflow_server_port: str | int = DEFAULT_PORT,
        **options: Any,
    ) -> None:
        unknown = sorted(set(options) - set(_CONFIG_OPTIONS) - set(_RUNTIME_OPTIONS))
        if unknown:
            accepted = ", ".join(_CONFIG_OPTIONS + _RUNTIME_OPTIONS)
            raise InvalidArgumentError(unknown[0], f"unknown Client option; accepted: {accepted}")
        if isinstance(password, bytes):
            password = password.decode("utf-8")
        config = ClientConfig(
            host=paddleflow_server_host,
            port=str(paddleflow_server_port),
            username=username,
            password=password,
            **{k: options[k] for k in _CONFIG_OPTIONS if k in options},
        )
        self._init(config, **{k: options[k] for k in _RUNTIME_OPTIONS if k in options})

    def _init(self, config: ClientConfig, **runtime: Any) -> None:
        self.config = config
        self.api = PaddleFlowAPI(config, **runtime)

    @classmethod
    def from_config(cls, config: ClientConfig, **runtime: Any) -> Client:
        """Build from a ``ClientConfig`` (e.g. one rebuilt from JSON in another process)."""
        client = cls.__new__(cls)
        client._init(config, **runtime)
        return client

    def __repr__(self) -> str:
        return f"Client({self.config.base_url!r}, username={self.config.username!r})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.api.close()

    @replies()
    def login(self, user_name: str | None = None, password: str | None = None) -> Reply[None]:
        self.api.login(user_name, password)
        return True, None

    @replies(aliases=MOUNT_ALIASES)
    def mount(
        self, fsname: str, path: str, mount_options: dict[str, Any] | None = None, username: str | None = None
    ) -> Reply[None]:
        self.api.mount(fsname, path, mount_options, username)
        return True, None

    # -- one method per endpoint ------------------------------------------------------------------
    @replies(users.add_user)
    def add_user(self, user_name: str, password: str | bytes) -> Reply[None]:
        self.api.add_user(user_name, password)
        return True, None

    @replies(users.del_user)
    def del_user(self, user_name: str) -> Reply[None]:
        self.api.del_user(user_name)
        return True, None

    @replies(users.update_password)
    def update_password(self, user_name: str, password: str | bytes) -> Reply[None]:
        self.api.update_password(user_name, password)
        return True, None

    @replies(users.list_user)
    def list_user(self, maxsize: int = 100, marker: str | None = None) -> Reply[list[UserInfo]]:
        return True, self.api.list_user(maxsize, marker).items

    @replies(users.grant_queue)
    def grant_queue(self, username: str, queuename: str) -> Reply[None]:
        self.api.grant_queue(username, queuename)
        return True, None

    @replies(users.ungrant_queue)
    def ungrant_queue(self, username: str, queuename: str) -> Reply[None]:
        self.api.ungrant_queue(username, queuename)
        return True, None

    @replies(users.show_queue_grant)
    def show_queue_grant(
        self, username: str | None = None, maxsize: int = 100, marker: str | None = None
    ) -> Reply[list[GrantInfo]]:
        return True, self.api.show_queue_grant(username, maxsize, marker).items

    @replies(users.list_queue)
    def list_queue(self, maxsize: int = 100, marker: str | None = None) -> Reply[list[QueueInfo]]:
        return True, self.api.list_queue(maxsize, marker).items

    @replies(users.show_queue)
    def show_queue(self, queuename: str) -> Reply[QueueInfo]:
        return True, self.api.show_queue(queuename)

    @replies(users.create_queue)
    def create_queue(
        self,
        name: str,
        namespace: str,
        cpu: str | int | float,
        mem: str | int | float,
        clustername: str | None = None,
        scalar_resources: dict[str, str] | None = None,
        min_resources: dict[str, Any] | None = None,
        scheduling_policy: list[str] | None = None,
        location: dict[str, str] | None = None,
        quota_type: str | None = None,
    ) -> Reply[None]:
        self.api.create_queue(
            name,
            namespace,
            cpu,
            mem,
            clustername,
            scalar_resources,
            min_resources,
            scheduling_policy,
            location,
            quota_type,
        )
        return True, None

    @replies(users.stop_queue)
    def stop_queue(self, queuename: str) -> Reply[None]:
        self.api.stop_queue(queuename)
        return True, None

    @replies(users.del_queue)
    def del_queue(self, queuename: str) -> Reply[None]:
        self.api.del_queue(queuename)
        return True, None

    @replies(users.list_flavour)
    def list_flavour(
        self, maxsize: int = 100, marker: str | None = None, clustername: str = "", key: str = ""
    ) -> Reply[list[FlavourInfo]]:
        return True, self.api.list_flavour(maxsize, marker, clustername, key).items

    @replies(fs.add_fs)
    def add_fs(
        self, fsname: str, url: str, username: str | None = None, properties: dict[str, str] | None = None
    ) -> Reply[None]:
        self.api.add_fs(fsname, url, username, properties)
        return True, None

    @replies(fs.show_fs)
    def show_fs(self, fsname: str, username: str | None = None) -> Reply[FSInfo]:
        return True, self.api.show_fs(fsname, username)

    @replies(fs.list_fs)
    def list_fs(
        self, username: str | None = None, maxsize: int = 100, marker: str | None = None
    ) -> Reply[list[FSInfo]]:
        return True, self.api.list_fs(username, maxsize, marker).items

    @replies(fs.delete_fs)
    def delete_fs(self, fsname: str, username: str | None = None) -> Reply[None]:
        self.api.delete_fs(fsname, username)
        return True, None

    @replies(fs.add_link)
    def add_link(
        self,
        fsname: str,
        fspath: str,
        url: str,
        username: str | None = None,
        properties: dict[str, str] | None = None,
    ) -> Reply[None]:
        self.api.add_link(fsname, fspath, url, username, properties)
        return True, None

    @replies(fs.delete_link)
    def delete_link(self, fsname: str, fspath: str, username: str | None = None) -> Reply[None]:
        self.api.delete_link(fsname, fspath, username)
        return True, None

    @replies(fs.show_link)
    def show_link(
        self, fsname: str, fspath: str | None = None, username: str | None = None, maxsize: int = 100
    ) -> Reply[LinkInfo | list[LinkInfo]]:
        """With ``fspath``: that link; without: the fs's links, as a list (the reference's two tables)."""
        found = self.api.show_link(fsname, fspath, username, maxsize)
        return True, found.items if isinstance(found, Page) else found

    @replies(fs.list_link)
    def list_link(
        self, fsname: str, username: str | None = None, maxsize: int = 100, marker: str | None = None
    ) -> Reply[list[LinkInfo]]:
        return True, self.api.list_link(fsname, username, maxsize, marker).items

    @replies(runs.create_run)
    def create_run(
        self,
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
    ) -> Reply[str]:
        return True, self.api.create_run(
            fs_name,
            username,
            run_name,
            desc,
            run_yaml_path,
            run_yaml_raw,
            pipeline_id,
            pipeline_version_id,
            param,
            disabled,
            docker_env,
            failure_options,
            client_token=client_token,
        )

    @replies(runs.find_run_by_client_token)
    def find_run_by_client_token(
        self, client_token: str, fs_name: str | None = None, run_name: str | None = None
    ) -> Reply[RunInfo | None]:
        """An extension, not in the SDK reference: ``(True, None)`` when no run carries the token."""
        return True, self.api.find_run_by_client_token(client_token, fs_name, run_name)

    @replies(runs.list_run)
    def list_run(
        self,
        fs_name: str | None = None,
        username: str | None = None,
        run_id: str | None = None,
        run_name: str | None = None,
        status: str | None = None,
        maxsize: int = 100,
        marker: str | None = None,
    ) -> Reply[dict[str, Any]]:
        return True, _listing(
            "runList", self.api.list_run(fs_name, username, run_id, run_name, status, maxsize, marker)
        )

    @replies(runs.show_run)
    def show_run(self, run_id: str) -> Reply[RunInfo]:
        return True, self.api.show_run(run_id)

    @replies(runs.stop_run)
    def stop_run(self, run_id: str, force: bool = False) -> Reply[None]:
        self.api.stop_run(run_id, force)
        return True, None

    @replies(runs.delete_run)
    def delete_run(self, run_id: str, check_cache: bool | None = None) -> Reply[None]:
        self.api.delete_run(run_id, check_cache)
        return True, None

    @replies(runs.retry_run)
    def retry_run(self, run_id: str) -> Reply[str]:
        return True, self.api.retry_run(run_id)

    @replies(runs.list_cache)
    def list_cache(
        self,
        user_filter: str | None = None,
        fs_filter: str | None = None,
        run_filter: str | None = None,
        max_keys: int | None = None,
        marker: str | None = None,
    ) -> Reply[dict[str, Any]]:
        return True, _listing(
            "runCacheList", self.api.list_cache(user_filter, fs_filter, run_filter, max_keys, marker)
        )

    @replies(runs.show_cache)
    def show_cache(self, cache_id: str) -> Reply[RunCacheInfo]:
        return True, self.api.show_cache(cache_id)

    @replies(runs.delete_cache)
    def delete_cache(self, cache_id: str) -> Reply[None]:
        self.api.delete_cache(cache_id)
        return True, None

    @replies(runs.list_artifact)
    def list_artifact(
        self,
        user_filter: str | None = None,
        fs_filter: str | None = None,
        run_filter: str | None = None,
        type_filter: str | None = None,
        path_filter: str | None = None,
        maxkeys: int | None = None,
        marker: str | None = None,
    ) -> Reply[dict[str, Any]]:
        return True, _listing(
            "artifactList",
            self.api.list_artifact(
                user_filter, fs_filter, run_filter, type_filter, path_filter, maxkeys, marker
            ),
        )

    @replies(runs.show_log)
    def show_log(
        self,
        run_id: str,
        job_id: str | None = None,
        page_size: int | None = None,
        page_no: int | None = None,
        log_file_position: str | None = None,
    ) -> Reply[LogList]:
        return True, LogList(self.api.show_log(run_id, job_id, page_size, page_no, log_file_position))

    @replies(pipelines.create_pipeline)
    def create_pipeline(
        self,
        fs_name: str | None = None,
        yaml_path: str | None = None,
        desc: str | None = None,
        username: str | None = None,
        yaml_raw: str | bytes | None = None,
    ) -> Reply[dict[str, str]]:
        created = self.api.create_pipeline(fs_name, yaml_path, desc, username, yaml_raw)
        return True, {
            "name": created.name,
            "pplID": created.pipeline_id,
            "pplVerID": created.pipeline_version_id,
        }

    @replies(pipelines.list_pipeline)
    def list_pipeline(
        self,
        user_filter: str | None = None,
        name_filter: str | None = None,
        max_keys: int | None = None,
        marker: str | None = None,
    ) -> Reply[dict[str, Any]]:
        return True, _listing(
            "pipelineList", self.api.list_pipeline(user_filter, name_filter, max_keys, marker)
        )

    @replies(pipelines.show_pipeline)
    def show_pipeline(
        self,
        pipeline_id: str,
        fs_filter: str | None = None,
        max_keys: int | None = None,
        marker: str | None = None,
    ) -> Reply[dict[str, Any]]:
        detail = self.api.show_pipeline(pipeline_id, fs_filter, max_keys, marker)
        return True, {
            "pipelineInfo": detail.pipeline,
            "pipelineVersionList": detail.versions,
            "nextMarker": detail.next_marker,
        }

    @replies(pipelines.delete_pipeline)
    def delete_pipeline(self, pipeline_id: str) -> Reply[None]:
        self.api.delete_pipeline(pipeline_id)
        return True, None

    @replies(pipelines.update_pipeline)
    def update_pipeline(
        self,
        pipeline_id: str,
        fs_name: str | None = None,
        yaml_path: str | None = None,
        username: str | None = None,
        desc: str | None = None,
        yaml_raw: str | bytes | None = None,
    ) -> Reply[dict[str, str]]:
        updated = self.api.update_pipeline(pipeline_id, fs_name, yaml_path, username, desc, yaml_raw)
        return True, {"pipelineID": updated.pipeline_id, "pipelineVersionID": updated.pipeline_version_id}

    @replies(pipelines.show_pipeline_version)
    def show_pipeline_version(self, pipeline_id: str, pipeline_version_id: str) -> Reply[dict[str, Any]]:
        detail = self.api.show_pipeline_version(pipeline_id, pipeline_version_id)
        return True, {"pipelineInfo": detail.pipeline, "pipelineVersionInfo": detail.version}

    @replies(pipelines.delete_pipeline_version)
    def delete_pipeline_version(self, pipeline_id: str, pipeline_version_id: str) -> Reply[None]:
        self.api.delete_pipeline_version(pipeline_id, pipeline_version_id)
        return True, None

    @replies(pipelines.create_schedule)
    def create_schedule(
        self,
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
    ) -> Reply[str]:
        return True, self.api.create_schedule(
            name,
            pipeline_id,
            pipeline_version_id,
            crontab,
            desc,
            start_time,
            end_time,
            concurrency,
            concurrency_policy,
            expire_interval,
            catchup,
            username,
        )

    @replies(pipelines.list_schedule)
    def list_schedule(
        self,
        user_filter: str | None = None,
        ppl_filter: str | None = None,
        ppl_version_filter: str | None = None,
        schedule_filter: str | None = None,
        name_filter: str | None = None,
        status_filter: str | None = None,
        marker: str | None = None,
        max_keys: int | None = None,
    ) -> Reply[dict[str, Any]]:
        return True, _listing(
            "scheduleList",
            self.api.list_schedule(
                user_filter,
                ppl_filter,
                ppl_version_filter,
                schedule_filter,
                name_filter,
                status_filter,
                marker,
                max_keys,
            ),
        )

    @replies(pipelines.show_schedule)
    def show_schedule(
        self,
        schedule_id: str,
        run_filter: str | None = None,
        status_filter: str | None = None,
        marker: str | None = None,
        max_keys: int | None = None,
    ) -> Reply[dict[str, Any]]:
        detail = self.api.show_schedule(schedule_id, run_filter, status_filter, marker, max_keys)
        return True, {
            "scheduleInfo": detail.schedule,
            "runList": detail.runs,
            "nextMarker": detail.next_marker,
        }

    @replies(pipelines.stop_schedule)
    def stop_schedule(self, schedule_id: str) -> Reply[None]:
        self.api.stop_schedule(schedule_id)
        return True, None

    @replies(pipelines.delete_schedule)
    def delete_schedule(self, schedule_id: str) -> Reply[None]:
        self.api.delete_schedule(schedule_id)
        return True, None

    @replies(clusters.create_cluster)
    def create_cluster(
        self,
        clustername: str,
        endpoint: str,
        clustertype: str,
        credential: str | bytes | None = None,
        description: str | None = None,
        source: str | None = None,
        setting: str | None = None,
        status: str | None = None,
        namespacelist: list[str] | None = None,
        version: str | None = None,
        clusterid: str | None = None,
    ) -> Reply[str]:
        return True, self.api.create_cluster(
            clustername,
            endpoint,
            clustertype,
            credential,
            description,
            source,
            setting,
            status,
            namespacelist,
            version,
            clusterid,
        )

    @replies(clusters.list_cluster, failure=(None,))
    def list_cluster(
        self,
        maxkeys: int = 100,
        marker: str | None = None,
        clustername: str | list[str] | None = None,
        clusterstatus: str | None = None,
    ) -> tuple[Literal[True], list[ClusterInfo], str | None] | tuple[Literal[False], str, None]:
        """A 3-tuple, as the reference's table says: ``(True, clusters, next marker)``, or
        ``(False, message, None)``."""
        page = self.api.list_cluster(maxkeys, marker, clustername, clusterstatus)
        return True, page.items, page.next_marker

    @replies(clusters.show_cluster)
    def show_cluster(self, clustername: str) -> Reply[ClusterInfo]:
        return True, self.api.show_cluster(clustername)

    @replies(clusters.delete_cluster)
    def delete_cluster(self, clustername: str) -> Reply[None]:
        self.api.delete_cluster(clustername)
        return True, None

    @replies(clusters.update_cluster)
    def update_cluster(
        self,
        clustername: str,
        endpoint: str | None = None,
        credential: str | bytes | None = None,
        clustertype: str | None = None,
        description: str | None = None,
        source: str | None = None,
        setting: str | None = None,
        status: str | None = None,
        namespacelist: list[str] | None = None,
        version: str | None = None,
    ) -> Reply[str]:
        return True, self.api.update_cluster(
            clustername,
            endpoint,
            credential,
            clustertype,
            description,
            source,
            setting,
            status,
            namespacelist,
            version,
        )

    @replies(clusters.list_cluster_resource)
    def list_cluster_resource(self, clustername: str | list[str] | None = None) -> Reply[dict[str, Any]]:
        return True, self.api.list_cluster_resource(clustername)

    @replies(clusters.get_statistics)
    def get_statistics(self, jobid: str, runid: str | None = None) -> Reply[StatisticsJobInfo]:
        return True, self.api.get_statistics(jobid, runid)

    @replies(clusters.get_statistics_detail, failure=(False,))
    def get_statistics_detail(
        self,
        jobid: str,
        start: int | None = None,
        end: int | None = None,
        step: int | None = None,
        runid: str | None = None,
    ) -> tuple[Literal[True], StatisticsJobDetailInfo, bool] | tuple[Literal[False], str, Literal[False]]:
        """A 3-tuple, as the reference's table says: ``(True, detail, truncated)``, or
        ``(False, message, False)``."""
        detail = self.api.get_statistics_detail(jobid, start, end, step, runid)
        return True, detail, detail.truncated
