"""Operators for PaddleFlow clusters (root only on the server).

``credential`` (a kubeconfig or token, plain or base64) is a secret: it is *not* a templated field,
it is registered with Airflow's secret masker before anything is logged, and no operator pushes it
to XCom (the create and update operators return the cluster id).

The server does not report a duplicate cluster name as a conflict (it answers a bare 500, which
looks like a lost answer), so the create operator looks the name up *before* creating: ``if_exists="reuse"``
returns the existing cluster's id when its endpoint and type (and version, if given) match.
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
    check_optional_str,
    check_required,
    client_check,
    mask,
)
from paddleflow_provider.runs.arguments import is_templated

if TYPE_CHECKING:
    from paddleflow_provider.client import PaddleFlowAPI

__all__ = [
    "PaddleFlowCreateClusterOperator",
    "PaddleFlowDeleteClusterOperator",
    "PaddleFlowUpdateClusterOperator",
]


def _check_settings(
    *, credential: Any, clustertype: Any, status: Any, namespacelist: Any, version: Any, required_type: bool
) -> None:
    if credential is not None and not isinstance(credential, str | bytes):
        raise ValueError(f"credential must be str, bytes or None, got {type(credential).__name__}")
    # The client's own rules (clustertype and status are not templated fields).
    client_check(v.cluster_type, "clustertype", clustertype, version, creating=required_type)
    client_check(v.one_of, "status", status, v.CLUSTER_STATUSES)
    if namespacelist is not None and (
        not isinstance(namespacelist, list | tuple) or not all(isinstance(n, str) for n in namespacelist)
    ):
        raise ValueError(f"namespacelist must be a list of namespace names or None, got {namespacelist!r}")


class _ClusterSettings(PaddleFlowBaseOperator):
    """The settings create and update share (all optional here; create requires some)."""

    template_fields: Sequence[str] = ("clustername", "endpoint", "description", "setting", "version")

    def __init__(
        self,
        *,
        clustername: StrArg,
        endpoint: str | None = None,
        clustertype: str | None = None,
        credential: str | bytes | None = None,
        description: str | None = None,
        source: str | None = None,
        setting: str | None = None,
        status: str | None = None,
        namespacelist: list[str] | None = None,
        version: str | None = None,
        required_type: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        clustername = check_required("clustername", clustername)
        if not is_templated(clustername):
            client_check(v.name, "clustername", clustername, "cluster")
        _check_settings(
            credential=credential,
            clustertype=clustertype,
            status=status,
            namespacelist=namespacelist,
            version=version,
            required_type=required_type,
        )
        for arg, value in (
            ("endpoint", endpoint),
            ("description", description),
            ("source", source),
            ("setting", setting),
            ("version", version),
        ):
            check_optional_str(arg, value)
        self.clustername = clustername
        self.endpoint = endpoint
        self.clustertype = clustertype
        self.credential = credential
        self.description = description
        self.source = source
        self.setting = setting
        self.status = status
        self.namespacelist = list(namespacelist) if namespacelist is not None else None
        self.version = version

    def settings(self) -> dict[str, Any]:
        """Keyword arguments for the client; the credential is masked before it goes anywhere."""
        mask(self.credential)
        return {
            "credential": self.credential,
            "description": self.description,
            "source": self.source,
            "setting": self.setting,
            "status": self.status,
            "namespacelist": self.namespacelist,
            "version": self.version,
        }


class PaddleFlowCreateClusterOperator(_ClusterSettings, PaddleFlowCreateOperatorBase):
    """Register a cluster; return its cluster id.

    :param clustername: Name (templated).
    :param endpoint: API server address (templated).
    :param clustertype: ``Kubernetes``, ``Local`` or ``K3S``.
    :param credential: Optional. Kubeconfig/token (plain or base64). Not templated, masked in logs,
        never pushed to XCom.
    :param description: Optional (templated).
    :param source: Optional. e.g. ``OnPremise`` (server default).
    :param setting: Optional. Extra settings text (templated).
    :param status: Optional. ``online`` (server default) or ``offline``.
    :param namespacelist: Optional. Namespaces queues may use.
    :param version: Optional. Cluster version; required for ``Kubernetes`` (templated).
    :param clusterid: Optional. Id to give the cluster (server default: generated).
    :param if_exists: Optional. ``"fail"`` (default) or ``"reuse"`` (see the module docstring).
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    def __init__(
        self,
        *,
        clustername: StrArg,
        endpoint: StrArg,
        clustertype: str,
        clusterid: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            clustername=clustername,
            endpoint=check_required("endpoint", endpoint),
            clustertype=clustertype,
            required_type=True,
            **kwargs,
        )
        check_optional_str("clusterid", clusterid)
        self.clusterid = clusterid

    def execute(self, context: Any) -> str:
        settings = self.settings()
        api = self.api
        what = f"PaddleFlow cluster {self.clustername}"
        existing = self.reuse_before_create(what, lambda: self._find(api))
        if existing is not None:
            return existing
        endpoint, clustertype = self.endpoint, self.clustertype
        if endpoint is None or clustertype is None:  # __init__ requires both; only a caller's reassignment
            raise ValueError(f"endpoint and clustertype are required to create {what}")
        cluster_id = api.create_cluster(
            self.clustername, endpoint, clustertype, clusterid=self.clusterid or None, **settings
        )
        self.log.info("Created %s (%s)", what, cluster_id)
        return str(cluster_id)

    def _find(self, api: PaddleFlowAPI) -> tuple[str | None, str | None]:
        # Listed, not shown: the server answers ``show_cluster`` of a missing name with a bare 500,
        # which the client would retry as a transient error.
        named = (
            c for c in api.iter_clusters(clustername=self.clustername) if c.clustername == self.clustername
        )
        info = next(named, None)
        if info is None:
            return None, None
        wanted = {
            "endpoint": (info.endpoint, self.endpoint),
            "clustertype": (info.clustertype, self.clustertype),
        }
        if self.version:
            wanted["version"] = (info.version, self.version)
        diffs = [f"{arg} {have!r} != {want!r}" for arg, (have, want) in wanted.items() if have != want]
        return info.clusterid, "; ".join(diffs) or None


class PaddleFlowUpdateClusterOperator(_ClusterSettings):
    """Change a cluster's settings (only the arguments given); return its cluster id.

    Arguments as for :class:`PaddleFlowCreateClusterOperator`, all optional except ``clustername``.
    Setting the same values twice is harmless, so a retried task needs no special handling.
    """

    def execute(self, context: Any) -> str:
        settings = self.settings()
        cluster_id = self.api.update_cluster(
            self.clustername, endpoint=self.endpoint, clustertype=self.clustertype, **settings
        )
        self.log.info("Updated PaddleFlow cluster %s", self.clustername)
        return str(cluster_id)


class PaddleFlowDeleteClusterOperator(PaddleFlowDeleteOperatorBase):
    """Delete a cluster and its queues (refused while a queue on it is in use).

    :param clustername: The cluster (templated).
    :param if_missing: Optional. ``"ignore"`` (default: a missing cluster counts as deleted) or
        ``"fail"``.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("clustername",)

    def __init__(self, *, clustername: StrArg, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        clustername = check_required("clustername", clustername)
        self.clustername = clustername

    def execute(self, context: Any) -> str:
        self.delete_or_ignore(
            f"PaddleFlow cluster {self.clustername}",
            lambda: self.api.delete_cluster(self.clustername),
            in_use=(
                "A cluster cannot be deleted while a queue on it has active jobs (its queues are deleted "
                "with it): let those jobs end first"
            ),
        )
        return self.clustername
