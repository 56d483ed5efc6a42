"""Every create, one table: after a lost answer the client asks the server whether the object exists;
found, it is not sent again; absent, it is sent once more. Calls that cannot be recognised are
never repeated."""

from __future__ import annotations

from typing import Any

import pytest

from paddleflow_provider.client import ConflictError, OutcomeUnknownError

#: method, args, the create's (method, path), the lookup's (path, answer when the object exists,
#: answer when it does not), the created answer, the expected result.
CREATES: list[tuple[str, tuple[Any, ...], tuple[str, str], str, Any, Any, Any, Any]] = [
    (
        "add_user",
        ("alice1", "abc123x"),
        ("POST", "/user"),
        "/user",
        {"userList": [{"name": "alice1"}]},
        {"userList": [{"name": "bob123"}]},
        None,
        None,
    ),
    (
        "create_queue",
        ("q1", "default", "1", "1Gi", "c1"),
        ("POST", "/queue"),
        "/queue/q1",
        {"name": "q1"},
        (400, {"code": "QueueNameNotFound", "message": "no"}),
        None,
        None,
    ),
    (
        "grant_queue",
        ("alice1", "q1"),
        ("POST", "/grant"),
        "/grant",
        {"grantList": [{"userName": "alice1", "resourceType": "queue", "resourceID": "q1"}]},
        {"grantList": []},
        None,
        None,
    ),
    (
        "add_fs",
        ("fs1", "local:///data"),
        ("POST", "/fs"),
        "/fs/fs1",
        {"name": "fs1", "username": "root"},
        (404, {"code": "RecordNotFound", "message": "no"}),
        None,
        None,
    ),
    (
        "add_link",
        ("h1", "/l", "local:///x", None, {"debug": "true"}),
        ("POST", "/link"),
        "/link/h1",
        {"linkList": [{"fsName": "h1", "fsPath": "/l"}]},
        {"linkList": []},
        None,
        None,
    ),
    (
        "create_cluster",
        ("c1", "http://k:1", "Local"),
        ("POST", "/cluster"),
        "/cluster/c1",
        {"clusterName": "c1", "id": "cluster-found", "endpoint": "http://k:1", "clusterType": "Local"},
        (400, {"code": "ClusterNotFound", "message": "no"}),
        {"id": "cluster-new", "clusterName": "c1"},
        "cluster-found",
    ),
    (
        "create_schedule",
        ("s1", "ppl-1", "1", "@daily"),
        ("POST", "/schedule"),
        "/schedule",
        {"scheduleList": [{"scheduleID": "schedule-000004", "name": "s1", "pipelineID": "ppl-1"}]},
        {"scheduleList": []},
        {"scheduleID": "schedule-000005"},
        "schedule-000004",
    ),
]


def _reply(server, path: str, answer: Any) -> None:
    status, body = answer if isinstance(answer, tuple) else (200, answer)
    server.reply(status, body, path=path)


@pytest.mark.parametrize("row", CREATES, ids=[r[0] for r in CREATES])
def test_a_lost_create_that_landed_is_not_sent_again(server, client, row):
    method, args, (verb, create_path), lookup, present, _absent, _created, result = row
    server.reply(drop=True, path=create_path)
    _reply(server, lookup, present)
    assert getattr(client, method)(*args) == (True, result)
    sent = [r for r in server.calls if (r.method, r.path) == (verb, create_path)]
    assert len(sent) == 1
    assert any(r.method == "GET" and r.path == lookup for r in server.calls)


@pytest.mark.parametrize("row", CREATES, ids=[r[0] for r in CREATES])
def test_a_lost_create_that_did_not_land_is_sent_once_more(server, client, row):
    method, args, (verb, create_path), lookup, _present, absent, created, _result = row
    server.error(502, "InternalError", "gateway", path=create_path)
    _reply(server, lookup, absent)
    server.reply(201 if created is not None else 200, created, path=create_path)
    ok, response = getattr(client, method)(*args)
    assert ok is True, response
    sent = [r for r in server.calls if (r.method, r.path) == (verb, create_path)]
    assert len(sent) == 2 and sent[0].raw_body == sent[1].raw_body


@pytest.mark.parametrize(
    ("method", "args", "path"),
    [
        ("retry_run", ("run-000001",), "/run/run-000001"),
        ("update_pipeline", ("ppl-000001",), "/pipeline/ppl-000001"),
    ],
)
def test_calls_that_cannot_be_recognised_are_never_repeated(server, client, method, args, path):
    kwargs = {"yaml_raw": "name: p\n"} if method == "update_pipeline" else {}
    server.error(503, "InternalError", "busy", path=path)
    with pytest.raises(OutcomeUnknownError):
        getattr(client.api, method)(*args, **kwargs)
    assert len(server.calls) == 1


def test_a_create_refused_before_sending_is_retried_without_a_lookup(server, client, sleeps):
    server.error(429, "TooManyRequests", "slow down", path="/queue", headers={"Retry-After": "1"})
    server.reply(200, None, path="/queue")
    assert client.create_queue("q1", "default", "1", "1Gi", "c1") == (True, None)
    assert [(r.method, r.path) for r in server.calls] == [("POST", "/queue"), ("POST", "/queue")]
    assert sleeps.waits == [1.0]


def test_a_cluster_that_was_already_there_is_a_conflict_not_a_landed_create(server, client):
    """The server answers a duplicate cluster name with a bare 500: the cluster found by name is this
    create's only if it holds what was sent."""
    server.error(500, "", "cluster name[c1] already exists", path="/cluster")
    server.reply(
        200,
        {
            "clusterName": "c1",
            "id": "cluster-old",
            "endpoint": "http://other:1",
            "clusterType": "Local",
            "credential": "b2xkLXNlY3JldA==",
        },
        path="/cluster/c1",
    )
    with pytest.raises(ConflictError) as caught:
        client.api.create_cluster("c1", "http://k:1", "Local", credential=b"new-secret")
    message = str(caught.value)
    assert "endpoint" in message and "credential" in message
    assert "new-secret" not in message and "old-secret" not in message
    assert [r.method for r in server.calls if r.path == "/cluster"] == ["POST"]
