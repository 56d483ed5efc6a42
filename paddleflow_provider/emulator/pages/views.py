"""What the pages show, read through the backend as the signed-in user (no HTTP, no HTML here).

Every read goes through the same backend calls the API handlers use (``runs.list``, ``runs.show``,
``records.run_log``, ``records.list_artifacts``), so the pages enforce the API's visibility rules
(a user sees their own runs, root sees all) without restating them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..backend.core import Backend
from ..backend.records import ArtifactFilter
from ..backend.runs import RunFilter
from ..backend.sinks import FINAL_RUN
from ..caller import Caller
from ..store import Doc

LOG_TAIL_LINES = 100  # the API's largest log page (``pageSize`` <= 100)
RUNS_PER_PAGE = 50
ARTIFACTS_SHOWN = 1000


@dataclass(frozen=True)
class RunList:
    """One page of the run list and the marker of the next one (None on the last page)."""

    runs: list[Doc]
    next_marker: str | None


@dataclass(frozen=True)
class Node:
    """One row of the step table: a step (JobView) or a DAG (DagView), ``depth`` levels deep."""

    depth: int
    name: str
    kind: str  # "step", "dag" or "post-process"
    status: str
    start: str
    end: str
    job_id: str  # a step's job id, a DAG's id ("" for a step whose result came from the cache)
    message: str
    cached_from: str  # the run whose cached result the step reused, else ""
    parameters: dict[str, Any]
    log_tail: str | None  # None: the node has no job log (a DAG, a cached step)


@dataclass(frozen=True)
class RunView:
    """Everything the run page shows of one run."""

    run: Doc
    final: bool
    nodes: list[Node]
    artifacts: list[Doc]
    submit_log: str


def run_list(backend: Backend, who: Caller, marker: str | None) -> RunList:
    page = backend.runs.list(
        who,
        RunFilter(users=[], fs_names=[], run_ids=[], names=[], statuses=[]),
        marker,
        RUNS_PER_PAGE,
        newest_first=True,
    )
    return RunList(page.items, page.next_marker)


def run_view(backend: Backend, who: Caller, run_id: str) -> RunView:
    """The run, its DAG nodes and steps with their log tails, its artifacts.

    :raises PFError: the run does not exist (``RunNotFound``) or is not the caller's (``AccessDenied``).
    """
    run = backend.runs.show(who, run_id)
    log = backend.records.run_log(
        who, run_id, job_id=None, page_no=1, page_size=LOG_TAIL_LINES, position="end"
    )
    tails = {job.job_id: "".join(t.content for t in job.tasks) for job in log.jobs}
    nodes: list[Node] = []
    _walk(run.get("runtime") or {}, 0, tails, nodes)
    for name, view in (run.get("postProcess") or {}).items():
        if isinstance(view, dict):
            nodes.append(_node(view, name, 0, "post-process", tails))
    found = backend.records.list_artifacts(
        who,
        ArtifactFilter(users=[], fs_names=[], run_ids=[run_id], types=[], paths=[]),
        None,
        ARTIFACTS_SHOWN,
    )
    return RunView(run, run.get("status") in FINAL_RUN, nodes, found.items, log.submit_log)


def _walk(views: dict[str, Any], depth: int, tails: dict[str, str], out: list[Node]) -> None:
    """Rows in the run's own order, each DAG followed by its children (an element with ``entryPoints``
    is a DAG, as the SDK decides)."""
    for name, items in views.items():
        for item in items if isinstance(items, list) else [items]:
            if "entryPoints" in item:
                out.append(_node(item, name, depth, "dag", tails))
                _walk(item["entryPoints"] or {}, depth + 1, tails, out)
            else:
                out.append(_node(item, name, depth, "step", tails))


def _node(view: Doc, key: str, depth: int, kind: str, tails: dict[str, str]) -> Node:
    job_id = str(view.get("jobID") or view.get("id") or "")
    return Node(
        depth=depth,
        name=str(view.get("stepName") or view.get("dagName") or key),  # "name" is the job's long name
        kind=kind,
        status=str(view.get("status") or ""),
        start=str(view.get("startTime") or ""),
        end=str(view.get("endTime") or ""),
        job_id=job_id,
        message=str(view.get("jobMessage") or view.get("message") or ""),
        cached_from=str(view.get("cacheRunID") or ""),
        parameters=dict(view.get("parameters") or {}),
        log_tail=tails.get(job_id) if kind != "dag" else None,
    )
