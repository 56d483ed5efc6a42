"""How runs end: failure options across DAGs, post_process (outputs, disabled, failing), stop after stop,
empty entry points and server shutdown."""

from __future__ import annotations

from paddleflow_provider.emulator.workflow import RunOverrides, shutdown_all


def test_failed_dag_cancels_its_downstream_under_continue(harness) -> None:
    yaml_text = """
name: nested
docker_env: busybox:1.36
failure_options: {strategy: continue}
entry_points:
  grp:
    entry_points:
      ok: {command: echo ok}
      bad: {command: exit 2}
      after-bad: {command: echo x, deps: bad}
  next: {command: echo next, deps: grp}
  side: {command: echo side}
"""
    state, _ = harness.run(yaml_text)
    grp = state.runtime["grp"][0]
    assert grp["status"] == "failed"
    assert grp["message"] == (
        "update dag[nested.entry_points.grp]'s status to [failed] due to subSteps or "
        "subDags[nested.entry_points.grp.bad] failed"
    )
    assert grp["entryPoints"]["ok"][0]["status"] == "succeeded"
    assert grp["entryPoints"]["after-bad"][0]["status"] == "cancelled"
    assert harness.step(state, "next")["status"] == "cancelled"
    assert harness.step(state, "side")["status"] == "succeeded"
    assert (
        state.message == "update status to failed because some step or dag run failed: entry_points.grp.bad"
    )


def test_post_process_outputs_disabled_post_and_post_failure(harness) -> None:
    yaml_text = """
name: posty
docker_env: busybox:1.36
fs_options: {main_fs: {name: myfs}}
cache: {enable: true}
entry_points:
  main: {command: echo main}
post_process:
  report:
    artifacts: {output: [summary]}
    command: echo done > {{summary}}
"""
    state, _ = harness.run(yaml_text)
    report = state.post_process["report"]
    assert report["status"] == "succeeded"
    assert report["parentDagID"] == ""
    assert report["cache"]["enable"] is False  # post_process never uses the cache
    assert "/posty/report-0-" in report["artifacts"]["output"]["summary"]
    state, _ = harness.run(yaml_text, RunOverrides(disabled="report"))
    assert state.post_process["report"]["status"] == "skipped"
    assert state.status == "succeeded"
    state, _ = harness.run(yaml_text.replace("echo done > {{summary}}", "exit 1"))
    assert state.status == "failed"
    assert state.message == "update status to failed because some step or dag run failed: post_process.report"


def test_shutdown_all_stops_every_live_run_and_its_processes(harness) -> None:
    yaml_text = """
name: forever
docker_env: busybox:1.36
entry_points:
  wait: {command: "echo $$ > pid-$PF_RUN_ID; sleep 60"}
"""
    runners = [harness.runner(yaml_text)[0] for _ in range(3)]
    for runner in runners:
        runner.start()
    pid_files = [runner.run_dir / "workdir" / f"pid-{runner.run_id}" for runner in runners]
    harness.wait_for(lambda: all(p.exists() and p.read_text().strip() for p in pid_files), what="pids")
    pids = [int(p.read_text()) for p in pid_files]
    shutdown_all(timeout=5)
    assert all(runner.done for runner in runners)
    harness.assert_gone(pids)


def test_empty_entry_points_succeed_at_once(harness) -> None:
    state, _ = harness.run("name: empty\nentry_points: {}\n")
    assert (state.status, state.runtime) == ("succeeded", {})


def test_force_stop_after_a_plain_stop_kills_the_running_post_process(harness) -> None:
    yaml_text = """
name: slowpost
docker_env: busybox:1.36
entry_points:
  main: {command: "sleep 30"}
post_process:
  post: {command: "echo $$ > post.pid; sleep 30"}
"""
    runner, sink = harness.runner(yaml_text, stop_grace=5)
    runner.start()
    harness.wait_for(
        lambda: (
            sink.states
            and sink.last.runtime.get("main")
            and sink.last.runtime["main"][0]["status"] == "running"
        ),
        what="main running",
    )
    runner.stop()
    pid_file = runner.run_dir / "workdir" / "post.pid"
    harness.wait_for(lambda: pid_file.exists() and pid_file.read_text().strip(), what="post-process started")
    assert sink.last.status == "terminating"
    runner.stop(force=True)
    assert runner.join(10)
    harness.assert_gone([int(pid_file.read_text())])
    assert sink.last.post_process["post"]["status"] == "terminated"
    assert sink.last.status == "terminated"
