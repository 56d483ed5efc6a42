"""Helpers shared by the endpoint modules, and the argument rules every face applies (``takes``)."""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from .._core import Call, Landed
from .._exceptions import InvalidArgumentError, NotFoundError
from .._model_base import Info, Page, items_of, marker_of

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=Info)


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """A builder and the reference's other spellings of its arguments (``fsname`` -> ``fs_name``)."""

    builder: Callable[..., Any]
    aliases: Mapping[str, str]


#: builder name -> ``Endpoint``; filled by ``@endpoint``. No face reads it to make methods (each face
#: method names its builder); ``takes`` finds a builder's aliases here, and tests walk it to check
#: that every builder has its method on every face.
ENDPOINTS: dict[str, Endpoint] = {}


def endpoint(aliases: dict[str, str] | None = None) -> Callable[[F], F]:
    """Declare a builder an endpoint, with the reference's alternative keyword spellings.

    ``aliases`` maps an accepted spelling to the canonical argument (``fsname`` -> ``fs_name``). The
    builder itself is returned unchanged: the face methods apply the argument rules (``takes``), so
    the flows inside the package call builders directly, without that cost.
    """

    def declare(func: F) -> F:
        ENDPOINTS[func.__name__] = Endpoint(func, dict(aliases or {}))
        return func

    return declare


class ArgumentRules:
    """How every face method reads its caller's arguments (the one place for these rules).

    A reference spelling is renamed to its canonical argument; giving both spellings, an unknown
    keyword or a binding the signature refuses (a missing argument, one too many) is an
    ``InvalidArgumentError`` naming it, never a ``TypeError``, so the tuple face can answer
    ``(False, message)``. Arguments annotated ``str`` or ``str | None`` are type-checked here, once for
    every method (filters and markers would otherwise reach the wire as ``str(value)``); value rules
    stay in the builders.
    """

    def __init__(self, method: Callable[..., Any], aliases: Mapping[str, str]) -> None:
        self.name = method.__name__
        self.aliases = aliases
        signature = inspect.signature(method)
        params = list(signature.parameters.values())[1:]  # without ``self``
        self.signature = signature.replace(parameters=params)
        self.params = [p.name for p in params]
        self.strings = [p.name for p in params if p.annotation in ("str", "str | None")]

    def canonical(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """The keyword arguments with canonical names, once the call passed every rule."""
        for alias, canonical in self.aliases.items():
            if alias in kwargs:
                if canonical in kwargs:
                    raise InvalidArgumentError(alias, f"given twice (also as {canonical!r})")
                kwargs[canonical] = kwargs.pop(alias)
        unknown = [k for k in kwargs if k not in self.params]
        if unknown:
            accepted = ", ".join(self.params + list(self.aliases))
            raise InvalidArgumentError(unknown[0], f"unknown argument for {self.name}; accepted: {accepted}")
        try:
            given = self.signature.bind(*args, **kwargs).arguments
        except TypeError as exc:
            raise InvalidArgumentError(self.name, str(exc)) from None
        for name in self.strings:
            value = given.get(name)
            if value is not None and not isinstance(value, str):
                raise InvalidArgumentError(name, "must be a string", value)
        return kwargs


def takes(
    builder: Callable[..., Any] | None = None, *, aliases: Mapping[str, str] | None = None
) -> Callable[[F], F]:
    """Decorate a face method that takes ``builder``'s arguments (or, for the methods that are no
    single request, ``login`` and ``mount``, its own with ``aliases``): ``ArgumentRules`` run
    before the method, which then sees canonical arguments only.

    Why a decorator: the reference's spellings and the argument errors must hold for every method of
    every face alike, and Python binds a call before the body could translate anything. The alias
    table stays with the builder (``@endpoint``), so a method's signature shows the canonical names.
    """
    table = aliases or {}
    if builder is not None:
        declared = ENDPOINTS.get(builder.__name__)
        if declared is None or declared.builder is not builder:
            raise TypeError(f"{builder.__name__} is not a builder declared with @endpoint")
        table = declared.aliases

    def wrap(method: F) -> F:
        rules = ArgumentRules(method, table)
        if inspect.iscoroutinefunction(method):

            @functools.wraps(method)
            async def checked_coroutine(self: Any, *args: Any, **kwargs: Any) -> Any:
                return await method(self, *args, **rules.canonical(args, kwargs))

            return cast(F, checked_coroutine)

        @functools.wraps(method)
        def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
            return method(self, *args, **rules.canonical(args, kwargs))

        return cast(F, checked)

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


#: the page size the ``iter_*`` helpers ask for unless the caller chose one (fewer round trips)
LARGEST_PAGE = 1000


class PageWalk:
    """Which page to ask for next, for every way of walking a list (the sync and async ``iter_*``
    helpers, the look-up flows): follow ``next_marker`` from ``marker`` (the first page when None)
    until the last page, and stop, rather than loop for ever, when the server hands back a marker it
    gave before.
    """

    def __init__(self, marker: str | None = None) -> None:
        self.marker = marker
        self._seen = {marker} if marker else set()

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


def drop_none(**kwargs: Any) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if v is not None}
