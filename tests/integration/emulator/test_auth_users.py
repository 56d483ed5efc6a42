"""Login, tokens, users and the common error/request-id conventions, over real HTTP."""

from __future__ import annotations

import requests
from emulator_testlib import PREFIX, Api, assert_error, unique


def test_login_returns_token_and_bad_credentials_are_refused(base_url: str, root_password: str) -> None:
    r = requests.post(base_url + PREFIX + "/login", json={"username": "root", "password": root_password})
    assert r.status_code == 200 and r.json()["authorization"]
    assert_error(
        requests.post(base_url + PREFIX + "/login", json={"username": "root", "password": "nope1"}),
        400,
        "AuthFailed",
    )
    assert_error(
        requests.post(base_url + PREFIX + "/login", json={"username": "ghost99", "password": "x1yyyy"}),
        400,
        "UserNotExist",
    )
    assert_error(requests.post(base_url + PREFIX + "/login", data=b"{not json"), 400, "MalformedJSON")


def test_requests_need_a_valid_token_even_on_unknown_paths(base_url: str, root: Api) -> None:
    assert_error(requests.get(base_url + PREFIX + "/run"), 400, "AuthWithoutToken")
    assert_error(requests.get(base_url + PREFIX + "/nowhere"), 400, "AuthWithoutToken")
    bad = {"x-pf-authorization": "abc.def"}
    assert_error(requests.get(base_url + PREFIX + "/run", headers=bad), 400, "AuthInvalidToken")
    assert_error(root.get("/nowhere"), 404, "PathNotFound")
    assert_error(root.call("PATCH", "/user"), 405, "MethodNotAllowed")


def test_request_id_is_echoed_in_header_and_error_body(root: Api) -> None:
    r = root.get("/queue/nope-q", headers={"x-pf-request-id": "my-req-1"})
    assert r.headers["x-pf-request-id"] == "my-req-1"
    assert assert_error(r, 400, "QueueNameNotFound")["requestID"] == "my-req-1"
    assert root.get("/version").headers["x-pf-request-id"]


def test_user_lifecycle_and_root_only_rules(root: Api, base_url: str) -> None:
    name = unique("usr")
    assert_error(
        root.post("/user", json={"username": "a_b", "password": "abc123"}), 400, "InvalidNamePattern"
    )
    assert_error(root.post("/user", json={"username": name, "password": "short"}), 400, "UserPasswordWeak")
    r = root.post("/user", json={"username": name, "password": "abc123"})
    assert r.status_code == 200 and r.json() == {"username": name}
    assert_error(root.post("/user", json={"username": name, "password": "abc123"}), 403, "UserNameDuplicated")
    listed = root.get("/user", params={"maxKeys": 100}).json()
    names = [u["name"] for u in listed["userList"]]
    assert name in names and "root" not in names
    user = Api(base_url, name, "abc123")
    assert_error(user.get("/user"), 403, "AccessDenied")
    assert_error(user.post("/user", json={"username": name, "password": "abc123"}), 403, "OnlyRootAllowed")
    assert_error(
        user.post("/user", json={"username": "other1", "password": "abc123"}), 400, "AuthIllegalUser"
    )
    assert_error(user.put("/user/root", json={"password": "abc1234"}), 403, "AccessDenied")
    assert_error(user.delete(f"/user/{name}"), 403, "AccessDenied")
    assert_error(root.delete("/user/root"), 403, "AccessDenied")
    r = root.delete(f"/user/{name}")
    assert r.status_code == 200 and r.text == ""
    assert_error(root.delete(f"/user/{name}"), 400, "UserNotExist")
    # the deleted user's token is dead
    assert_error(user.get("/queue"), 400, "UserNotExist")


def test_password_change_invalidates_old_tokens(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    r = user.put(f"/user/{user.user}", json={"password": "newpass9"})
    assert r.status_code == 200 and r.text == ""
    assert_error(user.get("/queue"), 400, "AuthFailed")
    fresh = Api(user.base, user.user, "newpass9")
    assert fresh.get("/queue").status_code == 200


def test_version_and_list_paging(root: Api) -> None:
    v = root.get("/version").json()
    assert set(v) >= {
        "gitVersion",
        "gitCommit",
        "gitBranch",
        "buildDate",
        "goVersion",
        "compiler",
        "platform",
    }
    for bad in ("0", "1001", "x"):
        assert_error(root.get("/user", params={"maxKeys": bad}), 400, "InvalidURI")
    assert_error(root.get("/user", params={"marker": "garbage!!"}), 400, "InvalidMarker")


def test_grant_body_username_guard_for_non_root(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    body = {"username": "someone", "resourceType": "queue", "resourceID": "default-queue"}
    assert_error(user.post("/grant", json=body), 400, "AuthIllegalUser")
    assert_error(user.get("/queue", params={"userName": "someone"}), 400, "AuthIllegalUser")
