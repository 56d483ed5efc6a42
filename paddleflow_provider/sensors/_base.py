"""What both PaddleFlow sensors share: the connection (through the hook mixin), the first poke of
the deferrable path, and the errors a deferred sensor raises when it resumes.

Why the first poke is here: a deferrable sensor checks once before deferring, outside
``BaseSensorOperator.execute``, so it must apply the same ``soft_fail`` / ``never_fail`` /
``silent_fail`` rules that ``execute`` applies to every poke, or the two modes would disagree.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from paddleflow_provider._compat import (
    AirflowFailException,
    AirflowSensorTimeout,
    AirflowSkipException,
    BaseSensorOperator,
    sensor_fails_silently,
    sensor_never_fails,
)
from paddleflow_provider.hooks.mixin import DEFAULT_CONN_ID, PaddleFlowHookMixin

#: Airflow's own deferral timeout is only a backstop, this much later than the trigger's deadline:
#: the trigger yields its timeout event at the deadline (after at most one poll, which the client's
#: retries may stretch), so the sensor's timeout surfaces as ``AirflowSensorTimeout`` (or a skip
#: under ``soft_fail``) rather than Airflow 2.11's ``TaskDeferralTimeout``, which also burns a retry.
DEFERRAL_BACKSTOP_S = 300.0


class PaddleFlowRunEndedError(AirflowFailException):
    """The watched run ended in a status the sensor was not waiting for."""


class PaddleFlowBaseSensor(PaddleFlowHookMixin, BaseSensorOperator):
    """Base of the PaddleFlow sensors.

    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    :param deferrable: Optional. Wait in the triggerer (default ``[operators] default_deferrable``).
    """

    ui_color = "#2932e1"

    def __init__(
        self, *, paddleflow_conn_id: str = DEFAULT_CONN_ID, deferrable: bool | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.use_connection(paddleflow_conn_id)
        self.use_deferrable(deferrable)

    def deferral_timeout(self) -> timedelta:
        """The ``timeout`` handed to ``defer()``: the sensor's own timeout plus the backstop."""
        return timedelta(seconds=float(self.timeout) + DEFERRAL_BACKSTOP_S)

    def first_poke(self, context: Any) -> Any:
        """Poke once outside ``BaseSensorOperator.execute`` with the same exception rules it applies
        (Airflow 2.11 and 3.x alike): a fail-fast error is a skip under ``soft_fail`` or
        ``never_fail``; any other error is a skip under ``never_fail`` and "not yet" under
        ``silent_fail``."""
        try:
            return self.poke(context)
        except AirflowSkipException:
            raise
        except AirflowFailException as err:
            if self.soft_fail:
                raise AirflowSkipException(f"Skipping due to soft_fail: {err}") from err
            if sensor_never_fails(self):
                raise AirflowSkipException(f"Skipping due to never_fail: {err}") from err
            raise
        except Exception as err:
            if sensor_fails_silently(self):
                self.log.error("Sensor poke failed: %s", err)
                return False
            if sensor_never_fails(self):
                raise AirflowSkipException(f"Skipping due to never_fail: {err}") from err
            raise

    def timeout_error(self, message: str) -> Exception:
        """What a deferred sensor raises at its deadline: a skip with ``soft_fail``, else a timeout."""
        return AirflowSkipException(message) if self.soft_fail else AirflowSensorTimeout(message)

    def ended_error(self, message: str) -> Exception:
        """What a deferred sensor raises for a failure event: a skip under ``never_fail``.

        Airflow 3's ``resume_execution`` already applies ``never_fail``; 2.11's only knows
        ``soft_fail``, and a direct ``execute_complete`` call knows neither.
        """
        if sensor_never_fails(self):
            return AirflowSkipException(f"Skipping due to never_fail: {message}")
        return PaddleFlowRunEndedError(message)
