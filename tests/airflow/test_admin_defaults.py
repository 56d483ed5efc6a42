"""What a DAG author meets with the management operators' defaults, against the emulator: one
``if_missing`` default for every delete and stop operator, the stop-before-delete rules, and
messages that name the object they are about."""

from __future__ import annotations

import contextlib
import inspect
import time

import pytest

from paddleflow_provider._compat import AirflowFailException
from paddleflow_provider.operators import cluster, fs, pipeline, queue, run, schedule
from paddleflow_provider.operators._base import PaddleFlowIfMissingOperatorBase, PaddleFlowObjectMissingError
from paddleflow_provider.runs.failures import PaddleFlowObjectBusyError, PaddleFlowRequestRefusedError

PIPELINE_YAML = "name: {name}\ndocker_env: python:3.11\nentry_points:\n  a:\n    command: echo {name}\n"

#: Each operator that takes ``if_missing``, with arguments naming an object that does not exist.
MISSING = [
    (pipeline.PaddleFlowDeletePipelineOperator, {"pipeline_id": "ppl-999999"}),
    (
        pipeline.PaddleFlowDeletePipelineVersionOperator,
        {"pipeline_id": "ppl-999999", "pipeline_version_id": "1"},
    ),
    (schedule.PaddleFlowStopScheduleOperator, {"schedule_id": "schedule-999999"}),
    (schedule.PaddleFlowDeleteScheduleOperator, {"schedule_id": "schedule-999999"}),
    (schedule.PaddleFlowDeleteScheduleOperator, {"schedule_id": "schedule-999999", "stop": True}),
    (queue.PaddleFlowStopQueueOperator, {"queuename": "no-such-queue"}),
    (queue.PaddleFlowDeleteQueueOperator, {"queuename": "no-such-queue"}),
    (queue.PaddleFlowUngrantQueueOperator, {"username": "nobody1", "queuename": "no-such-queue"}),
    (fs.PaddleFlowDeleteFsOperator, {"fsname": "no_such_fs"}),
    (fs.PaddleFlowDeleteLinkOperator, {"fsname": "no_such_fs", "fspath": "/x"}),
    (cluster.PaddleFlowDeleteClusterOperator, {"clustername": "no-such-cluster"}),
    (run.PaddleFlowDeleteRunOperator, {"run_id": "run-999999"}),
    (run.PaddleFlowStopRunOperator, {"run_id": "run-999999"}),
]


def _all_operator_classes() -> list[type]:
    found = []
    for module in (cluster, fs, pipeline, queue, run, schedule):
        found += [getattr(module, name) for name in module.__all__ if name.endswith("Operator")]
    return found


def test_every_operator_taking_if_missing_defaults_to_ignore():
    takers = [cls for cls in _all_operator_classes() if issubclass(cls, PaddleFlowIfMissingOperatorBase)]
    assert {cls for cls, _ in MISSING} == set(takers)  # the table above covers every one
    for cls in takers:
        default = inspect.signature(cls.__init__).parameters.get("if_missing")
        made = cls(task_id="t", **dict(next(kw for c, kw in MISSING if c is cls)))
        assert made.if_missing == "ignore", cls.__name__
        assert default is None or default.default == "ignore", cls.__name__
    # Every delete and stop operator of the management areas takes it.
    names = {cls.__name__ for cls in takers}
    assert {n for n in (c.__name__ for c in _all_operator_classes()) if "Delete" in n or "Stop" in n} <= names


@pytest.mark.parametrize(("cls", "kwargs"), MISSING, ids=lambda x: getattr(x, "__name__", ""))
def test_a_missing_object_counts_as_done_by_default_and_fails_named_with_fail(pf_conn, cls, kwargs):
    returned = cls(task_id="t", **kwargs).execute({})
    assert returned in (None, *kwargs.values())
    strict = cls(task_id="t", if_missing="fail", **kwargs)
    with pytest.raises(PaddleFlowObjectMissingError) as failure:
        strict.execute({})
    message = str(failure.value)
    assert any(str(value) in message for key, value in kwargs.items() if key != "stop"), message
    assert "if_missing='fail'" in message


@pytest.fixture
def running_schedule(pf_conn, pf_api, request):
    """A pipeline with one version and a running schedule on it."""
    name = f"ppl_msg_{abs(hash(request.node.name)) % 10**8}"
    created = pf_api.create_pipeline(yaml_raw=PIPELINE_YAML.format(name=name).encode())
    schedule_id = pf_api.create_schedule(
        f"sch_{name}", created.pipeline_id, created.pipeline_version_id, "@every 1h"
    )
    yield created, schedule_id
    for call in (
        lambda: pf_api.stop_schedule(schedule_id),
        lambda: pf_api.delete_schedule(schedule_id),
        lambda: pf_api.delete_pipeline(created.pipeline_id),
    ):
        with contextlib.suppress(Exception):  # already stopped or deleted by the test
            call()


def test_deleting_a_running_schedule_says_to_stop_it_first(running_schedule, pf_api):
    _, schedule_id = running_schedule
    op = schedule.PaddleFlowDeleteScheduleOperator(task_id="t", schedule_id=schedule_id)
    with pytest.raises(PaddleFlowRequestRefusedError) as failure:
        op.execute({})
    message = str(failure.value)
    assert message.startswith(f"PaddleFlow schedule {schedule_id} was not deleted")
    assert "stop it first, with stop=True on this operator or a PaddleFlowStopScheduleOperator" in message
    # ... and with stop=True it is stopped and deleted.
    schedule.PaddleFlowDeleteScheduleOperator(task_id="t", schedule_id=schedule_id, stop=True).execute({})
    assert not [s for s in pf_api.iter_schedules() if s.schedule_id == schedule_id]


def test_deleting_a_pipeline_a_running_schedule_uses_says_to_stop_the_schedules(running_schedule):
    created, _ = running_schedule
    for op in (
        pipeline.PaddleFlowDeletePipelineOperator(task_id="t", pipeline_id=created.pipeline_id),
        pipeline.PaddleFlowDeletePipelineVersionOperator(
            task_id="t", pipeline_id=created.pipeline_id, pipeline_version_id=created.pipeline_version_id
        ),
    ):
        with pytest.raises(PaddleFlowRequestRefusedError) as failure:
            op.execute({})
        message = str(failure.value)
        assert message.startswith(f"PaddleFlow pipeline {created.pipeline_id}"), message
        assert "was not deleted" in message
        assert "stop those schedules first (PaddleFlowStopScheduleOperator" in message


def test_an_existing_pipeline_is_named_in_the_refusal(pf_conn, pf_api):
    name = "ppl_named_in_messages"
    yaml_raw = PIPELINE_YAML.format(name=name)
    first = pipeline.PaddleFlowCreatePipelineOperator(task_id="t", yaml_raw=yaml_raw)
    created = pf_api.create_pipeline(yaml_raw=yaml_raw.encode())
    try:
        with pytest.raises(Exception, match=rf"^PaddleFlow pipeline {name} already exists"):
            first.execute({})
    finally:
        pf_api.delete_pipeline(created.pipeline_id)


def test_deleting_a_queue_with_active_jobs_says_what_to_wait_for_and_keeps_the_retries(pf_conn, pf_api):
    """Jobs on a queue end on their own: unlike a running schedule, which someone must stop, this
    refusal passes with time, so the task keeps its Airflow retries (no ``AirflowFailException``)."""
    name = "q-msg-in-use"
    pf_api.create_queue(name, "default", "2", "2Gi")
    run_yaml = (
        "name: busy_queue\ndocker_env: python:3.11\nentry_points:\n  busy:\n"
        f"    env:\n      PF_JOB_QUEUE_NAME: {name}\n    command: sleep 60\n"
    )
    run_id = pf_api.create_run(run_yaml_raw=run_yaml.encode())
    try:
        op = queue.PaddleFlowDeleteQueueOperator(task_id="t", queuename=name)
        with pytest.raises(PaddleFlowObjectBusyError) as failure:
            op.execute({})
        assert not isinstance(failure.value, AirflowFailException)  # Airflow retries it
        message = str(failure.value)
        assert message.startswith(f"PaddleFlow queue {name} was not deleted"), message
        assert "QueueIsInUse" in message
        assert "while jobs on it are pending, running or terminating (it need not be closed first)" in message
        assert message.endswith("(the task's retries try again)")
    finally:
        pf_api.stop_run(run_id, force=True)
        for _ in range(100):  # clean-up only: the queue can go once the run has ended
            if pf_api.show_run(run_id).status in ("terminated", "failed", "succeeded"):
                break
            time.sleep(0.1)
        with contextlib.suppress(Exception):
            pf_api.del_queue(name)
