"""Every trigger event is validated before it is trusted: a missing or malformed event fails
clearly, a well-formed one resumes, and a failure event is a skip under ``never_fail``."""

from __future__ import annotations

import pytest

from paddleflow_provider._compat import AirflowException

MALFORMED_RUN_EVENTS = [
    (None, "without an event"),
    ("success", "without an event"),
    ({}, "status None"),
    ({"status": "bogus", "run_id": "run-000001"}, "status 'bogus'"),
    ({"status": "success"}, "run_id"),
    ({"status": "success", "run_id": ""}, "run_id"),
    ({"status": "timeout"}, "run_id"),
    ({"status": "error", "run_id": "run-000001"}, "message"),
]


def _create_op():
    from paddleflow_provider.operators.run import PaddleFlowCreateRunOperator

    return PaddleFlowCreateRunOperator(task_id="t", run_yaml_raw=b"x: 1")


@pytest.mark.parametrize(("event", "says"), MALFORMED_RUN_EVENTS, ids=repr)
def test_run_operator_rejects_a_malformed_event(event, says):
    # A success event without a run id used to return "" as the task's result (and XCom); a
    # timeout without one claimed "the run was stopped" without stopping anything.
    with pytest.raises(AirflowException, match="PaddleFlowRunTrigger") as err:
        _create_op().execute_complete({}, event)
    assert says in str(err.value)


@pytest.mark.parametrize(("event", "says"), MALFORMED_RUN_EVENTS, ids=repr)
def test_run_sensor_rejects_a_malformed_event(event, says):
    from paddleflow_provider.sensors.run import PaddleFlowRunSensor

    sensor = PaddleFlowRunSensor(task_id="s", run_id="run-000001")
    with pytest.raises(AirflowException, match="PaddleFlowRunTrigger") as err:
        sensor.execute_complete({}, event)
    assert says in str(err.value)


@pytest.mark.parametrize(
    ("event", "says"),
    [
        (None, "without an event"),
        ({"status": "success", "run_id": "run-000001"}, "line"),  # used to return the line "None"
        ({"status": "success", "run_id": "run-000001", "line": "x"}, "step"),
        ({"status": "failure", "run_id": "run-000001"}, "message"),
        ({"status": "nope", "run_id": "run-000001"}, "status 'nope'"),
    ],
    ids=repr,
)
def test_log_sensor_rejects_a_malformed_event(event, says):
    from paddleflow_provider.sensors.log import PaddleFlowRunLogSensor

    sensor = PaddleFlowRunLogSensor(task_id="s", run_id="run-000001", pattern="x")
    with pytest.raises(AirflowException, match="PaddleFlowRunLogTrigger") as err:
        sensor.execute_complete({"ti": None}, event)
    assert says in str(err.value)


def test_well_formed_events_still_resume():
    from paddleflow_provider.sensors.log import PaddleFlowRunLogSensor

    assert (
        _create_op().execute_complete(
            {}, {"status": "success", "run_id": "run-9", "run_status": "succeeded", "message": ""}
        )
        == "run-9"
    )

    class TI:
        def __init__(self):
            self.pushed = {}

        def xcom_push(self, key, value):
            self.pushed[key] = value

    sensor = PaddleFlowRunLogSensor(task_id="s", run_id="run-9", pattern="^$")
    event = {"status": "success", "run_id": "run-9", "step": "train", "line": "", "log_cursor": {}}
    ti = TI()
    assert sensor.execute_complete({"ti": ti}, event) == ""  # an empty line can match "^$"
    assert ti.pushed == {"matched_step": "train"}


def test_failure_event_is_a_skip_under_never_fail():
    # Airflow 2.11's resume_execution applies soft_fail only; never_fail must skip there too.
    from paddleflow_provider._compat import AirflowSkipException
    from paddleflow_provider.sensors.log import PaddleFlowRunLogSensor
    from paddleflow_provider.sensors.run import PaddleFlowRunEndedError, PaddleFlowRunSensor

    failure = {"status": "failure", "run_id": "run-1", "run_status": "failed", "message": "ended"}
    for never_fail, expected in ((True, AirflowSkipException), (False, PaddleFlowRunEndedError)):
        run = PaddleFlowRunSensor(task_id="s", run_id="run-1", never_fail=never_fail)
        log = PaddleFlowRunLogSensor(task_id="l", run_id="run-1", pattern="x", never_fail=never_fail)
        with pytest.raises(expected):
            run.execute_complete({}, failure)
        with pytest.raises(expected):
            log.execute_complete({}, failure)
