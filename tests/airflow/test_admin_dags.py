"""The management operators (pipelines, schedules, queues, storage, clusters) under ``dag.test()``
against the emulator: what they create, what they return, what a retried create or delete does,
and that credentials reach no log, XCom, rendered template or serialized DAG."""

from __future__ import annotations

import base64
import contextlib
import json

import pytest

from paddleflow_provider.client import ConflictError, NotFoundError

pytestmark = pytest.mark.slow  # whole DAGs through dag.test(), each a few seconds


def _states(dagtest, dr) -> dict[str, str]:
    return dagtest.ti_states(dr)


def test_pipeline_and_schedule_lifecycle(pf_conn, pf_api, dagtest):
    dr = dagtest.run_dag("pf_admin_pipeline")
    assert _states(dagtest, dr) == {
        "create": "success",
        "create_again": "success",  # if_exists="reuse": same YAML, same pipeline
        "create_refused": "failed",  # default if_exists="fail"
        "update_unchanged": "success",
        "update": "success",
        "other_refused": "failed",  # same name, a YAML no version has: never reused
        "schedule": "success",
        "schedule_again": "success",
        "schedule_refused": "failed",  # same name, another crontab
        "stop_schedule": "success",
        "stop_schedule_again": "success",  # already stopped: done
        "delete_schedule": "success",
        "delete_schedule_again": "success",  # default if_missing="ignore"
        "delete_version": "success",
        "delete": "success",
        "delete_again": "success",
        "delete_refused": "failed",  # if_missing="fail"
    }
    pipeline_id = dagtest.xcom(dr, "create")
    assert pipeline_id.startswith("ppl-")
    assert dagtest.xcom(dr, "create_again") == pipeline_id
    assert str(dagtest.xcom(dr, "create", "pipeline_version_id")) == "1"
    assert dagtest.xcom(dr, "create", "pipeline_name").startswith("ppl_")
    # A retried update with the same YAML adds no version; a new YAML adds version 2.
    assert str(dagtest.xcom(dr, "update_unchanged")) == "1"
    assert str(dagtest.xcom(dr, "update")) == "2"
    schedule_id = dagtest.xcom(dr, "schedule")
    assert schedule_id.startswith("schedule-")
    assert dagtest.xcom(dr, "schedule_again") == schedule_id
    with pytest.raises(NotFoundError):
        pf_api.show_schedule(schedule_id)
    with pytest.raises(NotFoundError):
        pf_api.show_pipeline(pipeline_id)


def test_templated_yaml_keeps_paddleflow_references(pf_conn, pf_api, dagtest):
    dr = dagtest.run_dag("pf_admin_pipeline")
    rendered = dagtest.rendered_fields(dr)["create"]
    assert "name: ppl_" in rendered["yaml_raw"] and "{{ ts_nodash }}" not in rendered["yaml_raw"]
    assert "{{ epochs }}" in rendered["yaml_raw"]  # PaddleFlow's own reference, untouched
    assert rendered["desc"].startswith("from 20")


def test_queue_lifecycle_and_grants(pf_conn, pf_api, dagtest, capfd):
    with contextlib.suppress(ConflictError):
        pf_api.add_user("airflowu1", "passw0rd1")
    dr = dagtest.run_dag("pf_admin_queue")
    capfd.readouterr()
    assert _states(dagtest, dr) == {
        "create": "success",
        "create_again": "success",
        "create_refused": "failed",
        "bigger_refused": "failed",  # same name, more CPU: not the queue asked for
        "grant": "success",
        "grant_again": "success",
        "ungrant": "success",
        "ungrant_again": "success",
        "stop": "success",
        "delete": "success",
        "delete_refused": "failed",
        "delete_again": "success",
    }
    name = dagtest.xcom(dr, "create")
    assert name.startswith("q-") and dagtest.xcom(dr, "create_again") == name
    with pytest.raises(NotFoundError):
        pf_api.show_queue(name)
    assert not [g for g in pf_api.iter_queue_grants(username="airflowu1") if g.resourceName == name]


def test_storage_and_cluster_lifecycle_without_leaking_credentials(pf_conn, pf_api, dagtest, capfd, caplog):
    import sys

    dagtest.get_dag("pf_admin_storage")  # loads the DAG file as module paddleflow_admin_dags
    CLUSTER_CREDENTIAL = sys.modules["paddleflow_admin_dags"].CLUSTER_CREDENTIAL
    S3_SECRET_KEY = sys.modules["paddleflow_admin_dags"].S3_SECRET_KEY

    dr = dagtest.run_dag("pf_admin_storage")
    out = capfd.readouterr()
    assert _states(dagtest, dr) == {
        "create_fs": "success",
        "create_fs_again": "success",
        "create_link": "success",
        "create_link_again": "success",
        "delete_link": "success",
        "delete_link_again": "success",
        "delete_fs": "success",
        "delete_fs_again": "success",
        "create_cluster": "success",
        "create_cluster_again": "success",
        "create_cluster_refused": "failed",
        "update_cluster": "success",
        "leak": "success",
        "delete_cluster": "success",
        "delete_cluster_again": "success",
    }
    fs = dagtest.xcom(dr, "create_fs")
    assert fs.startswith("fs_") and dagtest.xcom(dr, "create_fs_again") == fs
    assert dagtest.xcom(dr, "create_link") == "/datasets" == dagtest.xcom(dr, "create_link_again")
    cluster_id = dagtest.xcom(dr, "create_cluster")
    assert cluster_id.startswith("cluster-")
    assert dagtest.xcom(dr, "create_cluster_again") == cluster_id == dagtest.xcom(dr, "update_cluster")
    with pytest.raises(NotFoundError):
        pf_api.show_fs(fs)
    with pytest.raises(NotFoundError):
        pf_api.show_cluster(dagtest.xcom(dr, "delete_cluster"))

    # The operators registered the credentials with Airflow's secret masker, so even a careless
    # task that logs them (the "leak" task) shows "***" in its task log ...
    for secret in (S3_SECRET_KEY, CLUSTER_CREDENTIAL):
        assert dagtest.redact(f"leak check: {secret}") == "leak check: ***"
    # ... and they went to the server but nowhere else. (pytest's own log capture sees the leak
    # task's raw record before Airflow's task log handler masks it, so that one line is left out.)
    log_text = (
        out.out + out.err + "".join(r.getMessage() for r in caplog.records if r.funcName != "_leak_secrets")
    )
    places = {
        "task logs": log_text,
        "XComs": json.dumps({f"{t}/{k}": str(v) for (t, k), v in dagtest.all_xcoms(dr).items()}),
        "rendered templates": json.dumps(dagtest.rendered_fields(dr), default=str),
        "serialized DAG": json.dumps(dagtest.serialized_dag("pf_admin_storage"), default=str),
    }
    for secret in (S3_SECRET_KEY, CLUSTER_CREDENTIAL, base64.b64encode(CLUSTER_CREDENTIAL.encode()).decode()):
        for place, text in places.items():
            assert secret not in text, f"{secret!r} found in {place}"


def test_pipeline_example_is_rerunnable_and_tears_down(pf_conn, pf_api, dagtest):
    first = dagtest.run_dag("pf_example_pipeline")
    second = dagtest.run_dag("pf_example_pipeline", teardown=True)  # a re-run: everything reused
    assert set(dagtest.ti_states(first).values()) == {"success", "skipped"}
    assert set(dagtest.ti_states(second).values()) == {"success"}
    for task in ("pipeline", "new_version", "schedule"):
        assert dagtest.xcom(first, task) == dagtest.xcom(second, task)
    with pytest.raises(NotFoundError):
        pf_api.show_pipeline(dagtest.xcom(second, "pipeline"))
