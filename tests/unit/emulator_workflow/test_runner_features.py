"""DAGs, components, loops, conditions, disabled, parallelism and artifacts, executed for real."""

from __future__ import annotations

from paddleflow_provider.emulator.workflow import RunOverrides

DAG = """
name: dagged
docker_env: busybox:1.36
fs_options: {main_fs: {name: myfs}}
entry_points:
  randint:
    artifacts: {output: [num]}
    command: echo 5 > {{num}}
  process:
    deps: randint
    parameters: {scale: 10}
    artifacts:
      input: {data: "{{randint.num}}"}
      output: {result: "{{collector.total}}"}
    entry_points:
      split:
        parameters: {factor: "{{PF_PARENT.scale}}"}
        artifacts: {input: {raw: "{{PF_PARENT.data}}"}, output: [half]}
        command: echo $(( $(cat {{raw}}) * {{factor}} )) > {{half}}
      collector:
        deps: split
        artifacts: {input: {part: "{{split.half}}"}, output: [total]}
        command: cat {{part}} > {{total}}; echo "collected $(cat {{total}})"
  sum:
    deps: process
    artifacts: {input: {res: "{{process.result}}"}}
    command: "echo final=$(cat {{res}}) env=$PF_INPUT_ARTIFACT_RES"
"""


def test_nested_dag_passes_parameters_and_artifacts(harness) -> None:
    state, run_dir = harness.run(DAG)
    assert state.status == "succeeded", state.message
    process = state.runtime["process"][0]
    assert process["type"] == "dag" and process["status"] == "succeeded"
    assert process["name"] == "dag-run-000001-process"
    assert process["message"].startswith("all subDag or subStep run succeeded or skipped: ")
    split = process["entryPoints"]["split"][0]
    assert split["parentDagID"] == process["id"]
    assert split["parameters"] == {"factor": "10"}
    num = harness.step(state, "randint")["artifacts"]["output"]["num"]
    assert num.startswith(".pipeline/run-000001/dagged/randint-0-") and num.endswith("/num")
    assert split["artifacts"]["input"] == {"raw": num}
    total = process["entryPoints"]["collector"][0]["artifacts"]["output"]["total"]
    assert process["artifacts"]["output"] == {"result": total}
    final = harness.output(run_dir, harness.step(state, "sum"))[0]
    assert final == f"final=50 env={harness.fs / total}"


def test_artifact_events_are_reported_for_inputs_and_outputs(harness) -> None:
    runner, sink = harness.runner(DAG)
    runner.start()
    assert runner.join(20)
    seen = {(e["step"], e["type"], e["artifactName"]) for e in sink.events}
    assert {("randint", "output", "num"), ("split", "input", "raw"), ("sum", "input", "res")} <= seen
    event = next(e for e in sink.events if e["artifactName"] == "num")
    assert event["runID"] == "run-000001" and event["fsname"] == "myfs" and event["jobID"].startswith("job-")
    assert (harness.fs / event["artifactPath"]).read_text() == "5\n"


COMPONENTS = """
name: comps
docker_env: busybox:1.36
components:
  greeter:
    parameters: {who: world, times: 1}
    command: "for i in $(seq {{times}}); do echo hello {{who}}; done"
entry_points:
  greet-a:
    reference: {component: greeter}
    parameters: {who: alice}
  greet-b:
    deps: greet-a
    reference: {component: greeter}
    parameters: {times: 2}
"""


def test_components_are_expanded_with_overlaid_parameters(harness) -> None:
    state, run_dir = harness.run(COMPONENTS)
    assert state.status == "succeeded", state.message
    assert harness.output(run_dir, harness.step(state, "greet-a")) == ["hello alice"]
    assert harness.output(run_dir, harness.step(state, "greet-b")) == ["hello world", "hello world"]
    assert harness.step(state, "greet-b")["deps"] == "greet-a"


LOOP = """
name: looping
docker_env: busybox:1.36
entry_points:
  fan:
    parameters: {items: [1, 2.5, "x", [3, "y"]]}
    loop_argument: "{{items}}"
    command: echo item {{PF_LOOP_ARGUMENT}} env $PF_LOOP_ARGUMENT
  after:
    deps: fan
    command: echo after
"""


def test_loop_creates_one_job_per_item_with_loop_names(harness) -> None:
    state, run_dir = harness.run(LOOP)
    assert state.status == "succeeded", state.message
    views = sorted(state.runtime["fan"], key=lambda v: v["name"])
    assert [v["name"] for v in views] == [f"run-000001-fan{s}" for s in ("", "-1", "-2", "-3")]
    assert views[2]["jobID"].startswith("job-run-000001-fan-2-")
    outputs = sorted(harness.output(run_dir, v)[0] for v in views)
    assert outputs == ["item 1 env 1", "item 2.5 env 2.5", "item [3 y] env [3 y]", "item x env x"]
    assert harness.step(state, "after")["status"] == "succeeded"


def test_loop_over_json_string_and_empty_list_fails(harness) -> None:
    state, _ = harness.run(LOOP.replace('"{{items}}"', '\'["a", "b"]\''))
    assert len(state.runtime["fan"]) == 2
    state, _ = harness.run(LOOP, RunOverrides(parameters={"items": []}))
    assert harness.step(state, "fan")["status"] == "failed"
    assert state.status == "failed"


CONDITION = """
name: cond
docker_env: busybox:1.36
entry_points:
  positive:
    parameters: {num: 3}
    condition: "{{num}} > 0"
    command: echo positive
  negative:
    parameters: {num: 3}
    condition: "{{num}} < 0"
    command: echo negative
  after-negative:
    deps: negative
    command: echo still runs
"""


def test_condition_false_skips_and_downstream_still_runs(harness) -> None:
    state, _ = harness.run(CONDITION)
    assert state.status == "succeeded"
    assert harness.step(state, "positive")["status"] == "succeeded"
    negative = harness.step(state, "negative")
    assert negative["status"] == "skipped" and negative["jobID"] == ""
    assert (
        negative["jobMessage"]
        == "the result of condition for step[cond.entry_points.negative] is false, skip running"
    )
    assert harness.step(state, "after-negative")["status"] == "succeeded"


GROUPED = """
name: grouped
docker_env: busybox:1.36
entry_points:
  grp:
    entry_points:
      a: {command: echo a}
      b: {command: echo b, deps: a}
  c: {command: echo c, deps: grp}
"""


def test_disabled_nodes_are_skipped_and_dependants_still_run(harness) -> None:
    state, _ = harness.run(GROUPED, RunOverrides(disabled="grp.a"))
    assert state.status == "succeeded", state.message
    children = state.runtime["grp"][0]["entryPoints"]
    assert children["a"][0]["status"] == "skipped"
    assert children["a"][0]["jobMessage"] == "step[grouped.entry_points.grp.a] is disabled, skip running"
    assert children["b"][0]["status"] == "succeeded"
    assert harness.step(state, "c")["status"] == "succeeded"


def test_whole_dag_disabled(harness) -> None:
    state, _ = harness.run(DAG, RunOverrides(disabled="process,sum"))
    process = state.runtime["process"][0]
    assert process["status"] == "skipped" and process["entryPoints"] == {}
    assert state.status == "succeeded"


def test_parallelism_limits_concurrent_steps(harness) -> None:
    steps = "\n".join(
        f"  s{i}: {{command: 'date +%s%N > start-{i}; sleep 0.2; date +%s%N > end-{i}'}}" for i in range(4)
    )
    state, run_dir = harness.run(
        f"name: par\ndocker_env: busybox:1.36\nparallelism: 2\nentry_points:\n{steps}\n"
    )
    assert state.status == "succeeded"
    work = run_dir / "workdir"
    spans = [(int((work / f"start-{i}").read_text()), int((work / f"end-{i}").read_text())) for i in range(4)]
    for moment, _ in spans:
        running = sum(1 for start, end in spans if start <= moment < end)
        assert running <= 2
    assert max(sum(1 for s, e in spans if s <= m < e) for m, _ in spans) == 2


def test_main_fs_is_the_working_directory_and_sub_path_is_used(harness) -> None:
    yaml_text = """
name: fsrun
docker_env: busybox:1.36
fs_options: {main_fs: {name: myfs, sub_path: project}}
entry_points:
  write:
    artifacts: {output: [out]}
    command: "pwd; echo $PF_WORK_DIR; echo data > {{out}}"
"""
    state, run_dir = harness.run(yaml_text)
    lines = harness.output(run_dir, harness.step(state, "write"))
    assert lines == [str(harness.fs / "project")] * 2
    rel = harness.step(state, "write")["artifacts"]["output"]["out"]
    assert rel.startswith("project/.pipeline/run-000001/fsrun/write-0-")
    assert (harness.fs / rel).read_text() == "data\n"


def test_loop_over_artifact_file_and_upstream_loop_outputs_are_joined(harness) -> None:
    yaml_text = """
name: artloop
docker_env: busybox:1.36
fs_options: {main_fs: {name: myfs}}
entry_points:
  make-list:
    artifacts: {output: [items]}
    command: "echo '[\\"a\\", \\"b\\"]' > {{items}}"
  each:
    deps: make-list
    artifacts: {input: {items: "{{make-list.items}}"}, output: [res]}
    loop_argument: "{{items}}"
    command: echo got-{{PF_LOOP_ARGUMENT}} > {{res}}
  gather:
    deps: each
    artifacts: {input: {all: "{{each.res}}"}}
    command: "for f in $(echo {{all}} | tr ',' ' '); do cat $f; done"
"""
    state, run_dir = harness.run(yaml_text)
    assert state.status == "succeeded", state.message
    assert harness.output(run_dir, harness.step(state, "gather")) == ["got-a", "got-b"]
    joined = harness.step(state, "gather")["artifacts"]["input"]["all"]
    assert len(joined.split(",")) == 2
