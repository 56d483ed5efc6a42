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
from .endpoints._common import ITERATORS, REGISTRY, PageWalk, endpoint_method

assert MODULES  # importing the endpoint modules fills REGISTRY


def _sync_method(name: str, builder: Callable[..., Any]) -> Callable[..., Any]:
    def method(self: PaddleFlowAPI, *args: Any, **kwargs: Any) -> Any:
        return self._transport.run(builder(*args, **kwargs))

    return endpoint_method(method, "PaddleFlowAPI", name, builder)


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

    def _iterate(self, iterator: str, filters: dict[str, Any]) -> Iterator[Any]:
        list_page = getattr(self, ITERATORS[iterator][0])
        pages = PageWalk(iterator, filters)
        while True:
            page = list_page(marker=pages.marker, **pages.filters)
            yield from page.items
            if not pages.advance(page):
                return


def _iter_method(name: str, list_name: str) -> Callable[..., Iterator[Any]]:
    def method(self: PaddleFlowAPI, **filters: Any) -> Iterator[Any]:
        return self._iterate(name, filters)

    method.__name__ = name
    method.__doc__ = f"Every item of ``{list_name}`` (same filters), across all pages."
    return method


for _name, _builder in REGISTRY.items():
    if not hasattr(PaddleFlowAPI, _name):
        setattr(PaddleFlowAPI, _name, _sync_method(_name, _builder))
for _name, (_list, _size) in ITERATORS.items():
    setattr(PaddleFlowAPI, _name, _iter_method(_name, _list))
