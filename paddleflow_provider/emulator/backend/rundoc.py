"""Reading the step views out of a stored run document (the wire ``runtime`` / ``postProcess`` shapes).

Logs, statistics, queue usage and the engine's cache look-ups all need "every job of this run" or "this job
of this run"; they share these two functions instead of each walking the nested DAG views.
"""

from __future__ import annotations

from typing import Any


def iter_jobs(runtime: dict[str, Any], post: dict[str, Any]) -> list[dict[str, Any]]:
    """Every step view of a run (DAGs are walked through ``entryPoints``), post-process last."""
    out: list[dict[str, Any]] = []

    def walk(views: Any) -> None:
        for items in (views or {}).values():
            for item in items if isinstance(items, list) else [items]:
                if "entryPoints" in item:
                    walk(item["entryPoints"])
                else:
                    out.append(item)

    walk(runtime)
    out.extend(v for v in (post or {}).values() if isinstance(v, dict))
    return out


def run_jobs(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """:func:`iter_jobs` of a run document."""
    return iter_jobs(doc.get("runtime") or {}, doc.get("postProcess") or {})


def find_job(doc: dict[str, Any], job_id: str) -> dict[str, Any] | None:
    """The view of ``job_id`` in a run document, or None."""
    return next((job for job in run_jobs(doc) if job.get("jobID") == job_id), None)
