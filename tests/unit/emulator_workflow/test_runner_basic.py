"""Runs that really execute shell steps: success, failures under both strategies, stop, post_process."""

from __future__ import annotations

from pathlib import Path

from paddleflow_provider.emulator.workflow import RunOverrides, job_log_path, read_log_page

CHAIN = """
name: chain
docker_env: busybox:1.36
entry_points:
  first:
    parameters: {greeting: hello, n: 3}
    env: {WHO: "{{PF_USER_NAME}}"}
    command: echo {{greeting}} $WHO {{PF_RUN_ID}} {{PF_STEP_NAME}}; echo to-stderr >&2
  second:
    deps: first
    parameters: {got: "{{first.n}}", text: "n={{first.n}}"}
    command: echo second got {{got}} and {{text}}
"""


def _log(run_dir: Path, view: dict) -> str:
    return read_log_page(job_log_path(run_dir, view["jobID"]), page_size=100).content


def test_chain_succeeds_with_resolved_templates_logs_and_statuses(harness) -> None:
    runner, sink = harness.runner(CHAIN)
    runner.start()
    assert runner.join(20)
    state = sink.last
    assert (state.status, state.message) == ("succeeded", "Run successfully")
    assert sink.run_statuses() == ["pending", "running", "succeeded"]
    assert state.activate_time  # set when the run started running
    first, second = harness.step(state, "first"), harness.step(state, "second")
    assert first["status"] == second["status"] == "succeeded"
    assert first["jobID"].startswith("job-run-000001-first-") and len(first["jobID"].rsplit("-", 1)[1]) == 8
    assert first["name"] == "run-000001-first"
    assert second["parameters"] == {"got": "3", "text": "n=3"}
    assert first["command"] == "echo hello $WHO run-000001 first; echo to-stderr >&2"
    assert first["env"] == {"WHO": "root"}
    assert first["parentDagID"].startswith("dag-run-000001-")
    log = _log(runner.run_dir, first)
    lines = log.splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == ["hello root run-000001 first", "to-stderr"]
    assert all(line[:4].isdigit() and line.split(" ", 1)[0].endswith("Z") for line in lines)
    assert _log(runner.run_dir, second).split(" ", 1)[1] == "second got 3 and n=3\n"


def test_request_overrides_name_and_parameters(harness) -> None:
    state, run_dir = harness.run(CHAIN, RunOverrides(name="renamed", parameters={"first.greeting": "bye"}))
    assert state.status == "succeeded"
    assert "bye root" in _log(run_dir, harness.step(state, "first"))


FAILING = """
name: failing
docker_env: busybox:1.36
parallelism: 5
entry_points:
  bad:
    command: echo about to fail; exit 3
  slow:
    command: sleep 20
  after-bad:
    deps: bad
    command: echo never
  after-slow:
    deps: slow
    command: echo never either
"""


def test_fail_fast_kills_running_siblings_and_cancels_the_rest(harness) -> None:
    state, _ = harness.run(FAILING)
    assert state.status == "failed"
    assert state.message == "update status to failed because some step or dag run failed: entry_points.bad"
    assert harness.step(state, "bad")["status"] == "failed"
    slow = harness.step(state, "slow")
    assert slow["status"] == "terminated"
    assert slow["jobMessage"] == "stop by failureOptions, some other component has been failed"
    for name in ("after-bad", "after-slow"):
        assert harness.step(state, name)["status"] == "cancelled"
        assert harness.step(state, name)["jobID"] == ""


CONTINUE = """
name: cont
docker_env: busybox:1.36
failure_options: {strategy: continue}
entry_points:
  step1: {command: "echo 1"}
  step2: {command: "echo 2", deps: step1}
  step3: {command: "echo 3", deps: step2}
  step4: {command: "exit 1"}
  step5: {command: "echo 5", deps: step4}
post_process:
  step6: {command: "echo cleanup"}
"""


def test_continue_runs_other_branches_cancels_downstream_and_runs_post_process(harness) -> None:
    state, run_dir = harness.run(CONTINUE)
    assert [harness.step(state, f"step{i}")["status"] for i in (1, 2, 3)] == ["succeeded"] * 3
    assert harness.step(state, "step4")["status"] == "failed"
    assert harness.step(state, "step5")["status"] == "cancelled"
    assert (
        harness.step(state, "step5")["jobMessage"]
        == "begin to process FailureOptions, some step or dag run failed"
    )
    post = state.post_process["step6"]
    assert post["status"] == "succeeded"
    assert _log(run_dir, post).endswith("cleanup\n")
    assert state.status == "failed"
    assert state.message == "update status to failed because some step or dag run failed: entry_points.step4"


def test_failure_strategy_from_the_request_overrides_the_yaml(harness) -> None:
    state, _ = harness.run(CONTINUE, RunOverrides(failure_strategy="fail_fast"))
    assert harness.step(state, "step5")["status"] == "cancelled"
    assert harness.step(state, "step5")["jobMessage"] == "receive failure options signal"


STOPPABLE = """
name: stoppable
docker_env: busybox:1.36
entry_points:
  long:
    command: "sleep 30 & echo $! > child.pid; echo $$ > shell.pid; wait"
  later:
    deps: long
    command: echo later
post_process:
  cleanup:
    command: "echo cleanup ran; sleep 0.2"
"""


def _start_and_wait_running(harness, stop_grace: float = 2.0):
    runner, sink = harness.runner(STOPPABLE, stop_grace=stop_grace)
    runner.start()
    workdir = runner.run_dir / "workdir"
    files = [workdir / "child.pid", workdir / "shell.pid"]
    harness.wait_for(
        lambda: all(f.exists() and f.read_text().endswith("\n") for f in files), what="pid files"
    )
    pids = [int((workdir / name).read_text()) for name in ("child.pid", "shell.pid")]
    return runner, sink, pids


def test_stop_terminates_processes_cancels_pending_and_still_runs_post_process(harness) -> None:
    runner, sink, pids = _start_and_wait_running(harness)
    runner.stop()
    assert runner.join(20)
    state = sink.last
    assert "terminating" in sink.run_statuses()
    harness.assert_gone(pids)
    assert harness.step(state, "long")["status"] == "terminated"
    assert harness.step(state, "later")["status"] == "cancelled"
    assert harness.step(state, "later")["jobMessage"] == "receive stop signall"
    assert state.post_process["cleanup"]["status"] == "succeeded"
    assert state.status == "terminated"
    assert state.message.startswith(
        "update status to terminated because some step or dag was terminated after"
    )
    assert state.message.endswith("singal: entry_points.long")


def test_force_stop_also_cancels_post_process(harness) -> None:
    runner, sink, pids = _start_and_wait_running(harness)
    runner.stop(force=True)
    assert runner.join(20)
    state = sink.last
    harness.assert_gone(pids)
    assert state.post_process["cleanup"]["status"] == "cancelled"
    assert state.post_process["cleanup"]["jobID"] == ""
    assert state.status == "terminated"


def test_stop_kills_a_step_that_ignores_sigterm_after_the_grace_period(harness) -> None:
    yaml_text = """
name: stubborn
docker_env: busybox:1.36
entry_points:
  stubborn:
    command: "trap '' TERM; echo $$ > shell.pid; while true; do sleep 0.05; done"
"""
    runner, sink = harness.runner(yaml_text, stop_grace=0.3)
    runner.start()
    pid_file = runner.run_dir / "workdir" / "shell.pid"
    harness.wait_for(lambda: pid_file.exists() and pid_file.read_text().strip(), what="pid file")
    runner.stop()
    assert runner.join(10)
    harness.assert_gone([int(pid_file.read_text())])
    assert harness.step(sink.last, "stubborn")["status"] == "terminated"


def test_stop_before_start_cancels_the_run(harness) -> None:
    runner, sink = harness.runner(STOPPABLE)
    runner.stop(force=True)
    runner.start()
    assert runner.join(10)
    assert sink.last.status == "terminated"
    assert sink.last.runtime == {}
    assert sink.last.post_process["cleanup"]["status"] == "cancelled"


def test_step_without_image_fails_like_the_server(harness) -> None:
    state, _ = harness.run("name: noimage\nentry_points:\n  s: {command: echo hi}\n")
    assert harness.step(state, "s")["status"] == "failed"
    assert harness.step(state, "s")["jobMessage"] == (
        "validating step[noimage.entry_points.s] failed: "
        "[required fields in {image} are empty, please fill it]"
    )


def test_closed_queue_fails_the_step(harness) -> None:
    yaml_text = """
name: queued
docker_env: busybox:1.36
entry_points:
  s: {command: echo hi, env: {PF_JOB_QUEUE_NAME: q1}}
"""
    state, _ = harness.run(yaml_text, platform=harness.Platform({"q1": "closed"}))
    assert harness.step(state, "s")["jobMessage"] == (
        "validating step[queued.entry_points.s] failed: "
        "[queue[q1] status is closed, and only queue with open status can submit jobs]"
    )
    state, _ = harness.run(yaml_text, platform=harness.Platform({"q1": "open"}))
    assert state.status == "succeeded"
