"""Review findings: every trigger event is validated before it is trusted, and a kill that lands
while the create call is still in flight does not leak the run the server already made."""

from __future__ import annotations

import time

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


SLOW_YAML = b'name: slow\ndocker_env: python:3.11\nentry_points:\n  wait:\n    command: "sleep 30"\n'


def _wait_final(api, run_id, limit=60.0):
    from paddleflow_provider.runs.status import is_final

    end = time.monotonic() + limit
    while not is_final(api.show_run(run_id).status) and time.monotonic() < end:
        time.sleep(0.1)


@pytest.mark.parametrize("reattach", [True, False])
def test_kill_during_the_create_call_stops_the_run_that_landed(pf_conn, pf_api, monkeypatch, reattach):
    # execution_timeout (SIGALRM) or a SIGTERM can interrupt execute() after the server created the
    # run but before create_run returned its id: on_kill must still find the run and stop it.
    from paddleflow_provider.operators.run import PaddleFlowCreateRunOperator

    class Killed(BaseException):
        pass

    made: list[str] = []

    def create_then_die(**kwargs):
        made.append(real_create(**kwargs))
        raise Killed  # the signal arrives before the answer is handed back

    op = PaddleFlowCreateRunOperator(
        task_id="killed_mid_create",
        run_yaml_raw=SLOW_YAML,
        reattach=reattach,
    )
    real_api = op.hook.api
    assert op.hook.api is real_api  # one logged-in client per hook
    real_create = real_api.create_run
    monkeypatch.setattr(real_api, "create_run", create_then_die)
    ti = type(
        "TI", (), {"dag_id": "d", "task_id": op.task_id, "run_id": f"r{time.time()}", "map_index": -1}
    )()
    monkeypatch.setattr(
        "paddleflow_provider.operators.run.TaskState",
        lambda context: type("NoStore", (), {"durable_store": False, "get": lambda *a, **k: None})(),
    )
    with pytest.raises(Killed):
        op.execute({"ti": ti})
    op.on_kill()
    assert len(made) == 1
    _wait_final(pf_api, made[0])
    assert pf_api.show_run(made[0]).status == "terminated"


class _PushTI:
    try_number = 1

    def __init__(self):
        self.pushed = {}

    def xcom_push(self, key, value):
        self.pushed[key] = value


@pytest.mark.parametrize("sensor_kind", ["run", "log"])
def test_deferrable_first_poke_honours_never_fail_like_the_sync_path(sensor_kind, pf_conn, pf_api):
    # BaseSensorOperator.execute turns a failing poke into a skip under never_fail (Airflow 2.11 and
    # 3.x); the deferrable path pokes once itself and used to fail the task instead.
    from paddleflow_provider._compat import AirflowSkipException
    from paddleflow_provider.sensors.log import PaddleFlowRunLogSensor
    from paddleflow_provider.sensors.run import PaddleFlowRunSensor

    failed = pf_api.create_run(
        run_yaml_raw=b'name: bad\ndocker_env: python:3.11\nentry_points:\n  boom:\n    command: "exit 3"\n'
    )
    _wait_final(pf_api, failed)
    assert pf_api.show_run(failed).status == "failed"
    for run_id in (failed, "run-999999"):  # ended before the target, and does not exist at all
        if sensor_kind == "run":
            sensor = PaddleFlowRunSensor(task_id="s", run_id=run_id, deferrable=True, never_fail=True)
        else:
            sensor = PaddleFlowRunLogSensor(
                task_id="s", run_id=run_id, pattern="never printed", deferrable=True, never_fail=True
            )
        with pytest.raises(AirflowSkipException):
            sensor.execute({"ti": _PushTI()})


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


@pytest.mark.parametrize("sensor_kind", ["run", "log"])
def test_deferred_sensor_times_out_through_its_trigger_not_airflow_deferral_timeout(
    sensor_kind, pf_conn, pf_api
):
    # The trigger yields a timeout event at the deadline (-> AirflowSensorTimeout or a soft_fail skip);
    # Airflow's deferral timeout, if it came first, would fail with TaskDeferralTimeout and burn a retry
    # on Airflow 2.11. So Airflow's timeout must be a later backstop, not the same moment.
    from datetime import timedelta

    from paddleflow_provider._compat import TaskDeferred
    from paddleflow_provider.sensors.log import PaddleFlowRunLogSensor
    from paddleflow_provider.sensors.run import PaddleFlowRunSensor

    run_id = pf_api.create_run(
        run_yaml_raw=b'name: slow\ndocker_env: python:3.11\nentry_points:\n  nap:\n    command: "sleep 30"\n'
    )
    try:
        if sensor_kind == "run":
            sensor = PaddleFlowRunSensor(task_id="s", run_id=run_id, deferrable=True, timeout=120)
        else:
            sensor = PaddleFlowRunLogSensor(
                task_id="s", run_id=run_id, pattern="never printed", deferrable=True, timeout=120
            )
        started = time.time()
        with pytest.raises(TaskDeferred) as deferred:
            sensor.execute({"ti": _PushTI()})
        trigger_deadline = deferred.value.trigger.deadline
        assert started + 119 <= trigger_deadline <= time.time() + 120
        assert deferred.value.timeout > timedelta(seconds=120)
    finally:
        pf_api.stop_run(run_id, force=True)
