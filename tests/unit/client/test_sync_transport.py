"""The sync transport speaks urllib3 directly; the server sees what ``requests`` used to send.

Why these tests: the transport used to be a ``requests.Session``, and the 53 methods are checked to
send the same requests as the original SDK (which uses ``requests``). So the URL encoding, the
default headers and the environment's proxies must stay as ``requests`` has them.
"""

from __future__ import annotations

import base64

import pytest
import requests

from paddleflow_provider.client import APIConnectionError, Client
from paddleflow_provider.client._core import Prepared, path
from paddleflow_provider.client._sync import _prepared_url

ODD_VALUES = [
    "plain",
    "two words",
    "a+b&c=d",
    "100%",
    "~tilde-_.",
    "ünïcödé",
    "漢字",
    "/slash/and?query#frag",
    "'quotes\"",
    "[brackets]{braces}",
    "emoji 🐍",
]


@pytest.mark.parametrize("value", ODD_VALUES)
def test_the_url_is_the_one_requests_builds(value):
    prepared = Prepared(
        name="show_run",
        method="GET",
        url="http://127.0.0.1:8999/api/paddleflow/v1" + path("run", value),
        params=[("runFilter", value), ("status", "running"), ("status", value), ("maxKeys", "50")],
        headers={},
        content=None,
        request_id="r",
    )
    reference = requests.models.PreparedRequest()
    reference.prepare_url(prepared.url, prepared.params)
    assert _prepared_url(prepared) == reference.url
    without_query = Prepared(**{**prepared.__dict__, "params": []})
    reference.prepare_url(without_query.url, [])
    assert _prepared_url(without_query) == reference.url


def test_the_server_sees_the_headers_requests_sent(server, client):
    server.reply(200, {"runList": [], "nextMarker": ""})
    server.reply(200, {})
    client.api.list_run()
    client.api.delete_cluster("cluster1")
    listed, deleted = server.calls
    for seen in (listed, deleted):
        assert seen.headers["accept-encoding"] == requests.utils.DEFAULT_ACCEPT_ENCODING
        assert seen.headers["connection"] == "keep-alive"
        assert seen.headers["accept"] == "application/json"
        assert seen.headers["user-agent"].startswith("paddleflow-provider")
    assert "content-length" not in listed.headers  # a GET carries no body
    assert deleted.headers["content-length"] == "0"  # requests' rule for a body-less DELETE


def _client_for(base_url: str) -> Client:
    return Client(base_url, "root", "paddleflow", timeout=(2.0, 5.0), max_attempts=1)


def test_the_environment_proxy_is_used_with_its_credentials(server, monkeypatch):
    # paddleflow.invalid never resolves: every answer came through the proxy (the loopback server)
    monkeypatch.setenv("HTTP_PROXY", f"http://scott:tiger@127.0.0.1:{server.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    server.reply(200, {"runList": [], "nextMarker": ""})
    client = _client_for("http://paddleflow.invalid:8999")
    try:
        assert client.api.list_run() is not None
    finally:
        client.close()
    login, listed = server.requests
    assert listed.headers["host"] == "paddleflow.invalid:8999"
    expected = "Basic " + base64.b64encode(b"scott:tiger").decode()
    assert {login.headers["proxy-authorization"], listed.headers["proxy-authorization"]} == {expected}


def test_no_proxy_excludes_the_server(server, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.port}")
    monkeypatch.setenv("NO_PROXY", "paddleflow.invalid")
    client = _client_for("http://paddleflow.invalid:8999")
    try:
        with pytest.raises(APIConnectionError) as caught:
            client.api.list_run()
    finally:
        client.close()
    assert caught.value.sent is False  # name resolution failed: nothing sent, and not to the proxy
    assert server.requests == []


def test_a_closed_client_sends_on_new_connections(server, client):
    """The transport keeps its pool for the server (``_server_pool``); ``close()`` closes it, and the
    next call must open a new one rather than fail on the closed pool."""
    for _ in range(2):
        server.reply(200, {"runList": [], "nextMarker": ""})
    client.api.list_run(run_id="run-a b", maxsize=5)
    client.close()
    client.api.list_run(run_id="run-c")
    first, second = server.calls
    assert (first.method, first.path) == (second.method, second.path) == ("GET", "/run")
    assert ("runFilter", "run-a b") in first.query and ("maxKeys", "5") in first.query
    assert ("runFilter", "run-c") in second.query
