"""End to end: the test DAGs under ``dag.test()`` against the emulator, sync and deferrable.

In deferrable mode ``dag.test()`` runs the trigger inline, so defer -> trigger -> execute_complete
is covered for real (the trigger is rebuilt from its serialized form first).
"""

from __future__ import annotations

import contextlib
import re

import pytest

pytestmark = pytest.mark.slow  # whole DAGs through dag.test(), each a few seconds

MODES = ["sync", "deferrable"]


@pytest.mark.parametrize("mode", MODES)
def test_create_waits_then_sensors_see_status_and_log_line(mode, pf_conn, pf_api, dagtest, capfd, caplog):
    dr = dagtest.run_dag(f"pf_happy_{mode}")
    out = capfd.readouterr()
    text = out.out + out.err + caplog.text
    assert ("; deferring" in text) is (mode == "deferrable")
    if mode == "sync":  # deferred: the trigger streams them (test_triggers.py; 2.x dag.test hides them)
        # Step log lines were streamed while waiting, each line once (per capture channel: Airflow 2
        # writes task logs both to stdout and to log records).
        line = re.compile(r"\[train\] \S+ epoch 1 of 3")
        assert max(len(line.findall(out.out + out.err)), len(line.findall(caplog.text))) == 1
    assert dagtest.ti_states(dr) == {"create": "success", "status": "success", "log": "success"}
    run_id = dagtest.xcom(dr, "create")
    assert run_id.startswith("run-")
    assert dagtest.xcom(dr, "create", "run_id") == run_id
    assert dagtest.xcom(dr, "create", "run_url") == f"{pf_conn.url}/run/{run_id}"
    assert dagtest.extra_link(dr, "create") == f"{pf_conn.url}/run/{run_id}"  # "PaddleFlow Run"
    assert dagtest.extra_link(dr, "status") == f"{pf_conn.url}/run/{run_id}"
    assert dagtest.xcom(dr, "log").endswith("epoch 3 of 3")
    assert dagtest.xcom(dr, "log", "matched_step") == "train"
    assert pf_api.show_run(run_id).status == "succeeded"


@pytest.mark.parametrize("mode", MODES)
def test_failing_step_fails_the_task_with_its_log_tail(mode, pf_conn, pf_api, dagtest, capfd, caplog):
    dr = dagtest.run_dag(f"pf_fail_{mode}")
    assert dagtest.ti_states(dr) == {"create": "failed"}
    run_id = dagtest.xcom(dr, "create", "run_id")
    assert dagtest.extra_link(dr, "create").endswith(run_id)  # the link works for failed tasks
    assert pf_api.show_run(run_id).status == "failed"
    out = capfd.readouterr()
    text = out.out + out.err + caplog.text
    assert re.search(r"- step train \(job-\S+\) failed", text)  # the failed step, named
    tail = re.search(r"last 4 log lines of train:\n((?: {4}.*\n?){1,4})", text)
    assert tail, text[-3000:]
    assert "about to fail" in tail.group(1)  # the end of the failed step's log ...
    assert "training line 1" not in tail.group(1)  # ... and only the end


@pytest.mark.parametrize("mode", MODES)
def test_log_match_after_many_pages(mode, pf_conn, dagtest):
    dr = dagtest.run_dag(f"pf_longlog_{mode}")
    assert dagtest.ti_states(dr) == {"create": "success", "log": "success"}
    assert dagtest.xcom(dr, "log").endswith("MODEL-READY acc=0.93")


@pytest.mark.parametrize("mode", MODES)
def test_wait_bound_fails_the_task_and_stops_the_run(mode, pf_conn, pf_api, dagtest):
    dr = dagtest.run_dag(f"pf_timeout_{mode}")
    assert dagtest.ti_states(dr) == {"create": "failed"}
    run_id = dagtest.xcom(dr, "create", "run_id")
    _wait_final(pf_api, run_id)
    assert pf_api.show_run(run_id).status == "terminated"


@pytest.mark.parametrize("mode", MODES)
def test_stop_then_delete(mode, pf_conn, pf_api, dagtest):
    from paddleflow_provider.client import NotFoundError

    dr = dagtest.run_dag(f"pf_stopdelete_{mode}")
    assert dagtest.ti_states(dr) == {
        "create": "success",
        "stop": "success",
        "stopped": "success",
        "delete": "success",
    }
    with pytest.raises(NotFoundError):
        pf_api.show_run(dagtest.xcom(dr, "create"))


@pytest.mark.parametrize("mode", MODES)
def test_retry_operator_waits_for_the_new_run(mode, pf_conn, pf_api, dagtest, tmp_path, capfd, caplog):
    dr = dagtest.run_dag(f"pf_retry_{mode}", flag=dagtest.flag_path(tmp_path))
    out = capfd.readouterr()
    # A first try has no earlier retry to look up: no failed Variable read (Airflow 3.0-3.2 log
    # one as an error in the task log).
    assert "Variable not found" not in out.out + out.err + caplog.text
    assert dagtest.ti_states(dr) == {
        "create": "success",
        "failed": "success",
        "fix": "success",
        "retry": "success",
    }
    old, new = dagtest.xcom(dr, "create"), dagtest.xcom(dr, "retry")
    assert new != old
    assert pf_api.show_run(old).status == "failed"
    assert pf_api.show_run(new).status == "succeeded"
    assert dagtest.xcom(dr, "retry", "run_url").endswith(new)
    assert dagtest.fallback_variables(dr, "retry") == []  # before 3.3: remembered, then forgotten


@pytest.mark.parametrize("crash_after", ["submit", "success"])
def test_crash_and_retry_reattaches_without_a_duplicate_run(crash_after, pf_conn, pf_api, dagtest):
    dr = dagtest.run_dag(f"pf_crash_{crash_after}")
    assert dagtest.ti_states(dr) == {"create": "success"}
    assert dagtest.ti_tries(dr, "create") == 2
    run_id = dagtest.xcom(dr, "create")
    mine = [r for r in pf_api.iter_runs() if r.name == pf_api.show_run(run_id).name]
    assert [r.run_id for r in mine] == [run_id]  # one run for two tries
    assert pf_api.show_run(run_id).status == "succeeded"
    from paddleflow_provider._compat import HAS_TASK_STATE_STORE

    if HAS_TASK_STATE_STORE:  # the first identity: the run id in the task state store
        assert dagtest.task_state(dr, "create", "paddleflow_run_id") == run_id


def test_airflow_retry_after_a_failed_run_submits_one_new_run(pf_conn, pf_api, dagtest, tmp_path):
    dr = dagtest.run_dag("pf_retry_after_failed_run", flag=dagtest.flag_path(tmp_path))
    assert dagtest.ti_states(dr) == {"create": "success"}
    assert dagtest.ti_tries(dr, "create") == 2
    run_id = dagtest.xcom(dr, "create")
    mine = [r for r in pf_api.iter_runs() if r.name == pf_api.show_run(run_id).name]
    assert [r.status for r in mine] == ["failed", "succeeded"]  # one run per try, no more
    first, second = (r.description for r in mine)
    # One marker per run; the resubmission carries the next generation of the task's token.
    assert first.count("[pf-token:airflow-") == 1 and second.count("[pf-token:airflow-") == 1
    token = first.split("[pf-token:")[1].rstrip("]")
    assert second.endswith(f"[pf-token:{token}.1]")


def test_a_retry_task_whose_worker_died_carries_on_with_its_new_run(pf_conn, pf_api, dagtest, tmp_path):
    """The retry API takes no client token: the first try's new run is remembered (task state store
    on 3.3, a Variable before), so the second try reattaches instead of retrying the old run again."""
    dr = dagtest.run_dag("pf_retry_twice_submit", flag=dagtest.flag_path(tmp_path))
    assert dagtest.ti_states(dr) == {
        "create": "success",
        "failed": "success",
        "fix": "success",
        "retry": "success",
    }
    assert dagtest.ti_tries(dr, "retry") == 2
    old, new = dagtest.xcom(dr, "create"), dagtest.xcom(dr, "retry")
    runs = [r for r in pf_api.iter_runs() if r.name == pf_api.show_run(old).name]
    assert sorted((r.run_id, r.status) for r in runs) == sorted([(old, "failed"), (new, "succeeded")])
    assert dagtest.fallback_variables(dr, "retry") == []  # forgotten once the task was done with it


def test_a_retry_task_whose_new_run_failed_retries_the_old_run_again(
    pf_conn, pf_api, dagtest, tmp_path, capfd, caplog
):
    """Like the create operator after a failed run: the second try does not reattach to the failed
    new run (which would fail the task again at once) but retries the old run anew."""
    dr = dagtest.run_dag("pf_retry_twice_run_failed", flag=dagtest.flag_path(tmp_path))
    out = capfd.readouterr()
    assert "Variable not found" not in out.out + out.err + caplog.text  # kept for the retry to read
    assert dagtest.ti_states(dr) == {"create": "success", "failed": "success", "retry": "success"}
    assert dagtest.ti_tries(dr, "retry") == 2
    old, last = dagtest.xcom(dr, "create"), dagtest.xcom(dr, "retry")
    runs = {r.run_id: r.status for r in pf_api.iter_runs() if r.name == pf_api.show_run(old).name}
    assert runs.pop(old) == "failed" and runs.pop(last) == "succeeded"
    assert list(runs.values()) == ["failed"]  # the first try's new run; nothing else made
    assert dagtest.fallback_variables(dr, "retry") == []


def _wait_final(api, run_id, limit=200):
    import time

    for _ in range(limit):
        if api.show_run(run_id).is_final:
            return
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not end")


@pytest.mark.parametrize("mode", MODES)
def test_execution_timeout_stops_the_run(mode, pf_conn, pf_api, dagtest):
    dr = dagtest.run_dag(f"pf_exectimeout_{mode}")
    assert dagtest.ti_states(dr) == {"create": "failed"}
    run_id = dagtest.xcom(dr, "create", "run_id")
    _wait_final(pf_api, run_id)
    assert pf_api.show_run(run_id).status == "terminated"


@pytest.mark.parametrize("mode", MODES)
def test_transient_errors_while_polling_do_not_fail_the_task(mode, pf_conn, pf_api, dagtest):
    # 7 answers of 503 on every run read: more than one client call can absorb (5 attempts), so the
    # operator's (or trigger's) own poll loop has to ride it out too.
    pf_conn.add_faults({"method": "GET", "path": r"/run/run-\d+$", "status": 503, "times": 7})
    dr = dagtest.run_dag(f"pf_happy_{mode}")
    assert dagtest.ti_states(dr) == {"create": "success", "status": "success", "log": "success"}
    assert pf_api.show_run(dagtest.xcom(dr, "create")).status == "succeeded"


def test_reschedule_mode_sensors_keep_their_log_cursor(pf_conn, pf_api, dagtest, capfd, caplog):
    dr = dagtest.run_dag("pf_reschedule")
    out = capfd.readouterr()
    # The first poke has nothing saved to read: no failed Variable read logged as an error (3.0-3.2).
    assert "Variable not found" not in out.out + out.err + caplog.text
    assert dagtest.ti_states(dr) == {"create": "success", "log": "success", "done": "success"}
    assert dagtest.xcom(dr, "log").endswith("MODEL-READY acc=0.93")
    assert dagtest.ti_tries(dr, "log") >= 1


def test_operator_on_kill_stops_its_run(pf_conn, pf_api):
    from paddleflow_provider.operators.run import PaddleFlowCreateRunOperator

    op = PaddleFlowCreateRunOperator(task_id="k", run_yaml_raw=b"x: 1")
    run_id = pf_api.create_run(run_yaml_raw=_slow_yaml())
    op._run_id = run_id  # what execute() sets the moment the run exists
    op.on_kill()
    _wait_final(pf_api, run_id)
    assert pf_api.show_run(run_id).status == "terminated"


def _slow_yaml() -> bytes:
    return b'name: slow\ndocker_env: python:3.11\nentry_points:\n  wait:\n    command: "sleep 30"\n'


def test_lost_create_answer_still_yields_one_run(pf_conn, pf_api, dagtest):
    # The server creates the run, then the answer is lost (a 503 after commit): the create is not
    # blindly re-sent; the run that landed is found and waited for.
    pf_conn.add_faults({"method": "POST", "path": r"/run$", "status": 503, "after_commit": True, "times": 1})
    dr = dagtest.run_dag("pf_happy_sync")
    assert dagtest.ti_states(dr)["create"] == "success"
    run_id = dagtest.xcom(dr, "create")
    name = pf_api.show_run(run_id).name
    assert [r.run_id for r in pf_api.iter_runs() if r.name == name] == [run_id]


NO_CONTEXT: dict = {}  # _existing_run only reads the context when the state store holds a run


def test_reattach_lookup_finds_the_marked_run_without_a_state_store(pf_conn, pf_api):
    from paddleflow_provider.client import PaddleFlowError
    from paddleflow_provider.operators.run import PaddleFlowCreateRunOperator
    from paddleflow_provider.runs.identity import client_token

    class EmptyState:
        durable_store = True

        def get(self, key, default=None):
            return default

    op = PaddleFlowCreateRunOperator(task_id="lookup", run_yaml_raw=b"x: 1", run_name="lookup_probe")
    token = "feedc0ffee123456"
    other = pf_api.create_run(run_yaml_raw=_slow_yaml(), run_name="lookup_probe", client_token="someone-else")
    mine = pf_api.create_run(
        run_yaml_raw=_slow_yaml(), run_name="lookup_probe", desc="x", client_token=client_token(token)
    )
    created = [other, mine]
    try:
        # One marker per run: the client's, carrying the task instance's token.
        assert pf_api.show_run(mine).description.count("[") == 1
        assert op._existing_run(pf_api, EmptyState(), token, NO_CONTEXT) == (mine, None)
        assert op._existing_run(pf_api, EmptyState(), "0" * 16, NO_CONTEXT) == (None, 0)
        pf_api.stop_run(mine, force=True)
        _wait_final(pf_api, mine)
        # Stopped: submit afresh, under the next generation of the token ...
        assert op._existing_run(pf_api, EmptyState(), token, NO_CONTEXT) == (None, 1)
        again = pf_api.create_run(
            run_yaml_raw=_slow_yaml(), run_name="lookup_probe", client_token=client_token(token, 1)
        )
        created.append(again)
        # ... which the next lookup finds as the newest run of this task instance.
        assert op._existing_run(pf_api, EmptyState(), token, NO_CONTEXT) == (again, None)
    finally:
        for run_id in created:
            with contextlib.suppress(PaddleFlowError):  # already ended
                pf_api.stop_run(run_id, force=True)


@pytest.mark.parametrize("mode", MODES)
def test_sensors_fail_fast_or_skip_with_soft_fail(mode, pf_conn, dagtest):
    dr = dagtest.run_dag(f"pf_softfail_{mode}")
    assert dagtest.ti_states(dr) == {
        "create": "success",
        "run_soft": "skipped",  # the run failed: soft_fail skips
        "run_hard": "failed",  # ... and without it the sensor fails at once, not at its timeout
        "log_timeout_soft": "skipped",  # no match before the sensor timeout: soft_fail skips
    }
    assert dagtest.ti_tries(dr, "run_hard") == 1


def test_reschedule_timeout_fails_and_leaves_no_saved_cursor(pf_conn, dagtest):
    dr = dagtest.run_dag("pf_reschedule_timeout")
    assert dagtest.ti_states(dr) == {"create": "success", "log": "failed", "cleanup": "success"}
    assert dagtest.saved_state_keys(dr, "log") == []
