"""Deferrable sensors behave like the sync path: the first poke applies ``never_fail``, and the
deadline is the trigger's (a later Airflow deferral timeout is only a backstop)."""

from __future__ import annotations

import time

import pytest


def _wait_final(api, run_id, limit=60.0):
    from paddleflow_provider.runs.status import is_final

    end = time.monotonic() + limit
    while not is_final(api.show_run(run_id).status) and time.monotonic() < end:
        time.sleep(0.1)


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
