"""Helpers for the emulator conformance suite: plain ``requests`` against the session emulator."""

from __future__ import annotations

import base64
import itertools
import time
from collections.abc import Callable
from typing import Any

import requests

PREFIX = "/api/paddleflow/v1"
_names = itertools.count(1)


class Api:
    """A logged-in HTTP session: ``api.get("/run")`` returns the raw ``requests.Response``."""

    def __init__(self, base: str, user: str = "root", password: str = "paddleflow") -> None:
        self.base = base
        self.user = user
        self.password = password
        self.s = requests.Session()
        if user:
            r = self.s.post(
                base + PREFIX + "/login", json={"username": user, "password": password}, timeout=10
            )
            assert r.status_code == 200, r.text
            self.s.headers["x-pf-authorization"] = r.json()["authorization"]
        self.s.hooks["response"].append(check_wire_conventions)

    def call(self, method: str, path: str, **kw: Any) -> requests.Response:
        kw.setdefault("timeout", 20)
        return self.s.request(method, self.base + PREFIX + path, **kw)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.call("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.call("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self.call("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.call("DELETE", path, **kw)


def check_wire_conventions(resp: requests.Response, *args: Any, **kwargs: Any) -> None:
    """Conventions every answer of the whole suite must keep (api §1, §2, §10).

    Every answer echoes ``x-pf-request-id`` (the one sent, else a generated one); a success body is
    empty or a JSON value whose top level has no ``message`` key (the SDK would turn it into
    ``(False, message)``), except the job object of ``GET /job/{id}``.
    """
    sent = resp.request.headers.get("x-pf-request-id")
    got = resp.headers.get("x-pf-request-id")
    assert got and (sent is None or got == sent), (resp.request.url, sent, got)
    if not 200 <= resp.status_code < 300 or not resp.content:
        return
    body = resp.json()
    is_job = resp.request.method == "GET" and "/job/" in (resp.request.path_url or "")
    assert not (isinstance(body, dict) and "message" in body and not is_job), (resp.request.url, body)


def unique(prefix: str = "u") -> str:
    """A name no other test uses (the emulator is shared by the whole session)."""
    return f"{prefix}{next(_names):04d}{int(time.time() * 1000) % 100000:05d}"


def assert_error(resp: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"requestID", "code", "message"}, body
    assert body["code"] == code, body
    return body


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def wait_for(fn: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05) -> Any:
    """Poll ``fn`` until it returns a truthy value; fail with the last value seen."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s; last value: {last!r}")
