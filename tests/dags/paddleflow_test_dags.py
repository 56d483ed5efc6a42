"""DAGs the Airflow-facing tests run with ``dag.test()`` against the PaddleFlow emulator.

They live in the DAGs folder because Airflow 3 only test-runs DAGs from a bundle. Every DAG comes
in a sync and a deferrable flavour (``*_sync`` / ``*_deferrable``) built by the same function, so
both paths are exercised by identical assertions. Steps are tiny shell loops; polls are 0.2 s.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.common.compat.sdk import DAG

from paddleflow_provider.operators.run import (
    PaddleFlowCreateRunOperator,
    PaddleFlowDeleteRunOperator,
    PaddleFlowRetryRunOperator,
    PaddleFlowStopRunOperator,
)
from paddleflow_provider.sensors.log import PaddleFlowRunLogSensor
from paddleflow_provider.sensors.run import PaddleFlowRunSensor

try:
    from airflow.providers.standard.operators.python import PythonOperator
except ImportError:  # Airflow 2.11 without the standard provider
    from airflow.operators.python import PythonOperator

POLL = 0.2
START = datetime(2026, 1, 1)

GOOD_YAML = """\
name: train_demo
docker_env: python:3.11
entry_points:
  prep:
    command: "echo prep start; sleep 0.5; echo prep done"
  train:
    deps: prep
    parameters:
      epochs: 2
    command: "for i in $(seq 1 {{epochs}}); do echo epoch $i of {{epochs}}; sleep 0.2; done"
"""

FAIL_YAML = """\
name: fail_demo
docker_env: python:3.11
entry_points:
  prep:
    command: "echo prep ok; sleep 0.5"
  train:
    deps: prep
    command: "for i in 1 2 3 4 5; do echo training line $i; done; echo about to fail; exit 3"
"""

LONG_YAML = """\
name: long_demo
docker_env: python:3.11
entry_points:
  spam:
    command: "i=0; while [ $i -lt 450 ]; do echo filler line $i; i=$((i+1)); done; echo MODEL-READY acc=0.93"
"""

# The same 450 lines, written in bursts of 100 with pauses, so pokes see the log grow page by page.
SLOW_LONG_YAML = LONG_YAML.replace("i=$((i+1));", "i=$((i+1)); [ $((i % 100)) -eq 0 ] && sleep 0.4;")

SLOW_YAML = """\
name: slow_demo
docker_env: python:3.11
entry_points:
  wait:
    command: "i=0; while [ $i -lt 600 ]; do echo tick $i; sleep 0.1; i=$((i+1)); done"
"""

# Fails until the flag file named in the DAG run conf exists: the retry test creates it in between.
FLAG_YAML = """\
name: flag_demo
docker_env: python:3.11
entry_points:
  check:
    command: "test -f {{ dag_run.conf['flag'] }} && echo flag found || (echo no flag; exit 1)"
"""

# Fails the first time (and leaves the flag file behind), succeeds once the flag exists.
FAIL_ONCE_YAML = """\
name: fail_once
docker_env: python:3.11
entry_points:
  once:
    command: "f={{ dag_run.conf['flag'] }}; test -f $f && echo second run || (touch $f; exit 1)"
"""


def _dag(dag_id: str, **kwargs) -> DAG:
    return DAG(dag_id=dag_id, schedule=None, start_date=START, catchup=False, **kwargs)


def _mode(deferrable: bool) -> str:
    return "deferrable" if deferrable else "sync"


def build_happy(deferrable: bool) -> DAG:
    """Create + wait, then a run sensor and a log sensor on the created run id."""
    with _dag(f"pf_happy_{_mode(deferrable)}") as dag:
        create = PaddleFlowCreateRunOperator(
            task_id="create",
            run_yaml_raw=GOOD_YAML,
            param={"epochs": 3},
            poll_interval=POLL,
            deferrable=deferrable,
        )
        status = PaddleFlowRunSensor(
            task_id="status", run_id=create.output, poke_interval=POLL, deferrable=deferrable, timeout=60
        )
        log = PaddleFlowRunLogSensor(
            task_id="log",
            run_id=create.output,
            pattern=r"epoch 3 of \d+",
            poke_interval=POLL,
            deferrable=deferrable,
            timeout=60,
        )
        create >> [status, log]
    return dag


def build_fail(deferrable: bool) -> DAG:
    with _dag(f"pf_fail_{_mode(deferrable)}") as dag:
        PaddleFlowCreateRunOperator(
            task_id="create",
            run_yaml_raw=FAIL_YAML,
            poll_interval=POLL,
            deferrable=deferrable,
            log_tail_lines=4,
        )
    return dag


def build_long_log(deferrable: bool) -> DAG:
    """The match arrives after 450 lines (5 pages); the sensor starts while the run is running."""
    with _dag(f"pf_longlog_{_mode(deferrable)}") as dag:
        create = PaddleFlowCreateRunOperator(
            task_id="create", run_yaml_raw=LONG_YAML, wait_for_completion=False, deferrable=deferrable
        )
        PaddleFlowRunLogSensor(
            task_id="log",
            run_id=create.output,
            pattern=r"MODEL-READY acc=(\S+)",
            poke_interval=POLL,
            mode="poke",
            deferrable=deferrable,
            timeout=60,
        ).set_upstream(create)
    return dag


def build_timeout(deferrable: bool) -> DAG:
    """The operator's own wait bound passes: the task fails and the remote run is stopped."""
    with _dag(f"pf_timeout_{_mode(deferrable)}") as dag:
        PaddleFlowCreateRunOperator(
            task_id="create", run_yaml_raw=SLOW_YAML, poll_interval=POLL, timeout=1.5, deferrable=deferrable
        )
    return dag


def build_execution_timeout(deferrable: bool) -> DAG:
    """execution_timeout passes: sync, Airflow kills the task and on_kill stops the run; deferred,
    the trigger's deadline fires just before Airflow's and execute_complete stops it."""
    with _dag(f"pf_exectimeout_{_mode(deferrable)}") as dag:
        PaddleFlowCreateRunOperator(
            task_id="create",
            run_yaml_raw=SLOW_YAML,
            poll_interval=POLL,
            execution_timeout=timedelta(seconds=3),
            deferrable=deferrable,
        )
    return dag


def build_reschedule() -> DAG:
    """Sensors in reschedule mode: every poke is a new task execution; the log cursor survives."""
    with _dag("pf_reschedule") as dag:
        create = PaddleFlowCreateRunOperator(
            task_id="create", run_yaml_raw=SLOW_LONG_YAML, wait_for_completion=False
        )
        log = PaddleFlowRunLogSensor(
            task_id="log",
            run_id=create.output,
            pattern=r"MODEL-READY acc=(\S+)",
            poke_interval=0.3,
            mode="reschedule",
            timeout=60,
        )
        done = PaddleFlowRunSensor(task_id="done", run_id=create.output, poke_interval=0.3, mode="reschedule")
        create >> log >> done
    return dag


def build_soft_fail(deferrable: bool) -> DAG:
    """soft_fail turns a failed run (run sensor) and a timeout (log sensor) into skips;
    without soft_fail the run sensor fails fast."""
    with _dag(f"pf_softfail_{_mode(deferrable)}") as dag:
        create = PaddleFlowCreateRunOperator(
            task_id="create", run_yaml_raw=FAIL_YAML, wait_for_completion=False, deferrable=deferrable
        )
        common = {"run_id": create.output, "poke_interval": POLL, "deferrable": deferrable}
        soft = PaddleFlowRunSensor(task_id="run_soft", soft_fail=True, timeout=60, **common)
        hard = PaddleFlowRunSensor(task_id="run_hard", timeout=60, **common)
        quiet = PaddleFlowRunLogSensor(
            task_id="log_timeout_soft",
            pattern="never printed",
            fail_on_run_end=False,
            soft_fail=True,
            timeout=2,
            **common,
        )
        create >> [soft, hard, quiet]
    return dag


def build_stop_delete(deferrable: bool) -> DAG:
    with _dag(f"pf_stopdelete_{_mode(deferrable)}") as dag:
        create = PaddleFlowCreateRunOperator(
            task_id="create", run_yaml_raw=SLOW_YAML, wait_for_completion=False, deferrable=deferrable
        )
        stop = PaddleFlowStopRunOperator(task_id="stop", run_id=create.output)
        stopped = PaddleFlowRunSensor(
            task_id="stopped",
            run_id=create.output,
            target_statuses=("terminated",),
            failure_statuses=(),
            poke_interval=POLL,
            deferrable=deferrable,
            timeout=60,
        )
        delete = PaddleFlowDeleteRunOperator(task_id="delete", run_id=create.output)
        create >> stop >> stopped >> delete
    return dag


def _touch_flag(**context) -> None:
    with open(context["dag_run"].conf["flag"], "w") as fh:
        fh.write("ok")


def _failing_run(deferrable: bool) -> tuple[PaddleFlowCreateRunOperator, PaddleFlowRunSensor]:
    """Tasks ``create`` (a run that fails until the flag file exists) and ``failed`` (waits until it
    has failed), in the DAG being built."""
    create = PaddleFlowCreateRunOperator(
        task_id="create", run_yaml_raw=FLAG_YAML, wait_for_completion=False, deferrable=deferrable
    )
    failed = PaddleFlowRunSensor(
        task_id="failed",
        run_id=create.output,
        target_statuses=("failed",),
        failure_statuses=("succeeded",),
        poke_interval=POLL,
        deferrable=deferrable,
        timeout=60,
    )
    create >> failed
    return create, failed


def build_retry(deferrable: bool) -> DAG:
    """A run fails, the sensor sees 'failed', the cause is fixed, the retry operator's new run succeeds."""
    with _dag(f"pf_retry_{_mode(deferrable)}") as dag:
        create, failed = _failing_run(deferrable)
        fix = PythonOperator(task_id="fix", python_callable=_touch_flag)
        retry = PaddleFlowRetryRunOperator(
            task_id="retry", run_id=create.output, poll_interval=POLL, deferrable=deferrable
        )
        failed >> fix >> retry
    return dag


class CrashesOnFirstTry:
    """Simulates a worker dying on the first try of a run operator: after submitting (or retrying),
    or after the run succeeded (``crash_after``, set by the operator's ``__init__``: Airflow wraps
    only an operator class's own)."""

    crash_after: str

    def wait_for_run(self, context, run_id):
        if self.crash_after == "submit" and context["ti"].try_number == 1:
            raise RuntimeError("simulated worker crash after submit")
        result = super().wait_for_run(context, run_id)
        if self.crash_after == "success" and context["ti"].try_number == 1:
            raise RuntimeError("simulated worker crash after the run succeeded")
        return result


class CrashingCreateRunOperator(CrashesOnFirstTry, PaddleFlowCreateRunOperator):
    def __init__(self, *, crash_after: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.crash_after = crash_after


class CrashingRetryRunOperator(CrashesOnFirstTry, PaddleFlowRetryRunOperator):
    def __init__(self, *, crash_after: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.crash_after = crash_after


class FixedBeforeSecondTryRetryRunOperator(PaddleFlowRetryRunOperator):
    """The cause of the failure is fixed between this task's first and second try (the flag file)."""

    def execute(self, context):
        if context["ti"].try_number == 2:
            _touch_flag(dag_run=context["dag_run"])  # not the whole context: 2.x warns on old keys
        return super().execute(context)


def build_retry_twice(crash_after: str | None) -> DAG:
    """A run fails; the retry operator's first try crashes after retrying it (``"submit"``), or its
    new run fails too (None, fixed before the second try). The second try must make no duplicate."""
    with _dag(f"pf_retry_twice_{crash_after or 'run_failed'}") as dag:
        create, failed = _failing_run(deferrable=False)
        one_retry = {
            "run_id": create.output,
            "poll_interval": POLL,
            "retries": 1,
            "retry_delay": timedelta(0),
        }
        if crash_after is None:
            retry = FixedBeforeSecondTryRetryRunOperator(task_id="retry", deferrable=False, **one_retry)
            failed >> retry
        else:
            fix = PythonOperator(task_id="fix", python_callable=_touch_flag)
            retry = CrashingRetryRunOperator(
                task_id="retry", crash_after=crash_after, deferrable=False, **one_retry
            )
            failed >> fix >> retry
    return dag


def build_crash(crash_after: str) -> DAG:
    with _dag(f"pf_crash_{crash_after}") as dag:
        CrashingCreateRunOperator(
            task_id="create",
            run_yaml_raw=GOOD_YAML,
            poll_interval=POLL,
            crash_after=crash_after,
            retries=1,
            retry_delay=timedelta(seconds=0),
            deferrable=False,
        )
    return dag


for _deferrable in (False, True):
    for _build in (
        build_happy,
        build_fail,
        build_long_log,
        build_timeout,
        build_execution_timeout,
        build_soft_fail,
        build_stop_delete,
        build_retry,
    ):
        _d = _build(_deferrable)
        globals()[_d.dag_id] = _d
pf_reschedule = build_reschedule()
for _crash in ("submit", "success"):
    _d = build_crash(_crash)
    globals()[_d.dag_id] = _d
for _crash_or_none in ("submit", None):
    _d = build_retry_twice(_crash_or_none)
    globals()[_d.dag_id] = _d


with _dag("pf_reschedule_timeout") as pf_reschedule_timeout:
    _create = PaddleFlowCreateRunOperator(task_id="create", run_yaml_raw=SLOW_YAML, wait_for_completion=False)
    _log = PaddleFlowRunLogSensor(
        task_id="log",
        run_id=_create.output,
        pattern="never printed",
        poke_interval=0.3,
        mode="reschedule",
        timeout=1.5,
    )
    _stop = PaddleFlowStopRunOperator(task_id="cleanup", run_id=_create.output, trigger_rule="all_done")
    _create >> _log >> _stop


with _dag("pf_retry_after_failed_run") as pf_retry_after_failed_run:
    # An Airflow retry of a task whose run *failed* submits a new run (token generation 1).
    PaddleFlowCreateRunOperator(
        task_id="create",
        run_yaml_raw=FAIL_ONCE_YAML,
        poll_interval=POLL,
        retries=1,
        retry_delay=timedelta(seconds=0),
        deferrable=False,
    )
