"""``PaddleFlowAPI``: the typed face. Returns payloads, raises ``PaddleFlowError`` subclasses.

Every endpoint method is generated from its definition in ``endpoints/`` (one definition per
request); only the methods that are more than a request definition (login, mount, the ``iter_*``
pagination helpers) are written here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ._config import ClientConfig
from ._mount import mount_flow
from ._retry import SleepFn
from ._sync import SyncTransport
from .endpoints import MODULES
from .endpoints._common import REGISTRY

assert MODULES  # importing the endpoint modules fills REGISTRY


def _sync_method(name: str, builder: Callable[..., Any]) -> Callable[..., Any]:
    def method(self: PaddleFlowAPI, *args: Any, **kwargs: Any) -> Any:
        return self._transport.run(builder(*args, **kwargs))

    method.__name__ = name
    method.__qualname__ = f"PaddleFlowAPI.{name}"
    method.__doc__ = builder.__doc__
    method.__wrapped__ = builder  # type: ignore[attr-defined]
    return method


#: iter helper -> (list method, marker keyword, page-size keyword and the largest page)
_ITERATORS: dict[str, tuple[str, str | None]] = {
    "iter_users": ("list_user", "maxsize"),
    "iter_queues": ("list_queue", "maxsize"),
    "iter_queue_grants": ("show_queue_grant", "maxsize"),
    "iter_flavours": ("list_flavour", "maxsize"),
    "iter_fs": ("list_fs", "maxsize"),
    "iter_links": ("list_link", "maxsize"),
    "iter_runs": ("list_run", "maxsize"),
    "iter_caches": ("list_cache", "max_keys"),
    "iter_artifacts": ("list_artifact", "maxkeys"),
    "iter_pipelines": ("list_pipeline", "max_keys"),
    "iter_schedules": ("list_schedule", "max_keys"),
    "iter_clusters": ("list_cluster", "maxkeys"),
}


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

    def mount(
        self,
        fsname: str,
        path: str,
        mount_options: dict[str, Any] | None = None,
        username: str | None = None,
        **aliases: Any,
    ) -> None:
        """Mount a file system locally with the PaddleFlow FUSE client (see ``_mount``)."""
        if "mountOptions" in aliases:
            mount_options = aliases.pop("mountOptions")
        if aliases:
            from ._exceptions import InvalidArgumentError

            raise InvalidArgumentError(next(iter(aliases)), "unknown argument for mount")
        self._transport.run(mount_flow(self, fsname, path, mount_options, username))

    def _iterate(self, list_name: str, size_arg: str | None, **kwargs: Any) -> Iterator[Any]:
        if size_arg and size_arg not in kwargs:
            kwargs[size_arg] = 1000
        marker = kwargs.pop("marker", None)
        seen: set[str] = set()
        while True:
            page = getattr(self, list_name)(marker=marker, **kwargs)
            yield from page.items
            if not page.next_marker or page.next_marker in seen:
                return
            seen.add(page.next_marker)
            marker = page.next_marker


def _iter_method(name: str, list_name: str, size_arg: str | None) -> Callable[..., Iterator[Any]]:
    def method(self: PaddleFlowAPI, **filters: Any) -> Iterator[Any]:
        return self._iterate(list_name, size_arg, **filters)

    method.__name__ = name
    method.__doc__ = f"Every item of ``{list_name}`` (same filters), across all pages."
    return method


for _name, _builder in REGISTRY.items():
    if not hasattr(PaddleFlowAPI, _name):
        setattr(PaddleFlowAPI, _name, _sync_method(_name, _builder))
for _name, (_list, _size) in _ITERATORS.items():
    setattr(PaddleFlowAPI, _name, _iter_method(_name, _list, _size))
