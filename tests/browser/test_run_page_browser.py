"""The run page in a real browser (headless Chromium): the default run link signs in and comes back,
the page shows the run, its steps and their logs, a step's ``<script>`` stays text, and another
user's run is refused (issue 11, item 5)."""

from __future__ import annotations

import base64
import itertools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

pytest.importorskip("selenium", reason="selenium is not installed (requirements/af3.in)")
from selenium.common.exceptions import (
    NoAlertPresentException,
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

API = "/api/paddleflow/v1"
FINAL = ("succeeded", "failed", "terminated", "skipped")
XSS = "<script>alert(1)</script>"
_names = itertools.count(1)


def run_yaml(gate: Path) -> str:
    """A step that prints ``<script>``, then waits for ``gate`` to exist, so the test decides when the run
    ends (no sleep decides it) and can watch the page of a running run reload itself."""
    wait = f"while [ ! -e {gate} ]; do sleep 0.1; done"
    return (
        "name: browserdemo\ndocker_env: busybox\nentry_points:\n"
        f"  shout:\n    command: \"echo '{XSS}'; {wait}; echo shout-done\"\n"
        "  later:\n    deps: shout\n    entry_points:\n      inner:\n        command: echo inner-done\n"
    )


def _token(base: str, user: str, password: str) -> dict[str, str]:
    r = requests.post(base + API + "/login", json={"username": user, "password": password}, timeout=20)
    assert r.status_code == 200, r.text
    return {"x-pf-authorization": r.json()["authorization"]}


def _user(base: str, root: dict[str, str]) -> tuple[str, dict[str, str]]:
    name = f"brw{next(_names):03d}{int(time.time() * 1000) % 100000:05d}"
    r = requests.post(
        base + API + "/user", json={"username": name, "password": "pass1234"}, headers=root, timeout=20
    )
    assert r.status_code == 200, r.text
    return name, _token(base, name, "pass1234")


def _run(base: str, auth: dict[str, str], yaml_text: str) -> str:
    body = {"runYamlRaw": base64.b64encode(yaml_text.encode()).decode()}
    r = requests.post(base + API + "/run", json=body, headers=auth, timeout=20)
    assert r.status_code == 201, r.text
    return str(r.json()["runID"])


def _until(browser: Any, condition: Callable[[Any], Any]) -> Any:
    """What ``condition`` returns once truthy, read again whenever the page reloaded under it (an
    element of the page before the reload is stale, one of the next page may not be there yet)."""
    wait = WebDriverWait(
        browser,
        60,
        poll_frequency=0.2,
        ignored_exceptions=(StaleElementReferenceException, NoSuchElementException),
    )
    return wait.until(condition)


def test_run_page_in_a_browser(
    browser: Any, paddleflow_emulator: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    base = str(paddleflow_emulator.url)
    root = _token(base, "root", paddleflow_emulator.root_password)
    alice, alice_auth = _user(base, root)
    _, bob_auth = _user(base, root)
    gate = tmp_path / "gate"
    request.addfinalizer(gate.touch)  # a failed test leaves no step waiting for the rest of the session
    run_id = _run(base, alice_auth, run_yaml(gate))
    bob_run = _run(
        base, bob_auth, "name: other\ndocker_env: busybox\nentry_points:\n  a:\n    command: echo b\n"
    )

    # the default link carries no credentials: the browser lands on the login form, then back on the run
    browser.get(f"{base}/run/{run_id}")
    assert browser.current_url == f"{base}/login?next={quote(f'/run/{run_id}')}"
    browser.find_element(By.ID, "username").send_keys(alice)
    browser.find_element(By.ID, "password").send_keys("pass1234")
    browser.find_element(By.ID, "sign-in").click()
    WebDriverWait(browser, 20).until(lambda d: d.current_url == f"{base}/run/{run_id}")

    # while the run runs, the page shows the step's log so far and reloads itself; once the gate opens,
    # one of those reloads (the test never reloads it) shows the final status
    def running(d: Any) -> tuple[str, str] | None:
        if XSS not in d.find_element(By.CSS_SELECTOR, "pre.log").text:
            return None
        return d.find_element(By.ID, "run-status").text, d.find_element(By.ID, "refreshing").text

    status, note = _until(browser, running)
    assert status == "running" and note.startswith("This page reloads every"), (status, note)
    gate.touch()
    _until(browser, lambda d: d.find_element(By.ID, "run-status").text in FINAL)
    assert browser.find_elements(By.ID, "refreshing") == []
    assert browser.find_element(By.ID, "run-status").text == "succeeded"
    assert browser.find_element(By.ID, "run-name").text == "browserdemo"
    assert browser.find_element(By.ID, "run-owner").text == alice
    assert browser.find_element(By.ID, "signed-in-user").text == alice
    steps = [
        [cell.text for cell in row.find_elements(By.TAG_NAME, "td")[:3]]
        for row in browser.find_elements(By.CSS_SELECTOR, "#steps tbody tr")
    ]
    assert steps == [
        ["shout", "step", "succeeded"],
        ["later", "dag", "succeeded"],
        ["inner", "step", "succeeded"],
    ]
    logs = [pre.text for pre in browser.find_elements(By.CSS_SELECTOR, "pre.log")]
    assert len(logs) == 2 and XSS in logs[0] and "shout-done" in logs[0] and "inner-done" in logs[1]

    # the step's <script> is text: no script element in the document, no alert raised
    assert browser.find_elements(By.TAG_NAME, "script") == []
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - reading it is what raises when there is none

    shot = tmp_path / "run-page.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 0
    print(f"run page screenshot: {shot}")

    # the list shows alice's run and not bob's; bob's run page is refused
    browser.get(base + "/")
    listed = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#runs tbody td:first-child a")]
    assert run_id in listed and bob_run not in listed
    browser.get(f"{base}/run/{bob_run}")
    assert "has no access to resource[run]" in browser.find_element(By.ID, "page-error").text
    assert browser.find_elements(By.ID, "run-status") == []
