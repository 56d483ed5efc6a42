"""PaddleFlowRunLogSensor: wait until a run's step log contains a line matching a regex.

Each poke reads only the lines written since the previous poke (a cursor per job; see
``runs/logs.py``). In ``poke`` mode the cursor lives on the operator; in ``reschedule`` mode, where
every poke is a fresh process and XComs are cleared, it is kept in the task state store (Airflow
3.3+; an Airflow Variable on older versions, deleted when the sensor finishes). The cursor is
tagged with the try number, so an Airflow *retry* reads the log from the start again. Deferrable
mode hands the cursor to :class:`PaddleFlowRunLogTrigger`. What the new lines mean (a match, the
run ended without one) is decided by :mod:`paddleflow_provider.runs.log_match`, as in the trigger.
The matching line is the sensor's return value (XCom ``return_value``), as the step printed it:
the server's RFC 3339 timestamp prefix is not part of it, nor of what ``pattern`` is matched
against, so ``^``/``$`` anchor at the step's own text. XCom ``matched_step`` names the line's step
and ``matched_timestamp`` holds the server's RFC 3339 timestamp of the line (absent if it had none).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from paddleflow_provider._compat import AirflowRescheduleException, PokeReturnValue, StrArg, rendered
from paddleflow_provider.links import PaddleFlowRunLink, push_run_xcoms
from paddleflow_provider.runs.arguments import check_run_id, is_templated
from paddleflow_provider.runs.log_match import check_new_lines, compile_pattern
from paddleflow_provider.runs.logs import RunLogCursor, read_new_lines
from paddleflow_provider.runs.task_state import TaskState
from paddleflow_provider.sensors._base import PaddleFlowBaseSensor, PaddleFlowRunEndedError

STATE_CURSOR = "paddleflow_log_cursor"


class PaddleFlowRunLogSensor(PaddleFlowBaseSensor):
    """Wait for a log line of a PaddleFlow run that matches ``pattern`` (``re.search`` per line).

    :param run_id: The run to watch (templated; ``create.output`` works).
    :param pattern: Regular expression (templated), e.g. ``r"epoch 3 .* loss"``.
    :param job_id: Optional. Only this job's log (templated); default every step of the run.
    :param fail_on_run_end: Optional. Fail if the run ends before a line matches (True); with False
        the sensor keeps waiting until its ``timeout``.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    :param deferrable: Optional. Wait in the triggerer (default ``[operators] default_deferrable``).
    """

    template_fields: Sequence[str] = ("run_id", "pattern", "job_id", "paddleflow_conn_id")
    operator_extra_links = (PaddleFlowRunLink(),)

    def __init__(
        self,
        *,
        run_id: StrArg,
        pattern: StrArg,
        job_id: StrArg | None = None,
        fail_on_run_end: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        run_id = check_run_id(run_id)
        if not is_templated(pattern):
            compile_pattern(pattern)  # fail at parse time, not at the first poke
        if not isinstance(fail_on_run_end, bool):
            raise ValueError(f"fail_on_run_end must be True or False, got {fail_on_run_end!r}")
        if (
            job_id is not None
            and not is_templated(job_id)
            and (not isinstance(job_id, str) or not job_id.strip())
        ):
            raise ValueError(f"job_id must be None or a non-empty job id, got {job_id!r}")
        self.run_id = run_id
        self.pattern = rendered(pattern)
        self.job_id = None if job_id is None else rendered(job_id)
        self.fail_on_run_end = fail_on_run_end
        self._cursor: RunLogCursor | None = None

    # -- cursor persistence -------------------------------------------------------------------------

    def _load_cursor(self, context: Any) -> RunLogCursor:
        if self._cursor is not None:
            return self._cursor
        cursor = RunLogCursor()
        # Airflow 3 counts this try's reschedules: at 0 nothing was saved for this try, so nothing is
        # read (a missing Variable, 3.0-3.2's fallback store, is logged as an error by Airflow).
        if self.reschedule and context.get("task_reschedule_count") != 0:
            saved = TaskState(context).get(STATE_CURSOR)
            if isinstance(saved, dict) and saved.get("try") == context["ti"].try_number:
                cursor = RunLogCursor.from_dict(saved.get("jobs"))
        self._cursor = cursor
        return cursor

    def _save_cursor(self, context: Any, cursor: RunLogCursor) -> None:
        if self.reschedule:
            TaskState(context).set(STATE_CURSOR, {"try": context["ti"].try_number, "jobs": cursor.to_dict()})

    def _drop_cursor(self, context: Any) -> None:
        if self.reschedule:
            TaskState(context).delete(STATE_CURSOR)

    # -- sensing ------------------------------------------------------------------------------------

    def poke(self, context: Any) -> bool | PokeReturnValue:
        from paddleflow_provider.client import TransientError

        regex = compile_pattern(self.pattern)
        if self._cursor is None:  # first poke of this execution
            push_run_xcoms(context, self.run_id, self.hook.run_url(self.run_id))
        cursor = self._load_cursor(context)
        api = self.api
        try:
            info = api.show_run(self.run_id)
            lines = read_new_lines(api, self.run_id, info, cursor, self.job_id)
        except TransientError as err:  # retries exhausted: the cursor only moved past lines it returned
            self.log.warning("transient error reading PaddleFlow run %s: %s", self.run_id, err)
            return False
        check = check_new_lines(
            regex, lines, info, cursor, job_id=self.job_id, fail_on_run_end=self.fail_on_run_end
        )
        if check.match is not None:
            self._drop_cursor(context)
            line = self._matched(context, check.match.step, check.match.line, check.match.timestamp)
            return PokeReturnValue(is_done=True, xcom_value=line)
        if check.ended_without_match:
            self._drop_cursor(context)
            raise PaddleFlowRunEndedError(check.ended_message(self.run_id, self.pattern))
        self._save_cursor(context, cursor)
        self.log.info("No match yet in %d new log line(s) of PaddleFlow run %s", len(lines), self.run_id)
        return False

    def execute(self, context: Any) -> Any:
        if not self.deferrable:
            try:
                return super().execute(context)
            except AirflowRescheduleException:
                raise  # a reschedule keeps the saved cursor, by design
            except Exception:
                # A timeout or failure ends the wait: drop the saved cursor (on Airflow < 3.3 it is a
                # Variable that would otherwise stay behind).
                self._drop_cursor(context)
                raise
        first = self.first_poke(context)
        if isinstance(first, PokeReturnValue):
            return first.xcom_value
        from paddleflow_provider.triggers.log import PaddleFlowRunLogTrigger

        self.defer(
            trigger=PaddleFlowRunLogTrigger(
                run_id=self.run_id,
                pattern=self.pattern,
                paddleflow_conn_id=self.paddleflow_conn_id,
                job_id=self.job_id,
                fail_on_run_end=self.fail_on_run_end,
                poll_interval=self.poke_interval,
                deadline=time.time() + self.timeout,
                log_cursor=self._load_cursor(context).to_dict(),
            ),
            method_name="execute_complete",
            timeout=self.deferral_timeout(),
        )
        return None

    def _matched(self, context: Any, step: str, line: str, timestamp: str) -> str:
        """Log and push what a match leaves behind; the line is the sensor's return value."""
        self.log.info("Matched in step %s (%s): %s", step, timestamp or "no timestamp", line)
        context["ti"].xcom_push(key="matched_step", value=step)
        if timestamp:
            context["ti"].xcom_push(key="matched_timestamp", value=timestamp)
        return str(line)

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> str:
        """Resume from the trigger: return the matching line, or raise (soft_fail: skip)."""
        from paddleflow_provider.triggers._base import event_problem
        from paddleflow_provider.triggers.log import LOG_EVENT_FIELDS

        if problem := event_problem(event, "PaddleFlowRunLogTrigger", LOG_EVENT_FIELDS):
            raise PaddleFlowRunEndedError(problem)
        assert event is not None  # for type checkers: event_problem rejected None
        if event["status"] == "success":
            # An event from a trigger serialized before the timestamp field existed has none.
            return self._matched(context, event["step"], event["line"], str(event.get("timestamp") or ""))
        if event["status"] == "timeout":
            raise self.timeout_error(event["message"])
        raise self.ended_error(event["message"])
