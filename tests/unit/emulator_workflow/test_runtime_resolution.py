"""Resolving at run time: loop elements and system variables from the parent, conditions on artifacts,
and what a resolution or condition error does to its node."""

from __future__ import annotations


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
