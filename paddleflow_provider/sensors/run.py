"""PaddleFlowRunSensor: wait until a PaddleFlow run reaches a target status.

Works in ``poke``, ``reschedule`` and deferrable modes. Each poke is one stateless ``show_run``, so
reschedules are cheap and safe. A failure status (or any final status that can never become a
target) fails *fast* with :class:`PaddleFlowRunEndedError`, an ``AirflowFailException``: retrying the
sensor cannot change a finished run, and ``soft_fail`` turns it into a skip like a timeout.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from paddleflow_provider._compat import (
    AirflowFailException,
    AirflowSkipException,
    BaseSensorOperator,
    default_deferrable,
)
from paddleflow_provider.hooks.paddleflow import PaddleFlowHook
from paddleflow_provider.hooks.status import check_statuses, is_final
from paddleflow_provider.links import PaddleFlowRunLink, push_run_xcoms


class PaddleFlowRunEndedError(AirflowFailException):
    """The watched run ended in a status the sensor was not waiting for."""


def check_run_id(run_id: Any) -> None:
    """Reject an empty run id early (XComArgs and templates are checked once rendered)."""
    if isinstance(run_id, str) and not run_id.strip():
        raise ValueError("run_id must be a non-empty PaddleFlow run id such as 'run-000001'")
    if run_id is None:
        raise ValueError("run_id is required: a PaddleFlow run id or an XComArg such as create.output")


def sensor_timeout_error(soft_fail: bool, message: str) -> Exception:
    """What a deferrable sensor raises at its deadline: a skip with ``soft_fail``, else a timeout."""
    from airflow.providers.common.compat.sdk import AirflowSensorTimeout

    return AirflowSkipException(message) if soft_fail else AirflowSensorTimeout(message)


#: Airflow's own deferral timeout is only a backstop, this much later than the trigger's deadline:
#: the trigger yields its timeout event at the deadline (after at most one poll, which the client's
#: retries may stretch), so the sensor's timeout surfaces as ``AirflowSensorTimeout`` (or a skip
#: under ``soft_fail``) rather than Airflow 2.11's ``TaskDeferralTimeout``, which also burns a retry.
DEFERRAL_BACKSTOP_S = 300.0


def deferral_timeout(sensor: Any) -> timedelta:
    """The ``timeout`` a deferrable sensor hands to ``defer()``: its own timeout plus the backstop."""
    return timedelta(seconds=float(sensor.timeout) + DEFERRAL_BACKSTOP_S)


def first_poke(sensor: Any, context: Any) -> Any:
    """Poke once outside ``BaseSensorOperator.execute`` with the same exception rules it applies
    (Airflow 2.11 and 3.x alike): a fail-fast error is a skip under ``soft_fail`` or ``never_fail``;
    any other error is a skip under ``never_fail`` and "not yet" under ``silent_fail``."""
    try:
        return sensor.poke(context)
    except AirflowSkipException:
        raise
    except AirflowFailException as err:
        if sensor.soft_fail:
            raise AirflowSkipException(f"Skipping due to soft_fail: {err}") from err
        if getattr(sensor, "never_fail", False):
            raise AirflowSkipException(f"Skipping due to never_fail: {err}") from err
        raise
    except Exception as err:
        if getattr(sensor, "silent_fail", False):
            sensor.log.error("Sensor poke failed: %s", err)
            return False
        if getattr(sensor, "never_fail", False):
            raise AirflowSkipException(f"Skipping due to never_fail: {err}") from err
        raise


def ended_error(sensor: Any, message: str) -> Exception:
    """What a deferrable sensor raises for a failure event: a skip under ``never_fail``.

    Airflow 3's ``resume_execution`` already applies ``never_fail``; 2.11's only knows ``soft_fail``.
    """
    if getattr(sensor, "never_fail", False):
        return AirflowSkipException(f"Skipping due to never_fail: {message}")
    return PaddleFlowRunEndedError(message)


class PaddleFlowRunSensor(BaseSensorOperator):
    """Wait for a PaddleFlow run to reach one of ``target_statuses``.

    :param run_id: The run to watch (templated; ``create.output`` works).
    :param target_statuses: Optional. Statuses that mean done (``("succeeded",)``).
    :param failure_statuses: Optional. Statuses that fail the sensor at once
        (``("failed", "terminated")``). Any other final status that is not a target fails it too.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    :param deferrable: Optional. Wait in the triggerer (default ``[operators] default_deferrable``).
    """

    template_fields: Sequence[str] = ("run_id", "paddleflow_conn_id")
    operator_extra_links = (PaddleFlowRunLink(),)
    ui_color = "#2932e1"

    def __init__(
        self,
        *,
        run_id: str,
        target_statuses: Sequence[str] = ("succeeded",),
        failure_statuses: Sequence[str] = ("failed", "terminated"),
        paddleflow_conn_id: str = "paddleflow_default",
        deferrable: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        check_run_id(run_id)
        targets = check_statuses("target_statuses", target_statuses)
        failures = check_statuses("failure_statuses", failure_statuses)
        if not targets:
            raise ValueError("target_statuses must name at least one PaddleFlow run status")
        if overlap := sorted(set(targets) & set(failures)):
            raise ValueError(f"target_statuses and failure_statuses overlap: {overlap}")
        self.run_id = run_id
        self.target_statuses = targets
        self.failure_statuses = failures
        self.paddleflow_conn_id = paddleflow_conn_id
        self.deferrable = default_deferrable() if deferrable is None else bool(deferrable)
        self._pushed = False

    @functools.cached_property
    def hook(self) -> PaddleFlowHook:
        return PaddleFlowHook(paddleflow_conn_id=self.paddleflow_conn_id)

    def poke(self, context: Any) -> bool:
        from paddleflow_provider.client import TransientError

        if not self._pushed:  # once per execution (a reschedule is a new execution, XComs cleared)
            push_run_xcoms(context, self.run_id, self.hook.run_url(self.run_id))
            self._pushed = True
        try:
            status = (self.hook.api.show_run(self.run_id).status or "").lower()
        except TransientError as err:  # retries exhausted: try again at the next poke
            self.log.warning("transient error reading PaddleFlow run %s: %s", self.run_id, err)
            return False
        self.log.info("PaddleFlow run %s is %s", self.run_id, status)
        if status in self.target_statuses:
            return True
        if status in self.failure_statuses or is_final(status):
            raise PaddleFlowRunEndedError(
                f"PaddleFlow run {self.run_id} ended with status {status!r}; "
                f"waiting for {list(self.target_statuses)}"
            )
        return False

    def _first_poke(self, context: Any) -> Any:
        """The deferrable path's check before deferring, with the sync path's soft_fail rule."""
        return first_poke(self, context)

    def execute(self, context: Any) -> Any:
        if not self.deferrable:
            return super().execute(context)
        if self._first_poke(context):
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
            timeout=deferral_timeout(self),
        )
        return None

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> None:
        """Resume from the trigger: success returns, anything else raises (soft_fail: skip)."""
        from paddleflow_provider.triggers._base import event_problem
        from paddleflow_provider.triggers.run import RUN_EVENT_FIELDS

        if problem := event_problem(event, "PaddleFlowRunTrigger", RUN_EVENT_FIELDS):
            raise PaddleFlowRunEndedError(problem)
        assert event is not None  # for type checkers: event_problem rejected None
        status = event["status"]
        if status == "success":
            self.log.info("PaddleFlow run %s reached %s", self.run_id, event.get("run_status"))
            return
        if status == "timeout":
            raise sensor_timeout_error(self.soft_fail, event["message"])
        if status == "failure":
            raise ended_error(
                self,
                f"PaddleFlow run {event['run_id']} ended with status {event['run_status']!r}; "
                f"waiting for {list(self.target_statuses)}",
            )
        raise ended_error(self, event["message"])
