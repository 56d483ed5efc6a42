"""PaddleFlowRunSensor: wait until a PaddleFlow run reaches a target status.

Works in ``poke``, ``reschedule`` and deferrable modes. Each poke is one stateless ``show_run``, so
reschedules are cheap and safe. Every mode decides with
:func:`~paddleflow_provider.runs.verdict.run_verdict`: a failure status (or any final status that can
never become a target) fails *fast* with :class:`PaddleFlowRunEndedError`, an
``AirflowFailException``: retrying the sensor cannot change a finished run, and ``soft_fail`` turns
it into a skip like a timeout.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from paddleflow_provider._compat import StrArg
from paddleflow_provider.links import PaddleFlowRunLink, push_run_xcoms
from paddleflow_provider.runs.arguments import check_run_id
from paddleflow_provider.runs.status import check_statuses
from paddleflow_provider.runs.verdict import (
    Verdict,
    default_failure_statuses,
    default_target_statuses,
    normalize_status,
    run_verdict,
)
from paddleflow_provider.sensors._base import PaddleFlowBaseSensor, PaddleFlowRunEndedError

__all__ = ["PaddleFlowRunEndedError", "PaddleFlowRunSensor"]


class PaddleFlowRunSensor(PaddleFlowBaseSensor):
    """Wait for a PaddleFlow run to reach one of ``target_statuses``.

    :param run_id: The run to watch (templated; ``create.output`` works).
    :param target_statuses: Optional. Statuses that mean done (default: the statuses the status
        map calls success, i.e. ``("succeeded",)``).
    :param failure_statuses: Optional. Statuses that fail the sensor at once (default: the statuses
        the status map calls failure, except the targets). Any other final status that is not a
        target fails it too.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    :param deferrable: Optional. Wait in the triggerer (default ``[operators] default_deferrable``).
    """

    template_fields: Sequence[str] = ("run_id", "paddleflow_conn_id")
    operator_extra_links = (PaddleFlowRunLink(),)

    def __init__(
        self,
        *,
        run_id: StrArg,
        target_statuses: Sequence[str] | None = None,
        failure_statuses: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        run_id = check_run_id(run_id)
        targets = (
            default_target_statuses()
            if target_statuses is None
            else check_statuses("target_statuses", target_statuses)
        )
        if not targets:
            raise ValueError("target_statuses must name at least one PaddleFlow run status")
        if failure_statuses is None:
            failures = default_failure_statuses(targets)
        else:
            failures = check_statuses("failure_statuses", failure_statuses)
            if overlap := sorted(set(targets) & set(failures)):
                raise ValueError(f"target_statuses and failure_statuses overlap: {overlap}")
        self.run_id = run_id
        self.target_statuses = targets
        self.failure_statuses = failures
        self._pushed = False

    def poke(self, context: Any) -> bool:
        from paddleflow_provider.client import TransientError

        if not self._pushed:  # once per execution (a reschedule is a new execution, XComs cleared)
            push_run_xcoms(context, self.run_id, self.hook.run_url(self.run_id))
            self._pushed = True
        try:
            status = self.api.show_run(self.run_id).status
        except TransientError as err:  # retries exhausted: try again at the next poke
            self.log.warning("transient error reading PaddleFlow run %s: %s", self.run_id, err)
            return False
        self.log.info("PaddleFlow run %s is %s", self.run_id, status)
        verdict = run_verdict(status, self.target_statuses, self.failure_statuses)
        if verdict is Verdict.FAILURE:
            raise PaddleFlowRunEndedError(self._ended_message(self.run_id, status))
        return verdict is Verdict.SUCCESS

    def _ended_message(self, run_id: str, status: str) -> str:
        return (
            f"PaddleFlow run {run_id} ended with status {normalize_status(status)!r}; "
            f"waiting for {list(self.target_statuses)}"
        )

    def execute(self, context: Any) -> Any:
        if not self.deferrable:
            return super().execute(context)
        if self.first_poke(context):
            return None
        from paddleflow_provider.triggers.run import PaddleFlowRunTrigger

        self.defer(
            trigger=PaddleFlowRunTrigger(
                run_id=self.run_id,
                paddleflow_conn_id=self.paddleflow_conn_id,
                poll_interval=self.poke_interval,
                deadline=time.time() + self.timeout,
                target_statuses=self.target_statuses,
                failure_statuses=self.failure_statuses,
                stop_on_kill=False,  # watching a run must never stop it
            ),
            method_name="execute_complete",
            timeout=self.deferral_timeout(),
        )
        return None

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> None:
        """Resume from the trigger: apply the same verdict to the raw status it reports."""
        from paddleflow_provider.triggers.run import read_run_event

        ended = read_run_event(event, invalid=PaddleFlowRunEndedError)
        if ended.kind == "timeout":
            raise self.timeout_error(ended.message)
        if ended.kind == "error":
            raise self.ended_error(ended.message)
        verdict = run_verdict(ended.run_status, self.target_statuses, self.failure_statuses)
        if verdict is Verdict.SUCCESS:
            self.log.info("PaddleFlow run %s reached %s", ended.run_id, ended.run_status)
            return
        raise self.ended_error(self._ended_message(ended.run_id, ended.run_status))
