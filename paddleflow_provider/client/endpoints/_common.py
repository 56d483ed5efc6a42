"""Helpers shared by the endpoint modules."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from .._core import Call, Landed
from .._exceptions import InvalidArgumentError, NotFoundError
from .._model_base import Info, Page, items_of, marker_of

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=Info)

#: endpoint name -> builder; filled by ``@endpoint``.
REGISTRY: dict[str, Callable[..., Any]] = {}


def endpoint(aliases: dict[str, str] | None = None) -> Callable[[F], F]:
    """Register a builder and accept the reference's alternative keyword spellings.

    ``aliases`` maps an accepted spelling to the canonical argument (``fsname`` -> ``fs_name``). Giving
    both spellings, or an unknown keyword, is an argument error naming it. Arguments annotated ``str``
    or ``str | None`` are type-checked here, once for every endpoint (filters and markers would
    otherwise reach the wire as ``str(value)``); value rules stay in the builders.
    """
    table = aliases or {}

    def wrap(func: F) -> F:
        signature = inspect.signature(func)
        params = signature.parameters
        strings = [n for n, p in params.items() if p.annotation in ("str", "str | None")]

        @functools.wraps(func)
        def builder(*args: Any, **kwargs: Any) -> Any:
            for alias, canonical in table.items():
                if alias in kwargs:
                    if canonical in kwargs:
                        raise InvalidArgumentError(alias, f"given twice (also as {canonical!r})")
                    kwargs[canonical] = kwargs.pop(alias)
            unknown = [k for k in kwargs if k not in params]
            if unknown:
                accepted = ", ".join(list(params) + list(table))
                raise InvalidArgumentError(
                    unknown[0], f"unknown argument for {func.__name__}; accepted: {accepted}"
                )
            try:
                given = signature.bind(*args, **kwargs).arguments
            except TypeError as exc:
                raise InvalidArgumentError(func.__name__, str(exc)) from None
            for name in strings:
                value = given.get(name)
                if value is not None and not isinstance(value, str):
                    raise InvalidArgumentError(name, "must be a string", value)
            return func(*args, **kwargs)

        builder.aliases = dict(table)  # type: ignore[attr-defined]
        REGISTRY[func.__name__] = builder
        return builder  # type: ignore[return-value]

    return wrap


def none(_: Any) -> None:
    return None


def page_parser(
    model: type[M], key: str, keep: Callable[[M], bool] | None = None
) -> Callable[[Any], Page[M]]:
    def parse(data: Any) -> Page[M]:
        items = [model.model_validate(i) for i in items_of(data, key)]
        if keep is not None:
            items = [i for i in items if keep(i)]
        truncated = bool(data.get("isTruncated", data.get("truncated", False)))
        return Page(items, marker_of(data), truncated)

    return parse


def model_parser(model: type[M]) -> Callable[[Any], M]:
    def parse(data: Any) -> M:
        if not isinstance(data, dict):
            raise TypeError(f"expected a JSON object, got {type(data).__name__}")
        return model.model_validate(data)

    return parse


def field_parser(key: str) -> Callable[[Any], str]:
    def parse(data: Any) -> str:
        if not isinstance(data, dict) or not data.get(key):
            raise KeyError(f"answer has no {key!r}")
        return str(data[key])

    return parse


def landed_if_found(show: Call[Any], value: Callable[[Any], Any] = lambda _: None) -> Any:
    """Flow for a create's "did it land?" check: ``Landed(value(found))`` if ``show`` finds the
    object, None if the server says it does not exist (any other error propagates)."""
    try:
        found = yield show
    except NotFoundError:
        return None
    return Landed(value(found))


#: iter helper -> (list endpoint, its page-size keyword). Every face walks pages with ``PageWalk``.
ITERATORS: dict[str, tuple[str, str]] = {
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
LARGEST_PAGE = 1000


class PageWalk:
    """Which page to ask for next, for every way of walking a list (the sync and async ``iter_*``
    helpers, the look-up flows): follow ``next_marker`` until the last page, and stop, rather than
    loop for ever, when the server hands back a marker it gave before.

    ``PageWalk(name, filters)`` also takes the caller's ``marker`` out of the filters and asks for the
    largest pages unless the caller chose a page size (fewer round trips for the same items).
    """

    def __init__(self, iterator: str | None = None, filters: dict[str, Any] | None = None) -> None:
        self.filters = dict(filters or {})
        if iterator is not None:
            size_arg = ITERATORS[iterator][1]
            self.filters.setdefault(size_arg, LARGEST_PAGE)
        self.marker: str | None = self.filters.pop("marker", None)
        self._seen = {self.marker} if self.marker else set()

    def advance(self, page: Page[Any]) -> bool:
        """Move to the page after ``page``; False when there is none."""
        marker = page.next_marker
        if not marker or marker in self._seen:
            return False
        self._seen.add(marker)
        self.marker = marker
        return True


def walk(build: Callable[[str | None], Call[Page[M]]]) -> Any:
    """Flow fragment: yield page calls until the last page; returns every item. Use ``yield from``."""
    items: list[M] = []
    pages = PageWalk()
    while True:
        page = yield build(pages.marker)
        items.extend(page.items)
        if not pages.advance(page):
            return items


def endpoint_method(method: F, owner: str, name: str, builder: Callable[..., Any]) -> F:
    """Dress a generated face method as the endpoint it runs (name, docs, the builder for stubs)."""
    method.__name__ = name
    method.__qualname__ = f"{owner}.{name}"
    method.__doc__ = builder.__doc__
    method.__wrapped__ = builder  # type: ignore[attr-defined]
    return method


def drop_none(**kwargs: Any) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if v is not None}
