"""Which client errors end a task at once, and the one wrapper that ends it.

Why: an Airflow retry sends the same request again. When the server refused it for a reason that
does not change with time (no permission, a bad argument, wrong credentials, an object that does not
exist), every retry is one more doomed request and one more delay before anyone sees the message. So
those errors fail the task without its retries (``AirflowFailException``), with the server's message;
every other error (the client's ``TransientError`` family: 5xx, 429, connection losses and timeouts;
``OutcomeUnknownError``; an answer the client could not read) keeps Airflow's retries.

Every PaddleFlow operator and sensor gets the wrapper on its ``execute``, ``poke`` and
``execute_complete`` from ``PaddleFlowHookMixin``, so no task method repeats the rule.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from paddleflow_provider._compat import AirflowException, AirflowFailException

F = TypeVar("F", bound=Callable[..., Any])

#: the task methods Airflow calls, which the wrapper guards
TASK_METHODS = ("execute", "poke", "execute_complete")
#: error codes of a refusal that does pass with time: the file system's client is busy (mounted);
#: a queue (or a cluster's queue) still has jobs, which end on their own
_BUSY_CODES = frozenset({"FileSystemClientBusy", "QueueIsInUse"})
_WRAPPED = "__paddleflow_fails_at_once__"


class PaddleFlowRequestRefusedError(AirflowFailException):
    """PaddleFlow refused a request for a reason an Airflow retry cannot change."""


class PaddleFlowObjectBusyError(AirflowException):
    """PaddleFlow refused a request for a reason that passes with time (``passes_with_time``): the
    task keeps its Airflow retries, so with ``retries`` and ``retry_delay`` it tries again later."""


def passes_with_time(error: BaseException) -> bool:
    """True for a refusal that the same request may get past later, without anyone acting."""
    return getattr(error, "code", "") in _BUSY_CODES


def is_permanent(error: BaseException) -> bool:
    """True for a client error that repeating the same request cannot fix.

    Permanent: ``InvalidArgumentError`` (the client's checks and the server's 400s),
    ``PermissionDeniedError`` (403: ``OnlyRootAllowed``, ``AccessDenied`` ...),
    ``AuthenticationError`` (bad credentials, after the client's own re-login), ``NotFoundError``
    (reaching the task means the object had to exist: the delete operators' ``if_missing`` handles
    the other case first), ``ConflictError`` and any other 4xx (``BadRequestError``). Everything
    else is not: when in doubt, Airflow retries.
    """
    from paddleflow_provider.client import (
        AuthenticationError,
        BadRequestError,
        ConflictError,
        InvalidArgumentError,
        NotFoundError,
        PermissionDeniedError,
        TransientError,
    )

    permanent = (
        InvalidArgumentError,
        PermissionDeniedError,
        AuthenticationError,
        NotFoundError,
        ConflictError,
        BadRequestError,
    )
    if isinstance(error, TransientError) or passes_with_time(error):
        return False
    return isinstance(error, permanent)


def fails_at_once(method: F) -> F:
    """``method`` (a task's ``execute``, ``poke`` ...) with permanent client errors turned into
    ``PaddleFlowRequestRefusedError``, which Airflow does not retry; other errors pass unchanged."""
    if getattr(method, _WRAPPED, False):
        return method

    @functools.wraps(method)
    def guarded(self: Any, /, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as err:
            if not is_permanent(err):
                raise
            raise PaddleFlowRequestRefusedError(
                f"{err} ({type(err).__name__}: retrying cannot change this answer, so the task fails "
                "without its retries)"
            ) from err

    setattr(guarded, _WRAPPED, True)
    return guarded  # type: ignore[return-value]


def guard_task_methods(cls: type) -> None:
    """Wrap the task methods ``cls`` itself defines (inherited ones are wrapped where defined)."""
    for name in TASK_METHODS:
        method = vars(cls).get(name)
        if callable(method):
            setattr(cls, name, fails_at_once(method))
