# ruff: noqa: S608  (table names are interpolated only from KINDS; values use placeholders)
"""SQLite state: one table per object kind, each row a JSON document plus a few indexed columns.

Why documents: the wire objects are nested (run runtimes, queue resources) and only a handful of
columns are ever filtered on, so each kind keeps ``key`` (the public id or name), ``owner``,
``parent`` (a pipeline id, a run id...), ``status`` and a soft-delete flag next to the JSON. The
``pk`` column is an AUTOINCREMENT integer, which gives the server's ``run-%06d`` style ids and the
ascending order that marker pagination relies on.

Table names in the SQL are interpolated, but only ever from :data:`KINDS` (checked by
the ``assert`` in :meth:`Store.insert` and the fixed callers); values always go through placeholders.

One connection in WAL mode guarded by one re-entrant lock: HTTP handlers, engine threads and the
scheduler all go through :meth:`Store.tx`, so concurrent clients are serialised, never interleaved.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = (
    "users",
    "queues",
    "grants",
    "flavours",
    "clusters",
    "fs",
    "links",
    "fs_cache",
    "pipelines",
    "pipeline_versions",
    "runs",
    "run_cache",
    "artifacts",
    "schedules",
    "jobs",
)


Doc = dict[str, Any]
"""A stored document: the wire object the server answers with, plus private ``_`` keys."""


@dataclass
class Row:
    """One stored object: its integer ``pk``, indexed columns and the JSON ``doc``."""

    pk: int
    key: str
    owner: str
    parent: str
    status: str
    deleted: bool
    doc: dict[str, Any] = field(default_factory=dict)


class Store:
    """The emulator's durable state (``<data-dir>/paddleflow.db``)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.lock = threading.RLock()
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._depth = 0
        with self.tx():
            for kind in KINDS:
                self._conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {kind} (pk INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT, "
                    "owner TEXT DEFAULT '', parent TEXT DEFAULT '', status TEXT DEFAULT '', "
                    "deleted INTEGER DEFAULT 0, doc TEXT)"
                )
                self._conn.execute(f"CREATE INDEX IF NOT EXISTS {kind}_key ON {kind}(key)")
                self._conn.execute(f"CREATE INDEX IF NOT EXISTS {kind}_parent ON {kind}(parent)")
            self._conn.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)")
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS schedule_ticks (schedule TEXT NOT NULL, tick TEXT NOT NULL, "
                "PRIMARY KEY (schedule, tick)) WITHOUT ROWID"
            )
            self._backfill_ticks()

    def close(self) -> None:
        with self.lock:
            self._conn.close()

    @contextmanager
    def tx(self) -> Iterator[Store]:
        """A write transaction; nested calls join the outermost one."""
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    # --- meta -----------------------------------------------------------------------------------
    def meta_get(self, k: str) -> str | None:
        with self.lock:
            cur = self._conn.execute("SELECT v FROM meta WHERE k=?", (k,))
            got = cur.fetchone()
        return None if got is None else str(got[0])

    def meta_set(self, k: str, v: str) -> None:
        with self.tx():
            self._conn.execute("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)", (k, v))

    # --- schedule ticks -------------------------------------------------------------------------
    # Why a table of its own: the scheduler asks "which ticks of this schedule already have a run?"
    # on every pass; answering it from the runs table meant decoding every run the schedule ever
    # made. A tick is recorded in the same transaction as its run (see :meth:`Runs.create`), so the
    # record and the run appear together and the no-double-tick guarantee is unchanged.
    def _backfill_ticks(self) -> None:
        """Record the ticks of runs made before this table existed (data dirs of older versions)."""
        cur = self._conn.execute("SELECT v FROM meta WHERE k='schedule_ticks_backfilled'")
        if cur.fetchone() is not None:
            return
        self._conn.execute(
            "INSERT OR IGNORE INTO schedule_ticks (schedule, tick) "
            "SELECT parent, json_extract(doc, '$.scheduledTime') FROM runs "
            "WHERE parent != '' AND COALESCE(json_extract(doc, '$.scheduledTime'), '') != ''"
        )
        self._conn.execute("INSERT OR REPLACE INTO meta (k, v) VALUES ('schedule_ticks_backfilled', '1')")

    def record_tick(self, schedule_id: str, tick: str) -> None:
        """Note that ``tick`` of ``schedule_id`` has a run (call inside the run's insert transaction)."""
        with self.tx():
            self._conn.execute(
                "INSERT OR IGNORE INTO schedule_ticks (schedule, tick) VALUES (?, ?)", (schedule_id, tick)
            )

    def fired_ticks(self, schedule_id: str, since: str) -> set[str]:
        """The ticks of ``schedule_id`` at or after ``since`` that already have a run (deleted ones too).

        Tick times are ``YYYY-MM-DD hh:mm:ss`` strings, whose text order is their time order, so
        this is one range scan of the primary key.
        """
        with self.lock:
            rows = self._conn.execute(
                "SELECT tick FROM schedule_ticks WHERE schedule=? AND tick>=?", (schedule_id, since)
            ).fetchall()
        return {str(r[0]) for r in rows}

    # --- rows -----------------------------------------------------------------------------------
    @staticmethod
    def _row(r: tuple[Any, ...]) -> Row:
        return Row(r[0], r[1] or "", r[2] or "", r[3] or "", r[4] or "", bool(r[5]), json.loads(r[6] or "{}"))

    def insert(
        self,
        kind: str,
        doc: dict[str, Any],
        *,
        key: str = "",
        owner: str = "",
        parent: str = "",
        status: str = "",
        id_format: str | None = None,
        id_field: str | None = None,
    ) -> Row:
        """Insert a row; with ``id_format`` (e.g. ``"run-{:06d}"``) the key is derived from the pk."""
        assert kind in KINDS
        with self.tx():
            cur = self._conn.execute(
                f"INSERT INTO {kind} (key, owner, parent, status, doc) VALUES (?, ?, ?, ?, ?)",
                (key, owner, parent, status, json.dumps(doc)),
            )
            pk = int(cur.lastrowid or 0)
            if id_format:
                key = id_format.format(pk)
                if id_field:
                    doc[id_field] = key
                self._conn.execute(f"UPDATE {kind} SET key=?, doc=? WHERE pk=?", (key, json.dumps(doc), pk))
        return Row(pk, key, owner, parent, status, False, doc)

    def get(self, kind: str, key: str, *, parent: str | None = None, deleted: bool = False) -> Row | None:
        sql, args = _where(
            f"SELECT pk, key, owner, parent, status, deleted, doc FROM {kind} WHERE key=?",
            [key],
            parent,
            deleted,
        )
        with self.lock:
            got = self._conn.execute(sql + " ORDER BY pk DESC LIMIT 1", args).fetchone()
        return None if got is None else self._row(got)

    def update(self, kind: str, row: Row) -> None:
        """Write back ``row`` (status, owner, parent, deleted flag and doc)."""
        with self.tx():
            self._conn.execute(
                f"UPDATE {kind} SET key=?, owner=?, parent=?, status=?, deleted=?, doc=? WHERE pk=?",
                (row.key, row.owner, row.parent, row.status, int(row.deleted), json.dumps(row.doc), row.pk),
            )

    def soft_delete(self, kind: str, row: Row) -> None:
        """Mark ``row`` deleted: reads pass it over unless they ask for ``deleted`` rows, but it stays
        stored (a deleted run still takes the engine's late snapshots, its id is never numbered again)."""
        row.deleted = True
        self.update(kind, row)

    def remove(self, kind: str, pk: int) -> None:
        with self.tx():
            self._conn.execute(f"DELETE FROM {kind} WHERE pk=?", (pk,))

    def select(
        self,
        kind: str,
        *,
        owner: str | None = None,
        parent: str | None = None,
        statuses: Iterable[str] | None = None,
        after: int = 0,
        deleted: bool = False,
    ) -> list[Row]:
        """Rows in ascending pk order, filtered on the indexed columns."""
        sql = f"SELECT pk, key, owner, parent, status, deleted, doc FROM {kind} WHERE pk>?"
        args: list[Any] = [after]
        if owner is not None:
            sql += " AND owner=?"
            args.append(owner)
        if statuses is not None:
            sts = list(statuses)
            sql += f" AND status IN ({','.join('?' * len(sts))})"
            args.extend(sts)
        sql, args = _where(sql, args, parent, deleted)
        with self.lock:
            rows = self._conn.execute(sql + " ORDER BY pk", args).fetchall()
        return [self._row(r) for r in rows]

    def count(self, kind: str, *, parent: str | None = None, deleted: bool = True) -> int:
        sql, args = _where(f"SELECT COUNT(*) FROM {kind} WHERE 1=1", [], parent, deleted)
        with self.lock:
            return int(self._conn.execute(sql, args).fetchone()[0])


def _where(sql: str, args: list[Any], parent: str | None, deleted: bool) -> tuple[str, list[Any]]:
    """Append the common ``parent`` / not-deleted filters to a query."""
    if parent is not None:
        sql += " AND parent=?"
        args = [*args, parent]
    if not deleted:
        sql += " AND deleted=0"
    return sql, args
