"""Step cache across runs (semantics §3) and retry/resume reusing succeeded steps (semantics §2.9)."""

from __future__ import annotations

import os

import pytest

CACHED = """
name: cached
docker_env: busybox:1.36
fs_options: {main_fs: {name: myfs}}
cache: {enable: true, max_expired_time: 600}
entry_points:
  produce:
    parameters: {size: 3}
    artifacts: {output: [data]}
    command: "echo ran >> produce-count; seq {{size}} > {{data}}"
  consume:
    deps: produce
    artifacts: {input: {data: "{{produce.data}}"}}
    command: "echo ran >> consume-count; cat {{data}}"
"""


def _count(harness, name: str) -> int:
    path = harness.fs / name
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_second_run_hits_the_cache_and_skips_execution(harness) -> None:
    first, _ = harness.run(CACHED)
    assert first.status == "succeeded"
    assert len(harness.cache.rows) == 2  # one record per job, written when the job is created
    second, _ = harness.run(CACHED, source=None)
    assert second.status == "succeeded"
    for name in ("produce", "consume"):
        view = harness.step(second, name)
        assert view["status"] == "succeeded"
        assert view["jobID"] == ""
        assert view["cacheRunID"] == "run-000001"
        assert view["cacheJobID"] == harness.step(first, name)["jobID"]
        assert view["jobMessage"] == (
            f"skip job for step[cached.entry_points.{name}] in runid[run-000002], "
            "use cache of runid[run-000001]"
        )
    produced = harness.step(first, "produce")["artifacts"]["output"]["data"]
    assert harness.step(second, "produce")["artifacts"]["output"]["data"] == produced
    assert second.cache_source_runs == ["run-000001"]
    assert (_count(harness, "produce-count"), _count(harness, "consume-count")) == (1, 1)


def test_changed_parameter_or_run_id_template_misses(harness) -> None:
    from paddleflow_provider.emulator.workflow import RunOverrides

    harness.run(CACHED)
    state, _ = harness.run(CACHED, RunOverrides(parameters={"size": 4}))
    assert harness.step(state, "produce")["jobID"] != ""
    assert _count(harness, "produce-count") == 2
    unique = CACHED.replace("seq {{size}}", "echo {{PF_RUN_ID}}; seq {{size}}")
    harness.run(unique)
    harness.run(unique)
    assert _count(harness, "produce-count") == 4


def test_fs_scope_change_misses_and_other_source_misses(harness) -> None:
    watched = harness.fs / "watched.txt"
    watched.write_text("v1")
    yaml_text = CACHED.replace(
        "cache: {enable: true, max_expired_time: 600}",
        "cache: {enable: true, fs_scope: [{name: myfs, path: watched.txt}]}",
    )
    harness.run(yaml_text)
    harness.run(yaml_text)
    assert _count(harness, "produce-count") == 1
    stat = watched.stat()
    os.utime(watched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    harness.run(yaml_text)
    assert _count(harness, "produce-count") == 2
    harness.run(yaml_text, source="ppl-000001-1")
    assert _count(harness, "produce-count") == 3


def test_cached_failed_job_makes_the_step_fail(harness) -> None:
    failing = CACHED.replace("seq {{size}} > {{data}}", "exit 4")
    first, _ = harness.run(failing)
    assert first.status == "failed"
    second, _ = harness.run(failing)
    assert harness.step(second, "produce")["status"] == "failed"
    assert harness.step(second, "produce")["cacheRunID"] == "run-000001"
    assert second.status == "failed"
    assert _count(harness, "produce-count") == 1


def test_hit_on_a_running_job_waits_for_it(harness) -> None:
    slow = CACHED.replace("echo ran >> produce-count;", "echo ran >> produce-count; sleep 0.4;")
    first, first_sink = harness.runner(slow)
    first.start()
    harness.wait_for(
        lambda: (
            first_sink.states
            and "produce" in first_sink.last.runtime
            and harness.step(first_sink.last, "produce")["status"] == "running"
        ),
        what="first run's step running",
    )
    second, second_sink = harness.runner(slow)
    second.start()
    assert first.join(20) and second.join(20)
    view = harness.step(second_sink.last, "produce")
    assert (view["status"], view["cacheRunID"]) == ("succeeded", "run-000001")
    assert _count(harness, "produce-count") == 1


def test_deleted_cached_run_is_ignored(harness) -> None:
    harness.run(CACHED)
    harness.cache.deleted_runs.add("run-000001")
    state, _ = harness.run(CACHED)
    assert harness.step(state, "produce")["jobID"] != ""
    assert _count(harness, "produce-count") == 2


RETRY = """
name: retried
docker_env: busybox:1.36
entry_points:
  ok:
    command: echo ran >> ok-count
  grp:
    deps: ok
    entry_points:
      inner-ok: {command: echo ran >> inner-count}
      flaky: {command: "test -f go", deps: inner-ok}
  tail:
    deps: grp
    command: echo tail
post_process:
  post: {command: echo ran >> post-count}
"""


def test_retry_reuses_succeeded_steps_and_reruns_the_rest(harness) -> None:
    first, run_dir = harness.run(RETRY)
    assert first.status == "failed"
    workdir = run_dir / "workdir"
    assert (workdir / "ok-count").read_text() == "ran\n"
    runner, sink = harness.runner(RETRY, previous=(first.runtime, first.post_process), run_id="run-000009")
    (runner.run_dir / "workdir").mkdir(parents=True)
    (runner.run_dir / "workdir" / "go").write_text("")
    runner.start()
    assert runner.join(20)
    state = sink.last
    assert state.status == "succeeded", state.message
    assert sink.states[1].message == "restart run[run-000009], and update status to [running]"
    assert harness.step(state, "ok")["jobID"] == harness.step(first, "ok")["jobID"]
    grp, old_grp = state.runtime["grp"][0], first.runtime["grp"][0]
    assert grp["id"] == old_grp["id"]
    assert grp["entryPoints"]["inner-ok"][0]["jobID"] == old_grp["entryPoints"]["inner-ok"][0]["jobID"]
    assert grp["entryPoints"]["flaky"][0]["jobID"].startswith("job-run-000009-flaky-")
    assert harness.step(state, "tail")["status"] == "succeeded"
    new_workdir = runner.run_dir / "workdir"
    assert not (new_workdir / "ok-count").exists() and not (new_workdir / "inner-count").exists()
    assert (new_workdir / "post-count").read_text() == "ran\n"  # post_process always runs again


def test_a_retried_run_stopped_before_it_starts_keeps_its_succeeded_records(harness) -> None:
    """The kept records are the run's own from the start (semantics §2.9): a stop arriving while the
    retried (or restart-resumed) run is still pending cancels only what would run again."""
    first, _ = harness.run(RETRY)
    assert first.status == "failed"
    runner, sink = harness.runner(RETRY, previous=(first.runtime, first.post_process), run_id="run-000010")
    runner.stop(force=True)
    runner.start()
    assert runner.join(20)
    state = sink.last
    assert state.status == "terminated", state.message
    kept, old = harness.step(state, "ok"), harness.step(first, "ok")
    assert (kept["jobID"], kept["status"]) == (old["jobID"], "succeeded")
    assert state.runtime["grp"][0]["status"] == "cancelled"
    assert harness.step(state, "tail")["status"] == "cancelled"
    assert state.post_process["post"]["status"] == "cancelled"
    assert not (runner.run_dir / "workdir" / "ok-count").exists()  # nothing ran again


def test_a_failing_cache_store_fails_the_step_not_the_engine(harness) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("database is locked")

    harness.cache.find = broken
    state, _ = harness.run(CACHED)
    produce = harness.step(state, "produce")
    assert produce["status"] == "failed"
    assert produce["jobMessage"] == "start step[cached.entry_points.produce] failed: database is locked"
    assert harness.step(state, "consume")["status"] == "cancelled"
    assert state.status == "failed"


def _forget_jobs(job_ids) -> None:
    """Drop what this process saw of some jobs, as after a server restart."""
    from paddleflow_provider.emulator.workflow.lifecycle import SEEN_JOBS

    SEEN_JOBS.forget(job_ids)


@pytest.mark.parametrize("with_job_view", [True, False])
def test_cache_records_of_earlier_processes_need_job_view(harness, with_job_view) -> None:
    first, _ = harness.run(CACHED)
    views = {harness.step(first, name)["jobID"]: harness.step(first, name) for name in ("produce", "consume")}
    _forget_jobs(views)
    if with_job_view:
        harness.cache.job_view = lambda run_id, job_id: views.get(job_id)
    state, _ = harness.run(CACHED)
    if with_job_view:
        assert harness.step(state, "produce")["cacheRunID"] == "run-000001"
        assert _count(harness, "produce-count") == 1
    else:  # nothing says how the cached job ended: the record cannot be used
        assert harness.step(state, "produce")["jobID"] != ""
        assert _count(harness, "produce-count") == 2
