# ruff: noqa: PLR0917 - methods keep the SDK reference's positional signatures
"""``PaddleFlowAPI``: the typed face. Returns payloads, raises ``PaddleFlowError`` subclasses.

Each endpoint method runs the request its builder in ``endpoints/`` defines (one builder per request,
the only place its path, body and checks are written); ``@takes(builder)`` gives it the reference's
argument spellings and argument errors. Adding an endpoint: the builder, then its method here, on
``AsyncPaddleFlowAPI`` and on ``Client`` (``tests/unit/client/test_faces.py`` fails until all three
have it, with the builder's signature).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from ._config import ClientConfig
from ._core import Call
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
    ArtifactInfo,
    PipelineCreated,
    PipelineDetail,
    PipelineInfo,
    PipelineVersionCreated,
    PipelineVersionDetail,
    RunCacheInfo,
    RunInfo,
    RunLog,
    RunPage,
    ScheduleDetail,
    ScheduleInfo,
)
from ._mount import MOUNT_ALIASES, mount_flow
from ._retry import SleepFn
from ._sync import SyncTransport
from .endpoints import clusters, fs, pipelines, runs, users
from .endpoints._common import LARGEST_PAGE, PageWalk, takes

T = TypeVar("T")


class PaddleFlowAPI:
    """Typed PaddleFlow API over one ``requests.Session``.

    Same method and argument names as the tuple ``Client``; results are the success payloads
    (``RunInfo``, ``Page``, ids ...). ``iter_*`` helpers walk every page of each list endpoint.
    """

    def __init__(
        self, config: ClientConfig, *, sleep: SleepFn | None = None, fuse_binary: str | None = None
    ) -> None:
        self.config = config
        self.fuse_binary = fuse_binary
        self._transport = SyncTransport(config, sleep=sleep)

    def __enter__(self) -> PaddleFlowAPI:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._transport.close()

    def login(self, user_name: str | None = None, password: str | None = None) -> None:
        """Log in now (the client also logs in lazily with the credentials it was built with)."""
        self._transport.login(user_name, password)

    @takes(aliases=MOUNT_ALIASES)
    def mount(
        self, fsname: str, path: str, mount_options: dict[str, Any] | None = None, username: str | None = None
    ) -> None:
        """Mount a file system locally with the PaddleFlow FUSE client (see ``_mount``)."""
        self._transport.run(mount_flow(self, fsname, path, mount_options, username))

    def _walk(self, page: Callable[[str | None], Call[Page[T]]], marker: str | None) -> Iterator[T]:
        """Every item of every page from ``marker`` on (``PageWalk`` says which page comes next)."""
        pages = PageWalk(marker)
        while True:
            got = self._transport.run(page(pages.marker))
            yield from got.items
            if not pages.advance(got):
                return

    # -- one method per endpoint ------------------------------------------------------------------
    @takes(users.add_user)
    def add_user(self, user_name: str, password: str | bytes) -> None:
        self._transport.run(users.add_user(user_name, password))

    @takes(users.del_user)
    def del_user(self, user_name: str) -> None:
        self._transport.run(users.del_user(user_name))

    @takes(users.update_password)
    def update_password(self, user_name: str, password: str | bytes) -> None:
        self._transport.run(users.update_password(user_name, password))

    @takes(users.list_user)
    def list_user(self, maxsize: int = 100, marker: str | None = None) -> Page[UserInfo]:
        return self._transport.run(users.list_user(maxsize, marker))

    @takes(users.grant_queue)
    def grant_queue(self, username: str, queuename: str) -> None:
        self._transport.run(users.grant_queue(username, queuename))

    @takes(users.ungrant_queue)
    def ungrant_queue(self, username: str, queuename: str) -> None:
        self._transport.run(users.ungrant_queue(username, queuename))

    @takes(users.show_queue_grant)
    def show_queue_grant(
        self, username: str | None = None, maxsize: int = 100, marker: str | None = None
    ) -> Page[GrantInfo]:
        return self._transport.run(users.show_queue_grant(username, maxsize, marker))

    @takes(users.list_queue)
    def list_queue(self, maxsize: int = 100, marker: str | None = None) -> Page[QueueInfo]:
        return self._transport.run(users.list_queue(maxsize, marker))

    @takes(users.show_queue)
    def show_queue(self, queuename: str) -> QueueInfo:
        return self._transport.run(users.show_queue(queuename))

    @takes(users.create_queue)
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
    ) -> None:
        self._transport.run(
            users.create_queue(
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
        )

    @takes(users.stop_queue)
    def stop_queue(self, queuename: str) -> None:
        self._transport.run(users.stop_queue(queuename))

    @takes(users.del_queue)
    def del_queue(self, queuename: str) -> None:
        self._transport.run(users.del_queue(queuename))

    @takes(users.list_flavour)
    def list_flavour(
        self, maxsize: int = 100, marker: str | None = None, clustername: str = "", key: str = ""
    ) -> Page[FlavourInfo]:
        return self._transport.run(users.list_flavour(maxsize, marker, clustername, key))

    @takes(fs.add_fs)
    def add_fs(
        self, fsname: str, url: str, username: str | None = None, properties: dict[str, str] | None = None
    ) -> None:
        self._transport.run(fs.add_fs(fsname, url, username, properties))

    @takes(fs.show_fs)
    def show_fs(self, fsname: str, username: str | None = None) -> FSInfo:
        return self._transport.run(fs.show_fs(fsname, username))

    @takes(fs.list_fs)
    def list_fs(
        self, username: str | None = None, maxsize: int = 100, marker: str | None = None
    ) -> Page[FSInfo]:
        return self._transport.run(fs.list_fs(username, maxsize, marker))

    @takes(fs.delete_fs)
    def delete_fs(self, fsname: str, username: str | None = None) -> None:
        self._transport.run(fs.delete_fs(fsname, username))

    @takes(fs.add_link)
    def add_link(
        self,
        fsname: str,
        fspath: str,
        url: str,
        username: str | None = None,
        properties: dict[str, str] | None = None,
    ) -> None:
        self._transport.run(fs.add_link(fsname, fspath, url, username, properties))

    @takes(fs.delete_link)
    def delete_link(self, fsname: str, fspath: str, username: str | None = None) -> None:
        self._transport.run(fs.delete_link(fsname, fspath, username))

    @takes(fs.show_link)
    def show_link(
        self, fsname: str, fspath: str | None = None, username: str | None = None, maxsize: int = 100
    ) -> LinkInfo | Page[LinkInfo]:
        """With ``fspath``: that link; without: the fs's links (a page, as ``list_link``)."""
        call: Call[LinkInfo | Page[LinkInfo]] = fs.show_link(fsname, fspath, username, maxsize)
        return self._transport.run(call)

    @takes(fs.list_link)
    def list_link(
        self, fsname: str, username: str | None = None, maxsize: int = 100, marker: str | None = None
    ) -> Page[LinkInfo]:
        return self._transport.run(fs.list_link(fsname, username, maxsize, marker))

    @takes(runs.create_run)
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
    ) -> str:
        """Create a run; ``client_token`` (extension) fixes its description marker ``[pf-token:<token>]``
        so that ``find_run_by_client_token`` finds it again (random by default)."""
        return self._transport.run(
            runs.create_run(
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
        )

    @takes(runs.find_run_by_client_token)
    def find_run_by_client_token(
        self, client_token: str, fs_name: str | None = None, run_name: str | None = None
    ) -> RunInfo | None:
        """The newest run made by ``create_run(client_token=...)``, or None (extension, not in the SDK
        reference); ``fs_name``/``run_name`` narrow the listing."""
        return self._transport.run(runs.find_run_by_client_token(client_token, fs_name, run_name))

    @takes(runs.list_run)
    def list_run(
        self,
        fs_name: str | None = None,
        username: str | None = None,
        run_id: str | None = None,
        run_name: str | None = None,
        status: str | None = None,
        maxsize: int = 100,
        marker: str | None = None,
    ) -> RunPage:
        return self._transport.run(
            runs.list_run(fs_name, username, run_id, run_name, status, maxsize, marker)
        )

    @takes(runs.show_run)
    def show_run(self, run_id: str) -> RunInfo:
        return self._transport.run(runs.show_run(run_id))

    @takes(runs.stop_run)
    def stop_run(self, run_id: str, force: bool = False) -> None:
        self._transport.run(runs.stop_run(run_id, force))

    @takes(runs.delete_run)
    def delete_run(self, run_id: str, check_cache: bool | None = None) -> None:
        self._transport.run(runs.delete_run(run_id, check_cache))

    @takes(runs.retry_run)
    def retry_run(self, run_id: str) -> str:
        return self._transport.run(runs.retry_run(run_id))

    @takes(runs.list_cache)
    def list_cache(
        self,
        user_filter: str | None = None,
        fs_filter: str | None = None,
        run_filter: str | None = None,
        max_keys: int | None = None,
        marker: str | None = None,
    ) -> Page[RunCacheInfo]:
        return self._transport.run(runs.list_cache(user_filter, fs_filter, run_filter, max_keys, marker))

    @takes(runs.show_cache)
    def show_cache(self, cache_id: str) -> RunCacheInfo:
        return self._transport.run(runs.show_cache(cache_id))

    @takes(runs.delete_cache)
    def delete_cache(self, cache_id: str) -> None:
        self._transport.run(runs.delete_cache(cache_id))

    @takes(runs.list_artifact)
    def list_artifact(
        self,
        user_filter: str | None = None,
        fs_filter: str | None = None,
        run_filter: str | None = None,
        type_filter: str | None = None,
        path_filter: str | None = None,
        maxkeys: int | None = None,
        marker: str | None = None,
    ) -> Page[ArtifactInfo]:
        return self._transport.run(
            runs.list_artifact(user_filter, fs_filter, run_filter, type_filter, path_filter, maxkeys, marker)
        )

    @takes(runs.show_log)
    def show_log(
        self,
        run_id: str,
        job_id: str | None = None,
        page_size: int | None = None,
        page_no: int | None = None,
        log_file_position: str | None = None,
    ) -> RunLog:
        return self._transport.run(runs.show_log(run_id, job_id, page_size, page_no, log_file_position))

    @takes(pipelines.create_pipeline)
    def create_pipeline(
        self,
        fs_name: str | None = None,
        yaml_path: str | None = None,
        desc: str | None = None,
        username: str | None = None,
        yaml_raw: str | bytes | None = None,
    ) -> PipelineCreated:
        return self._transport.run(pipelines.create_pipeline(fs_name, yaml_path, desc, username, yaml_raw))

    @takes(pipelines.list_pipeline)
    def list_pipeline(
        self,
        user_filter: str | None = None,
        name_filter: str | None = None,
        max_keys: int | None = None,
        marker: str | None = None,
    ) -> Page[PipelineInfo]:
        return self._transport.run(pipelines.list_pipeline(user_filter, name_filter, max_keys, marker))

    @takes(pipelines.show_pipeline)
    def show_pipeline(
        self,
        pipeline_id: str,
        fs_filter: str | None = None,
        max_keys: int | None = None,
        marker: str | None = None,
    ) -> PipelineDetail:
        return self._transport.run(pipelines.show_pipeline(pipeline_id, fs_filter, max_keys, marker))

    @takes(pipelines.delete_pipeline)
    def delete_pipeline(self, pipeline_id: str) -> None:
        self._transport.run(pipelines.delete_pipeline(pipeline_id))

    @takes(pipelines.update_pipeline)
    def update_pipeline(
        self,
        pipeline_id: str,
        fs_name: str | None = None,
        yaml_path: str | None = None,
        username: str | None = None,
        desc: str | None = None,
        yaml_raw: str | bytes | None = None,
    ) -> PipelineVersionCreated:
        return self._transport.run(
            pipelines.update_pipeline(pipeline_id, fs_name, yaml_path, username, desc, yaml_raw)
        )

    @takes(pipelines.show_pipeline_version)
    def show_pipeline_version(self, pipeline_id: str, pipeline_version_id: str) -> PipelineVersionDetail:
        return self._transport.run(pipelines.show_pipeline_version(pipeline_id, pipeline_version_id))

    @takes(pipelines.delete_pipeline_version)
    def delete_pipeline_version(self, pipeline_id: str, pipeline_version_id: str) -> None:
        self._transport.run(pipelines.delete_pipeline_version(pipeline_id, pipeline_version_id))

    @takes(pipelines.create_schedule)
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
    ) -> str:
        return self._transport.run(
            pipelines.create_schedule(
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
        )

    @takes(pipelines.list_schedule)
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
    ) -> Page[ScheduleInfo]:
        return self._transport.run(
            pipelines.list_schedule(
                user_filter,
                ppl_filter,
                ppl_version_filter,
                schedule_filter,
                name_filter,
                status_filter,
                marker,
                max_keys,
            )
        )

    @takes(pipelines.show_schedule)
    def show_schedule(
        self,
        schedule_id: str,
        run_filter: str | None = None,
        status_filter: str | None = None,
        marker: str | None = None,
        max_keys: int | None = None,
    ) -> ScheduleDetail:
        return self._transport.run(
            pipelines.show_schedule(schedule_id, run_filter, status_filter, marker, max_keys)
        )

    @takes(pipelines.stop_schedule)
    def stop_schedule(self, schedule_id: str) -> None:
        self._transport.run(pipelines.stop_schedule(schedule_id))

    @takes(pipelines.delete_schedule)
    def delete_schedule(self, schedule_id: str) -> None:
        self._transport.run(pipelines.delete_schedule(schedule_id))

    @takes(clusters.create_cluster)
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
    ) -> str:
        return self._transport.run(
            clusters.create_cluster(
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
        )

    @takes(clusters.list_cluster)
    def list_cluster(
        self,
        maxkeys: int = 100,
        marker: str | None = None,
        clustername: str | list[str] | None = None,
        clusterstatus: str | None = None,
    ) -> Page[ClusterInfo]:
        return self._transport.run(clusters.list_cluster(maxkeys, marker, clustername, clusterstatus))

    @takes(clusters.show_cluster)
    def show_cluster(self, clustername: str) -> ClusterInfo:
        return self._transport.run(clusters.show_cluster(clustername))

    @takes(clusters.delete_cluster)
    def delete_cluster(self, clustername: str) -> None:
        self._transport.run(clusters.delete_cluster(clustername))

    @takes(clusters.update_cluster)
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
    ) -> str:
        return self._transport.run(
            clusters.update_cluster(
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
        )

    @takes(clusters.list_cluster_resource)
    def list_cluster_resource(self, clustername: str | list[str] | None = None) -> dict[str, Any]:
        return self._transport.run(clusters.list_cluster_resource(clustername))

    @takes(clusters.get_statistics)
    def get_statistics(self, jobid: str, runid: str | None = None) -> StatisticsJobInfo:
        return self._transport.run(clusters.get_statistics(jobid, runid))

    @takes(clusters.get_statistics_detail)
    def get_statistics_detail(
        self,
        jobid: str,
        start: int | None = None,
        end: int | None = None,
        step: int | None = None,
        runid: str | None = None,
    ) -> StatisticsJobDetailInfo:
        return self._transport.run(clusters.get_statistics_detail(jobid, start, end, step, runid))

    # -- iter_*: every item of a list, across all its pages -----------------------------------------
    # The list method's filters, as keywords; the largest pages unless the caller chooses a size.
    @takes(users.list_user)
    def iter_users(self, *, maxsize: int = LARGEST_PAGE, marker: str | None = None) -> Iterator[UserInfo]:
        return self._walk(lambda page: users.list_user(maxsize, page), marker)

    @takes(users.list_queue)
    def iter_queues(self, *, maxsize: int = LARGEST_PAGE, marker: str | None = None) -> Iterator[QueueInfo]:
        return self._walk(lambda page: users.list_queue(maxsize, page), marker)

    @takes(users.show_queue_grant)
    def iter_queue_grants(
        self, *, username: str | None = None, maxsize: int = LARGEST_PAGE, marker: str | None = None
    ) -> Iterator[GrantInfo]:
        return self._walk(lambda page: users.show_queue_grant(username, maxsize, page), marker)

    @takes(users.list_flavour)
    def iter_flavours(
        self, *, maxsize: int = LARGEST_PAGE, marker: str | None = None, clustername: str = "", key: str = ""
    ) -> Iterator[FlavourInfo]:
        return self._walk(lambda page: users.list_flavour(maxsize, page, clustername, key), marker)

    @takes(fs.list_fs)
    def iter_fs(
        self, *, username: str | None = None, maxsize: int = LARGEST_PAGE, marker: str | None = None
    ) -> Iterator[FSInfo]:
        return self._walk(lambda page: fs.list_fs(username, maxsize, page), marker)

    @takes(fs.list_link)
    def iter_links(
        self,
        *,
        fsname: str,
        username: str | None = None,
        maxsize: int = LARGEST_PAGE,
        marker: str | None = None,
    ) -> Iterator[LinkInfo]:
        return self._walk(lambda page: fs.list_link(fsname, username, maxsize, page), marker)

    @takes(runs.list_run)
    def iter_runs(
        self,
        *,
        fs_name: str | None = None,
        username: str | None = None,
        run_id: str | None = None,
        run_name: str | None = None,
        status: str | None = None,
        maxsize: int = LARGEST_PAGE,
        marker: str | None = None,
    ) -> Iterator[RunInfo]:
        return self._walk(
            lambda page: runs.list_run(fs_name, username, run_id, run_name, status, maxsize, page), marker
        )

    @takes(runs.list_cache)
    def iter_caches(
        self,
        *,
        user_filter: str | None = None,
        fs_filter: str | None = None,
        run_filter: str | None = None,
        max_keys: int = LARGEST_PAGE,
        marker: str | None = None,
    ) -> Iterator[RunCacheInfo]:
        return self._walk(
            lambda page: runs.list_cache(user_filter, fs_filter, run_filter, max_keys, page), marker
        )

    @takes(runs.list_artifact)
    def iter_artifacts(
        self,
        *,
        user_filter: str | None = None,
        fs_filter: str | None = None,
        run_filter: str | None = None,
        type_filter: str | None = None,
        path_filter: str | None = None,
        maxkeys: int = LARGEST_PAGE,
        marker: str | None = None,
    ) -> Iterator[ArtifactInfo]:
        return self._walk(
            lambda page: runs.list_artifact(
                user_filter, fs_filter, run_filter, type_filter, path_filter, maxkeys, page
            ),
            marker,
        )

    @takes(pipelines.list_pipeline)
    def iter_pipelines(
        self,
        *,
        user_filter: str | None = None,
        name_filter: str | None = None,
        max_keys: int = LARGEST_PAGE,
        marker: str | None = None,
    ) -> Iterator[PipelineInfo]:
        return self._walk(
            lambda page: pipelines.list_pipeline(user_filter, name_filter, max_keys, page), marker
        )

    @takes(pipelines.list_schedule)
    def iter_schedules(
        self,
        *,
        user_filter: str | None = None,
        ppl_filter: str | None = None,
        ppl_version_filter: str | None = None,
        schedule_filter: str | None = None,
        name_filter: str | None = None,
        status_filter: str | None = None,
        marker: str | None = None,
        max_keys: int = LARGEST_PAGE,
    ) -> Iterator[ScheduleInfo]:
        return self._walk(
            lambda page: pipelines.list_schedule(
                user_filter,
                ppl_filter,
                ppl_version_filter,
                schedule_filter,
                name_filter,
                status_filter,
                page,
                max_keys,
            ),
            marker,
        )

    @takes(clusters.list_cluster)
    def iter_clusters(
        self,
        *,
        maxkeys: int = LARGEST_PAGE,
        marker: str | None = None,
        clustername: str | list[str] | None = None,
        clusterstatus: str | None = None,
    ) -> Iterator[ClusterInfo]:
        return self._walk(
            lambda page: clusters.list_cluster(maxkeys, page, clustername, clusterstatus), marker
        )
