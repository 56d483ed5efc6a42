"""The other command groups against the emulator: user, queue, flavour, fs, pipeline, schedule,
cluster, statistics. Each verb once, with its original output sentence, its JSON form and an error."""

from __future__ import annotations

import json

from cli_testlib import assert_one_line_error, uid, wait_final, yaml

HELLO = "  say-hi:\n    command: echo hi\n"


def test_user_add_prompts_for_a_hidden_password_and_never_prints_it(pf, pf_json, client):
    name = f"u{uid()}"
    added = pf("user", "add", name, input="s3cret-pw\ns3cret-pw\n")
    assert added.exit_code == 0, added.stderr
    assert added.stdout.endswith(f"user[{name}] add success\n")
    assert "s3cret-pw" not in added.stdout + added.stderr
    listed = pf_json("user", "list", "-m", "1000")
    assert name in [u["name"] for u in listed["items"]]
    assert (
        "| name" in pf("user", "list").stdout
        and "s3cret-pw" not in pf("--output", "json", "user", "list").stdout
    )

    as_user = {"PADDLEFLOW_USER": name, "PADDLEFLOW_PASSWORD": "s3cret-pw"}
    assert pf("run", "list", env=as_user).exit_code == 0
    refused = pf("user", "set", name, "n3w-pw-1", env=as_user)  # the original's positional form
    assert refused.exit_code == 2 and "not taken from the command line" in refused.stderr
    assert "n3w-pw-1" not in refused.stdout + refused.stderr
    changed = pf("user", "set", name, input="n3w-pw-1\nn3w-pw-1\n", env=as_user)
    assert changed.exit_code == 0 and changed.stdout.strip() == f"user[{name}] update success"
    assert pf("run", "list", env={"PADDLEFLOW_USER": name, "PADDLEFLOW_PASSWORD": "n3w-pw-1"}).exit_code == 0
    mismatch = pf("user", "set", name, input="aaa111\nbbb222\naaa111\naaa111\n")
    assert mismatch.exit_code == 0 and "aaa111" not in mismatch.stdout

    reset = pf("--output", "json", "user", "set", name, input="xyz789\nxyz789\n")
    assert json.loads(reset.stdout) == {"message": f"user[{name}] update success", "name": name}
    assert "password" in reset.stderr and "xyz789" not in reset.stderr

    assert pf_json("user", "delete", name) == {"message": f"user[{name}] delete success", "name": name}
    assert_one_line_error(pf("user", "delete", name), "UserNotExist")


def test_queue_verbs(pf, pf_json):
    queue, user = f"q-{uid()}", f"g{uid()}"
    made = pf("queue", "create", queue, "default", "2", "2Gi", "--clustername", "default-cluster")
    assert made.exit_code == 0 and made.stdout.strip() == f"queue[{queue}] create  success", made.stderr
    shown = pf("queue", "show", queue)
    assert "| quota type" in shown.stdout and "max resources" in shown.stdout
    assert pf_json("queue", "show", queue)["cpu"] == "2"
    assert queue in [q["name"] for q in pf_json("queue", "list", "-m", "1000")["items"]]
    assert "marker:" in pf("queue", "list").stdout

    assert pf("user", "add", user, input="abc123\nabc123\n").exit_code == 0
    granted = pf("queue", "grant", user, queue)
    assert granted.stdout.strip() == f"queue[{queue}] add username[{user}] success"
    grants = pf_json("queue", "grantlist", "-u", user)["items"]
    assert [(g["username"], g["resourceName"]) for g in grants] == [(user, queue)]
    assert "| user name" in pf("queue", "grantlist").stdout
    ungranted = pf("queue", "ungrant", user, queue)
    assert ungranted.stdout.strip() == f"queue[{queue}] delete username[{user}] success"
    assert pf("queue", "stop", queue).exit_code == 0
    assert pf("queue", "delete", queue).stdout.strip() == f"queue[{queue}] delete  success"
    assert_one_line_error(pf("queue", "show", queue), "QueueNameNotFound")
    assert_one_line_error(pf("queue", "create", "Bad Name!", "default", "1", "1Gi"), "name")
    pf("user", "delete", user)


def test_flavour_list_and_show(pf, pf_json):
    flavours = pf_json("flavour", "list")["items"]
    table = pf("flavour", "list")
    assert table.exit_code == 0 and "| scalarResources" in table.stdout
    if flavours:
        name = flavours[0]["name"]
        assert pf_json("flavour", "show", name)["name"] == name
    assert_one_line_error(pf("flavour", "show", "no-such-flavour"), "no-such-flavour")


def test_fs_and_link_verbs_hide_secret_properties(pf, pf_json, tmp_path):
    fs = f"h{uid()}"
    made = pf(
        "fs",
        "create",
        fs,
        "hdfs://127.0.0.1:9000/data",
        "-o",
        "user=u",
        "-o",
        "group=g",
        "-o",
        "password=topsecret",
    )
    assert made.exit_code == 0 and made.stdout.strip() == f"fs[{fs}] create success", made.stderr
    shown = pf("fs", "show", fs)
    assert (
        "| server address" in shown.stdout and "topsecret" not in shown.stdout and "<hidden>" in shown.stdout
    )
    detail = pf_json("fs", "show", fs)
    assert detail["name"] == fs and detail["properties"]["password"] == "<hidden>"
    assert fs in [f["name"] for f in pf_json("fs", "list", "-m", "1000")["items"]]
    assert "topsecret" not in pf("fs", "list", "-m", "1000").stdout

    linked = pf("fs", "link", fs, "/lnk", "local:///tmp/pf-cli-link", "-o", "debug=true")
    assert linked.stdout.strip() == f"fs[{fs}] create link success", linked.stderr
    assert [x["fspath"] for x in pf_json("fs", "listlink", fs)["items"]] == ["/lnk"]
    assert "| fs path" in pf("fs", "listlink", fs).stdout
    assert pf_json("fs", "showlink", fs, "/lnk")["subpath"] == "/tmp/pf-cli-link"
    no_fuse = pf("fs", "mount", fs, str(tmp_path), "-o", "block-size=0", env={"fuse_env": ""})
    assert_one_line_error(no_fuse, "fuse_env")
    assert pf("fs", "unlink", fs, "/lnk").stdout.strip() == f"fs[{fs}] delete link success"
    assert pf("fs", "delete", fs).stdout.strip() == f"fs[{fs}] delete success"
    assert_one_line_error(pf("fs", "show", fs))
    assert_one_line_error(pf("fs", "create", fs, "nourl"), "url")
    bad = pf("fs", "create", fs, "local://x", "-o", "novalue")
    assert bad.exit_code == 2


def test_pipeline_and_schedule_verbs(pf, pf_json, client, tmp_path):
    name = f"ppl_{uid()}"
    source = tmp_path / "ppl.yaml"
    source.write_text(yaml(name, HELLO))
    made = pf_json("pipeline", "create", "-yr", f"@{source}", "-d", "from the cli")
    ppl_id = made["pipeline_id"]
    assert made["message"] == f"pipeline[{name}] create  success, id[{ppl_id}], versionID[1]"
    updated = pf("pipeline", "update", ppl_id, "-yr", yaml(name, HELLO))
    assert updated.stdout.strip() == f"pipeline[{ppl_id}] update success, new version id [2]", updated.stderr
    shown = pf("pipeline", "show", ppl_id)
    assert "| pipeline desc" in shown.stdout and "| ppl ver id" in shown.stdout
    detail = pf_json("pipeline", "show", ppl_id)
    assert [v["pipeline_version_id"] for v in detail["versions"]] == ["1", "2"]
    version = pf("pipeline", "showversion", ppl_id, "2")
    assert "| pipeline yaml" in version.stdout and f"name: {name}" in version.stdout
    assert pf_json("pipeline", "showversion", ppl_id, "2")["version"]["pipeline_id"] == ppl_id
    listed = pf_json("pipeline", "list", "-n", name)
    assert [p["pipeline_id"] for p in listed["items"]] == [ppl_id]
    assert "| pipeline id" in pf("pipeline", "list", "-n", name).stdout
    gone = pf("pipeline", "deleteversion", ppl_id, "1")
    assert gone.stdout.strip() == f"pipeline version [1] of pipeline [{ppl_id}] delete success"

    sname = f"s_{uid()}"
    made_s = pf("schedule", "create", sname, ppl_id, "2", "*/10 * * * *", "-c", "1", "--catchup", "false")
    assert made_s.exit_code == 0, made_s.stderr
    sid = made_s.stdout.strip().rsplit("[", 1)[1].rstrip("]")
    assert made_s.stdout.strip() == f"schedule [{sname}] create success with schedule id[{sid}]"
    assert [x["schedule_id"] for x in pf_json("schedule", "list", "-n", sname)["items"]] == [sid]
    assert [x["name"] for x in pf_json("schedule", "list", "--schedulefilter", sid)["items"]] == [sname]
    listed_s = pf("schedule", "list", "-n", sname)
    assert "| crontab" in listed_s.stdout and "| next run time" in listed_s.stdout
    shown_s = pf("schedule", "show", sid)
    assert "*/10 * * * *" in shown_s.stdout and "| run id" in shown_s.stdout
    assert pf_json("schedule", "show", sid)["schedule"]["crontab"] == "*/10 * * * *"
    assert pf("schedule", "stop", sid).stdout.strip() == f"schedule with id [{sid}] stop success"
    assert pf("schedule", "delete", sid).stdout.strip() == f"schedule with id [{sid}] delete success"
    assert_one_line_error(pf("schedule", "create", "s_bad", ppl_id, "2", "not a crontab"), "crontab")
    assert pf("pipeline", "delete", ppl_id).stdout.strip() == f"pipelineid[{ppl_id}] delete success"
    assert_one_line_error(pf("pipeline", "show", ppl_id))


def test_cluster_verbs_never_print_the_credential(pf, pf_json, tmp_path):
    name = f"c{uid()}"
    cred = tmp_path / "kubeconfig"
    cred.write_text("secret-kubeconfig")
    made = pf("cluster", "create", name, "http://127.0.0.1:1", "Local", "-c", str(cred), "-ns", "'ns1','ns2'")
    assert made.exit_code == 0, made.stderr
    assert made.stdout.startswith(f"cluster[{name}] create  success, id[")
    shown = pf("cluster", "show", name)
    assert "| namespace list" in shown.stdout and "secret-kubeconfig" not in shown.stdout
    detail = pf_json("cluster", "show", name)
    assert detail["namespacelist"] == ["ns1", "ns2"] and detail["credential"] == "<hidden>"
    assert [c["clustername"] for c in pf_json("cluster", "list", "-cn", name)["items"]] == [name]
    assert "| cluster type" in pf("cluster", "list").stdout
    updated = pf("cluster", "update", name, "-d", "updated")
    assert updated.stdout.strip() == f"cluster[{name}] update success"
    assert pf_json("cluster", "show", name)["description"] == "updated"
    assert pf("cluster", "resource").exit_code == 0
    assert isinstance(pf_json("cluster", "resource"), dict)
    assert pf("cluster", "delete", name).stdout.strip() == f"cluster[{name}] delete success"
    assert_one_line_error(pf("cluster", "show", name))
    missing = pf("cluster", "create", name, "http://x:1", "Local", "-c", str(tmp_path / "none"))
    assert missing.exit_code == 2 and "cannot read" in missing.stderr


def test_statistics_of_a_job(pf, pf_json, client):
    run_id = pf_json("run", "create", "-yr", yaml(f"st_{uid()}", HELLO))["run_id"]
    run = wait_final(client, run_id)
    job_id = next(run.iter_jobs()).job_id
    assert pf("statistics", "job", job_id).exit_code == 0
    assert "metrics_info" in pf_json("statistics", "job", job_id)
    detail = pf("statistics", "job", job_id, "-d")
    assert detail.exit_code == 0, detail.stderr
    assert "result" in pf_json("statistics", "job", job_id, "--detail", "-s", "1", "-e", "2")
    assert pf("statistics", "job", job_id, "-s", "1").exit_code == 2
    assert pf("statistics", "job", job_id, "-d", "-e", "1").exit_code == 2


def test_fs_mount_runs_the_fuse_client_from_fuse_env(pf, tmp_path, monkeypatch):
    from paddleflow_provider.client import _mount

    fs = f"m{uid()}"
    assert pf("fs", "create", fs, f"local://{fs}").exit_code == 0
    record = tmp_path / "record.json"
    fuse = tmp_path / "pfs-fuse"
    fuse.write_text(f'#!/bin/sh\necho "$@" > {record}\n')
    fuse.chmod(0o755)
    monkeypatch.setattr(_mount, "is_mount", lambda _path: record.exists())
    mountpoint = tmp_path / "mnt"
    mountpoint.mkdir()
    done = pf("fs", "mount", fs, str(mountpoint), "-o", "block-size=4096", env={"fuse_env": str(fuse)})
    assert done.exit_code == 0 and done.stdout.strip() == "mount success", done.stderr
    argv = record.read_text()
    assert "--block-size=4096" in argv and "paddleflow" not in argv  # the password never on a command line
    pf("fs", "delete", fs)
