"""``paddleflow run ...`` against the emulator: every verb, every format, waiting and following logs."""

from __future__ import annotations

import json

from cli_testlib import assert_one_line_error, uid, wait_final, yaml

HELLO = "  say-hi:\n    command: echo hello-from-{name}\n    parameters:\n      a: 0\n"


def create(pf_json, name: str, steps: str, *extra: str) -> str:
    path = None
    data = pf_json("run", "create", "-n", name, "-yr", yaml(name, steps), *extra)
    assert data["message"] == f"run[{name}] create success with runid[{data['run_id']}]"
    del path
    return str(data["run_id"])


def test_create_list_show_delete_in_every_format(pf, pf_json, client):
    name = f"hello_{uid()}"
    result = pf("run", "create", "-n", name, "-yr", yaml(name, HELLO.format(name=name)), "-p", "a=1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"run[{name}] create success with runid[run-")
    run_id = result.stdout.strip().rsplit("[", 1)[1].rstrip("]")
    assert wait_final(client, run_id).status == "succeeded"

    table = pf("run", "list", "-n", name)
    assert table.exit_code == 0
    assert "| run id" in table.stdout and run_id in table.stdout and "marker: None" in table.stdout
    text = pf("--output", "text", "run", "list", "-n", name)
    assert "+--" not in text.stdout and run_id in text.stdout
    listed = pf_json("run", "list", "-n", name, "-m", "5")
    assert [r["run_id"] for r in listed["items"]] == [run_id] and listed["nextMarker"] is None

    shown = pf("run", "show", run_id)
    assert shown.exit_code == 0
    for header in ("| run id", "| fs name", "run yaml detail", "runtime in json", "say-hi"):
        assert header in shown.stdout
    detail = pf_json("run", "show", run_id)
    assert detail["run_id"] == run_id and detail["status"] == "succeeded"
    as_text = pf("--output", "text", "run", "show", run_id)
    assert "+--" not in as_text.stdout and "run yaml detail:" in as_text.stdout and run_id in as_text.stdout
    job_id = detail["runtime"]["say-hi"][0]["job_id"]
    only = pf("run", "logs", run_id, "-j", job_id)
    assert only.exit_code == 0 and "[say-hi] " in only.stdout and f"hello-from-{name}" in only.stdout
    assert pf("run", "logs", run_id, "-j", "job-none").stdout == ""

    retried = pf("run", "retry", run_id)
    assert_one_line_error(retried, "ActionNotAllowed")

    assert pf_json("run", "delete", run_id, "--notcheckcache") == {
        "message": f"run[{run_id}] delete success",
        "run_id": run_id,
    }
    assert_one_line_error(pf("run", "show", run_id), "RunNotFound")
    assert_one_line_error(pf("run", "wait", run_id), "RunNotFound")
    assert_one_line_error(pf("run", "logs", run_id, "--follow"), "RunNotFound")


def test_stop_retry_and_wait_on_a_failing_run(pf, pf_json, client):
    name = f"stop_{uid()}"
    run_id = create(pf_json, name, "  slow:\n    command: sleep 30\n")
    result = pf("run", "stop", run_id, "-f")
    assert result.exit_code == 0 and result.stdout.strip() == f"run[{run_id}] stop success"
    assert wait_final(client, run_id).status == "terminated"

    waited = pf("--output", "json", "run", "wait", run_id, "--poll-interval", "0.1")
    assert waited.exit_code == 1
    assert json.loads(waited.stdout) | {"message": ""} == {
        "message": "",
        "run_id": run_id,
        "status": "terminated",
        "verdict": "failure",
    }

    retried = pf_json("run", "retry", run_id)
    new_id = retried["new_run_id"]
    assert retried["message"] == f"run[{run_id}] retry success, new run id is [{new_id}]"
    pf("run", "stop", new_id)


def test_wait_succeeds_and_times_out(pf, pf_json):
    name = f"wait_{uid()}"
    run_id = create(pf_json, name, "  nap:\n    command: sleep 0.5; echo done\n")
    late = pf("run", "wait", run_id, "--timeout", "0.1", "--poll-interval", "0.05")
    assert late.exit_code == 3 and "still running" in late.stdout
    ok = pf("run", "wait", run_id, "--poll-interval", "0.1", "--timeout", "30")
    assert ok.exit_code == 0, ok.stderr
    assert ok.stdout.strip() == f"run[{run_id}] succeeded"
    assert f"{run_id} is succeeded" in ok.stderr


PAGES = (
    "  talk:\n    command: for i in $(seq 1 {n}); do echo line-$i; done; sleep 0.3;"
    " for i in $(seq {m} {k}); do echo line-$i; done{tail}\n"
)


def said(stdout: str) -> list[tuple[str, str]]:
    """``(step, text)`` of each printed log line, without the server's timestamp."""
    out = []
    for line in stdout.splitlines():
        step, _, rest = line.partition(" ")
        if "line-" in rest:
            out.append((step, rest.split()[-1]))
    return out


def test_logs_follow_prints_every_line_once_over_several_pages(pf, pf_json):
    name = f"pages_{uid()}"
    run_id = create(pf_json, name, PAGES.format(n=150, m=151, k=260, tail=""))
    result = pf("run", "logs", run_id, "--follow", "--poll-interval", "0.1")
    assert result.exit_code == 0, result.stderr
    assert said(result.stdout) == [("[talk]", f"line-{i}") for i in range(1, 261)]
    assert f"run {run_id} is succeeded" in result.stderr

    as_json = pf("--output", "json", "run", "logs", run_id)
    records = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [r["line"].split()[-1] for r in records if "line-" in r["line"]] == [
        f"line-{i}" for i in range(1, 261)
    ]
    assert {r["step"] for r in records} == {"talk"}


def test_logs_follow_and_wait_on_a_run_that_fails(pf, pf_json):
    name = f"fails_{uid()}"
    run_id = create(pf_json, name, PAGES.format(n=120, m=121, k=130, tail="; exit 3"))
    followed = pf("run", "logs", run_id, "-F", "--poll-interval", "0.1")
    assert followed.exit_code == 0, followed.stderr
    assert said(followed.stdout) == [("[talk]", f"line-{i}") for i in range(1, 131)]
    assert f"run {run_id} is failed" in followed.stderr
    waited = pf("run", "wait", run_id, "--poll-interval", "0.1")
    assert waited.exit_code == 1 and waited.stdout.strip() == f"run[{run_id}] failed"


def test_log_show_pages(pf, pf_json, client):
    name = f"log_{uid()}"
    run_id = create(pf_json, name, HELLO.format(name=name))
    wait_final(client, run_id)
    table = pf("log", "show", run_id)
    assert table.exit_code == 0 and f"hello-from-{name}" in table.stdout and "| log content" in table.stdout
    data = pf_json("log", "show", run_id, "-ps", "10", "-pn", "1", "-fp", "begin")
    assert data["runId"] == run_id
    assert any(f"hello-from-{name}" in entry["log_content"] for entry in data["runLog"])
    assert_one_line_error(pf("log", "show", run_id, "-fp", "middle"), "log_file_position")


def test_cache_and_artifact_lists(pf, pf_json):
    caches = pf_json("run", "listcache", "-m", "10")
    assert set(caches) == {"items", "nextMarker"}
    assert "| cache id" in pf("run", "listcache").stdout
    artifacts = pf_json("run", "listartifact", "-m", "10")
    assert set(artifacts) == {"items", "nextMarker"}
    assert "| artifact path" in pf("run", "listartifact").stdout
    assert pf_json("run", "artifact", "-m", "10") == artifacts  # the original overview's spelling
    assert_one_line_error(pf("run", "showcache", "cch-999999"))
    assert_one_line_error(pf("run", "deletecache", "cch-999999"))
    assert_one_line_error(pf("run", "delcache", "cch-999999"))  # the original's other spelling
    assert_one_line_error(pf("run", "list", "-m", "0"), "maxsize")


def test_status_is_the_original_overviews_spelling_of_show(pf, pf_json, client):
    name = f"st_{uid()}"
    run_id = create(pf_json, name, HELLO.format(name=name))
    wait_final(client, run_id)
    assert pf_json("run", "status", run_id) == pf_json("run", "show", run_id)
    assert_one_line_error(pf("run", "status", "run-999999"), "RunNotFound")


def test_runyamlraw_takes_yaml_text_a_file_or_the_originals_base64(pf_json, client, tmp_path):
    import base64

    name = f"b64_{uid()}"
    encoded = base64.b64encode(yaml(name, HELLO.format(name=name)).encode()).decode()
    run_id = pf_json("run", "create", "-yr", encoded)["run_id"]
    assert client.api.show_run(run_id).name == name
    wait_final(client, run_id)


def test_create_without_a_source_names_the_problem(pf):
    assert_one_line_error(pf("run", "create", "-n", "x"))
    missing = pf("run", "create", "-yr", "@/no/such/file.yaml")
    assert missing.exit_code == 2 and "cannot read '/no/such/file.yaml'" in missing.stderr
    bad = pf("run", "create", "-yr", "x", "-p", "novalue")
    assert bad.exit_code == 2 and "key=value" in bad.stderr
