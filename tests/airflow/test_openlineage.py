"""OpenLineage: the create-run operator reports its PaddleFlow run and artifacts (issue 11, item 7).

The DAGs run through ``dag.test()`` against the emulator with Airflow's OpenLineage listener
registered and a file transport, so the assertions read the events the provider itself emitted.
Where ``apache-airflow-providers-openlineage`` is not installed only the "nothing without it" tests
run (the others are reported as skipped, never as passed).
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest

pytestmark = pytest.mark.airflow

DAG_FILE = "paddleflow_lineage_dags.py"


def _uid() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def lineage_dags(dagtest):
    """The DAGs of tests/dags/paddleflow_lineage_dags.py, loaded as the DAG processor would."""
    import importlib.util

    path = dagtest.DAGS_DIR / DAG_FILE
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run_dag(dag, **conf):
    return dag.test(run_conf=conf)


@pytest.fixture
def ol_events(tmp_path, monkeypatch):
    """Airflow's OpenLineage listener, emitting to a file; yields a reader of the emitted events.

    The listener is registered for this test only (setting the transport for the whole session would
    make every other DAG test emit lineage too).
    """
    pytest.importorskip("airflow.providers.openlineage", reason="apache-airflow-providers-openlineage")
    from airflow.providers.openlineage import conf
    from airflow.providers.openlineage.plugins import listener as ol_listener
    from airflow.sdk.listener import get_listener_manager

    events = tmp_path / "openlineage.jsonl"
    monkeypatch.setenv(
        "AIRFLOW__OPENLINEAGE__TRANSPORT",
        json.dumps({"type": "file", "log_file_path": str(events), "append": True}),
    )
    monkeypatch.setenv("AIRFLOW__OPENLINEAGE__NAMESPACE", "pf-tests")
    # Emit in a thread of the task process instead of a fork of the test process.
    monkeypatch.setenv("AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD", "True")

    def forget_config():
        for value in vars(conf).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
        ol_listener.get_openlineage_listener.cache_clear()  # a fresh adapter reads the transport above

    forget_config()
    listener = ol_listener.get_openlineage_listener()
    manager = get_listener_manager()
    manager.add_listener(listener)

    def read(event_type=None, job_suffix=".train"):
        lines = events.read_text().splitlines() if events.exists() else []
        found = [json.loads(line) for line in lines]
        return [
            e
            for e in found
            if (event_type is None or e["eventType"] == event_type) and e["job"]["name"].endswith(job_suffix)
        ]

    yield read
    manager.pm.unregister(listener)
    monkeypatch.undo()
    forget_config()


@pytest.fixture
def local_fs(pf_api):
    name = f"ol{_uid()}"
    pf_api.add_fs(name, f"local://{name}")
    return name


def _artifacts(pf_api, run_id):
    """(type, artifact path) of every artifact event of a run, as PaddleFlow lists them."""
    return sorted((a.type, a.artifact_path) for a in pf_api.iter_artifacts(run_filter=run_id))


def _schema_validate(facet):
    """Check an emitted facet against the JSON schema the package ships (its own part: the
    OpenLineage base it refers to is on the web)."""
    from importlib.resources import files

    import jsonschema

    schema = json.loads((files("paddleflow_provider.lineage") / "PaddleFlowRunFacet.json").read_text())
    jsonschema.validate(facet, schema["$defs"]["PaddleFlowRunFacet"]["allOf"][1])


def _datasets(items):
    return sorted((d["namespace"], d["name"]) for d in items)


@pytest.mark.slow  # a whole DAG through dag.test()
def test_complete_event_carries_the_run_and_its_artifacts(
    pf_conn, pf_api, dagtest, lineage_dags, ol_events, local_fs
):
    dagrun = run_dag(lineage_dags.lineage_artifacts, fs=local_fs)
    assert dagtest.ti_states(dagrun) == {"train": "success"}
    run_id = dagtest.xcom(dagrun, "train")

    (complete,) = ol_events("COMPLETE")
    assert complete["job"] == {**complete["job"], "namespace": "pf-tests", "name": "lineage_artifacts.train"}
    facet = complete["run"]["facets"]["paddleflow_run"]
    run = pf_api.show_run(run_id)
    assert {k: facet.get(k) for k in ("runId", "runName", "status", "fsName", "pipelineId")} == {
        "runId": run_id,
        "runName": run.name,
        "status": "succeeded",
        "fsName": local_fs,
        "pipelineId": None,
    }
    assert facet["_producer"].startswith("https://pypi.org/project/airflow-provider-paddleflow/")
    assert facet["_schemaURL"].endswith("PaddleFlowRunFacet.json")
    _schema_validate(facet)
    server = f"{pf_conn.host}:{pf_conn.port}"
    assert complete["run"]["facets"]["externalQuery"]["externalQueryId"] == run_id
    assert complete["run"]["facets"]["externalQuery"]["source"] == f"paddleflow://{server}"

    # prep writes train_data; train reads it and writes model: PaddleFlow's own artifact events.
    artifacts = _artifacts(pf_api, run_id)
    assert [t for t, _ in artifacts] == ["input", "output", "output"]
    namespace = f"paddleflow://{server}/fs-root-{local_fs}"
    assert _datasets(complete["inputs"]) == [(namespace, p) for t, p in artifacts if t == "input"]
    assert _datasets(complete["outputs"]) == [(namespace, p) for t, p in artifacts if t == "output"]
    assert {name.rsplit("/", 1)[-1] for _, name in _datasets(complete["outputs"])} == {"train_data", "model"}
    assert all(name.startswith(f".pipeline/{run_id}/") for _, name in _datasets(complete["outputs"]))


@pytest.mark.slow  # a whole DAG through dag.test()
def test_deferred_task_reports_its_run(pf_api, dagtest, lineage_dags, ol_events, local_fs):
    """A task that waited in the triggerer resumes in a fresh operator: its run is still reported."""
    dagrun = run_dag(lineage_dags.lineage_artifacts_deferrable, fs=local_fs)
    assert dagtest.ti_states(dagrun) == {"train": "success"}
    run_id = dagtest.xcom(dagrun, "train")
    (complete,) = ol_events("COMPLETE")
    assert len(ol_events("START")) == 2  # it did defer: the provider reports the resumed task again
    assert complete["run"]["facets"]["paddleflow_run"]["runId"] == run_id
    outputs = [p for t, p in _artifacts(pf_api, run_id) if t == "output"]
    assert [name for _, name in _datasets(complete["outputs"])] == outputs


EXTERNAL_STORAGES = {
    "hdfs": ("hdfs://127.0.0.1:9000/warehouse", {"user": "u", "group": "g"}, "hdfs://127.0.0.1:9000"),
    "s3": (
        "s3://bkt/warehouse",
        {"accessKey": "ak", "secretKey": "sk", "endpoint": "s3.example.com"},
        "s3://bkt",
    ),
}


@pytest.mark.slow  # a whole DAG through dag.test()
@pytest.mark.parametrize("kind", sorted(EXTERNAL_STORAGES))
def test_pipeline_run_on_external_storage(kind, pf_conn, pf_api, dagtest, lineage_dags, ol_events):
    """A run of a stored pipeline reports the pipeline and version; artifacts on an HDFS or S3
    storage are named as OpenLineage names those files, so other tools reading them meet the same
    datasets."""
    url, properties, namespace = EXTERNAL_STORAGES[kind]
    fs = f"{kind}{_uid()}"
    pf_api.add_fs(fs, url, properties=properties)
    yaml = lineage_dags.ARTIFACT_YAML.replace("name: lineage_demo", f"name: ppl_{_uid()}").replace(
        "docker_env: python:3.11", f"docker_env: python:3.11\nfs_options:\n  main_fs:\n    name: {fs}"
    )
    created = pf_api.create_pipeline(yaml_raw=yaml.encode())
    conf = {"fs": fs, "pipeline_id": created.pipeline_id, "version": created.pipeline_version_id}

    dagrun = run_dag(lineage_dags.lineage_pipeline, **conf)
    assert dagtest.ti_states(dagrun) == {"train": "success"}
    run_id = dagtest.xcom(dagrun, "train")
    (complete,) = ol_events("COMPLETE")
    facet = complete["run"]["facets"]["paddleflow_run"]
    assert (facet["runId"], facet["pipelineId"], facet["pipelineVersionId"], facet["status"]) == (
        run_id,
        created.pipeline_id,
        created.pipeline_version_id,
        "succeeded",
    )
    artifacts = _artifacts(pf_api, run_id)
    assert len(artifacts) == 3
    expected_out = [(namespace, f"warehouse/{p}") for t, p in artifacts if t == "output"]
    assert _datasets(complete["outputs"]) == expected_out
    assert _datasets(complete["inputs"]) == [
        (namespace, f"warehouse/{p}") for t, p in artifacts if t == "input"
    ]

    # The operator's method, called directly after the run, gives what the listener emitted.
    from openlineage.client.serde import Serde

    from paddleflow_provider.operators.run import PaddleFlowCreateRunOperator

    operator = PaddleFlowCreateRunOperator(
        task_id="direct", pipeline_id=created.pipeline_id, pipeline_version_id=created.pipeline_version_id
    )
    operator._run_id = run_id
    lineage = operator.get_openlineage_facets_on_complete(None)
    assert _datasets(Serde.to_dict(d) for d in lineage.outputs) == expected_out
    assert Serde.to_dict(lineage.run_facets["paddleflow_run"]) == facet


@pytest.mark.slow  # a whole DAG through dag.test()
def test_failed_run_is_reported_in_the_fail_event(
    pf_conn, pf_api, dagtest, lineage_dags, ol_events, local_fs
):
    dagrun = run_dag(lineage_dags.lineage_failing, fs=local_fs)
    assert dagtest.ti_states(dagrun) == {"train": "failed"}
    (failed,) = ol_events("FAIL")
    facet = failed["run"]["facets"]["paddleflow_run"]
    assert facet["status"] == "failed"
    # The artifacts PaddleFlow recorded, those of the failed step too (PaddleFlow records a step's
    # declared outputs when the step starts).
    recorded = _artifacts(pf_api, facet["runId"])
    namespace = f"paddleflow://{pf_conn.host}:{pf_conn.port}/fs-root-{local_fs}"
    assert _datasets(failed["outputs"]) == [(namespace, p) for t, p in recorded if t == "output"]
    assert _datasets(failed["inputs"]) == [(namespace, p) for t, p in recorded if t == "input"]
    assert len(recorded) == 3


@pytest.mark.slow  # a whole DAG through dag.test()
def test_lineage_errors_never_fail_the_task(
    pf_conn, pf_api, dagtest, lineage_dags, ol_events, local_fs, caplog
):
    """The server refuses list_artifact: the task still succeeds, the COMPLETE event is still sent
    (without PaddleFlow facets), and the reason is logged."""
    import requests

    faults = f"{pf_conn.url}/_emulator/faults"
    rule = {"method": "GET", "path": "/artifact", "status": 403, "times": 0}
    requests.post(faults, json={"rules": [rule]}, timeout=10).raise_for_status()

    dagrun = run_dag(lineage_dags.lineage_artifacts, fs=local_fs)
    assert dagtest.ti_states(dagrun) == {"train": "success"}
    (complete,) = ol_events("COMPLETE")
    assert "paddleflow_run" not in complete["run"]["facets"]
    assert complete["inputs"] == [] and complete["outputs"] == []

    from paddleflow_provider.operators.run import PaddleFlowCreateRunOperator

    operator = PaddleFlowCreateRunOperator(task_id="direct", run_yaml_raw="name: x")
    operator._run_id = run_id = dagtest.xcom(dagrun, "train")
    with caplog.at_level("WARNING", logger="paddleflow_provider.lineage"):
        lineage = operator.get_openlineage_facets_on_complete(None)
    assert (lineage.inputs, lineage.outputs, lineage.run_facets) == ([], [], {})
    assert f"Could not collect OpenLineage metadata of PaddleFlow run {run_id}" in caplog.text


# -- without the OpenLineage provider (every environment) -----------------------------------------


def test_operator_module_imports_no_openlineage_module():
    """Importing the operators costs nothing extra when lineage is off: no OpenLineage import."""
    code = (
        "import sys; from airflow.providers.common.compat.sdk import BaseOperator;"
        "before = {m for m in sys.modules if 'openlineage' in m};"
        "import paddleflow_provider.operators.run;"
        "print(sorted({m for m in sys.modules if 'openlineage' in m} - before))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_without_the_provider_there_is_no_lineage(monkeypatch):
    """What the method gives when the OpenLineage provider cannot be imported: nothing, no error."""
    from paddleflow_provider.operators.run import PaddleFlowCreateRunOperator

    monkeypatch.setitem(sys.modules, "airflow.providers.openlineage", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "airflow.providers.openlineage.extractors", None)
    operator = PaddleFlowCreateRunOperator(task_id="t", run_yaml_raw="name: x")
    operator._run_id = "run-000001"
    assert operator.get_openlineage_facets_on_complete(None) is None


@pytest.mark.parametrize(
    ("storage", "path", "expected"),
    [
        (("fs-root-h", "hdfs", "nn:8020", "/w"), "a/b", ("hdfs://nn:8020", "w/a/b")),
        (("fs-root-k", "hdfsWithKerberos", "nn:8020", "/"), "/a", ("hdfs://nn:8020", "a")),
        (("fs-root-s", "s3", "s3.example.com", "/p", "bkt"), "x", ("s3://bkt", "p/x")),
        (("fs-root-s", "s3", "s3.example.com", "/p"), "x", ("paddleflow://pf:8999/fs-root-s", "x")),
        (
            ("fs-u-l", "local", "", "/data/l"),
            ".pipeline/r/x",
            ("paddleflow://pf:8999/fs-u-l", ".pipeline/r/x"),
        ),
        (("fs-u-b", "bos", "bj.bcebos.com", "/p"), "./x", ("paddleflow://pf:8999/fs-u-b", "x")),
    ],
)
def test_dataset_naming(storage, path, expected):
    from paddleflow_provider.lineage.naming import Storage, artifact_dataset, server_authority

    assert server_authority("http://user@pf:8999/api/paddleflow/v1") == "pf:8999"
    assert tuple(artifact_dataset(Storage(*storage), path, "pf:8999")) == expected


@pytest.mark.parametrize(
    ("source", "asked", "expected"),
    [
        ("ppl-000001-3", (None, None), (None, None)),  # not a pipeline run: nothing, whatever the source
        ("ppl-000001-3", ("ppl-000001", "2"), ("ppl-000001", "2")),  # asked for: as asked
        ("ppl-000001-3", ("ppl-000001", None), ("ppl-000001", "3")),  # latest: as the server recorded
        ("ppl-000001-", ("ppl-000001", None), ("ppl-000001", None)),  # latest, not recorded: unknown
    ],
)
def test_pipeline_version_of_a_run(source, asked, expected):
    pytest.importorskip("airflow.providers.openlineage", reason="apache-airflow-providers-openlineage")
    from paddleflow_provider.client import RunInfo
    from paddleflow_provider.lineage.extract import _pipeline

    assert _pipeline(RunInfo(runID="run-000001", source=source), *asked) == expected
