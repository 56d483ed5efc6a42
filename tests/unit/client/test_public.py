"""The names other code is written against (the brief's interface list) stay as they are."""

from __future__ import annotations

import dataclasses
import inspect

import paddleflow_provider.client as pkg
from paddleflow_provider.client import AsyncPaddleFlowAPI, ClientConfig, PaddleFlowAPI


def test_public_names_exist():
    for name in [
        "Client",
        "PaddleFlowAPI",
        "AsyncPaddleFlowAPI",
        "ClientConfig",
        "PaddleFlowError",
        "APIStatusError",
        "NotFoundError",
        "PermissionDeniedError",
        "ConflictError",
        "InvalidArgumentError",
        "AuthenticationError",
        "TransientError",
        "APIConnectionError",
        "APITimeoutError",
        "ProtocolError",
        "UserInfo",
        "QueueInfo",
        "GrantInfo",
        "FlavourInfo",
        "FSInfo",
        "LinkInfo",
        "RunInfo",
        "DagInfo",
        "JobInfo",
        "RunCacheInfo",
        "ArtifactInfo",
        "PipelineInfo",
        "PipelineVersionInfo",
        "ScheduleInfo",
        "ClusterInfo",
        "LogInfo",
        "StatisticsJobInfo",
        "StatisticsJobDetailInfo",
        "RunPage",
        "RunLog",
    ]:
        assert name in pkg.__all__ and hasattr(pkg, name), name
    assert sorted(pkg.__all__) == sorted(set(pkg.__all__))
    assert issubclass(pkg.APITimeoutError, pkg.APIConnectionError)
    assert issubclass(pkg.APIConnectionError, pkg.TransientError)


def test_client_config_fields():
    names = [f.name for f in dataclasses.fields(ClientConfig)]
    assert names[:12] == [
        "host",
        "port",
        "username",
        "password",
        "scheme",
        "verify",
        "ca_bundle",
        "timeout",
        "max_attempts",
        "max_retry_time",
        "backoff_initial",
        "backoff_max",
    ]
    cfg = ClientConfig(host="h")
    assert (
        cfg.port,
        cfg.scheme,
        cfg.verify,
        cfg.timeout,
        cfg.max_attempts,
        cfg.max_retry_time,
        cfg.backoff_initial,
        cfg.backoff_max,
    ) == ("8999", "http", True, (10.0, 60.0), 5, 120.0, 0.5, 8.0)


def test_typed_signatures_match_the_brief():
    def params(method):
        return [p for p in inspect.signature(method).parameters if p != "self"]

    assert params(PaddleFlowAPI.create_run) == [
        "fs_name",
        "username",
        "run_name",
        "desc",
        "run_yaml_path",
        "run_yaml_raw",
        "pipeline_id",
        "pipeline_version_id",
        "param",
        "disabled",
        "docker_env",
        "failure_options",
        "client_token",
    ]
    assert inspect.signature(PaddleFlowAPI.create_run).parameters["client_token"].kind is (
        inspect.Parameter.KEYWORD_ONLY
    )
    assert params(PaddleFlowAPI.find_run_by_client_token) == ["client_token", "fs_name", "run_name"]
    assert inspect.iscoroutinefunction(AsyncPaddleFlowAPI.find_run_by_client_token)
    assert params(PaddleFlowAPI.list_run) == [
        "fs_name",
        "username",
        "run_id",
        "run_name",
        "status",
        "maxsize",
        "marker",
    ]
    assert params(PaddleFlowAPI.show_log) == ["run_id", "job_id", "page_size", "page_no", "log_file_position"]
    assert params(PaddleFlowAPI.stop_run) == ["run_id", "force"]
    assert params(PaddleFlowAPI.delete_run) == ["run_id", "check_cache"]
    for name in ("login", "show_run", "show_log", "list_run", "stop_run", "iter_runs", "aclose"):
        assert inspect.iscoroutinefunction(getattr(AsyncPaddleFlowAPI, name)) or name == "iter_runs", name
