"""The page walks behind the ``iter_*`` helpers: every item of a list, across all its pages.

One function per list, declared with ``@walks(list builder)``; ``PaddleFlowAPI`` and
``AsyncPaddleFlowAPI`` each derive their ``iter_*`` method from it in one line. A walk takes the list's
filters, as keywords (the list's other spellings too), and asks for the largest pages unless the caller
chooses a size; the face walks the pages (``PageWalk``), lazily.
"""

from __future__ import annotations

from .._models import ClusterInfo, FlavourInfo, FSInfo, GrantInfo, LinkInfo, QueueInfo, UserInfo
from .._models_run import ArtifactInfo, PipelineInfo, RunCacheInfo, RunInfo, ScheduleInfo
from . import clusters, fs, pipelines, runs, users
from ._common import LARGEST_PAGE, Walk, walks


@walks(users.list_user)
def iter_users(*, maxsize: int = LARGEST_PAGE, marker: str | None = None) -> Walk[UserInfo]:
    """Every user (``list_user``'s pages)."""
    return Walk(lambda page: users.list_user(maxsize, page), marker)


@walks(users.list_queue)
def iter_queues(*, maxsize: int = LARGEST_PAGE, marker: str | None = None) -> Walk[QueueInfo]:
    """Every queue (``list_queue``'s pages)."""
    return Walk(lambda page: users.list_queue(maxsize, page), marker)


@walks(users.show_queue_grant)
def iter_queue_grants(
    *, username: str | None = None, maxsize: int = LARGEST_PAGE, marker: str | None = None
) -> Walk[GrantInfo]:
    """Every queue grant (``show_queue_grant``'s pages)."""
    return Walk(lambda page: users.show_queue_grant(username, maxsize, page), marker)


@walks(users.list_flavour)
def iter_flavours(
    *, maxsize: int = LARGEST_PAGE, marker: str | None = None, clustername: str = "", key: str = ""
) -> Walk[FlavourInfo]:
    """Every flavour (``list_flavour``'s pages)."""
    return Walk(lambda page: users.list_flavour(maxsize, page, clustername, key), marker)


@walks(fs.list_fs)
def iter_fs(
    *, username: str | None = None, maxsize: int = LARGEST_PAGE, marker: str | None = None
) -> Walk[FSInfo]:
    """Every file system (``list_fs``'s pages)."""
    return Walk(lambda page: fs.list_fs(username, maxsize, page), marker)


@walks(fs.list_link)
def iter_links(
    *, fsname: str, username: str | None = None, maxsize: int = LARGEST_PAGE, marker: str | None = None
) -> Walk[LinkInfo]:
    """Every link of a file system (``list_link``'s pages)."""
    return Walk(lambda page: fs.list_link(fsname, username, maxsize, page), marker)


@walks(runs.list_run)
def iter_runs(
    *,
    fs_name: str | None = None,
    username: str | None = None,
    run_id: str | None = None,
    run_name: str | None = None,
    status: str | None = None,
    maxsize: int = LARGEST_PAGE,
    marker: str | None = None,
) -> Walk[RunInfo]:
    """Every run (``list_run``'s pages)."""
    return Walk(
        lambda page: runs.list_run(fs_name, username, run_id, run_name, status, maxsize, page), marker
    )


@walks(runs.list_cache)
def iter_caches(
    *,
    user_filter: str | None = None,
    fs_filter: str | None = None,
    run_filter: str | None = None,
    max_keys: int = LARGEST_PAGE,
    marker: str | None = None,
) -> Walk[RunCacheInfo]:
    """Every run cache (``list_cache``'s pages)."""
    return Walk(lambda page: runs.list_cache(user_filter, fs_filter, run_filter, max_keys, page), marker)


@walks(runs.list_artifact)
def iter_artifacts(
    *,
    user_filter: str | None = None,
    fs_filter: str | None = None,
    run_filter: str | None = None,
    type_filter: str | None = None,
    path_filter: str | None = None,
    maxkeys: int = LARGEST_PAGE,
    marker: str | None = None,
) -> Walk[ArtifactInfo]:
    """Every artifact event (``list_artifact``'s pages)."""
    return Walk(
        lambda page: runs.list_artifact(
            user_filter, fs_filter, run_filter, type_filter, path_filter, maxkeys, page
        ),
        marker,
    )


@walks(pipelines.list_pipeline)
def iter_pipelines(
    *,
    user_filter: str | None = None,
    name_filter: str | None = None,
    max_keys: int = LARGEST_PAGE,
    marker: str | None = None,
) -> Walk[PipelineInfo]:
    """Every pipeline (``list_pipeline``'s pages)."""
    return Walk(lambda page: pipelines.list_pipeline(user_filter, name_filter, max_keys, page), marker)


@walks(pipelines.list_schedule)
def iter_schedules(
    *,
    user_filter: str | None = None,
    ppl_filter: str | None = None,
    ppl_version_filter: str | None = None,
    schedule_filter: str | None = None,
    name_filter: str | None = None,
    status_filter: str | None = None,
    marker: str | None = None,
    max_keys: int = LARGEST_PAGE,
) -> Walk[ScheduleInfo]:
    """Every schedule (``list_schedule``'s pages)."""
    return Walk(
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


@walks(clusters.list_cluster)
def iter_clusters(
    *,
    maxkeys: int = LARGEST_PAGE,
    marker: str | None = None,
    clustername: str | list[str] | None = None,
    clusterstatus: str | None = None,
) -> Walk[ClusterInfo]:
    """Every cluster (``list_cluster``'s pages)."""
    return Walk(lambda page: clusters.list_cluster(maxkeys, page, clustername, clusterstatus), marker)
