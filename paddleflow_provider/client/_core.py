"""The one request path: what a call is, how it becomes bytes, and how an answer becomes a result.

Both transports (``_sync.py`` with requests, ``_async.py`` with httpx) only move bytes; every decision
lives here: request building, auth headers, re-login, ambiguity after a failed create, error mapping
and response parsing.

A *call* is one HTTP exchange plus how to read its answer. An endpoint method returns either a call or
a *flow*: a generator that yields calls, receives their results (or has their errors thrown in), and
returns the method's value. Transports drive flows, so multi-step logic (the "did my create land?"
check, mount's fs lookup) is written once for both.
"""

from __future__ import annotations

import dataclasses
import http.cookiejar
import json
import ssl
import uuid
from collections.abc import Callable, Generator, Iterable, Mapping
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import quote

import pydantic

from ._config import ClientConfig
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    InvalidArgumentError,
    OutcomeUnknownError,
    PaddleFlowError,
    ProtocolError,
    make_status_error,
)
from ._retry import nothing_was_processed, retry_after_from_headers
from ._validate import MAX_INT, encodable

T = TypeVar("T")
#: a Call[RunPage] is a Call[Page[RunInfo]]: its result type only comes out of ``parse``.
T_co = TypeVar("T_co", covariant=True)

#: ``read`` repeats freely; ``create`` may repeat only after checking it did not land;
#: ``mutate`` repeats and treats ``done_codes`` on the repeat as success; ``once`` never repeats
#: after an ambiguous failure (there is no way to tell whether it landed).
Kind = Literal["read", "create", "mutate", "once"]

Flow = Generator["Call[Any]", Any, T]


class _NoBody:
    def __repr__(self) -> str:
        return "NO_BODY"


NO_BODY: Any = _NoBody()

USER_AGENT = "paddleflow-provider-client/0.1"
#: The longest request URL either transport sends (httpx refuses longer ones): a longer one is an
#: argument error here, for both, rather than an exception from inside httpx.
MAX_URL_LENGTH = 65536
AUTH_HEADER = "x-pf-authorization"
REQUEST_ID_HEADER = "x-pf-request-id"
RELOGIN_CODES = frozenset({"AuthInvalidToken", "AuthFailed", "AuthWithoutToken"})


class NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Both transports' cookie policy: keep no cookie, send none.

    Why: PaddleFlow authenticates with a token header and sets no cookies, so a ``Set-Cookie`` is
    at best noise; kept, one whose value is not ASCII (httpx) would make every later request of the
    client fail while its headers are built, far from the answer that carried it.
    """

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


def _identity(data: Any) -> Any:
    return data


@dataclasses.dataclass(frozen=True)
class Landed:
    """Answer of a "did my create land?" flow: the object exists, and this is the call's result."""

    value: Any


@dataclasses.dataclass(frozen=True)
class Call(Generic[T_co]):
    """One HTTP exchange. ``path`` segments are already quoted; ``parse`` reads the decoded body."""

    name: str
    method: str
    path: str
    parse: Callable[[Any], T_co] = _identity
    params: Mapping[str, Any] | None = None
    body: Any = NO_BODY
    kind: Kind = "read"
    landed: Callable[[], Flow[Landed | None]] | None = None
    done_codes: frozenset[str] = frozenset()
    auth: bool = True
    #: the user whose password this call's body sets: if it is the client's own user, the client
    #: goes on with the new password once the call succeeded (both transports, via the driver).
    sets_password_of: str | None = None


def path(*segments: str) -> str:
    """Join path segments, percent-encoding each one (a ``/`` in an id cannot reach another route)."""
    return "/" + "/".join(quote(str(s), safe="") for s in segments)


def _query_value(key: str, value: Any) -> str:
    """A query value as text. The builders check their arguments; this is the last guard that no
    value reaches the transport it cannot encode (a huge int, a lone surrogate)."""
    if isinstance(value, bool):
        return "True" if value else "False"  # what the reference SDK (requests) puts on the wire
    if isinstance(value, int) and abs(value) > MAX_INT:
        raise InvalidArgumentError(key, f"a number of at most {MAX_INT}", value)
    return encodable(key, str(value))


def _json_body(call: Call[Any]) -> bytes:
    """The body as UTF-8 JSON; a value that cannot be sent is the call's argument error."""
    try:
        return json.dumps(call.body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:200]
        raise InvalidArgumentError(call.name, f"the request body cannot be sent as JSON: {reason}") from None


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A request ready for a transport: no further decisions to take (``name`` is the call's, for
    error messages)."""

    name: str
    method: str
    url: str
    params: list[tuple[str, str]]
    headers: dict[str, str]
    content: bytes | None
    request_id: str


def prepare(config: ClientConfig, call: Call[Any], token: str | None) -> Prepared:
    params: list[tuple[str, str]] = []
    for key, value in (call.params or {}).items():
        if value is None or value == "":  # optional query values go only when truthy, as in the SDK
            continue
        if isinstance(value, list | tuple):
            params.extend((key, _query_value(key, v)) for v in value)
        else:
            params.append((key, _query_value(key, value)))
    request_id = str(uuid.uuid4())
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT, REQUEST_ID_HEADER: request_id}
    content = None
    if call.body is not NO_BODY:
        content = _json_body(call)
        headers["Content-Type"] = "application/json"
    if call.auth and token:
        headers[AUTH_HEADER] = token
    url = config.api_url + call.path
    if len(url) + sum(len(quote(k)) + len(quote(v)) + 2 for k, v in params) > MAX_URL_LENGTH:
        raise InvalidArgumentError(
            call.name,
            f"the request's URL would be longer than the {MAX_URL_LENGTH} characters a URL may have"
            " (an argument of this call is far too long)",
        )
    return Prepared(call.name, call.method, url, params, headers, content, request_id)


@dataclasses.dataclass(frozen=True)
class Raw:
    """What a transport hands back: status, headers (lower-cased keys) and body bytes."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    request_id: str | None


def raw_answer(p: Prepared, status: int, headers: Iterable[tuple[str, str]], content: bytes) -> Raw:
    """A transport's answer as ``Raw``: header names lower-cased; the server's request id, else ours."""
    lowered = {k.lower(): v for k, v in headers}
    return Raw(status, lowered, content, lowered.get(REQUEST_ID_HEADER, p.request_id))


@dataclasses.dataclass
class CallState:
    """Per-call bookkeeping across attempts (never stored on a shared object)."""

    ambiguous: bool = False
    relogged: bool = False


class Relogin(Exception):
    """Internal signal: the token was refused; log in again and re-send once."""


def _decode_json(call: Call[Any], raw: Raw) -> Any:
    if not raw.content.strip():
        return None
    try:
        return json.loads(raw.content)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested deeper than Python's stack
        snippet = raw.content[:120].decode("utf-8", "replace")
        raise ProtocolError(
            f"{call.name}: the server answered HTTP {raw.status} with a body that is not JSON"
            f" this client can read: {snippet!r}",
            status_code=raw.status,
            request_id=raw.request_id,
        ) from exc


def status_error(call: Call[Any], raw: Raw) -> APIStatusError:
    """Map an error answer; tolerate bodies that are not the documented ``{requestID, code, message}``."""
    try:
        body = json.loads(raw.content) if raw.content.strip() else None
    except (ValueError, RecursionError):
        body = raw.content[:200].decode("utf-8", "replace")
    code, message = "", ""
    request_id = raw.request_id
    if isinstance(body, dict):
        code = str(body.get("code") or "")
        message = str(body.get("message") or "")
        request_id = str(body.get("requestID") or "") or request_id
    elif isinstance(body, str):
        message = body.strip()
    if not message:
        message = f"{call.name} failed"
    error = make_status_error(raw.status, code, message, request_id, body)
    error.retry_after = retry_after_from_headers(raw.headers)  # type: ignore[attr-defined]
    return error


def parse_success(call: Call[T], raw: Raw) -> T:
    data = _decode_json(call, raw)
    try:
        return call.parse(data)
    except PaddleFlowError:
        raise
    except (pydantic.ValidationError, KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        # (RecursionError: a valid answer nested deeper than the models can follow, e.g. DAGs in DAGs)
        raise ProtocolError(
            f"{call.name}: unexpected answer shape from the server ({type(exc).__name__}: {exc})"[:500],
            status_code=raw.status,
            request_id=raw.request_id,
        ) from exc


def finish(call: Call[T], state: CallState, raw: Raw, can_relogin: bool) -> T:
    """Turn one answer into the call's result, or raise the right error (or ``Relogin``)."""
    if 200 <= raw.status < 300:
        return parse_success(call, raw)
    error = status_error(call, raw)
    if call.auth and can_relogin and not state.relogged and error.code in RELOGIN_CODES:
        state.relogged = True
        raise Relogin()
    if state.ambiguous and error.code in call.done_codes:
        # The earlier, unanswered attempt did the work; the repeat only found it done.
        return call.parse(None)
    raise note_failure(call, state, error)


def note_failure(call: Call[Any], state: CallState, error: PaddleFlowError) -> PaddleFlowError:
    """Note whether a retryable failure leaves the effect unknown; refuse to repeat ``once`` calls."""
    from ._retry import is_retryable

    if not is_retryable(error) or call.kind == "read" or nothing_was_processed(error):
        return error
    if call.kind == "once":
        return OutcomeUnknownError(
            f"{call.name}: no clear answer ({error}); it may have taken effect, so it was not repeated",
            status_code=error.status_code,
            code=error.code,
            request_id=error.request_id,
        )
    state.ambiguous = True
    return error


def attempt_seconds(timeout: tuple[float, float]) -> float:
    """The deadline of one attempt, from its start: the connect timeout plus the read timeout.

    The one rule for both transports. The HTTP libraries apply the read timeout to each socket read,
    so an answer trickled one byte at a time would never end; this bounds the whole attempt (connect,
    send, status line, headers and body) by what its two timeouts allow, read as the settings describe
    them: so long to connect, so long to wait for the answer.
    """
    connect, read = timeout
    return connect + read


def deadline_error(name: str, seconds: float) -> APIConnectionError:
    """An attempt that hit its deadline: a timeout after sending, retried exactly as a read timeout
    (so an unanswered create is looked up before it is sent again)."""
    message = f"the answer did not complete within {seconds:g} s (connect + read timeout)"
    return connection_error(name, message, sent=True, timeout=True)


def connection_error(name: str, message: str, *, sent: bool, timeout: bool) -> APIConnectionError:
    from ._exceptions import APITimeoutError

    cls = APITimeoutError if timeout else APIConnectionError
    return cls(f"{name}: {message}", sent=sent)


def ssl_reason(exc: BaseException) -> ssl.SSLError | None:
    """The ``ssl`` error behind a transport exception (the chain is walked), if any."""
    seen: set[int] = set()
    item: BaseException | None = exc
    while item is not None and id(item) not in seen:
        seen.add(id(item))
        if isinstance(item, ssl.SSLError):
            return item
        item = item.__cause__ or item.__context__
    return None


def tls_failure(name: str, exc: BaseException) -> PaddleFlowError:
    """A failed TLS handshake (unknown certificate, wrong host name ...) is a set-up problem that a
    retry cannot fix: reported at once, with the TLS library's reason."""
    return PaddleFlowError(f"{name}: TLS error: {ssl_reason(exc) or exc}", code="TLSError")


def login_call(username: str, password: str) -> Call[str]:
    def parse(data: Any) -> str:
        token = data.get("authorization") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise ProtocolError("login: the answer carries no 'authorization' token")
        # The token goes back in a header on every request: anything but printable ASCII, or blanks
        # around it (which HTTP libraries refuse in a header value), would make each later request
        # fail inside the HTTP library, far from this answer.
        if not (token.isascii() and token.isprintable()) or token != token.strip():
            raise ProtocolError(
                "login: the 'authorization' token is not printable ASCII text without surrounding blanks"
            )
        return token

    return Call(
        "login", "POST", "/login", parse, body={"username": username, "password": password}, auth=False
    )
