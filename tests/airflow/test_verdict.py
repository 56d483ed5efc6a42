"""The status map and the one verdict: every waiting path (sync operator, deferred operator through
its trigger, sensor poke, deferred sensor through its trigger) decides a run's outcome with
``run_verdict``, so one change to the status map moves all of them together."""

from __future__ import annotations

import asyncio
import logging

import pytest

from paddleflow_provider.client import RunInfo
from paddleflow_provider.runs.status import (
    FINAL_RUN_STATUSES,
    RUN_STATUS_MAP,
    RunOutcome,
    check_statuses,
    run_outcome,
)
from paddleflow_provider.runs.verdict import (
    Verdict,
    default_failure_statuses,
    default_target_statuses,
    run_verdict,
)

# -- the status map ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("initiating", RunOutcome.RUNNING),
        ("pending", RunOutcome.RUNNING),
        ("running", RunOutcome.RUNNING),
        ("terminating", RunOutcome.RUNNING),
        ("succeeded", RunOutcome.SUCCESS),
        ("failed", RunOutcome.FAILURE),
        ("terminated", RunOutcome.FAILURE),
        ("skipped", RunOutcome.FAILURE),
        ("SUCCEEDED", RunOutcome.SUCCESS),
    ],
    ids=str,
)
def test_every_documented_status_maps_explicitly(status, outcome):
    assert run_outcome(status) is outcome


def test_the_map_covers_exactly_the_server_statuses():
    assert set(RUN_STATUS_MAP) == {
        "initiating", "pending", "running", "terminating", "succeeded", "failed", "terminated", "skipped",
    }  # fmt: skip
    assert {"succeeded", "failed", "terminated", "skipped"} == FINAL_RUN_STATUSES


def test_unknown_status_counts_as_running_and_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="paddleflow_provider.runs.status"):
        assert run_outcome("paused-by-admin") is RunOutcome.RUNNING
    assert "paused-by-admin" in caplog.text


def test_check_statuses_names_the_argument():
    assert check_statuses("target_statuses", ["Succeeded"]) == ("succeeded",)
    with pytest.raises(ValueError, match=r"failure_statuses.*cancelled.*accepted values"):
        check_statuses("failure_statuses", ["cancelled"])


# -- the verdict ------------------------------------------------------------------------------------


def test_defaults_come_from_the_map():
    assert default_target_statuses() == ("succeeded",)
    assert default_failure_statuses() == ("failed", "skipped", "terminated")
    assert default_failure_statuses(["failed"]) == ("skipped", "terminated")


@pytest.mark.parametrize(
    ("status", "targets", "failures", "verdict"),
    [
        ("succeeded", None, None, Verdict.SUCCESS),
        (" Succeeded ", None, None, Verdict.SUCCESS),
        ("running", None, None, Verdict.WAITING),
        ("terminated", None, None, Verdict.FAILURE),
        ("never-heard-of-it", None, None, Verdict.WAITING),
        ("failed", ["failed"], None, Verdict.SUCCESS),  # waiting for a failure
        ("succeeded", ["failed"], None, Verdict.FAILURE),  # final, and not a target
        ("running", ["succeeded"], ["running"], Verdict.FAILURE),  # fail fast on a non-final status
    ],
)
def test_run_verdict(status, targets, failures, verdict):
    assert run_verdict(status, targets, failures) is verdict


# -- one map change moves every path ----------------------------------------------------------------


class _TI:
    dag_id, task_id, run_id, map_index, try_number, start_date = "d", "t", "r", -1, 1, None

    def xcom_push(self, key, value):
        pass


class _Api:
    """Sync and async ``show_run`` of one run in a fixed status; records stops."""

    def __init__(self, status: str) -> None:
        self.info = RunInfo.model_validate({"runID": "run-000001", "status": status})
        self.stopped: list[str] = []

    def show_run(self, run_id):
        return self.info

    def stop_run(self, run_id, force=False):
        self.stopped.append(run_id)


class _AsyncApi:
    def __init__(self, api: _Api) -> None:
        self.api = api

    async def show_run(self, run_id):
        return self.api.info


class _Hook:
    def __init__(self, api: _Api) -> None:
        self.api = api

    def run_url(self, run_id):
        return f"http://ui/run/{run_id}"


def _with_api(task, api):
    task.__dict__["hook"] = _Hook(api)  # the lazy hook's cached_property slot
    return task


def _sync_operator_verdict(api) -> Verdict:
    from paddleflow_provider.operators.run import (
        PaddleFlowRetryRunOperator,
        PaddleFlowRunFailedError,
        PaddleFlowRunTimeoutError,
    )

    op = _with_api(PaddleFlowRetryRunOperator(task_id="t", run_id="r", deferrable=False, timeout=0), api)
    try:
        op.wait_for_run({"ti": _TI()}, "run-000001")
    except PaddleFlowRunFailedError:
        return Verdict.FAILURE
    except PaddleFlowRunTimeoutError:  # timeout=0: still waiting after the first read
        return Verdict.WAITING
    return Verdict.SUCCESS


def _trigger_then_resume(trigger, api, resume, failure: type[Exception]) -> Verdict:
    event = asyncio.run(trigger.poll_once(_AsyncApi(api)))
    if event is None:
        return Verdict.WAITING
    assert event["run_status"] == api.info.status  # the raw status, not the trigger's verdict
    try:
        resume({"ti": _TI()}, event)
    except failure:
        return Verdict.FAILURE
    return Verdict.SUCCESS


def _deferred_operator_verdict(api) -> Verdict:
    from paddleflow_provider._compat import TaskDeferred
    from paddleflow_provider.operators.run import PaddleFlowRetryRunOperator, PaddleFlowRunFailedError

    op = _with_api(PaddleFlowRetryRunOperator(task_id="t", run_id="r", deferrable=True), api)
    try:
        op.wait_for_run({"ti": _TI()}, "run-000001")
    except TaskDeferred as deferred:
        return _trigger_then_resume(deferred.trigger, api, op.execute_complete, PaddleFlowRunFailedError)
    except PaddleFlowRunFailedError:
        return Verdict.FAILURE  # a finished run never defers
    return Verdict.SUCCESS


def _sensor_poke_verdict(api) -> Verdict:
    from paddleflow_provider.sensors.run import PaddleFlowRunEndedError, PaddleFlowRunSensor

    sensor = _with_api(PaddleFlowRunSensor(task_id="s", run_id="run-000001"), api)
    try:
        return Verdict.SUCCESS if sensor.poke({"ti": _TI()}) else Verdict.WAITING
    except PaddleFlowRunEndedError:
        return Verdict.FAILURE


def _deferred_sensor_verdict(api) -> Verdict:
    from paddleflow_provider.sensors.run import PaddleFlowRunEndedError, PaddleFlowRunSensor
    from paddleflow_provider.triggers.run import PaddleFlowRunTrigger

    sensor = _with_api(PaddleFlowRunSensor(task_id="s", run_id="run-000001"), api)
    trigger = PaddleFlowRunTrigger(
        run_id="run-000001",
        target_statuses=sensor.target_statuses,
        failure_statuses=sensor.failure_statuses,
    )
    return _trigger_then_resume(trigger, api, sensor.execute_complete, PaddleFlowRunEndedError)


PATHS = {
    "sync operator": _sync_operator_verdict,
    "deferred operator": _deferred_operator_verdict,
    "sensor poke": _sensor_poke_verdict,
    "deferred sensor": _deferred_sensor_verdict,
}
EXPECTED = {RunOutcome.SUCCESS: Verdict.SUCCESS, RunOutcome.FAILURE: Verdict.FAILURE}


@pytest.mark.parametrize(
    "map_change",
    [{}, {"skipped": RunOutcome.SUCCESS}, {"terminated": RunOutcome.RUNNING}],
    ids=["as shipped", "skipped counts as success", "terminated counts as running"],
)
@pytest.mark.parametrize("status", [*RUN_STATUS_MAP, "paused-by-admin"])
def test_one_map_change_moves_every_waiting_path(monkeypatch, map_change, status):
    for changed, outcome in map_change.items():
        monkeypatch.setitem(RUN_STATUS_MAP, changed, outcome)
    expected = EXPECTED.get(RUN_STATUS_MAP.get(status, RunOutcome.RUNNING), Verdict.WAITING)
    verdicts = {name: path(_Api(status)) for name, path in PATHS.items()}
    assert verdicts == dict.fromkeys(PATHS, expected)


@pytest.mark.parametrize(
    ("event", "succeeds"),
    [
        ({"status": "success", "run_id": "run-000001", "run_status": "succeeded", "message": ""}, True),
        ({"status": "failure", "run_id": "run-000001", "run_status": "failed", "message": "x"}, False),
    ],
    ids=["success", "failure"],
)
def test_events_of_the_previous_provider_version_still_resume(event, succeeds):
    # A trigger may be in flight across an upgrade: its old-style event is judged by its raw status.
    from paddleflow_provider.operators.run import PaddleFlowRetryRunOperator, PaddleFlowRunFailedError
    from paddleflow_provider.sensors.run import PaddleFlowRunEndedError, PaddleFlowRunSensor

    api = _Api(event["run_status"])
    op = _with_api(PaddleFlowRetryRunOperator(task_id="t", run_id="r"), api)
    sensor = PaddleFlowRunSensor(task_id="s", run_id="run-000001")
    if succeeds:
        assert op.execute_complete({}, event) == "run-000001"
        assert sensor.execute_complete({}, event) is None
    else:
        with pytest.raises(PaddleFlowRunFailedError):
            op.execute_complete({}, event)
        with pytest.raises(PaddleFlowRunEndedError):
            sensor.execute_complete({}, event)
