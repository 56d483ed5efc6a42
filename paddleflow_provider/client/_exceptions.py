"""The client's error tree.

* ``PaddleFlowError`` - base; carries ``status_code``, ``code``, ``message``, ``request_id``.
  * ``InvalidArgumentError`` - a client-side argument check failed (``status_code`` None,
    ``.argument`` names the argument) or the server said 400 ``InvalidArguments``-style.
  * ``APIStatusError`` - the server answered with an error status.
    * ``NotFoundError`` (404 codes, and 400 codes that mean "no such thing", e.g. ``QueueNameNotFound``)
    * ``PermissionDeniedError`` (403)
    * ``ConflictError`` (duplicates: ``DuplicatedName``, ``UserNameDuplicated`` ...)
    * ``AuthenticationError`` (login/token failures that a re-login did not fix)
    * ``BadRequestError`` (any other 4xx)
    * ``RateLimitError`` (429) and ``InternalServerError`` (5xx) - also ``TransientError``
  * ``TransientError`` - a retryable failure that exhausted the retry budget.
    * ``APIConnectionError`` - no usable answer (refused, reset, DNS ...).
      * ``APITimeoutError`` - connect or read timeout.
  * ``OutcomeUnknownError`` - a request that must not be repeated (it would create a second object)
    got no clear answer; it may or may not have taken effect. Deliberately *not* transient.
  * ``ProtocolError`` - the server answered something this client cannot read (non-JSON, missing keys).

Why code-first mapping: PaddleFlow answers 400 for many not-found and auth cases, so the error body's
``code`` decides the class and the HTTP status only breaks ties.
"""

from __future__ import annotations

import reprlib
from typing import Any

#: Parts of a name that mark its value as secret: never shown in an error, a table or a log.
SECRET_HINTS = ("password", "token", "secret", "credential", "authorization", "accesskey")


#: How an argument error shows the rejected value: a few levels, a few items, a short text.
_SHOW = reprlib.Repr()  # (Python 3.11 takes no limits in the constructor)
_SHOW.maxlevel, _SHOW.maxstring, _SHOW.maxother, _SHOW.maxlong = 3, 60, 60, 40
_SHOW.maxlist = _SHOW.maxtuple = _SHOW.maxdict = _SHOW.maxset = 4
_SHOW_LIMIT = 80


def shown(value: Any) -> str:
    """A short, safe ``repr`` of any value, for an error message.

    Why guarded: the value is whatever the caller passed, and the error describing it must always be
    built. A plain ``repr`` raises for an int of more than 4,300 digits, for a structure nested
    thousands deep, or when the object's own ``__repr__`` raises; it also runs as long as the value
    is big. Here the text is bounded, and a value that cannot be shown is named by its type.
    """
    if isinstance(value, int) and value.bit_length() > 128:
        return f"<int of {value.bit_length()} bits>"
    try:
        text = _SHOW.repr(value)
    except Exception:  # any failure of a foreign __repr__ (RecursionError included)
        return f"<{type(value).__name__}>"
    return text if len(text) <= _SHOW_LIMIT else text[: _SHOW_LIMIT - 3] + "..."


class PaddleFlowError(Exception):
    """Base of every error raised by the client."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str = "",
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code
        self.request_id = request_id
        self.body = body

    def __str__(self) -> str:
        parts = []
        if self.status_code is not None:
            parts.append(f"HTTP {self.status_code}")
        if self.code:
            parts.append(f"code={self.code}")
        head = " ".join(parts)
        text = f"{head}: {self.message}" if head else self.message
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


class InvalidArgumentError(PaddleFlowError):
    """A bad argument: raised before anything is sent (``status_code`` is None)."""

    def __init__(self, argument: str, accepted: str, value: Any = ..., **kwargs: Any) -> None:
        got = ""
        if value is not ...:
            hidden = any(hint in argument.lower() for hint in SECRET_HINTS)
            got = " (got <hidden>)" if hidden else f" (got {shown(value)})"
        super().__init__(f"invalid argument {argument!r}: {accepted}{got}", code="InvalidArgument", **kwargs)
        self.argument = argument

    def __str__(self) -> str:
        return self.message


class APIStatusError(PaddleFlowError):
    """The server answered with an HTTP error status."""


class BadRequestError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class ConflictError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


class TransientError(PaddleFlowError):
    """Retryable failure (5xx, 429, connection, timeout) that outlived the retry budget."""


class RateLimitError(APIStatusError, TransientError):
    pass


class InternalServerError(APIStatusError, TransientError):
    pass


class APIConnectionError(TransientError):
    """No answer could be read. ``sent`` says whether the request may have reached the server."""

    def __init__(self, message: str, *, sent: bool = True, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.sent = sent


class APITimeoutError(APIConnectionError):
    pass


class OutcomeUnknownError(PaddleFlowError):
    """A non-repeatable request got no clear answer; check the server before trying again."""


class ProtocolError(PaddleFlowError):
    """The server's answer does not have the documented shape."""


_NOT_FOUND_CODES = frozenset(
    {
        "RecordNotFound",
        "ResourceNotFound",
        "RunNotFound",
        "PipelineNotFound",
        "RunCacheNotFound",
        "ScheduleNotFound",
        "ArtifactEventNotFound",
        "FlavourNotFound",
        "JobNotFound",
        "UserNotExist",
        "QueueNameNotFound",
        "ClusterNameNotFound",
        "ClusterIdNotFound",
        "ClusterNotFound",
        "GrantNotFound",
        "LinkNotExist",
        "LinkFileSystemNotExist",
        "PathNotFound",
        "NamespaceNotFound",
    }
)
_CONFLICT_CODES = frozenset(
    {
        "DuplicatedName",
        "DuplicatedContent",
        "UserNameDuplicated",
        "QueueNameDuplicated",
        "GrantAlreadyExist",
        "RunNameDuplicated",
        "LinkPathExist",
    }
)
_AUTH_CODES = frozenset({"AuthWithoutToken", "AuthInvalidToken", "AuthFailed"})
_INVALID_ARGUMENT_CODES = frozenset(
    {"InvalidArguments", "InvalidNamePattern", "RequiredFieldEmpty", "InvalidURI"}
)


#: The real server answers some ordinary mistakes with HTTP 500 (paddleflow-api.md 7.2-7.9): a missing
#: link (``LinkModelError``), a missing cluster or link path (empty code, "record not found"), a bad
#: queue quantity (``InvalidComputeResource``). They are answers, not faults: retrying cannot change them.
_INVALID_ARGUMENT_500_CODES = frozenset({"InvalidComputeResource"})


def _is_server_not_found(code: str, message: str) -> bool:
    return code == "LinkModelError" or (code == "" and message.strip().lower() == "record not found")


def error_class_for(status: int, code: str, message: str = "") -> type[APIStatusError]:
    """Pick the most specific class: the server code first, then the HTTP status."""
    if status == 429:
        return RateLimitError
    if code in _AUTH_CODES:
        return AuthenticationError
    if code in _NOT_FOUND_CODES or (status >= 500 and _is_server_not_found(code, message)):
        return NotFoundError
    if code in _CONFLICT_CODES:
        return ConflictError
    if status >= 500:
        return ServerInvalidArgumentError if code in _INVALID_ARGUMENT_500_CODES else InternalServerError
    if status == 404:
        return NotFoundError
    if status in (401,):
        return AuthenticationError
    if status == 403:
        return PermissionDeniedError
    if status == 409:
        return ConflictError
    return ServerInvalidArgumentError if code in _INVALID_ARGUMENT_CODES else BadRequestError


def make_status_error(
    status: int, code: str, message: str, request_id: str | None, body: Any
) -> APIStatusError:
    """Build the error for an HTTP error answer (invalid-argument codes also are ``InvalidArgumentError``)."""
    cls = error_class_for(status, code, message)
    return cls(message or "(no message)", status_code=status, code=code, request_id=request_id, body=body)


class ServerInvalidArgumentError(BadRequestError, InvalidArgumentError):
    """The server rejected an argument (400 ``InvalidArguments``, ``InvalidNamePattern`` ...)."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        PaddleFlowError.__init__(self, message, **kwargs)
        self.argument = ""

    __str__ = PaddleFlowError.__str__  # a server answer: show status, code and request id
