"""Operators for PaddleFlow queues and queue grants (root only on the server).

Queue names are global: a retried create fails with ``QueueNameDuplicated`` unless
``if_exists="reuse"``, which returns the existing queue when its namespace, cluster and maximum
resources are the ones asked for. A grant that already exists is reused the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from paddleflow_provider._compat import StrArg
from paddleflow_provider.client import _validate as v
from paddleflow_provider.operators._base import (
    PaddleFlowBaseOperator,
    PaddleFlowCreateOperatorBase,
    PaddleFlowDeleteOperatorBase,
    PaddleFlowIfMissingOperatorBase,
    check_mapping,
    check_optional_str,
    check_required,
    client_check,
)
from paddleflow_provider.runs.arguments import is_templated

if TYPE_CHECKING:
    from paddleflow_provider.client import PaddleFlowAPI


__all__ = [
    "PaddleFlowCreateQueueOperator",
    "PaddleFlowDeleteQueueOperator",
    "PaddleFlowGrantQueueOperator",
    "PaddleFlowStopQueueOperator",
    "PaddleFlowUngrantQueueOperator",
]


class PaddleFlowCreateQueueOperator(PaddleFlowCreateOperatorBase):
    """Create a queue; return its name.

    :param name: Queue name, a DNS-1123 label (templated).
    :param namespace: Kubernetes namespace (templated).
    :param cpu: Maximum CPU, e.g. ``"8"`` (templated).
    :param mem: Maximum memory, e.g. ``"16Gi"`` (templated).
    :param clustername: Optional. Cluster (server default: the default cluster).
    :param scalar_resources: Optional. Extra maximum resources, e.g. ``{"nvidia.com/gpu": "2"}``.
    :param min_resources: Optional. Guaranteed resources (elastic quota).
    :param scheduling_policy: Optional. List of policy names.
    :param location: Optional. Node selector.
    :param quota_type: Optional. ``elasticQuota`` or ``volcanoCapabilityQuota``.
    :param if_exists: Optional. ``"fail"`` (default) or ``"reuse"`` (see the module docstring).
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("name", "namespace", "cpu", "mem", "clustername")

    def __init__(
        self,
        *,
        name: StrArg,
        namespace: StrArg,
        cpu: str | int | float,
        mem: str | int | float,
        clustername: str | None = None,
        scalar_resources: dict[str, str] | None = None,
        min_resources: dict[str, Any] | None = None,
        scheduling_policy: list[str] | None = None,
        location: dict[str, str] | None = None,
        quota_type: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        name = check_required("name", name)
        namespace = check_required("namespace", namespace)
        # The client's own rules; a templated value is checked by the client at execute.
        if not is_templated(name):
            client_check(v.name, "name", name, "queue")
        if not is_templated(namespace):
            client_check(v.name, "namespace", namespace, "namespace")
        for arg, amount in (("cpu", cpu), ("mem", mem)):
            if not is_templated(amount):
                client_check(v.quantity, arg, amount)
        client_check(v.one_of, "quota_type", quota_type, v.QUOTA_TYPES)
        check_optional_str("clustername", clustername)
        for arg, value in (("scalar_resources", scalar_resources), ("min_resources", min_resources)):
            check_mapping(arg, value)
        check_mapping("location", location)
        if scheduling_policy is not None and not isinstance(scheduling_policy, list | tuple):
            raise ValueError(f"scheduling_policy must be a list of names or None, got {scheduling_policy!r}")
        self.name = name
        self.namespace = namespace
        self.cpu = cpu
        self.mem = mem
        self.clustername = clustername
        self.scalar_resources = scalar_resources
        self.min_resources = min_resources
        self.scheduling_policy = list(scheduling_policy) if scheduling_policy is not None else None
        self.location = location
        self.quota_type = quota_type

    def execute(self, context: Any) -> str:
        api = self.api

        def create() -> str:
            api.create_queue(
                self.name,
                self.namespace,
                str(self.cpu),
                str(self.mem),
                clustername=self.clustername or None,
                scalar_resources=self.scalar_resources,
                min_resources=self.min_resources,
                scheduling_policy=self.scheduling_policy,
                location=self.location,
                quota_type=self.quota_type,
            )
            return self.name

        return self.create_or_reuse(f"PaddleFlow queue {self.name}", create, lambda: self._find(api))

    def _find(self, api: PaddleFlowAPI) -> tuple[str | None, str | None]:
        from paddleflow_provider.client import NotFoundError

        try:
            queue = api.show_queue(self.name)
        except NotFoundError:
            return None, None
        wanted = {
            "namespace": (queue.namespace, self.namespace),
            "cpu": (queue.cpu, str(self.cpu)),
            "mem": (queue.mem, str(self.mem)),
        }
        if self.clustername:
            wanted["clustername"] = (queue.clusterName, self.clustername)
        if self.quota_type:
            wanted["quota_type"] = (queue.quotaType, self.quota_type)
        diffs = [f"{arg} {have!r} != {want!r}" for arg, (have, want) in wanted.items() if str(have) != want]
        if (queue.status or "").lower() in ("closing", "closed"):
            diffs.append(f"it is {queue.status}")
        return queue.name, "; ".join(diffs) or None


class PaddleFlowStopQueueOperator(PaddleFlowIfMissingOperatorBase):
    """Close a queue (no new jobs are accepted). Closing a closed queue is not an error.

    A queue need not be closed before it is deleted: only active jobs keep it from being deleted.

    :param queuename: The queue (templated).
    :param if_missing: Optional. ``"ignore"`` (default: a missing queue counts as closed) or
        ``"fail"``.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("queuename",)

    def __init__(self, *, queuename: StrArg, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        queuename = check_required("queuename", queuename)
        self.queuename = queuename

    def execute(self, context: Any) -> str:
        from paddleflow_provider.client import NotFoundError

        try:
            self.api.stop_queue(self.queuename)
        except NotFoundError as err:
            self.missing(f"PaddleFlow queue {self.queuename}", err.message, "close")
            return self.queuename
        self.log.info("Closed PaddleFlow queue %s", self.queuename)
        return self.queuename


class PaddleFlowDeleteQueueOperator(PaddleFlowDeleteOperatorBase):
    """Delete a queue (refused while jobs on it are active; it need not be closed first).

    :param queuename: The queue (templated).
    :param if_missing: Optional. ``"ignore"`` (default: a missing queue counts as deleted) or
        ``"fail"``.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("queuename",)

    def __init__(self, *, queuename: StrArg, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        queuename = check_required("queuename", queuename)
        self.queuename = queuename

    def execute(self, context: Any) -> str:
        self.delete_or_ignore(
            f"PaddleFlow queue {self.queuename}",
            lambda: self.api.del_queue(self.queuename),
            in_use=(
                "A queue cannot be deleted while jobs on it are pending, running or terminating (it need "
                "not be closed first): let them end, or stop their runs, before deleting it"
            ),
        )
        return self.queuename


class _GrantArgs(PaddleFlowBaseOperator):
    """The two names a grant is made of (shared by grant and ungrant)."""

    template_fields: Sequence[str] = ("username", "queuename")

    def __init__(self, *, username: StrArg, queuename: StrArg, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        username = check_required("username", username)
        queuename = check_required("queuename", queuename)
        self.username = username
        self.queuename = queuename

    @property
    def what(self) -> str:
        return f"grant of PaddleFlow queue {self.queuename} to {self.username}"


class PaddleFlowGrantQueueOperator(_GrantArgs, PaddleFlowCreateOperatorBase):
    """Let a user see and use a queue.

    :param username: The user (templated).
    :param queuename: The queue (templated).
    :param if_exists: Optional. ``"fail"`` (default) or ``"reuse"``: an existing grant counts as done.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    def execute(self, context: Any) -> None:
        # A grant has no definition beyond its two names, so an existing one is always the same.
        self.create_or_reuse(
            self.what, lambda: self.api.grant_queue(self.username, self.queuename), lambda: (True, None)
        )


class PaddleFlowUngrantQueueOperator(_GrantArgs, PaddleFlowDeleteOperatorBase):
    """Withdraw a user's grant on a queue.

    :param username: The user (templated).
    :param queuename: The queue (templated).
    :param if_missing: Optional. ``"ignore"`` (default: no such grant counts as withdrawn) or
        ``"fail"``.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    def execute(self, context: Any) -> None:
        self.delete_or_ignore(self.what, lambda: self.api.ungrant_queue(self.username, self.queuename))
