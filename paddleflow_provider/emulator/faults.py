"""Fault injection, an ASGI middleware that is installed only with ``--faults``.

Control API (outside the PaddleFlow prefix, never itself faulted):

* ``POST /_emulator/faults`` ``{"rules": [{"method", "path", "status", "times", "delay_s", "drop",
  "after_commit", "retry_after"}]}`` appends rules; ``GET`` lists the live ones; ``DELETE`` clears.

A rule matches a request when ``method`` (any if absent) equals it and the regular expression
``path`` is found in the URL path. Each match uses one of ``times`` (default 1; 0 = forever). The
request is then delayed by ``delay_s`` and:

* ``drop``: the TCP connection is aborted without any answer;
* ``status``: a PaddleFlow error body with that status (and ``Retry-After`` when given);
* ``after_commit``: the request is first applied (state changes land), then the answer is replaced
  by the drop or the status: the "did my create land?" case clients must handle.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTROL = "/_emulator/faults"


@dataclass
class Rule:
    path: re.Pattern[str]
    method: str | None = None
    status: int | None = None
    times: int = 1
    delay_s: float = 0.0
    drop: bool = False
    after_commit: bool = False
    retry_after: str | None = None

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Rule:
        if not isinstance(raw, dict):
            raise ValueError("each rule must be an object")
        unknown = set(raw) - {
            "method",
            "path",
            "status",
            "times",
            "delay_s",
            "drop",
            "after_commit",
            "retry_after",
        }
        if unknown:
            raise ValueError(f"unknown rule keys {sorted(unknown)}")
        status = raw.get("status")
        if status is not None and (not isinstance(status, int) or not 100 <= status <= 599):
            raise ValueError(f"status must be an HTTP status code, got {status!r}")
        times = raw.get("times", 1)
        if not isinstance(times, int) or times < 0:
            raise ValueError(f"times must be an integer >= 0 (0 = forever), got {times!r}")
        retry_after = raw.get("retry_after")
        return cls(
            path=re.compile(str(raw.get("path", ".*"))),
            method=str(raw["method"]).upper() if raw.get("method") else None,
            status=status,
            times=times,
            delay_s=float(raw.get("delay_s") or 0),
            drop=bool(raw.get("drop")),
            after_commit=bool(raw.get("after_commit")),
            retry_after=None if retry_after is None else str(retry_after),
        )

    def describe(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path.pattern,
            "status": self.status,
            "times": self.times,
            "delay_s": self.delay_s,
            "drop": self.drop,
            "after_commit": self.after_commit,
            "retry_after": self.retry_after,
        }


async def _json(send: Send, status: int, body: Any, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    data = json.dumps(body).encode()
    hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": hdrs + (headers or [])})
    await send({"type": "http.response.body", "body": data})


async def _abort(receive: Receive) -> None:
    """Close the client's socket with no response at all (uvicorn keeps the transport on ``receive``)."""
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if cycle is None or transport is None:  # pragma: no cover - only under a server that hides its transport
        raise ConnectionAbortedError("fault injection: drop")
    transport.abort()
    cycle.disconnected = True  # tell uvicorn not to try a 500 on the dead socket
    await asyncio.sleep(0)


class FaultInjector:
    """Outermost middleware: control routes plus rule matching for every other request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.rules: list[Rule] = []
        self._lock = threading.Lock()
        self.injected = 0

    def _match(self, method: str, path: str) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if (rule.method is None or rule.method == method) and rule.path.search(path):
                    if rule.times:
                        rule.times -= 1
                        if rule.times == 0:
                            self.rules.remove(rule)
                    self.injected += 1
                    return rule
        return None

    async def _control(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        if method == "DELETE":
            with self._lock:
                self.rules.clear()
            await _json(send, 200, {"rules": []})
            return
        if method == "GET":
            with self._lock:
                await _json(
                    send, 200, {"rules": [r.describe() for r in self.rules], "injected": self.injected}
                )
            return
        if method != "POST":
            await _json(send, 405, {"requestID": "", "code": "MethodNotAllowed", "message": ""})
            return
        raw = b""
        while True:
            msg = await receive()
            raw += msg.get("body", b"")
            if not msg.get("more_body"):
                break
        try:
            data = json.loads(raw or b"{}")
            rules = [Rule.parse(r) for r in data.get("rules", [])]
        except (ValueError, AttributeError, re.error) as err:
            await _json(send, 400, {"requestID": "", "code": "InvalidArguments", "message": str(err)})
            return
        with self._lock:
            self.rules.extend(rules)
            live = [r.describe() for r in self.rules]
        await _json(send, 200, {"rules": live})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.rstrip("/") == CONTROL:
            await self._control(scope, receive, send)
            return
        rule = None if path.startswith("/_emulator") else self._match(scope["method"], path)
        if rule is None:
            await self.app(scope, receive, send)
            return
        if rule.delay_s:
            await asyncio.sleep(rule.delay_s)
        if rule.after_commit:

            async def swallow(message: Message) -> None:
                return None

            await self.app(scope, receive, swallow)
        elif not rule.drop and rule.status is None:
            await self.app(scope, receive, send)  # a pure latency rule
            return
        if rule.drop:
            await _abort(receive)
            return
        status = rule.status or 500
        code = {429: "TooManyRequests", 503: "ServiceUnavailable"}.get(status, "InternalError")
        rid = next(
            (v.decode() for k, v in scope["headers"] if k.lower() == b"x-pf-request-id"), str(uuid.uuid4())
        )
        headers = [(b"x-pf-request-id", rid.encode())]
        if rule.retry_after is not None:
            headers.append((b"retry-after", rule.retry_after.encode()))
        await _json(send, status, {"requestID": rid, "code": code, "message": "injected fault"}, headers)
