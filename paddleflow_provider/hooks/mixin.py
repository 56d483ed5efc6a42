"""How an operator or a sensor holds its PaddleFlow connection: the connection id, a hook built on
first use (never at DAG parse time), and the ``deferrable`` default.

Every PaddleFlow operator and sensor used to restate these three. The argument itself stays in the
``__init__`` signature of the Airflow class that takes it (``PaddleFlowBaseOperator``,
``PaddleFlowBaseSensor``, the run-waiting operators): Airflow fills arguments from ``default_args``
only for the ``__init__`` its metaclass wraps, and it wraps only operator classes, not mixins.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from paddleflow_provider._compat import default_deferrable
from paddleflow_provider.hooks.paddleflow import PaddleFlowHook
from paddleflow_provider.runs.failures import guard_task_methods

if TYPE_CHECKING:
    from paddleflow_provider.client import PaddleFlowAPI

DEFAULT_CONN_ID = PaddleFlowHook.default_conn_name


class PaddleFlowHookMixin:
    """Connection id, lazy hook and ``deferrable`` default of a PaddleFlow operator or sensor.

    Every subclass's ``execute``, ``poke`` and ``execute_complete`` also fail at once, without
    Airflow's retries, on an error that retrying cannot fix (``runs.failures``): this mixin is the
    one class every PaddleFlow operator and sensor shares.
    """

    paddleflow_conn_id: str
    deferrable: bool

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        guard_task_methods(cls)

    def use_connection(self, paddleflow_conn_id: str) -> None:
        """Check and keep the connection id; the connection is only read when the hook is used."""
        if not isinstance(paddleflow_conn_id, str) or not paddleflow_conn_id:
            raise ValueError(f"paddleflow_conn_id must be a non-empty string, got {paddleflow_conn_id!r}")
        self.paddleflow_conn_id = paddleflow_conn_id

    def use_deferrable(self, deferrable: bool | None) -> None:
        """``None`` means ``[operators] default_deferrable``, read at construction like core providers."""
        self.deferrable = default_deferrable() if deferrable is None else bool(deferrable)

    @functools.cached_property
    def hook(self) -> PaddleFlowHook:
        """Built on first use, never at DAG parse time."""
        return PaddleFlowHook(paddleflow_conn_id=self.paddleflow_conn_id)

    @property
    def api(self) -> PaddleFlowAPI:
        """The typed, raising client API of the connection (logged in)."""
        return self.hook.api
