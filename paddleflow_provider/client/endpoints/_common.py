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


def walk(build: Callable[[str | None], Call[Page[M]]]) -> Any:
    """Flow fragment: yield page calls until the last page; returns every item. Use ``yield from``."""
    items: list[M] = []
    marker: str | None = None
    seen: set[str] = set()
    while True:
        page = yield build(marker)
        items.extend(page.items)
        if not page.next_marker or page.next_marker in seen:
            return items
        seen.add(page.next_marker)
        marker = page.next_marker


def drop_none(**kwargs: Any) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if v is not None}
