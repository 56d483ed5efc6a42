"""``Client``: the SDK reference's tuple face, over the typed ``PaddleFlowAPI``.

Every method returns ``(True, response)`` on success and ``(False, message)`` on any failure the
reference describes (server error, network failure after retries, invalid argument); it never raises
for those (``answer`` turns the errors into the failure tuple, in one place). Each endpoint method is
one line that names its builder and says what ``response`` is, following the reference's return
tables: ``show_run = reply(runs.show_run)`` (the typed result), ``list_user = reply(users.list_user,
items)``; ``list_cluster`` and ``get_statistics_detail`` return 3-tuples (``reply3``), as their tables
say. The builder's call runs on ``self.api``'s transport: the same session as the typed face.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any, Concatenate, Literal, ParamSpec, TypeAlias, TypeVar, cast, overload

from ..connection_schema import DEFAULT_PORT
from ._api import PaddleFlowAPI
from ._config import ClientConfig
from ._exceptions import InvalidArgumentError, PaddleFlowError
from ._model_base import Page
from ._models import LinkInfo
from ._models_run import LogInfo, RunLog
from ._mount import MOUNT_ALIASES
from ._validate import credential
from .endpoints import clusters, fs, pipelines, runs, users
from .endpoints._common import Job, checked, face_method, takes

F = TypeVar("F", bound=Callable[..., Any])
P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R")
A = TypeVar("A")
B = TypeVar("B")
#: what the third item of a failed 3-tuple is (``list_cluster``: None; ``get_statistics_detail``: False)
Z = TypeVar("Z", None, Literal[False])
#: what a tuple-face method answers: ``(True, response)`` or ``(False, message)``
Reply: TypeAlias = tuple[Literal[True], T] | tuple[Literal[False], str]
#: ``list_cluster``'s and ``get_statistics_detail``'s answers: ``(True, response, extra)`` or
#: ``(False, message, failure)``
Reply3: TypeAlias = tuple[Literal[True], A, B] | tuple[Literal[False], str, Z]

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


# -- what ``response`` holds: shapes of the typed results ------------------------------------------
def items(page: Page[T]) -> list[T]:
    """A list answer as the reference's list of items."""
    return page.items


def listing(key: str) -> Callable[[Page[Any]], dict[str, Any]]:
    """A list answer as the reference's dict: the items under ``key``, and ``nextMarker``."""
    return lambda page: {key: page.items, "nextMarker": page.next_marker}


def record(**fields: Any) -> dict[str, Any]:
    """A reference dict answer (its keys are the reference's)."""
    return fields


def links(found: LinkInfo | Page[LinkInfo]) -> LinkInfo | list[LinkInfo]:
    """``show_link``: with ``fspath``, that link; without, the fs's links as a list (two tables)."""
    return found.items if isinstance(found, Page) else found


def describe(exc: PaddleFlowError) -> str:
    """The ``(False, message)`` text: the cause (server status, code, text, request id; or the argument)."""
    return str(exc)


def answer(success: Callable[[], R], failure: tuple[Any, ...] = ()) -> Any:
    """``success()``, or ``(False, message, *failure)`` for any ``PaddleFlowError`` (server, network after
    retries, argument): the one place the tuple face turns errors into answers."""
    try:
        return success()
    except PaddleFlowError as exc:
        return (False, describe(exc), *failure)


def replies(*, aliases: dict[str, str]) -> Callable[[F], F]:
    """Decorate a hand-written tuple-face method (``login``, ``mount``): ``takes``'s argument rules, and
    errors answered by ``answer``."""

    def wrap(method: F) -> F:
        rules = takes(aliases=aliases)(method)

        @functools.wraps(method)
        def replying(self: Client, /, *args: Any, **kwargs: Any) -> Any:
            return answer(lambda: rules(self, *args, **kwargs))

        return cast(F, replying)

    return wrap


def _tuple_method(
    builder: Callable[..., Job[T]], success: Callable[[T], Any], failure: tuple[Any, ...], returns: str
) -> Any:
    """The method for ``builder``: its call run on ``self.api``'s transport, answered by ``answer``
    (``returns``: the result type ``help()`` shows)."""
    build = checked(builder)

    def method(self: Client, /, *args: Any, **kwargs: Any) -> Any:
        return answer(lambda: success(self.api._transport.run(build(*args, **kwargs))), failure)

    return face_method(builder, method, returns.format)


@overload
def reply(builder: Callable[P, Job[T]]) -> Callable[Concatenate[Client, P], Reply[T]]: ...
@overload
def reply(
    builder: Callable[P, Job[T]], shape: Callable[[T], R]
) -> Callable[Concatenate[Client, P], Reply[R]]: ...
def reply(builder: Callable[..., Job[Any]], shape: Callable[[Any], Any] | None = None) -> Any:
    """``Client``'s method for ``builder``: ``(True, shape(result))`` (the result itself without a
    ``shape``), or ``(False, message)``."""
    if shape is None:
        return _tuple_method(builder, lambda result: (True, result), (), "Reply[{}]")
    return _tuple_method(builder, lambda result: (True, shape(result)), (), "Reply")


def reply3(
    builder: Callable[P, Job[T]], shape: Callable[[T], tuple[A, B]], failure: Z
) -> Callable[Concatenate[Client, P], Reply3[A, B, Z]]:
    """``Client``'s method for ``builder`` when the reference's table has three items:
    ``(True, *shape(result))``, or ``(False, message, failure)``."""
    return _tuple_method(builder, lambda result: (True, *shape(result)), (failure,), "Reply3")


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
        config = ClientConfig(
            host=paddleflow_server_host,
            port=str(paddleflow_server_port),
            username=username,
            password=credential("password", password),
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

    @replies(aliases={})
    def login(self, user_name: str | None = None, password: str | None = None) -> Reply[None]:
        self.api.login(user_name, password)
        return True, None

    @replies(aliases=MOUNT_ALIASES)
    def mount(
        self, fsname: str, path: str, mount_options: dict[str, Any] | None = None, username: str | None = None
    ) -> Reply[None]:
        self.api.mount(fsname, path, mount_options, username)
        return True, None

    # -- one method per endpoint: ``reply(builder, shape of response)`` ------------------------------
    # users, queues, grants, flavours
    add_user = reply(users.add_user)
    del_user = reply(users.del_user)
    update_password = reply(users.update_password)
    list_user = reply(users.list_user, items)
    grant_queue = reply(users.grant_queue)
    ungrant_queue = reply(users.ungrant_queue)
    show_queue_grant = reply(users.show_queue_grant, items)
    list_queue = reply(users.list_queue, items)
    show_queue = reply(users.show_queue)
    create_queue = reply(users.create_queue)
    stop_queue = reply(users.stop_queue)
    del_queue = reply(users.del_queue)
    list_flavour = reply(users.list_flavour, items)
    # file systems and links
    add_fs = reply(fs.add_fs)
    show_fs = reply(fs.show_fs)
    list_fs = reply(fs.list_fs, items)
    delete_fs = reply(fs.delete_fs)
    add_link = reply(fs.add_link)
    delete_link = reply(fs.delete_link)
    show_link = reply(fs.show_link, links)
    list_link = reply(fs.list_link, items)
    # runs, run caches, artifacts, logs
    create_run = reply(runs.create_run)
    find_run_by_client_token = reply(runs.find_run_by_client_token)  # (True, None): no run has the token
    list_run = reply(runs.list_run, listing("runList"))
    show_run = reply(runs.show_run)
    stop_run = reply(runs.stop_run)
    delete_run = reply(runs.delete_run)
    retry_run = reply(runs.retry_run)
    list_cache = reply(runs.list_cache, listing("runCacheList"))
    show_cache = reply(runs.show_cache)
    delete_cache = reply(runs.delete_cache)
    list_artifact = reply(runs.list_artifact, listing("artifactList"))
    show_log = reply(runs.show_log, LogList)
    # pipelines and schedules
    create_pipeline = reply(
        pipelines.create_pipeline,
        lambda new: record(name=new.name, pplID=new.pipeline_id, pplVerID=new.pipeline_version_id),
    )
    list_pipeline = reply(pipelines.list_pipeline, listing("pipelineList"))
    show_pipeline = reply(
        pipelines.show_pipeline,
        lambda got: record(
            pipelineInfo=got.pipeline, pipelineVersionList=got.versions, nextMarker=got.next_marker
        ),
    )
    delete_pipeline = reply(pipelines.delete_pipeline)
    update_pipeline = reply(
        pipelines.update_pipeline,
        lambda new: record(pipelineID=new.pipeline_id, pipelineVersionID=new.pipeline_version_id),
    )
    show_pipeline_version = reply(
        pipelines.show_pipeline_version,
        lambda got: record(pipelineInfo=got.pipeline, pipelineVersionInfo=got.version),
    )
    delete_pipeline_version = reply(pipelines.delete_pipeline_version)
    create_schedule = reply(pipelines.create_schedule)
    list_schedule = reply(pipelines.list_schedule, listing("scheduleList"))
    show_schedule = reply(
        pipelines.show_schedule,
        lambda got: record(scheduleInfo=got.schedule, runList=got.runs, nextMarker=got.next_marker),
    )
    stop_schedule = reply(pipelines.stop_schedule)
    delete_schedule = reply(pipelines.delete_schedule)
    # clusters and statistics
    create_cluster = reply(clusters.create_cluster)
    #: ``(True, clusters, next marker)`` or ``(False, message, None)``
    list_cluster = reply3(clusters.list_cluster, lambda page: (page.items, page.next_marker), None)
    show_cluster = reply(clusters.show_cluster)
    delete_cluster = reply(clusters.delete_cluster)
    update_cluster = reply(clusters.update_cluster)
    list_cluster_resource = reply(clusters.list_cluster_resource)
    get_statistics = reply(clusters.get_statistics)
    #: ``(True, detail, truncated)`` or ``(False, message, False)``
    get_statistics_detail = reply3(clusters.get_statistics_detail, lambda got: (got, got.truncated), False)
