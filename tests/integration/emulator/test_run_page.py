"""The run pages over real HTTP: ``GET /`` and ``GET /run/{run_id}`` (the default run link's target),
the login that guards them, what they show and what they refuse (issue 11, item 5)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
import requests
from emulator_testlib import Api, b64, unique, wait_for

FINAL = ("succeeded", "failed", "terminated", "skipped")
XSS = "<script>alert(1)</script>"


def page_session(base: str, user: str, password: str, next_path: str = "/") -> requests.Session:
    """A browser-like session signed in through the login form."""
    s = requests.Session()
    r = s.post(
        base + "/login",
        data={"username": user, "password": password, "next": next_path},
        allow_redirects=False,
        timeout=20,
    )
    assert r.status_code == 303, r.text
    return s


def start_run(api: Api, yaml_text: str, **body: Any) -> str:
    r = api.post("/run", json={"runYamlRaw": b64(yaml_text), **body})
    assert r.status_code == 201, r.text
    return str(r.json()["runID"])


def wait_final(api: Api, run_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        d = api.get(f"/run/{run_id}").json()
        return d if d["status"] in FINAL else None

    return dict(wait_for(done, 60))


def rows(html: str, table_id: str) -> list[list[str]]:
    """The cell texts of each body row of table ``table_id`` (tags stripped, entities kept)."""
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    assert table, f"no table {table_id}"
    body = table.group(1).split("<tbody>", 1)[1]
    out = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        out.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return out


def run_yaml(fs: str) -> str:
    return (
        f"name: pagedemo\ndocker_env: busybox\nfs_options:\n  main_fs: {{name: {fs}}}\n"
        "entry_points:\n"
        "  produce:\n"
        "    parameters:\n      greeting: hello\n"
        f"    command: \"echo '{XSS}'; echo 'step-says-{{{{greeting}}}}'; echo weights > {{{{model}}}}\"\n"
        "    artifacts:\n      output: [model]\n"
        "  train:\n"
        "    deps: produce\n"
        "    entry_points:\n"
        "      fit:\n        command: echo fitting-now\n"
        "post_process:\n  notify:\n    command: echo notify-done\n"
    )


@pytest.fixture()
def finished_run(root: Api, make_user: Callable[..., Api]) -> tuple[Api, str]:
    """A user's succeeded run: a step that prints ``<script>`` and writes an artifact, then a DAG."""
    user = make_user()
    fs = unique("pgfs")
    assert user.post("/fs", json={"name": fs, "url": f"local://{fs}"}).status_code == 201
    run_id = start_run(user, run_yaml(fs), parameters={"produce.greeting": "<b>hi</b>"})
    detail = wait_final(user, run_id)
    assert detail["status"] == "succeeded", detail["runMsg"]
    return user, run_id


def test_default_run_link_without_a_session_leads_to_login_and_back(
    base_url: str, finished_run: tuple[Api, str]
) -> None:
    user, run_id = finished_run
    anonymous = requests.get(f"{base_url}/run/{run_id}", allow_redirects=False, timeout=20)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/login?next={quote(f'/run/{run_id}')}"
    form = requests.get(base_url + anonymous.headers["location"], timeout=20)
    assert form.status_code == 200 and f'name="next" value="/run/{run_id}"' in form.text

    s = requests.Session()
    login = s.post(
        base_url + "/login",
        data={"username": user.user, "password": "pass1234", "next": f"/run/{run_id}"},
        allow_redirects=False,
        timeout=20,
    )
    assert login.status_code == 303 and login.headers["location"] == f"/run/{run_id}"
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie, cookie
    page = s.get(base_url + login.headers["location"], timeout=20)
    assert page.status_code == 200 and f'<span id="run-id">{run_id}</span>' in page.text


def test_run_page_shows_the_run_its_steps_logs_artifacts_and_parameters(
    base_url: str, finished_run: tuple[Api, str]
) -> None:
    user, run_id = finished_run
    html = page_session(base_url, user.user, "pass1234").get(f"{base_url}/run/{run_id}", timeout=20).text
    assert '<span id="run-name">pagedemo</span>' in html
    assert 'id="run-status">succeeded<' in html
    assert f'id="run-owner">{user.user}<' in html

    detail = user.get(f"/run/{run_id}").json()
    produce = detail["runtime"]["produce"][0]
    dag = detail["runtime"]["train"][0]
    fit = dag["entryPoints"]["fit"][0]
    notify = detail["postProcess"]["notify"]
    steps = rows(html, "steps")
    # name, kind, status, start, end, job id, parameters, message: the DAG's step is listed under it
    assert [r[:6] for r in steps] == [
        ["produce", "step", "succeeded", produce["startTime"], produce["endTime"], produce["jobID"]],
        ["train", "dag", "succeeded", dag["startTime"] or "–", dag["endTime"], dag["id"]],
        ["fit", "step", "succeeded", fit["startTime"], fit["endTime"], fit["jobID"]],
        ["notify", "post-process", "succeeded", notify["startTime"], notify["endTime"], notify["jobID"]],
    ]
    assert 'class="step-name indent-1">fit<' in html
    assert steps[0][6] == "greeting=&lt;b&gt;hi&lt;/b&gt;"

    # each step's log tail, escaped: the step's <script> arrives as text, and the page has no script at all
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert "step-says-&lt;b&gt;hi&lt;/b&gt;" in html and "fitting-now" in html and "notify-done" in html

    [artifact] = rows(html, "artifacts")
    assert artifact[:3] == ["produce", "model", "output"] and artifact[3].endswith("model")
    assert rows(html, "parameters") == [["produce.greeting", "&lt;b&gt;hi&lt;/b&gt;"]]
    assert 'http-equiv="refresh"' not in html  # a final run's page stays put


def test_run_page_of_a_running_run_refreshes_until_the_run_ends(
    base_url: str, make_user: Callable[..., Api]
) -> None:
    user = make_user()
    run_id = start_run(
        user, "name: slow\ndocker_env: busybox\nentry_points:\n  nap:\n    command: sleep 60\n"
    )
    wait_for(lambda: user.get(f"/run/{run_id}").json()["status"] == "running")
    s = page_session(base_url, user.user, "pass1234")
    running = s.get(f"{base_url}/run/{run_id}", timeout=20).text
    assert '<meta http-equiv="refresh" content="2">' in running
    assert user.put(f"/run/{run_id}", params={"action": "stop"}).status_code == 200
    wait_final(user, run_id)
    stopped = s.get(f"{base_url}/run/{run_id}", timeout=20).text
    assert 'id="run-status">terminated<' in stopped and 'http-equiv="refresh"' not in stopped


def test_a_user_sees_only_their_own_runs_and_root_sees_all(
    root_password: str, base_url: str, root: Api, make_user: Callable[..., Api]
) -> None:
    hello = "name: mine\ndocker_env: busybox\nentry_points:\n  a:\n    command: echo hi\n"
    alice, bob = make_user(), make_user()
    alice_run, bob_run = start_run(alice, hello), start_run(bob, hello)
    s = page_session(base_url, alice.user, "pass1234")

    listed = s.get(base_url + "/", timeout=20).text
    assert f">{alice_run}</a>" in listed and f">{bob_run}</a>" not in listed
    refused = s.get(f"{base_url}/run/{bob_run}", timeout=20)
    assert refused.status_code == 403
    assert f"user[{alice.user}] has no access to resource[run] with ID[{bob_run}]" in refused.text
    assert 'id="run-status"' not in refused.text

    everything = page_session(base_url, "root", root_password)
    listed = everything.get(base_url + "/", timeout=20).text
    assert f">{alice_run}</a>" in listed and f">{bob_run}</a>" in listed
    assert everything.get(f"{base_url}/run/{bob_run}", timeout=20).status_code == 200


def test_unknown_run_is_a_404_page(root_password: str, base_url: str) -> None:
    r = page_session(base_url, "root", root_password).get(f"{base_url}/run/run-999999", timeout=20)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "resouceType[run] with ID[run-999999] not found" in r.text


def test_a_marker_that_is_not_the_lists_own_is_a_400_page(root_password: str, base_url: str) -> None:
    r = page_session(base_url, "root", root_password).get(
        base_url + "/", params={"marker": "nope"}, timeout=20
    )
    assert r.status_code == 400 and 'id="page-error"' in r.text


def test_wrong_password_sets_no_session(base_url: str, make_user: Callable[..., Api]) -> None:
    user = make_user()
    r = requests.post(
        base_url + "/login",
        data={"username": user.user, "password": "wrong-one", "next": "/"},
        allow_redirects=False,
        timeout=20,
    )
    assert r.status_code == 401 and "Wrong user name or password." in r.text
    assert "set-cookie" not in r.headers


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_login_never_sends_the_browser_to_another_site(
    root_password: str, base_url: str, target: str
) -> None:
    r = requests.post(
        base_url + "/login",
        data={"username": "root", "password": root_password, "next": target},
        allow_redirects=False,
        timeout=20,
    )
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_a_forged_or_signed_out_session_is_sent_to_login(root_password: str, base_url: str) -> None:
    s = page_session(base_url, "root", root_password)
    assert s.get(base_url + "/", allow_redirects=False, timeout=20).status_code == 200
    out = s.post(base_url + "/logout", allow_redirects=False, timeout=20)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert s.get(base_url + "/", allow_redirects=False, timeout=20).headers["location"] == "/login?next=/"
    forged = requests.get(
        base_url + "/",
        cookies={"pf_emulator_session": "eyJ1IjogInJvb3QifQ.bad"},
        allow_redirects=False,
        timeout=20,
    )
    assert forged.status_code == 303 and forged.headers["location"] == "/login?next=/"


def test_a_password_change_ends_the_page_session(base_url: str, make_user: Callable[..., Api]) -> None:
    user = make_user()
    s = page_session(base_url, user.user, "pass1234")
    assert s.get(base_url + "/", allow_redirects=False, timeout=20).status_code == 200
    assert user.put(f"/user/{user.user}", json={"password": "newpass5678"}).status_code == 200
    assert s.get(base_url + "/", allow_redirects=False, timeout=20).status_code == 303


SIMPLE = "name: listed\ndocker_env: busybox\nentry_points:\n  a:\n    command: echo listed\n"


def test_the_run_list_shows_the_newest_run_first(
    base_url: str, make_user: Callable[..., Api], root_password: str
) -> None:
    user = make_user()
    ours = [start_run(user, SIMPLE) for _ in range(3)]
    mine = page_session(base_url, user.user, "pass1234").get(base_url + "/", timeout=20).text
    assert [row[0] for row in rows(mine, "runs")] == ours[::-1]
    # root's list holds every run of the session: the ones just started come first, not on page N
    everything = page_session(base_url, "root", root_password).get(base_url + "/", timeout=20).text
    assert [row[0] for row in rows(everything, "runs")][:3] == ours[::-1]
