"""The engine's callbacks into the server: run snapshots, artifacts, cache records, platform facts.

These are called from engine threads; every write goes through the store's lock, so a snapshot
never interleaves with an HTTP request touching the same run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..engine import CacheEntry, CacheRecord, RunState
from ..store import Store
from ..util import fmt_time
from .context import Context
from .infra import Infra
from .rundoc import find_job

FINAL_RUN = ("succeeded", "failed", "terminated", "skipped")


class RunSinkImpl:
    """Persists each :class:`RunState` snapshot into the run's document."""

    def __init__(self, ctx: Context, on_final: Callable[[str, str], None]) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.on_final = on_final  # (run id, final status), once the final status is stored

    def update(self, run_id: str, state: RunState) -> None:
        if self.ctx.stopping:
            # the server is shutting down: keep the last live snapshot so the run resumes on restart
            return
        with self.store.tx():
            row = self.store.get("runs", run_id, deleted=True)
            if row is None:
                return
            doc = row.doc
            if doc["status"] in FINAL_RUN and state.status not in FINAL_RUN:
                return  # a late snapshot must not revive a finished run
            if doc["status"] == "terminating" and state.status in ("running", "pending"):
                state_status = "terminating"
            else:
                state_status = state.status
            doc["status"] = row.status = state_status
            if state.message:
                doc["runMsg"] = state.message
            doc["runtime"] = state.runtime or {}
            doc["postProcess"] = state.post_process or {}
            if getattr(state, "activate_time", ""):
                doc["activateTime"] = state.activate_time
            doc["updateTime"] = fmt_time()
            self.store.update("runs", row)
            for src in getattr(state, "cache_source_runs", None) or []:
                self._link_cache(src, run_id)
        if state_status in FINAL_RUN:
            self.on_final(run_id, state_status)

    def _link_cache(self, source_run: str, user_run: str) -> None:
        """``runCachedIDs`` lives on the *cached* run: the runs that reused its steps."""
        src = self.store.get("runs", source_run)
        if src is None or src.key == user_run:
            return
        ids = [r for r in src.doc.get("runCachedIDs", "").split(",") if r]
        if user_run not in ids:
            ids.append(user_run)
            src.doc["runCachedIDs"] = ",".join(ids)
            self.store.update("runs", src)

    def artifact(self, run_id: str, event: dict[str, Any]) -> None:
        row = self.store.get("runs", run_id, deleted=True)
        owner = row.owner if row else str(event.get("username", ""))
        t = fmt_time()
        doc = {
            "runID": run_id,
            "fsname": "",
            "username": owner,
            "artifactPath": "",
            "step": "",
            "jobID": "",
            "type": "",
            "artifactName": "",
            "meta": "",
            "createTime": t,
            "updateTime": t,
            **event,
        }
        self.store.insert("artifacts", doc, key=f"{run_id}:{doc['artifactPath']}", owner=owner, parent=run_id)


class CacheStoreImpl:
    """The ``runCache`` table as the engine's :class:`CacheStore`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def find(self, first_fp: str, fs_name: str, username: str, source: str) -> list[CacheEntry]:
        rows = [
            r
            for r in self.store.select("run_cache")
            if r.doc["firstFp"] == first_fp
            and r.doc["fsname"] == fs_name
            and r.doc["username"] == username
            and r.doc["source"] == source
        ]
        out = []
        for r in reversed(rows):
            d = r.doc
            out.append(
                CacheEntry(
                    cache_id=d["cacheID"],
                    first_fp=d["firstFp"],
                    second_fp=d["secondFp"],
                    run_id=d["runID"],
                    job_id=d["jobID"],
                    expired_time=d["expiredTime"],
                    create_time=d["createTime"],
                )
            )
        return out

    def add(self, record: CacheRecord) -> str:
        """Insert a runCache record; ``custom`` (a dict from the engine) is stored as the wire's string."""
        t = fmt_time()
        doc = {
            "firstFp": record.first_fp,
            "secondFp": record.second_fp,
            "runID": record.run_id,
            "source": record.source,
            "jobID": record.job_id,
            "fsname": record.fs_name,
            "username": record.username,
            "expiredTime": str(record.expired_time),
            "strategy": record.strategy or "conservative",
            "custom": _custom_text(record.custom),
            "createTime": t,
            "updateTime": t,
        }
        row = self.store.insert(
            "run_cache",
            doc,
            owner=record.username,
            parent=record.run_id,
            id_format="cch-{:06d}",
            id_field="cacheID",
        )
        return row.key

    def run_exists(self, run_id: str) -> bool:
        return self.store.get("runs", run_id) is not None

    def job_view(self, run_id: str, job_id: str) -> dict[str, Any] | None:
        """The stored JobView of a cached job: a record written before a restart can still give a hit
        (the engine only remembers the jobs of its own process)."""
        row = self.store.get("runs", run_id)
        return None if row is None else find_job(row.doc, job_id)


def _custom_text(custom: dict[str, Any]) -> str:
    """RunCache ``custom`` is a string on the wire: empty, or the engine's dict as compact JSON."""
    if not custom:
        return ""
    return json.dumps(custom, sort_keys=True, separators=(",", ":"))


class PlatformImpl:
    """Queue and flavour facts the engine checks when a step starts."""

    def __init__(self, infra: Infra) -> None:
        self.infra = infra

    def queue_status(self, name: str) -> str | None:
        return self.infra.queue_status(name)

    def flavour_exists(self, name: str) -> bool:
        return self.infra.flavour_exists(name)
