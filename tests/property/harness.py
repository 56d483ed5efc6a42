"""Every method of every face, called the same way, and the client's promise as one check.

The methods are enumerated from the faces' own declarations (``ENDPOINTS`` and ``WALKS``: every
builder, every ``iter_*`` helper) plus the two hand-written ones (``login``, ``mount``), so a new
endpoint is covered without touching this file. One generated input runs through the tuple face
(``Client``), the typed face (``client.api``) and the async face (``AsyncPaddleFlowAPI``), each against
the same junk server plan; ``check`` then holds each outcome to the promise.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import inspect
import os
import tempfile
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings

from paddleflow_provider.client import (
    AsyncPaddleFlowAPI,
    Client,
    ClientConfig,
    InvalidArgumentError,
    PaddleFlowError,
    ProtocolError,
    _auth,
)
from paddleflow_provider.client._core import attempt_seconds
from paddleflow_provider.client.endpoints._common import ENDPOINTS, WALKS
from tests.property.junk_server import JunkServer, Seen
from tests.property.strategies import valid_kwargs

#: The client's settings in these tests: small timeouts, so "no hang past them" is checkable in
#: seconds; two attempts, so retries are exercised; no real sleeping between them.
CONNECT_TIMEOUT, READ_TIMEOUT = 1.0, 0.25
MAX_ATTEMPTS = 2
#: What one request may cost at most: its attempt's deadline (the client's own rule).
PER_REQUEST = attempt_seconds((CONNECT_TIMEOUT, READ_TIMEOUT))
#: Room for the test's own work around the requests (thread start-up, a loaded 2-core machine).
SLACK = 3.0
#: No method of the client sends more requests than this for one call when no answer says "next
#: page" (logins, retries and re-logins, a create's look-up included).
REQUEST_BUDGET = 40

FACES = ("tuple", "typed", "async")
#: How many calls each face made, and how many requests the server saw, in this session (the suite's
#: summary line shows them).
TALLY: collections.Counter[str] = collections.Counter()

#: ``PF_PROPERTY_SCALE=20`` multiplies every example count (a longer hunt, by hand; CI runs 1).
SCALE = int(os.environ.get("PF_PROPERTY_SCALE", "1"))


def examples(count: int) -> settings:
    """The suite's hypothesis settings, deterministic for CI: a fixed derivation of examples
    (``derandomize``), no example database, no deadline (the timeout properties measure time
    themselves), and ``count`` examples, few enough for the suite to take minutes on 2 cores."""
    return settings(
        derandomize=True,
        database=None,
        deadline=None,
        max_examples=count * SCALE,
        print_blob=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@dataclasses.dataclass(frozen=True)
class Method:
    """A face method: its name, the faces that have it, its parameters and a valid call."""

    name: str
    faces: tuple[str, ...]
    params: list[str]
    aliases: dict[str, str]
    valid: dict[str, Any]

    @property
    def iterates(self) -> bool:
        return self.name.startswith("iter_")


def _methods() -> list[Method]:
    found = [
        Method(
            name,
            FACES,
            list(inspect.signature(e.builder).parameters),
            dict(e.aliases),
            valid_kwargs(name, e.builder),
        )
        for name, e in ENDPOINTS.items()
    ]
    found += [
        Method(
            name,
            ("typed", "async"),
            list(inspect.signature(e.builder).parameters),
            dict(e.aliases),
            valid_kwargs(name, e.builder),
        )
        for name, e in WALKS.items()
    ]
    found.append(Method("login", FACES, ["user_name", "password"], {}, {}))
    mount = {"fsname": "fs1", "path": tempfile.gettempdir()}
    found.append(
        Method(
            "mount",
            ("tuple", "typed"),
            ["fsname", "path", "mount_options", "username"],
            {"mountOptions": "mount_options"},
            mount,
        )
    )
    return sorted(found, key=lambda m: m.name)


METHODS = _methods()
BY_NAME = {m.name: m for m in METHODS}


@dataclasses.dataclass
class Outcome:
    """What one face did with one call: its value or the exception it let out, how long it took,
    what the server saw, and the waits it asked for between attempts."""

    face: str
    value: Any
    error: BaseException | None
    elapsed: float
    requests: list[Seen]
    waits: list[float]

    @property
    def calls(self) -> list[Seen]:
        return [r for r in self.requests if r.path != "/login"]


def config(server: JunkServer) -> ClientConfig:
    return ClientConfig(
        host="127.0.0.1",
        port=str(server.port),
        username="root",
        password="paddleflow",
        timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
        max_attempts=MAX_ATTEMPTS,
        backoff_initial=0.01,
        backoff_max=0.02,
        retry_after_max=5.0,
    )


def _consume(value: Any) -> Any:
    """An ``iter_*`` helper's items, all of them (that is where its pages are fetched)."""
    return list(value) if inspect.isgenerator(value) else value


async def _consume_async(value: Any) -> Any:
    if inspect.isasyncgen(value):
        return [item async for item in value]
    return await value


def call(
    server: JunkServer,
    plan: Callable[[Seen, int], Any],
    face: str,
    method: Method,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Outcome:
    """Call ``method`` on ``face`` of a fresh client (no cached token: the login is part of the call)
    against ``plan``, and note everything the promise is about."""
    _auth._TOKENS.clear()
    server.reset(plan)
    waits: list[float] = []
    value: Any = None
    error: BaseException | None = None
    start = time.monotonic()
    if face == "async":

        async def sleep(seconds: float) -> None:
            waits.append(seconds)

        async def run() -> Any:
            async with AsyncPaddleFlowAPI(config(server), sleep=sleep) as api:
                return await _consume_async(getattr(api, method.name)(*args, **kwargs))

        try:
            value = asyncio.run(run())
        except BaseException as exc:  # (any escape is what the test looks for)
            error = exc
    else:
        client = Client.from_config(config(server), sleep=waits.append)
        try:
            target = client if face == "tuple" else client.api
            value = _consume(getattr(target, method.name)(*args, **kwargs))
        except BaseException as exc:
            error = exc
        finally:
            client.close()
    elapsed = time.monotonic() - start
    TALLY[face] += 1
    TALLY["requests"] += len(server.requests)
    return Outcome(face, value, error, elapsed, list(server.requests), waits)


def check(outcome: Outcome, method: Method) -> None:
    """The promise, for one outcome.

    * the tuple face raises nothing and answers ``(True, ...)`` or ``(False, message, ...)`` with a
      message naming the cause; the typed and async faces raise nothing but ``PaddleFlowError``;
    * an argument the client rejects (``InvalidArgumentError`` of its own, no HTTP status) names the
      argument, and no request but a login went out for it;
    * the call ended within what its requests may cost by the configured timeouts, and sent a bounded
      number of requests; every wait between attempts is finite and within the configured caps.
    """
    where = f"{outcome.face} {method.name}"
    if outcome.face == "tuple":
        assert outcome.error is None, f"{where} raised {outcome.error!r}"
        reply = outcome.value
        assert isinstance(reply, tuple) and reply and reply[0] in (True, False), f"{where} answered {reply!r}"
        if reply[0] is False:
            message = reply[1]
            assert isinstance(message, str) and message.strip(), f"{where} answered no message: {reply!r}"
            if message.startswith("invalid argument "):
                assert outcome.calls == [], f"{where} sent {outcome.calls} for {message!r}"
    else:
        error = outcome.error
        assert error is None or isinstance(error, PaddleFlowError), f"{where} raised {error!r}"
        if error is not None:
            assert str(error).strip(), f"{where} raised {type(error).__name__} with no message"
        if isinstance(error, InvalidArgumentError) and error.status_code is None:
            named = repr(error.argument) in str(error)  # (as ``InvalidArgumentError`` shows it)
            assert isinstance(error.argument, str) and named, f"{where}: {error} names no argument"
            assert outcome.calls == [], f"{where} sent {outcome.calls} for {error}"
    assert len(outcome.requests) <= REQUEST_BUDGET, f"{where} sent {len(outcome.requests)} requests"
    bound = (len(outcome.requests) + 1) * PER_REQUEST + SLACK
    assert outcome.elapsed <= bound, (
        f"{where} took {outcome.elapsed:.1f} s for {len(outcome.requests)} requests"
    )
    assert all(0 <= w <= 5.0 for w in outcome.waits), f"{where} waited {outcome.waits}"


def unreadable(outcome: Outcome) -> bool:
    """True when the typed/async outcome is a ``ProtocolError`` (an answer the client cannot read)."""
    return isinstance(outcome.error, ProtocolError)
