# ruff: noqa: PLR0917 - methods keep the SDK reference's positional signatures
"""The asynchronous transport and ``AsyncPaddleFlowAPI`` (used by deferrable triggers).

Thin by design: the same ``Call`` definitions and answer parsing (``_core``) and the same driver
(``_drive``: auth, re-login, retries, waits, look-ups) as the sync path; only the byte moving (httpx,
imported lazily), the lock and the awaiting differ.
One ``httpx.AsyncClient`` per API object; never blocks the event loop (sleeps are ``asyncio.sleep``).
"""

from __future__ import annotations

import asyncio
import functools
import os
import ssl
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar, cast

from ._auth import Auth
from ._config import ClientConfig
from ._core import Call, Flow, Prepared, Raw, connection_error, raw_answer, ssl_reason, tls_failure
from ._drive import Driver, Locked, Sleep, Steps
from ._exceptions import PaddleFlowError
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
from .endpoints import clusters, fs, pipelines, runs, users
from .endpoints._common import LARGEST_PAGE, PageWalk, takes

T = TypeVar("T")


_LOGIN_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Any, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


@functools.lru_cache(maxsize=16)
def ssl_context(verify: bool | str) -> ssl.SSLContext:
    """One TLS context per verify setting, shared by every async client in the process.

    Building one loads the CA bundle (about 30 ms of CPU); triggers open a client per poll, so doing
    that each time would block the event loop for seconds when a thousand of them poll at once.
    """
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if isinstance(verify, str):
        if os.path.isdir(verify):
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    try:
        import certifi
    except ImportError:  # pragma: no cover - httpx depends on certifi
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


class AsyncTransport:
    def __init__(
        self, config: ClientConfig, *, sleep: Callable[[float], Awaitable[None]] | None = None
    ) -> None:
        import httpx  # lazily: only the async face needs it

        self._httpx = httpx
        self.config = config
        self.auth = Auth(config.username, config.password, config.base_url)
        self.driver = Driver(config, self.auth)
        connect, read = config.timeout
        self.client = httpx.AsyncClient(
            verify=ssl_context(config.verify_arg),
            timeout=httpx.Timeout(read, connect=connect),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            follow_redirects=False,
        )
        self._sleep = sleep or asyncio.sleep

    async def aclose(self) -> None:
        await self.client.aclose()

    async def run(self, job: Call[T] | Flow[T]) -> T:
        """Execute a call, or drive a flow (generator of calls) to its return value."""
        return await self._drive(self.driver.run(job))

    async def login(self, username: str | None = None, password: str | None = None) -> None:
        await self._drive(self.driver.login(username, password))

    def _lock(self) -> asyncio.Lock:
        """The login lock shared by every client of this event loop with the same credentials, so a
        burst of new clients (one per trigger poll) logs in once."""
        locks = _LOGIN_LOCKS.setdefault(asyncio.get_running_loop(), {})
        key = self.auth.key()
        if key not in locks:
            locks[key] = asyncio.Lock()
        return locks[key]

    async def _drive(self, steps: Steps[T]) -> T:
        """The sync transport's loop over the same steps, awaiting instead of blocking."""
        reply: Any = None
        error: PaddleFlowError | None = None
        while True:
            try:
                step = steps.send(reply) if error is None else steps.throw(error)
            except StopIteration as stop:
                return stop.value
            reply = error = None
            if type(step) is Prepared:
                try:
                    reply = await self._send(step)
                except PaddleFlowError as exc:
                    error = exc
            elif type(step) is Sleep:
                await self._sleep(step.seconds)
            else:
                try:
                    async with self._lock():
                        reply = await self._drive(cast(Locked, step).steps)
                except PaddleFlowError as exc:
                    error = exc

    async def _send(self, p: Prepared) -> Raw:
        httpx = self._httpx
        try:
            resp = await self.client.request(
                p.method, p.url, params=tuple(p.params), content=p.content, headers=p.headers
            )
        except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise connection_error(p.name, "connect timeout", sent=False, timeout=True) from exc
        except httpx.TimeoutException as exc:
            raise connection_error(p.name, "read timeout (no answer)", sent=True, timeout=True) from exc
        except httpx.ConnectError as exc:
            if ssl_reason(exc) is not None:
                raise tls_failure(p.name, exc) from exc
            raise connection_error(
                p.name, f"could not connect ({self.config.base_url})", sent=False, timeout=False
            ) from exc
        except httpx.TransportError as exc:
            raise connection_error(
                p.name, f"connection lost before an answer ({self.config.base_url})", sent=True, timeout=False
            ) from exc
        except httpx.HTTPError as exc:  # bad URL, invalid header ...: not retryable
            raise PaddleFlowError(f"{p.name}: request failed: {type(exc).__name__}: {exc}") from exc
        return raw_answer(p, resp.status_code, resp.headers.items(), resp.content)


class AsyncPaddleFlowAPI:
    """Async typed face: every endpoint method of ``PaddleFlowAPI`` as a coroutine (``mount`` excepted).

    Use as ``async with AsyncPaddleFlowAPI(config) as api: run = await api.show_run(run_id)``. The
    methods mirror ``PaddleFlowAPI``'s, one for one (a test holds them to the same signatures).
    """

    def __init__(
        self, config: ClientConfig, *, sleep: Callable[[float], Awaitable[None]] | None = None
    ) -> None:
        self.config = config
        self._transport = AsyncTransport(config, sleep=sleep)

    async def __aenter__(self) -> AsyncPaddleFlowAPI:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def login(self, user_name: str | None = None, password: str | None = None) -> None:
        await self._transport.login(user_name, password)

    async def _walk(
        self, page: Callable[[str | None], Call[Page[T]]], marker: str | None
    ) -> AsyncIterator[T]:
        """``PaddleFlowAPI._walk`` awaiting each page (the same ``PageWalk``)."""
        pages = PageWalk(marker)
        while True:
            got = await self._transport.run(page(pages.marker))
            for item in got.items:
                yield item
            if not pages.advance(got):
                return

    # -- one method per endpoint ------------------------------------------------------------------
    @takes(users.add_user)
    async def add_user(self, user_name: str, password: str | bytes) -> None:
        await self._transport.run(users.add_user(user_name, password))

    @takes(users.del_user)
    async def del_user(self, user_name: str) -> None:
        await self._transport.run(users.del_user(user_name))

    @takes(users.update_password)
    async def update_password(self, user_name: str, password: str | bytes) -> None:
        await self._transport.run(users.update_password(user_name, password))

    @takes(users.list_user)
    async def list_user(self, maxsize: int = 100, marker: str | None = None) -> Page[UserInfo]:
        return await self._transport.run(users.list_user(maxsize, marker))

    @takes(users.grant_queue)
    async def grant_queue(self, username: str, queuename: str) -> None:
        await self._transport.run(users.grant_queue(username, queuename))

    @takes(users.ungrant_queue)
    async def ungrant_queue(self, username: str, queuename: str) -> None:
        await self._transport.run(users.ungrant_queue(username, queuename))

    @takes(users.show_queue_grant)
    async def show_queue_grant(
        self, username: str | None = None, maxsize: int = 100, marker: str | None = None
    ) -> Page[GrantInfo]:
        return await self._transport.run(users.show_queue_grant(username, maxsize, marker))

    @takes(users.list_queue)
    async def list_queue(self, maxsize: int = 100, marker: str | None = None) -> Page[QueueInfo]:
        return await self._transport.run(users.list_queue(maxsize, marker))

    @takes(users.show_queue)
    async def show_queue(self, queuename: str) -> QueueInfo:
        return await self._transport.run(users.show_queue(queuename))

    @takes(users.create_queue)
    async def create_queue(
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
        await self._transport.run(
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
    async def stop_queue(self, queuename: str) -> None:
        await self._transport.run(users.stop_queue(queuename))

    @takes(users.del_queue)
    async def del_queue(self, queuename: str) -> None:
        await self._transport.run(users.del_queue(queuename))

    @takes(users.list_flavour)
    async def list_flavour(
        self, maxsize: int = 100, marker: str | None = None, clustername: str = "", key: str = ""
    ) -> Page[FlavourInfo]:
        return await self._transport.run(users.list_flavour(maxsize, marker, clustername, key))

    @takes(fs.add_fs)
    async def add_fs(
        self, fsname: str, url: str, username: str | None = None, properties: dict[str, str] | None = None
    ) -> None:
        await self._transport.run(fs.add_fs(fsname, url, username, properties))

    @takes(fs.show_fs)
    async def show_fs(self, fsname: str, username: str | None = None) -> FSInfo:
        return await self._transport.run(fs.show_fs(fsname, username))

    @takes(fs.list_fs)
    async def list_fs(
        self, username: str | None = None, maxsize: int = 100, marker: str | None = None
    ) -> Page[FSInfo]:
        return await self._transport.run(fs.list_fs(username, maxsize, marker))

    @takes(fs.delete_fs)
    async def delete_fs(self, fsname: str, username: str | None = None) -> None:
        await self._transport.run(fs.delete_fs(fsname, username))

    @takes(fs.add_link)
    async def add_link(
        self,
        fsname: str,
        fspath: str,
        url: str,
        username: str | None = None,
        properties: dict[str, str] | None = None,
    ) -> None:
        await self._transport.run(fs.add_link(fsname, fspath, url, username, properties))

    @takes(fs.delete_link)
    async def delete_link(self, fsname: str, fspath: str, username: str | None = None) -> None:
        await self._transport.run(fs.delete_link(fsname, fspath, username))

    @takes(fs.show_link)
    async def show_link(
        self, fsname: str, fspath: str | None = None, username: str | None = None, maxsize: int = 100
    ) -> LinkInfo | Page[LinkInfo]:
        """With ``fspath``: that link; without: the fs's links (a page, as ``list_link``)."""
        call: Call[LinkInfo | Page[LinkInfo]] = fs.show_link(fsname, fspath, username, maxsize)
        return await self._transport.run(call)

    @takes(fs.list_link)
    async def list_link(
        self, fsname: str, username: str | None = None, maxsize: int = 100, marker: str | None = None
    ) -> Page[LinkInfo]:
        return await self._transport.run(fs.list_link(fsname, username, maxsize, marker))

    @takes(runs.create_run)
    async def create_run(
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
        return await self._transport.run(
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
    async def find_run_by_client_token(
        self, client_token: str, fs_name: str | None = None, run_name: str | None = None
    ) -> RunInfo | None:
        """The newest run made by ``create_run(client_token=...)``, or None (extension, not in the SDK
        reference); ``fs_name``/``run_name`` narrow the listing."""
        return await self._transport.run(runs.find_run_by_client_token(client_token, fs_name, run_name))

    @takes(runs.list_run)
    async def list_run(
        self,
        fs_name: str | None = None,
        username: str | None = None,
        run_id: str | None = None,
        run_name: str | None = None,
        status: str | None = None,
        maxsize: int = 100,
        marker: str | None = None,
    ) -> RunPage:
        return await self._transport.run(
            runs.list_run(fs_name, username, run_id, run_name, status, maxsize, marker)
        )

    @takes(runs.show_run)
    async def show_run(self, run_id: str) -> RunInfo:
        return await self._transport.run(runs.show_run(run_id))

    @takes(runs.stop_run)
    async def stop_run(self, run_id: str, force: bool = False) -> None:
        await self._transport.run(runs.stop_run(run_id, force))

    @takes(runs.delete_run)
    async def delete_run(self, run_id: str, check_cache: bool | None = None) -> None:
        await self._transport.run(runs.delete_run(run_id, check_cache))

    @takes(runs.retry_run)
    async def retry_run(self, run_id: str) -> str:
        return await self._transport.run(runs.retry_run(run_id))

    @takes(runs.list_cache)
    async def list_cache(
        self,
        user_filter: str | None = None,
        fs_filter: str | None = None,
        run_filter: str | None = None,
        max_keys: int | None = None,
        marker: str | None = None,
    ) -> Page[RunCacheInfo]:
        return await self._transport.run(
            runs.list_cache(user_filter, fs_filter, run_filter, max_keys, marker)
        )

    @takes(runs.show_cache)
    async def show_cache(self, cache_id: str) -> RunCacheInfo:
        return await self._transport.run(runs.show_cache(cache_id))

    @takes(runs.delete_cache)
    async def delete_cache(self, cache_id: str) -> None:
        await self._transport.run(runs.delete_cache(cache_id))

    @takes(runs.list_artifact)
    async def list_artifact(
        self,
        user_filter: str | None = None,
        fs_filter: str | None = None,
        run_filter: str | None = None,
        type_filter: str | None = None,
        path_filter: str | None = None,
        maxkeys: int | None = None,
        marker: str | None = None,
    ) -> Page[ArtifactInfo]:
        return await self._transport.run(
            runs.list_artifact(user_filter, fs_filter, run_filter, type_filter, path_filter, maxkeys, marker)
        )

    @takes(runs.show_log)
    async def show_log(
        self,
        run_id: str,
        job_id: str | None = None,
        page_size: int | None = None,
        page_no: int | None = None,
        log_file_position: str | None = None,
    ) -> RunLog:
        return await self._transport.run(runs.show_log(run_id, job_id, page_size, page_no, log_file_position))

    @takes(pipelines.create_pipeline)
    async def create_pipeline(
        self,
        fs_name: str | None = None,
        yaml_path: str | None = None,
        desc: str | None = None,
        username: str | None = None,
        yaml_raw: str | bytes | None = None,
    ) -> PipelineCreated:
        return await self._transport.run(
            pipelines.create_pipeline(fs_name, yaml_path, desc, username, yaml_raw)
        )

    @takes(pipelines.list_pipeline)
    async def list_pipeline(
        self,
        user_filter: str | None = None,
        name_filter: str | None = None,
        max_keys: int | None = None,
        marker: str | None = None,
    ) -> Page[PipelineInfo]:
        return await self._transport.run(pipelines.list_pipeline(user_filter, name_filter, max_keys, marker))

    @takes(pipelines.show_pipeline)
    async def show_pipeline(
        self,
        pipeline_id: str,
        fs_filter: str | None = None,
        max_keys: int | None = None,
        marker: str | None = None,
    ) -> PipelineDetail:
        return await self._transport.run(pipelines.show_pipeline(pipeline_id, fs_filter, max_keys, marker))

    @takes(pipelines.delete_pipeline)
    async def delete_pipeline(self, pipeline_id: str) -> None:
        await self._transport.run(pipelines.delete_pipeline(pipeline_id))

    @takes(pipelines.update_pipeline)
    async def update_pipeline(
        self,
        pipeline_id: str,
        fs_name: str | None = None,
        yaml_path: str | None = None,
        username: str | None = None,
        desc: str | None = None,
        yaml_raw: str | bytes | None = None,
    ) -> PipelineVersionCreated:
        return await self._transport.run(
            pipelines.update_pipeline(pipeline_id, fs_name, yaml_path, username, desc, yaml_raw)
        )

    @takes(pipelines.show_pipeline_version)
    async def show_pipeline_version(
        self, pipeline_id: str, pipeline_version_id: str
    ) -> PipelineVersionDetail:
        return await self._transport.run(pipelines.show_pipeline_version(pipeline_id, pipeline_version_id))

    @takes(pipelines.delete_pipeline_version)
    async def delete_pipeline_version(self, pipeline_id: str, pipeline_version_id: str) -> None:
        await self._transport.run(pipelines.delete_pipeline_version(pipeline_id, pipeline_version_id))

    @takes(pipelines.create_schedule)
    async def create_schedule(
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
        return await self._transport.run(
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
    async def list_schedule(
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
        return await self._transport.run(
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
    async def show_schedule(
        self,
        schedule_id: str,
        run_filter: str | None = None,
        status_filter: str | None = None,
        marker: str | None = None,
        max_keys: int | None = None,
    ) -> ScheduleDetail:
        return await self._transport.run(
            pipelines.show_schedule(schedule_id, run_filter, status_filter, marker, max_keys)
        )

    @takes(pipelines.stop_schedule)
    async def stop_schedule(self, schedule_id: str) -> None:
        await self._transport.run(pipelines.stop_schedule(schedule_id))

    @takes(pipelines.delete_schedule)
    async def delete_schedule(self, schedule_id: str) -> None:
        await self._transport.run(pipelines.delete_schedule(schedule_id))

    @takes(clusters.create_cluster)
    async def create_cluster(
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
        return await self._transport.run(
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
    async def list_cluster(
        self,
        maxkeys: int = 100,
        marker: str | None = None,
        clustername: str | list[str] | None = None,
        clusterstatus: str | None = None,
    ) -> Page[ClusterInfo]:
        return await self._transport.run(clusters.list_cluster(maxkeys, marker, clustername, clusterstatus))

    @takes(clusters.show_cluster)
    async def show_cluster(self, clustername: str) -> ClusterInfo:
        return await self._transport.run(clusters.show_cluster(clustername))

    @takes(clusters.delete_cluster)
    async def delete_cluster(self, clustername: str) -> None:
        await self._transport.run(clusters.delete_cluster(clustername))

    @takes(clusters.update_cluster)
    async def update_cluster(
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
        return await self._transport.run(
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
    async def list_cluster_resource(self, clustername: str | list[str] | None = None) -> dict[str, Any]:
        return await self._transport.run(clusters.list_cluster_resource(clustername))

    @takes(clusters.get_statistics)
    async def get_statistics(self, jobid: str, runid: str | None = None) -> StatisticsJobInfo:
        return await self._transport.run(clusters.get_statistics(jobid, runid))

    @takes(clusters.get_statistics_detail)
    async def get_statistics_detail(
        self,
        jobid: str,
        start: int | None = None,
        end: int | None = None,
        step: int | None = None,
        runid: str | None = None,
    ) -> StatisticsJobDetailInfo:
        return await self._transport.run(clusters.get_statistics_detail(jobid, start, end, step, runid))

    # -- iter_*: every item of a list, across all its pages -----------------------------------------
    # The list method's filters, as keywords; the largest pages unless the caller chooses a size.
    @takes(users.list_user)
    def iter_users(
        self, *, maxsize: int = LARGEST_PAGE, marker: str | None = None
    ) -> AsyncIterator[UserInfo]:
        return self._walk(lambda page: users.list_user(maxsize, page), marker)

    @takes(users.list_queue)
    def iter_queues(
        self, *, maxsize: int = LARGEST_PAGE, marker: str | None = None
    ) -> AsyncIterator[QueueInfo]:
        return self._walk(lambda page: users.list_queue(maxsize, page), marker)

    @takes(users.show_queue_grant)
    def iter_queue_grants(
        self, *, username: str | None = None, maxsize: int = LARGEST_PAGE, marker: str | None = None
    ) -> AsyncIterator[GrantInfo]:
        return self._walk(lambda page: users.show_queue_grant(username, maxsize, page), marker)

    @takes(users.list_flavour)
    def iter_flavours(
        self, *, maxsize: int = LARGEST_PAGE, marker: str | None = None, clustername: str = "", key: str = ""
    ) -> AsyncIterator[FlavourInfo]:
        return self._walk(lambda page: users.list_flavour(maxsize, page, clustername, key), marker)

    @takes(fs.list_fs)
    def iter_fs(
        self, *, username: str | None = None, maxsize: int = LARGEST_PAGE, marker: str | None = None
    ) -> AsyncIterator[FSInfo]:
        return self._walk(lambda page: fs.list_fs(username, maxsize, page), marker)

    @takes(fs.list_link)
    def iter_links(
        self,
        *,
        fsname: str,
        username: str | None = None,
        maxsize: int = LARGEST_PAGE,
        marker: str | None = None,
    ) -> AsyncIterator[LinkInfo]:
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
    ) -> AsyncIterator[RunInfo]:
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
    ) -> AsyncIterator[RunCacheInfo]:
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
    ) -> AsyncIterator[ArtifactInfo]:
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
    ) -> AsyncIterator[PipelineInfo]:
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
    ) -> AsyncIterator[ScheduleInfo]:
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
    ) -> AsyncIterator[ClusterInfo]:
        return self._walk(
            lambda page: clusters.list_cluster(maxkeys, page, clustername, clusterstatus), marker
        )
