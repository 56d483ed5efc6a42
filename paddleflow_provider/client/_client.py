"""``Client``: the SDK reference's tuple face, derived from the typed ``PaddleFlowAPI``.

Every method returns ``(True, response)`` on success and ``(False, message)`` on any failure the
reference describes (server error, network failure after retries, invalid argument); it never raises
for those. ``list_cluster`` and ``get_statistics_detail`` return 3-tuples, as their tables say. The
shapes of ``response`` follow the reference's return tables; the adapters below are the only code
specific to this face.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from ._api import PaddleFlowAPI
from ._config import DEFAULT_PORT, ClientConfig
from ._exceptions import InvalidArgumentError, PaddleFlowError
from ._model_base import Page
from ._models_run import LogInfo, RunLog

_CONFIG_OPTIONS = (
    "scheme",
    "verify",
    "ca_bundle",
    "timeout",
    "max_attempts",
    "max_retry_time",
    "backoff_initial",
    "backoff_max",
    "retry_after_max",
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


def _same(result: Any) -> Any:
    return result


def _none(_: Any) -> None:
    return None


def _items(page: Page[Any]) -> list[Any]:
    return list(page.items)


def _listing(key: str) -> Callable[[Page[Any]], dict[str, Any]]:
    return lambda page: {key: list(page.items), "nextMarker": page.next_marker}


#: method -> (success adapter giving the response part(s), extra items of a failure tuple)
SHAPES: dict[str, tuple[Callable[[Any], Any], tuple[Any, ...]]] = {
    "login": (_none, ()),
    "add_user": (_none, ()),
    "del_user": (_none, ()),
    "update_password": (_none, ()),
    "list_user": (_items, ()),
    "grant_queue": (_none, ()),
    "ungrant_queue": (_none, ()),
    "show_queue_grant": (_items, ()),
    "list_queue": (_items, ()),
    "show_queue": (_same, ()),
    "create_queue": (_none, ()),
    "stop_queue": (_none, ()),
    "del_queue": (_none, ()),
    "list_flavour": (_items, ()),
    "add_fs": (_none, ()),
    "show_fs": (_same, ()),
    "list_fs": (_items, ()),
    "delete_fs": (_none, ()),
    "mount": (_none, ()),
    "add_link": (_none, ()),
    "delete_link": (_none, ()),
    "list_link": (_items, ()),
    "show_link": (lambda r: list(r.items) if isinstance(r, Page) else r, ()),
    "create_run": (_same, ()),
    "find_run_by_client_token": (_same, ()),  # extension: RunInfo or None
    "list_run": (_listing("runList"), ()),
    "show_run": (_same, ()),
    "stop_run": (_none, ()),
    "delete_run": (_none, ()),
    "retry_run": (_same, ()),
    "list_cache": (_listing("runCacheList"), ()),
    "show_cache": (_same, ()),
    "delete_cache": (_none, ()),
    "list_artifact": (_listing("artifactList"), ()),
    "create_pipeline": (
        lambda c: {"name": c.name, "pplID": c.pipeline_id, "pplVerID": c.pipeline_version_id},
        (),
    ),
    "list_pipeline": (_listing("pipelineList"), ()),
    "show_pipeline": (
        lambda d: {
            "pipelineInfo": d.pipeline,
            "pipelineVersionList": d.versions,
            "nextMarker": d.next_marker,
        },
        (),
    ),
    "delete_pipeline": (_none, ()),
    "update_pipeline": (
        lambda u: {"pipelineID": u.pipeline_id, "pipelineVersionID": u.pipeline_version_id},
        (),
    ),
    "show_pipeline_version": (lambda d: {"pipelineInfo": d.pipeline, "pipelineVersionInfo": d.version}, ()),
    "delete_pipeline_version": (_none, ()),
    "create_schedule": (_same, ()),
    "list_schedule": (_listing("scheduleList"), ()),
    "show_schedule": (
        lambda d: {"scheduleInfo": d.schedule, "runList": d.runs, "nextMarker": d.next_marker},
        (),
    ),
    "stop_schedule": (_none, ()),
    "delete_schedule": (_none, ()),
    "create_cluster": (_same, ()),
    "list_cluster": (lambda p: (list(p.items), p.next_marker), (None,)),
    "show_cluster": (_same, ()),
    "delete_cluster": (_none, ()),
    "update_cluster": (_same, ()),
    "list_cluster_resource": (_same, ()),
    "show_log": (LogList, ()),
    "get_statistics": (_same, ()),
    "get_statistics_detail": (lambda d: (d, d.truncated), (False,)),
}
_MULTI = {"list_cluster", "get_statistics_detail"}


def describe(exc: PaddleFlowError) -> str:
    """The ``(False, message)`` text: the cause (server status, code, text, request id; or the argument)."""
    return str(exc)


def _tuple_method(name: str, adapt: Callable[[Any], Any], fail_extra: tuple[Any, ...]) -> Callable[..., Any]:
    typed = getattr(PaddleFlowAPI, name)
    check_binding = not hasattr(typed, "__wrapped__")  # generated methods check their own arguments

    def method(self: Client, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        try:
            if check_binding:
                try:
                    inspect.signature(typed).bind(self.api, *args, **kwargs)
                except TypeError as exc:
                    raise InvalidArgumentError(name, str(exc)) from None
            result = getattr(self.api, name)(*args, **kwargs)
        except PaddleFlowError as exc:
            return (False, describe(exc), *fail_extra)
        shaped = adapt(result)
        return (True, *shaped) if name in _MULTI else (True, shaped)

    method.__name__ = name
    method.__qualname__ = f"Client.{name}"
    method.__doc__ = (typed.__doc__ or "") + "\n\nTuple face: ``(True, response)`` or ``(False, message)``."
    return method


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


for _name, (_adapt, _extra) in SHAPES.items():
    setattr(Client, _name, _tuple_method(_name, _adapt, _extra))
