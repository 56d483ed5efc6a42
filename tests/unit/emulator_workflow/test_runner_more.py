"""Less common paths: loop DAGs, conditions on artifacts, runtime resolution failures, nested failure options,
post-process details and server shutdown."""

from __future__ import annotations

from paddleflow_provider.emulator.workflow import RunOverrides, shutdown_all


def test_loop_dag_children_see_the_parent_loop_element(harness) -> None:
    yaml_text = """
name: loopdag
docker_env: busybox:1.36
entry_points:
  per-item:
    loop_argument: [red, blue]
    parameters: {tag: x}
    entry_points:
      show:
        parameters: {color: "{{PF_PARENT.PF_LOOP_ARGUMENT}}", tag: "{{PF_PARENT.tag}}"}
        command: echo {{color}}-{{tag}}
"""
    state, run_dir = harness.run(yaml_text)
    assert state.status == "succeeded", state.message
    dags = sorted(state.runtime["per-item"], key=lambda v: v["name"])
    assert [d["name"] for d in dags] == ["dag-run-000001-per-item", "dag-run-000001-per-item-1"]
    outputs = sorted(harness.output(run_dir, d["entryPoints"]["show"][0])[0] for d in dags)
    assert outputs == ["blue-x", "red-x"]


def test_condition_can_read_an_input_artifact_file(harness) -> None:
    yaml_text = """
name: condart
docker_env: busybox:1.36
fs_options: {main_fs: {name: myfs}}
entry_points:
  decide:
    artifacts: {output: [flag]}
    command: echo 7 > {{flag}}
  big:
    deps: decide
    artifacts: {input: {flag: "{{decide.flag}}"}}
    condition: "{{flag}} > 5"
    command: echo big
  small:
    deps: decide
    artifacts: {input: {flag: "{{decide.flag}}"}}
    condition: "{{flag}} <= 5"
    command: echo small
"""
    state, _ = harness.run(yaml_text)
    assert harness.step(state, "big")["status"] == "succeeded"
    assert harness.step(state, "small")["status"] == "skipped"


def test_runtime_resolution_failure_marks_the_node_failed(harness) -> None:
    yaml_text = """
name: quirk
docker_env: busybox:1.36
entry_points:
  fan: {loop_argument: [1, 2], command: echo hi}
  after:
    deps: fan
    parameters: {last: "{{fan.PF_LOOP_ARGUMENT}}"}
    command: echo {{last}}
"""
    state, _ = harness.run(yaml_text)  # passes validation, fails at runtime as on the server
    after = harness.step(state, "after")
    assert after["status"] == "failed" and after["jobID"] == ""
    assert "PF_LOOP_ARGUMENT" in after["jobMessage"]
    assert state.status == "failed"


def test_condition_evaluation_error_fails_the_step(harness) -> None:
    yaml_text = """
name: badcond
docker_env: busybox:1.36
entry_points:
  s: {parameters: {word: abc}, condition: "{{word}} > 3", command: echo never}
"""
    state, _ = harness.run(yaml_text)
    assert harness.step(state, "s")["status"] == "failed"
    assert harness.step(state, "s")["jobMessage"].startswith("calculate condition[{{word}} > 3] failed")


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


def test_system_variables_in_parameters_come_from_the_parent_context(harness) -> None:
    """Server quirk (semantics §1.6.5): in parameters, PF_STEP_NAME/PF_LOOP_ARGUMENT are the parent DAG's."""
    yaml_text = """
name: sysvars
docker_env: busybox:1.36
entry_points:
  outer:
    loop_argument: [7]
    entry_points:
      inner:
        parameters: {who: "{{PF_STEP_NAME}}", elem: "{{PF_LOOP_ARGUMENT}}"}
        command: echo {{who}} {{elem}} {{PF_STEP_NAME}}
  top:
    parameters: {who: "x{{PF_STEP_NAME}}"}
    command: echo {{who}} {{PF_STEP_NAME}}
"""
    state, run_dir = harness.run(yaml_text)
    inner = state.runtime["outer"][0]["entryPoints"]["inner"][0]
    assert inner["parameters"] == {"who": "outer", "elem": "7"}
    assert harness.output(run_dir, inner) == ["outer 7 inner"]
    assert harness.output(run_dir, harness.step(state, "top")) == ["x top"]
