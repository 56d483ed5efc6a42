"""``PaddleFlowAPI``: the typed face. Returns payloads, raises ``PaddleFlowError`` subclasses.

Each endpoint method is one line that names its builder in ``endpoints/`` (one builder per request,
the only place its path, body and checks are written): ``show_run = typed(runs.show_run)``. ``typed``
gives the method the builder's signature (checked by mypy through ``ParamSpec``, shown by ``help()``
and IDEs with the builder's docstring), applies the reference's argument spellings and argument errors
(``checked``), and runs the builder's call or flow on the face's transport. "Go to definition" on
``api.show_run`` lands on that line; one step further is the builder. Adding an endpoint: the builder
(``@endpoint``), then its line here, on ``AsyncPaddleFlowAPI`` and on ``Client``
(``tests/unit/client/test_faces.py`` fails until all three have it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Concatenate, ParamSpec, TypeVar

from ._config import ClientConfig
from ._mount import MOUNT_ALIASES, mount_flow
from ._retry import SleepFn
from ._sync import SyncTransport
from .endpoints import clusters, fs, pipelines, runs, users, walks
from .endpoints._common import Job, PageWalk, Walk, checked, face_method, takes

P = ParamSpec("P")
T = TypeVar("T")


def typed(builder: Callable[P, Job[T]]) -> Callable[Concatenate[PaddleFlowAPI, P], T]:
    """``PaddleFlowAPI``'s method for ``builder``: its call (or flow) run on the face's transport."""
    build = checked(builder)

    def method(self: PaddleFlowAPI, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._transport.run(build(*args, **kwargs))

    return face_method(builder, method, str)


def pages(walk: Callable[P, Walk[T]]) -> Callable[Concatenate[PaddleFlowAPI, P], Iterator[T]]:
    """``PaddleFlowAPI``'s ``iter_*`` helper for ``walk``: every item of every page, lazily."""
    build = checked(walk)

    def method(self: PaddleFlowAPI, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
        return self._walk(build(*args, **kwargs))

    return face_method(walk, method, "Iterator[{}]".format)


class PaddleFlowAPI:
    """Typed PaddleFlow API over one pool of kept-alive connections (urllib3).

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

    @takes()
    def login(self, user_name: str | None = None, password: str | None = None) -> None:
        """Log in now (the client also logs in lazily with the credentials it was built with)."""
        self._transport.login(user_name, password)

    @takes(aliases=MOUNT_ALIASES)
    def mount(
        self, fsname: str, path: str, mount_options: dict[str, Any] | None = None, username: str | None = None
    ) -> None:
        """Mount a file system locally with the PaddleFlow FUSE client (see ``_mount``)."""
        flow = mount_flow(
            self.config,
            self._transport.auth,
            fuse_binary=self.fuse_binary,
            fsname=fsname,
            path=path,
            mount_options=mount_options,
            username=username,
        )
        self._transport.run(flow)

    def _walk(self, walk: Walk[T]) -> Iterator[T]:
        """Every item of every page of ``walk`` (``PageWalk`` says which page comes next)."""
        pages = PageWalk(walk.marker)
        while True:
            call = walk.page(pages.marker)
            got = self._transport.run(call)
            yield from got.items
            if not pages.advance(got, call.name):
                return

    # -- one method per endpoint: ``typed(builder)`` ----------------------------------------------------
    # users, queues, grants, flavours
    add_user = typed(users.add_user)
    del_user = typed(users.del_user)
    update_password = typed(users.update_password)
    list_user = typed(users.list_user)
    grant_queue = typed(users.grant_queue)
    ungrant_queue = typed(users.ungrant_queue)
    show_queue_grant = typed(users.show_queue_grant)
    list_queue = typed(users.list_queue)
    show_queue = typed(users.show_queue)
    create_queue = typed(users.create_queue)
    stop_queue = typed(users.stop_queue)
    del_queue = typed(users.del_queue)
    list_flavour = typed(users.list_flavour)
    # file systems and links
    add_fs = typed(fs.add_fs)
    show_fs = typed(fs.show_fs)
    list_fs = typed(fs.list_fs)
    delete_fs = typed(fs.delete_fs)
    add_link = typed(fs.add_link)
    delete_link = typed(fs.delete_link)
    show_link = typed(fs.show_link)
    list_link = typed(fs.list_link)
    # runs, run caches, artifacts, logs
    create_run = typed(runs.create_run)
    find_run_by_client_token = typed(runs.find_run_by_client_token)
    list_run = typed(runs.list_run)
    show_run = typed(runs.show_run)
    stop_run = typed(runs.stop_run)
    delete_run = typed(runs.delete_run)
    retry_run = typed(runs.retry_run)
    list_cache = typed(runs.list_cache)
    show_cache = typed(runs.show_cache)
    delete_cache = typed(runs.delete_cache)
    list_artifact = typed(runs.list_artifact)
    show_log = typed(runs.show_log)
    # pipelines and schedules
    create_pipeline = typed(pipelines.create_pipeline)
    list_pipeline = typed(pipelines.list_pipeline)
    show_pipeline = typed(pipelines.show_pipeline)
    delete_pipeline = typed(pipelines.delete_pipeline)
    update_pipeline = typed(pipelines.update_pipeline)
    show_pipeline_version = typed(pipelines.show_pipeline_version)
    delete_pipeline_version = typed(pipelines.delete_pipeline_version)
    create_schedule = typed(pipelines.create_schedule)
    list_schedule = typed(pipelines.list_schedule)
    show_schedule = typed(pipelines.show_schedule)
    stop_schedule = typed(pipelines.stop_schedule)
    delete_schedule = typed(pipelines.delete_schedule)
    # clusters and statistics
    create_cluster = typed(clusters.create_cluster)
    list_cluster = typed(clusters.list_cluster)
    show_cluster = typed(clusters.show_cluster)
    delete_cluster = typed(clusters.delete_cluster)
    update_cluster = typed(clusters.update_cluster)
    list_cluster_resource = typed(clusters.list_cluster_resource)
    get_statistics = typed(clusters.get_statistics)
    get_statistics_detail = typed(clusters.get_statistics_detail)

    # -- iter_*: every item of a list, across all its pages: ``pages(walk)`` ----------------------------
    iter_users = pages(walks.iter_users)
    iter_queues = pages(walks.iter_queues)
    iter_queue_grants = pages(walks.iter_queue_grants)
    iter_flavours = pages(walks.iter_flavours)
    iter_fs = pages(walks.iter_fs)
    iter_links = pages(walks.iter_links)
    iter_runs = pages(walks.iter_runs)
    iter_caches = pages(walks.iter_caches)
    iter_artifacts = pages(walks.iter_artifacts)
    iter_pipelines = pages(walks.iter_pipelines)
    iter_schedules = pages(walks.iter_schedules)
    iter_clusters = pages(walks.iter_clusters)
