"""Queues, grants, flavours and clusters: one service seeded with the single-cluster defaults."""

from __future__ import annotations

from ..util import fmt_time
from .clusters import ClusterMixin
from .context import Context
from .infra_common import DEFAULT_CLUSTER, DEFAULT_QUEUE, SEED_FLAVOURS, hex_id
from .queues import QueueMeter, QueueMixin, QueueUser
from .users import Users


class Infra(ClusterMixin, QueueMixin):
    """Queues, grants, flavours and clusters; seeds the single-cluster defaults on first start."""

    def __init__(self, ctx: Context, users: Users) -> None:
        self.store = ctx.store
        self.users = users
        self.queue_users: list[QueueUser] = []  # runs and jobs: a queue they use cannot be deleted
        self.queue_meter: QueueMeter | None = None  # the runs: what their steps use of a queue
        with self.store.tx():
            self._seed()

    def _seed(self) -> None:
        st, t = self.store, fmt_time()
        if st.get("clusters", DEFAULT_CLUSTER) is None:
            st.insert(
                "clusters",
                {
                    "id": hex_id("cluster"),
                    "clusterName": DEFAULT_CLUSTER,
                    "description": "local machine",
                    "endpoint": "127.0.0.1",
                    "source": "OnPremise",
                    "clusterType": "Local",
                    "version": "1.16+",
                    "status": "online",
                    "credential": "",
                    "setting": "",
                    "namespaceList": None,
                    "createTime": t,
                    "updateTime": t,
                },
                key=DEFAULT_CLUSTER,
                status="online",
            )
        if st.get("queues", DEFAULT_QUEUE) is None:
            st.insert(
                "queues",
                {
                    "id": hex_id("queue"),
                    "name": DEFAULT_QUEUE,
                    "namespace": "default",
                    "clusterName": DEFAULT_CLUSTER,
                    "quotaType": "volcanoCapabilityQuota",
                    "maxResources": {"cpu": "20", "memory": "20Gi"},
                    "minResources": {"cpu": "0", "memory": "0"},
                    "location": {},
                    "status": "open",
                    "createTime": t,
                    "updateTime": t,
                },
                key=DEFAULT_QUEUE,
                parent=DEFAULT_CLUSTER,
                status="open",
            )
        for fid, name, cpu, mem, scalars in SEED_FLAVOURS:
            if st.get("flavours", name) is None:
                st.insert(
                    "flavours",
                    {
                        "id": fid,
                        "name": name,
                        "cpu": cpu,
                        "mem": mem,
                        "scalarResources": scalars,
                        "createTime": t,
                        "updateTime": t,
                    },
                    key=name,
                )
