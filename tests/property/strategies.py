"""What the property tests generate: arguments for every face method, and answers for the junk server.

Arguments are derived from each builder's signature (its annotations and defaults) and the valid
values of ``tests/unit/client/test_argument_types.py``, so a new endpoint or argument is covered
without touching this file; on top come hostile values of every kind a caller could pass. Answers are
built from HTTP's own parts (status line, headers, body, ``Content-Length``), with bodies whose keys
are the wire names the client's models read, so a generated answer often gets deep into parsing.
"""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from paddleflow_provider.client import _model_base, _models, _models_run  # noqa: F401  (the models register as Info subclasses)
from paddleflow_provider.client._exceptions import shown
from tests.property.junk_server import Answer, Seen
from tests.unit.client.test_argument_types import BASE, NAME, VALID

# -- arguments -----------------------------------------------------------------------------------------


class ReprRaises:
    """A value whose ``repr`` (and ``str``) raises: an error message must still be built."""

    def __repr__(self) -> str:
        raise RuntimeError("repr refused")

    __str__ = __repr__


class EqRaises(str):
    """A ``str`` whose comparisons, hash and ``repr`` raise (it passes every ``isinstance`` check)."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq refused")

    def __hash__(self) -> int:
        raise RuntimeError("hash refused")

    def __repr__(self) -> str:
        raise RuntimeError("repr refused")


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


#: Values no argument of any endpoint accepts, or accepts only by accident; each has broken a client.
#: (Drawn by position: hypothesis shows its strategies with ``repr``, which some of these refuse.)
HOSTILE: list[Any] = [
    None,
    True,
    0,
    -1,
    1001,
    2**63,
    10**5000,
    -(10**40),
    float("nan"),
    float("inf"),
    -0.0,
    "",
    " ",
    "\ud800",
    "a\udfffb",
    "\x00",
    "\n",
    "x" * 100_000,
    "../..",
    "a/b",
    "雪☃",
    b"",
    b"\xff\xfe",
    bytearray(b"abc"),
    [],
    ["a", 1],
    ["\ud800"],
    (),
    {},
    {"k": float("nan")},
    {1: "a"},
    {"k": {1, 2}},
    {"strategy": "continue", "x": 1},
    _nested(3000),
    {"k": _nested(3000)},
    object(),
    ReprRaises(),
    EqRaises("run-1"),
    1.5,
    complex(1, 2),
    range(3),
]


def hostile_value(index: int) -> Any:
    return HOSTILE[index]


known_hostile = st.integers(0, len(HOSTILE) - 1).map(hostile_value)
#: half of the draws from the known-hostile values, half from whole types
hostile = st.one_of(
    known_hostile,
    known_hostile,
    known_hostile,
    known_hostile,
    known_hostile,
    st.text(max_size=20),
    st.integers(),
    st.floats(),
    st.binary(max_size=10),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.one_of(st.text(max_size=5), st.integers()), max_size=3),
)


def valid_kwargs(name: str, builder: Callable[..., Any]) -> dict[str, Any]:
    """Keyword arguments that make a valid call of ``builder`` (the required ones, and a yaml source)."""
    kwargs = {
        p.name: NAME.get(name, "n1") if p.name == "name" else VALID[p.name]
        for p in inspect.signature(builder).parameters.values()
        if p.default is inspect.Parameter.empty
    }
    return {**kwargs, **BASE.get(name, {})}


class CallArgs:
    """Positional and keyword arguments, shown safely (hypothesis prints a failing example, and some
    of the values refuse ``repr``)."""

    def __init__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.args = args
        self.kwargs = kwargs

    def __repr__(self) -> str:
        args = [shown(a) for a in self.args] + [f"{k!r}={shown(v)}" for k, v in self.kwargs.items()]
        return f"CallArgs({', '.join(args)})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


@st.composite
def bad_call(draw: st.DrawFn, params: list[str], aliases: dict[str, str], valid: dict[str, Any]) -> CallArgs:
    """``CallArgs``: a valid call with one to three arguments made hostile; sometimes an unknown
    keyword, an argument given under two spellings, or one positional argument too many."""
    kwargs = dict(valid)
    for param in (
        draw(st.lists(st.sampled_from(params), min_size=1, max_size=3, unique=True)) if params else []
    ):
        kwargs[param] = draw(hostile)
    args: tuple[Any, ...] = ()
    shape = draw(st.sampled_from(["keywords", "keywords", "keywords", "unknown", "twice", "too_many"]))
    if shape == "unknown":
        kwargs[draw(st.sampled_from(["self", "bogus", "\ud800", "maxSize", ""]))] = draw(hostile)
    elif shape == "twice" and aliases:
        alias = draw(st.sampled_from(sorted(aliases)))
        kwargs[alias] = draw(hostile)
        kwargs.setdefault(aliases[alias], draw(hostile))
    elif shape == "too_many":
        args = (*(kwargs.pop(p) if p in kwargs else draw(hostile) for p in params), draw(hostile))
    return CallArgs(args, kwargs)


# -- answers ------------------------------------------------------------------------------------------


def _wire_keys() -> list[str]:
    """Every wire name the client's models read (their aliases), plus the keys list answers use."""
    keys = {
        "authorization", "nextMarker", "isTruncated", "truncated", "runList", "runLog", "submitLog",
        "pipeline", "pipelineVersion", "pplVersions", "runs", "id", "pipelineID", "pipelineVersionID",
        "runID", "scheduleID", "code", "message", "requestID", "name", "artifactEventList",
        "clusterList", "fsList", "flavourList", "grantList", "linkList", "pipelineList", "queueList",
        "runCacheList", "scheduleList", "userList",
    }  # fmt: skip
    pending = list(_model_base.Info.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        for field in model.model_fields.values():
            choices = getattr(field.validation_alias, "choices", None) or []
            keys.update(c for c in choices if isinstance(c, str))
    return sorted(keys)


WIRE_KEYS = _wire_keys()

json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["", "running", "succeeded", "0", "tok-1", "m1", "2024-01-01 00:00:00"]),
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(WIRE_KEYS), inner, max_size=4),
    ),
    max_leaves=12,
)
json_object = st.dictionaries(st.sampled_from(WIRE_KEYS), json_value, max_size=8)
#: a list item that often validates (a dict of the models' keys) or nearly does
list_item = st.dictionaries(st.sampled_from(WIRE_KEYS), json_scalar, max_size=6)
list_answer = st.builds(
    lambda key, items, marker: {key: items, "nextMarker": marker},
    st.sampled_from([k for k in WIRE_KEYS if k.endswith("List") or k in ("runs", "runLog", "pplVersions")]),
    st.lists(list_item, max_size=3),
    st.one_of(st.none(), st.just(""), st.text(max_size=4)),
)


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


body = st.one_of(
    st.just(b""),
    json_object.map(_json),
    list_answer.map(_json),
    json_value.map(_json),
    st.binary(max_size=40),
    st.sampled_from(
        [
            b"[" * 5000 + b"]" * 5000,
            b'{"a":' * 3000 + b"1" + b"}" * 3000,
            b"{",
            b"null",
            b'"text"',
            b"NaN",
            b'{"runID": NaN}',
            b'{"nextMarker": Infinity, "queueList": []}',
            b"\xff\xfe{}",
            b'{"code": "AuthInvalidToken", "message": "expired"}',
            b'{"code": "InvalidArguments", "message": "\\ud800"}',
            b'{"authorization": "tok\\n2"}',
            b"<html>502 Bad Gateway</html>",
            b" " * 10,
            b'{"runID": "' + b"r" * 300_000 + b'"}',
        ]
    ),
)

STATUSES = [200, 201, 204, 206, 299, 300, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 409, 418,
            429, 500, 502, 503, 504, 599, 100, 101, 199, 600, 999]  # fmt: skip

header_value = st.one_of(
    st.sampled_from(
        [
            b"http://[::1",
            b"ftp://x/y",
            b"\xff\xfe",
            b"//evil",
            b"/api/paddleflow/v1/run",
            b"",
            b"x" * 9000,
            b"0",
            b"-5",
            b"nan",
            b"1e400",
            b"Wed, 21 Oct 2099 07:28:00 GMT",
            b"text/html; charset=bogus",
            b"application/json; charset=utf-16",
            b"chunked",
            b"gzip",
        ]
    ),
    st.binary(max_size=12).filter(lambda b: b"\r" not in b and b"\n" not in b),
)
header = st.tuples(
    st.sampled_from(
        [
            b"Location",
            b"Retry-After",
            b"Content-Type",
            b"x-pf-request-id",
            b"Content-Encoding",
            b"Transfer-Encoding",
            b"Set-Cookie",
            b"X-Odd",
        ]
    ),
    header_value,
)

http_answer = st.builds(
    Answer,
    how=st.just("http"),
    status=st.sampled_from(STATUSES),
    reason=st.sampled_from([b"OK", b"", b"\xff", b"Whatever it is"]),
    headers=st.lists(header, max_size=3).map(tuple),
    body=body,
    length=st.sampled_from(["exact", "exact", "exact", "exact", "none", "more", "less", "bad"]),
)
broken_answer = st.one_of(
    st.builds(Answer, how=st.just("cut")),
    st.builds(
        Answer,
        how=st.just("raw"),
        body=st.sampled_from([b"", b"garbage\r\n\r\n", b"HTTP/1.1 2", b"\x00" * 64]),
    ),
)
#: answers that end: readable or not, well-formed or not (no stalls: those are the timeout test's)
junk_answer = st.one_of(http_answer, http_answer, http_answer, broken_answer)
#: answers that never end: none at all, or a head and half a body (of two bytes at least)
stalled_answer = st.builds(
    Answer,
    how=st.sampled_from(["stall", "stall_body"]),
    status=st.sampled_from([200, 500]),
    body=body.filter(lambda data: len(data) >= 2),
)
#: answers that come one byte every ``TRICKLE_SECONDS`` (no single read times out): from the status
#: line, the headers or the body on, ending or never ending
trickled_answer = st.builds(
    Answer,
    how=st.just("trickle"),
    trickle_from=st.sampled_from(["status", "headers", "body"]),
    endless=st.booleans(),
    status=st.sampled_from([200, 500]),
    body=body,
)

#: a login answer: usually a good token (so the call itself is reached), else junk of its own
good_login = Answer(body=b'{"authorization": "tok-1"}')
bad_tokens = st.sampled_from(["", "☃", "tok\nen", "tok\x00", "t" * 20_000, " tok", "tok\r\nX-Evil: 1"])
login_answer = st.one_of(
    st.just(good_login),
    st.just(good_login),
    st.just(good_login),
    bad_tokens.map(lambda token: Answer(body=_json({"authorization": token}))),
    st.builds(lambda v: Answer(body=_json({"authorization": v})), json_value),
    junk_answer,
)


def plan(login: Answer, answer: Answer) -> Callable[[Seen, int], Answer]:
    """A server plan: ``login`` for logins, ``answer`` for every other request."""
    return lambda seen, count: login if seen.path == "/login" else answer


def endless_pages(seen: Seen, count: int) -> Answer:
    """Every list page, of every list, says there is a next one (with a marker never given before)."""
    if seen.path == "/login":
        return good_login
    page = {key: [] for key in WIRE_KEYS if key.endswith("List")} | {"runs": [], "nextMarker": f"m{count}"}
    return Answer(body=_json(page))


def finite(seconds: float) -> bool:
    return math.isfinite(seconds) and seconds >= 0
