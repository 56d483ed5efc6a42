"""A kill that lands while the create call is still in flight does not leak the run the server
already made: ``on_kill`` finds it by its client token and stops it."""

from __future__ import annotations

import time

import pytest

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
