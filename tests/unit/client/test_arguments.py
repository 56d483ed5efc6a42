"""Argument checks (before anything is sent) and malformed answers: clear errors, never a crash."""

from __future__ import annotations

import pytest

from paddleflow_provider.client import Client, ClientConfig, InvalidArgumentError, ProtocolError
from paddleflow_provider.client._validate import crontab

BAD_CALLS = [
    ("add_user", ("ab", "abc123"), {}, "user_name"),
    ("add_user", ("alice1", "short"), {}, "password"),
    ("create_queue", ("Bad_Name", "default", "1", "1Gi", "c1"), {}, "name"),
    ("create_queue", ("default", "default", "1", "1Gi", "c1"), {}, "name"),
    ("create_queue", ("q1", "NS!", "1", "1Gi", "c1"), {}, "namespace"),
    ("add_fs", ("bad name", "local:///a"), {}, "fsname"),
    ("add_fs", ("fs1", "no-scheme"), {}, "url"),
    ("create_run", (), {}, "run_yaml_raw / pipeline_id / run_yaml_path"),
    ("create_run", (), {"run_yaml_raw": b"a: 1", "pipeline_id": "ppl-1"}, "run_yaml_raw / pipeline_id"),
    ("create_run", (), {"run_yaml_raw": 123}, "run_yaml_raw"),
    ("create_run", (), {"fs_name": "fs1", "run_name": "1bad"}, "run_name"),
    ("create_run", (), {"run_yaml_path": "./run.yaml"}, "run_yaml_path"),
    (
        "create_run",
        (),
        {"fs_name": "fs1", "failure_options": {"strategy": "never"}},
        "failure_options['strategy']",
    ),
    ("create_run", (), {"fsname": "fs1", "fs_name": "fs1"}, "fsname"),
    ("create_run", (), {"fs_name": "fs1", "bogus": 1}, "bogus"),
    ("create_run", (), {"run_yaml_raw": "a: 1", "client_token": ""}, "client_token"),
    ("create_run", (), {"run_yaml_raw": "a: 1", "client_token": "has space"}, "client_token"),
    ("create_run", (), {"run_yaml_raw": "a: 1", "client_token": "x]y"}, "client_token"),
    ("create_run", (), {"run_yaml_raw": "a: 1", "client_token": "x" * 65}, "client_token"),
    ("create_run", (), {"run_yaml_raw": "a: 1", "client_token": 12}, "client_token"),
    ("find_run_by_client_token", ("",), {}, "client_token"),
    ("find_run_by_client_token", ("a[b",), {}, "client_token"),
    ("find_run_by_client_token", ("ok",), {"fs_name": 3}, "fs_name"),
    ("find_run_by_client_token", (), {}, "find_run_by_client_token"),
    ("list_run", (), {"maxsize": 0}, "maxsize"),
    ("list_run", (), {"maxsize": 1001}, "maxsize"),
    ("list_user", (), {"maxsize": "ten"}, "maxsize"),
    ("show_run", ("",), {}, "run_id"),
    ("show_run", (), {}, "show_run"),
    ("stop_run", ("run-1",), {"force": "yes"}, "force"),
    ("show_log", ("run-1",), {"page_size": 101}, "page_size"),
    ("show_log", ("run-1",), {"log_file_position": "middle"}, "log_file_position"),
    ("create_pipeline", (), {}, "yaml_raw / fs_name"),
    ("create_pipeline", (), {"yaml_raw": b"name: a", "yaml_path": "./a.yaml"}, "yaml_path"),
    ("create_pipeline", (), {"fs_name": "fs1", "desc": "x" * 300}, "desc"),
    ("create_schedule", ("s1", "ppl-1", "1", "61 * * * *"), {}, "crontab"),
    ("create_schedule", ("s1", "ppl-1", "1", "@every"), {}, "crontab"),
    ("create_schedule", ("s", "ppl-1", "1", "@daily"), {}, "name"),
    ("create_schedule", ("s1", "ppl-1", "1", "@daily"), {"start_time": "2024/01/01"}, "start_time"),
    ("create_schedule", ("s1", "ppl-1", "1", "@daily"), {"concurrency_policy": "all"}, "concurrency_policy"),
    (
        "create_schedule",
        ("s1", "ppl-1", "1", "@daily"),
        {"start_time": "2099-01-02 00:00:00", "end_time": "2099-01-01 00:00:00"},
        "end_time",
    ),
    ("create_cluster", ("c1", "https://k", "Openshift"), {}, "clustertype"),
    ("create_cluster", ("c1", "https://k", "Kubernetes"), {}, "version"),
    ("create_cluster", ("c1", "https://k", "Local"), {"credential": 42}, "credential"),
    ("create_cluster", ("c1", "https://k", "Local"), {"namespacelist": "ns1"}, "namespacelist"),
    ("get_statistics", ("job-1",), {"runid": "run-1"}, "runid"),
    ("get_statistics_detail", ("job-1",), {"start": 10, "end": 5}, "end"),
    ("list_cluster", (), {"maxkeys": -1}, "maxkeys"),
    ("create_cluster", ("-c1", "https://k", "Local"), {}, "clustername"),
    ("create_cluster", ("c1", "https://k", "Local"), {"status": "broken"}, "status"),
    ("update_cluster", ("c1",), {"clustertype": "Openshift"}, "clustertype"),
    ("update_cluster", ("c1",), {"status": "up"}, "status"),
    ("get_statistics_detail", ("job-1",), {"start": -1}, "start"),
    ("get_statistics_detail", ("job-1",), {"step": 0}, "step"),
    ("get_statistics_detail", ("job-1",), {"runid": "run-1"}, "runid"),
    ("create_schedule", ("s1", "ppl-1", "1", "@daily"), {"concurrency": -1}, "concurrency"),
    ("create_schedule", ("s1", "ppl-1", "1", "@daily"), {"expire_interval": -5}, "expire_interval"),
    ("create_schedule", ("s1", "ppl-1", "1", "@daily"), {"end_time": "2024-13-01 00:00:00"}, "end_time"),
    ("create_run", (), {"fs_name": "fs1", "pipeline_version_id": "1"}, "pipeline_version_id"),
    ("create_run", (), {"fs_name": "fs 1"}, "fs_name"),
    ("create_run", (), {"run_yaml_raw": "  \n"}, "run_yaml_raw"),
    ("show_log", ("run-1",), {"page_no": 0}, "page_no"),
    ("list_artifact", (), {"type_filter": "both"}, "type_filter"),
    ("create_queue", ("q1", "default", "1", "1Gi", "c1"), {"quota_type": "hard"}, "quota_type"),
    ("create_queue", ("q1", "default", "", "1Gi", "c1"), {}, "cpu"),
    ("update_password", ("alice1", "abcdef"), {}, "password"),
    ("update_pipeline", ("ppl-1",), {"yaml_raw": "name: a", "fs_name": "fs1"}, "fs_name"),
    ("update_pipeline", ("ppl-1",), {"fs_name": "fs1", "desc": "x" * 257}, "desc"),
    ("add_link", ("fs1", "/l", "nowhere"), {}, "url"),
    ("mount", ("fs1", "/"), {"mount_options": {"bad key": 1}}, "mount_options"),
    ("mount", ("fs1", "/"), {"mount_options": "a=1"}, "mount_options"),
]


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "argument"),
    BAD_CALLS,
    ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(BAD_CALLS)],
)
def test_bad_arguments_fail_before_sending_and_name_the_argument(
    server, client, method, args, kwargs, argument
):
    with pytest.raises(InvalidArgumentError) as info:
        getattr(client.api, method)(*args, **kwargs)
    assert info.value.argument == argument and info.value.status_code is None
    ok, message = getattr(client, method)(*args, **kwargs)[:2]
    assert ok is False and repr(argument)[1:-1] in message
    assert server.requests == []  # nothing sent, not even a login


def test_list_cluster_failure_keeps_its_three_tuple_shape(client):
    assert client.list_cluster(maxkeys=0)[::2] == (False, None)
    assert client.get_statistics_detail("")[::2] == (False, False)


def test_password_never_appears_in_argument_errors(client):
    _, message = client.add_user("alice1", "onlyletters")
    assert "onlyletters" not in message


@pytest.mark.parametrize("raw", ["name: x\n", b"name: x\n"])
def test_yaml_and_credentials_accept_str_and_bytes(server, client, raw):
    server.reply(201, {"runID": "run-000001"})
    assert client.create_run(run_yaml_raw=raw) == (True, "run-000001")
    assert server.calls[0].body["runYamlRaw"] == "bmFtZTogeAo="


@pytest.mark.parametrize(
    "expr",
    [
        "*/5 * * * *",
        "0 0 1 1 *",
        "0-30/10 9-17 * * mon-fri",
        "@daily",
        "@hourly",
        "@every 1s",
        "@every 1h30m",
        "15 2 * JAN,FEB SUN",
        "0 0 ? * 7",
    ],
)
def test_crontab_accepts_standard_forms(expr):
    assert crontab("crontab", expr) == expr


@pytest.mark.parametrize(
    "expr",
    [
        "* * * *",
        "60 * * * *",
        "* 24 * * *",
        "* * 0 * *",
        "* * * 13 *",
        "*/0 * * * *",
        "@every 0s",
        "@sometimes",
        "5-1 * * * *",
        "* * * * * *",
    ],
)
def test_crontab_rejects_the_rest(expr):
    with pytest.raises(InvalidArgumentError):
        crontab("crontab", expr)


# -- malformed answers -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "args", "answer"),
    [
        ("show_run", ("run-1",), "<html>gateway</html>"),
        ("show_run", ("run-1",), [1, 2]),
        ("show_run", ("run-1",), {"runID": "run-1", "runtime": "oops"}),
        ("list_run", (), {"runList": {"not": "a list"}}),
        ("create_run", (), {"noRunID": True}),
        ("show_log", ("run-1",), {"runLog": "x"}),
        ("retry_run", ("run-1",), None),
    ],
)
def test_malformed_answers_are_protocol_errors_not_crashes(server, client, method, args, answer):
    server.reply(200 if method != "create_run" else 201, answer)
    kwargs = {"run_yaml_raw": "a: 1"} if method == "create_run" else {}
    with pytest.raises(ProtocolError) as info:
        getattr(client.api, method)(*args, **kwargs)
    assert method in str(info.value)
    server.reply(200, answer)
    ok, message = getattr(client, method)(*args, **kwargs)
    assert ok is False and message


def test_error_bodies_that_are_not_json_still_map_by_status(server, client):
    server.reply(404, "Not Found", headers={"Content-Type": "text/plain"})
    ok, message = client.show_run("run-1")
    assert ok is False and "404" in message and "Not Found" in message


def test_nulls_and_unknown_fields_are_tolerated(server, client):
    server.reply(
        200,
        {
            "runID": "run-1",
            "status": "brand-new-status",
            "runtime": None,
            "postProcess": None,
            "parameters": None,
            "newField": {"x": 1},
            "runtimeV2": [],
        },
    )
    ok, run = client.show_run("run-1")
    assert ok and run.status == "brand-new-status" and run.runtime == {} and run.newField == {"x": 1}
    assert not run.is_final and list(run.iter_jobs()) == []


def test_client_options_and_config_round_trip(server):
    c = Client("https://example.org:8443", "root", b"paddleflow", timeout=3, verify=False, max_attempts=2)
    cfg = c.config
    assert (cfg.scheme, cfg.host, cfg.port, cfg.timeout, cfg.verify_arg) == (
        "https",
        "example.org",
        "8443",
        (3.0, 3.0),
        False,
    )
    data = cfg.to_dict()
    assert "password" not in data
    again = ClientConfig.from_dict({**data, "password": "paddleflow"})
    assert again == cfg and Client.from_config(again).config is again
    with pytest.raises(InvalidArgumentError) as info:
        Client("h", retries=3)
    assert info.value.argument == "retries"
    with pytest.raises(InvalidArgumentError):
        ClientConfig(host="ftp://x")
    with pytest.raises(InvalidArgumentError):
        ClientConfig(host="h", timeout=(0, 1))
    assert ClientConfig(host="h", ca_bundle="/etc/ca.pem").verify_arg == "/etc/ca.pem"
    c.close()
