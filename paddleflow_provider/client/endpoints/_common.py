"""Helpers shared by the endpoint modules, and what every face method derived from a builder shares:
the argument rules (``checked``) and the builder's name, docstring and signature (``face_method``)."""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, Generic, ParamSpec, TypeAlias, TypeVar, cast

from .._core import Call, Flow, Landed
from .._exceptions import InvalidArgumentError, NotFoundError, ProtocolError, shown
from .._model_base import Info, Page, items_of, marker_of
from .._validate import encodable

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=Info)
P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
#: what an endpoint builder returns: one call, or a flow of calls (``_core``)
Job: TypeAlias = Call[T] | Flow[T]


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """A builder and the reference's other spellings of its arguments (``fsname`` -> ``fs_name``)."""

    builder: Callable[..., Any]
    aliases: Mapping[str, str]


#: builder name -> ``Endpoint``; filled by ``@endpoint``. No face reads it to make methods (each face
#: method names its builder); ``checked`` finds a builder's aliases here, and tests walk it to check
#: that every builder has its method on every face.
ENDPOINTS: dict[str, Endpoint] = {}
#: the same for the page walks behind the ``iter_*`` helpers (``@walks``, in ``endpoints/walks.py``)
WALKS: dict[str, Endpoint] = {}


def endpoint(aliases: dict[str, str] | None = None) -> Callable[[F], F]:
    """Declare a builder an endpoint, with the reference's alternative keyword spellings.

    ``aliases`` maps an accepted spelling to the canonical argument (``fsname`` -> ``fs_name``). The
    builder itself is returned unchanged: the face methods apply the argument rules (``checked``), so
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
    every method (filters and markers would otherwise reach the wire as ``str(value)``), every text
    argument must be encodable (``_validate.encodable``: no lone surrogate), and one that is a ``str``
    subclass goes on as the plain ``str`` it holds (so no rule or transport ever runs a caller's
    ``__eq__``, ``__hash__`` or ``__str__``, and a ``StrEnum`` member is sent as its value); value rules
    stay in the builders.
    """

    def __init__(self, name: str, signature: inspect.Signature, aliases: Mapping[str, str]) -> None:
        self.name = name
        self.aliases = aliases
        self.signature = signature
        params = list(signature.parameters.values())
        self.params = [p.name for p in params]
        self.strings = [p.name for p in params if p.annotation in ("str", "str | None")]

    def canonical(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The arguments, keywords with canonical names, once the call passed every rule."""
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
        for name, value in given.items():  # every text argument, whatever else it may also be
            if isinstance(value, str):
                encodable(name, value)
        if any(isinstance(v, str) and type(v) is not str for v in given.values()):
            args = tuple(_plain(v) for v in args)
            kwargs = {k: _plain(v) for k, v in kwargs.items()}
        return args, kwargs


def _plain(value: Any) -> Any:
    """A ``str`` subclass's value as a plain ``str`` (``str.__str__`` runs none of the subclass's
    methods); any other value unchanged."""
    return str.__str__(value) if isinstance(value, str) and type(value) is not str else value


def declared(builder: Callable[..., Any]) -> Endpoint:
    """The declaration (``@endpoint``, or ``@walks`` for a page walk) of ``builder``."""
    found = ENDPOINTS.get(builder.__name__) or WALKS.get(builder.__name__)
    if found is None or found.builder is not builder:
        raise TypeError(f"{builder.__name__} is not a builder declared with @endpoint or @walks")
    return found


def checked(builder: Callable[P, R]) -> Callable[P, R]:
    """``builder`` behind its ``ArgumentRules``: what every face method derived from it calls.

    Why the rules come first: the reference's spellings and the argument errors must hold for every
    method of every face alike, and Python binds a call before the builder could translate anything.
    The alias table stays with the builder (``@endpoint``), so signatures show the canonical names.
    """
    rules = ArgumentRules(builder.__name__, inspect.signature(builder), declared(builder).aliases)

    def build(*args: Any, **kwargs: Any) -> R:
        args, kwargs = rules.canonical(args, kwargs)
        return builder(*args, **kwargs)

    return build


def takes(*, aliases: Mapping[str, str] | None = None) -> Callable[[F], F]:
    """``ArgumentRules`` for a hand-written face method that is no single request (``login``,
    ``mount``): its own signature, with the reference's other spellings ``aliases``."""

    def wrap(method: F) -> F:
        signature = inspect.signature(method)
        params = list(signature.parameters.values())[1:]  # without ``self``
        rules = ArgumentRules(method.__name__, signature.replace(parameters=params), aliases or {})

        # ``self`` positional-only: ``self=`` is an unknown argument like any other, not a TypeError.
        if inspect.iscoroutinefunction(method):  # the argument error comes when awaited, as elsewhere

            @functools.wraps(method)
            async def checked_coroutine(self: Any, /, *args: Any, **kwargs: Any) -> Any:
                args, kwargs = rules.canonical(args, kwargs)
                return await method(self, *args, **kwargs)

            return cast(F, checked_coroutine)

        @functools.wraps(method)
        def checked_method(self: Any, /, *args: Any, **kwargs: Any) -> Any:
            args, kwargs = rules.canonical(args, kwargs)
            return method(self, *args, **kwargs)

        return cast(F, checked_method)

    return wrap


def face_method(builder: Callable[..., Any], method: F, result: Callable[[str], str]) -> F:
    """``method``, derived from ``builder``, as ``help()``, ``inspect`` and an IDE's hover show it: the
    builder's name, docstring and parameters (``functools.wraps``), after ``self``, and the face's
    result type (``result`` of the text inside the builder's ``Call[...]``/``Flow[...]``/``Walk[...]``).
    """
    functools.update_wrapper(method, builder)
    signature = inspect.signature(builder)
    text = str(signature.return_annotation)
    returns = result(text[text.index("[") + 1 : -1])
    this = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    params = [this, *signature.parameters.values()]
    vars(method)["__signature__"] = signature.replace(parameters=params, return_annotation=returns)
    return method


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


#: the most pages one walk of a list follows: 10 million items at the largest page size, far beyond
#: any real list, yet a walk of a server that always answers "there is a next page" ends
MAX_PAGES = 10_000


class PageWalk:
    """Which page to ask for next, for every way of walking a list (the sync and async ``iter_*``
    helpers, the look-up flows): follow ``next_marker`` from ``marker`` (the first page when None)
    until the last page, and stop, rather than loop for ever, when the server hands back a marker it
    gave before, or, with ``ProtocolError``, after ``MAX_PAGES`` pages (a server whose markers never
    repeat and never end would otherwise keep the walk, and a look-up's growing list, going for ever).
    """

    def __init__(self, marker: str | None = None) -> None:
        self.marker = marker
        self._seen = {marker} if marker else set()
        self._pages = 0

    def advance(self, page: Page[Any], of: str) -> bool:
        """Move to the page after ``page`` (an answer of the list call ``of``); False when there is none."""
        marker = page.next_marker
        if not marker or marker in self._seen:
            return False
        self._pages += 1
        if self._pages >= MAX_PAGES:
            raise ProtocolError(
                f"{of}: the server still answered a next page (marker {shown(marker)}) after {self._pages}"
                f" pages; a list of more than {MAX_PAGES} pages is taken for a server fault,"
                " so the walk stopped"
            )
        self._seen.add(marker)
        self.marker = marker
        return True


@dataclasses.dataclass(frozen=True)
class Walk(Generic[T]):
    """What an ``iter_*`` helper walks: ``page(marker)`` is the list call for the page at ``marker``;
    the walk starts at ``marker`` (the first page when None) and goes on as ``PageWalk`` says."""

    page: Callable[[str | None], Call[Page[T]]]
    marker: str | None = None


def walks(builder: Callable[..., Any]) -> Callable[[F], F]:
    """Declare a page walk (an ``iter_*`` helper's builder) over the list ``builder``: the walk takes
    the list's filters, and the list's other spellings of them."""
    aliases = declared(builder).aliases

    def declare(func: F) -> F:
        WALKS[func.__name__] = Endpoint(func, aliases)
        return func

    return declare


def walk(build: Callable[[str | None], Call[Page[M]]]) -> Any:
    """Flow fragment: yield page calls until the last page; returns every item. Use ``yield from``."""
    items: list[M] = []
    pages = PageWalk()
    while True:
        call = build(pages.marker)
        page = yield call
        items.extend(page.items)
        if not pages.advance(page, call.name):
            return items


def drop_none(**kwargs: Any) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if v is not None}
