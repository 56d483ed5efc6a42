"""Final statuses: of a DAG once all its children ended, and of the whole run (semantics §2.2-2.8).

Pure functions over the runtime records, so the rules read (and test) apart from the orchestrator that
calls them.
"""

from __future__ import annotations

from .resolve import ResolveError
from .runtime import DagRun, NodeRun
from .templates import WHOLE_TEMPLATE_RE


def finish_dag(dag: DagRun, now: str) -> None:
    """Set ``dag``'s final status (and outputs) from its children's statuses."""
    runs = dag.all_runs()
    by_status: dict[str, list[str]] = {}
    for run in runs:
        by_status.setdefault(run.status, []).append(run.full_name)
    prefix = f"update dag[{dag.full_name}]'s status to"
    if "failed" in by_status:
        dag.set_status(
            "failed",
            f"{prefix} [failed] due to subSteps or subDags[{_join(by_status['failed'])}] failed",
            now,
        )
    elif "terminated" in by_status:
        status = "terminated" if dag.terminating else "failed"
        names = _join(by_status["terminated"])
        dag.set_status(status, f"{prefix} [{status}] due to subSteps or subDags[{names}] terminated", now)
    elif "cancelled" in by_status:
        names = _join(by_status["cancelled"])
        dag.set_status(
            "terminated", f"{prefix} [terminated] due to subSteps or subDags[{names}] cancelled", now
        )
    else:
        try:
            dag.outputs = _dag_outputs(dag)
        except ResolveError as exc:
            dag.set_status("failed", str(exc), now)
        else:
            names = _join([run.full_name for run in runs])
            dag.set_status("succeeded", f"all subDag or subStep run succeeded or skipped: {names}", now)


def _join(names: list[str]) -> str:
    return ",".join(names)


def _dag_outputs(dag: DagRun) -> dict[str, str]:
    outputs = {}
    for name, template in dag.spec.output_artifacts.items():
        match = WHOLE_TEMPLATE_RE.match(template.strip())
        runs = sorted(dag.children.get(match.group(1) or "", []) if match else [], key=lambda x: x.seq)
        paths = [run.outputs.get(match.group(2)) for run in runs] if match else []
        if not match or not paths or any(p is None for p in paths):
            raise ResolveError(f"resolve output artifact[{name}] of dag[{dag.full_name}] failed: {template}")
        outputs[name] = ",".join(p for p in paths if p is not None)
    return outputs


def _leaves(run: NodeRun, status: str, found: list[NodeRun]) -> None:
    """Deepest records in ``status``: a DAG counts only when no child of it is in that status."""
    if isinstance(run, DagRun) and run.reused_view is None:
        before = len(found)
        for child in run.all_runs():
            _leaves(child, status, found)
        if len(found) == before and run.status == status and run.parent is not None:
            found.append(run)
    elif run.status == status:
        found.append(run)


def final_run_status(run_name: str, entry: DagRun, post: NodeRun | None, stopping: bool) -> tuple[str, str]:
    """The run's final status and message once entry_points and post_process are done (semantics §2.2)."""
    prefix = f"{run_name}."

    def names(status: str) -> list[str]:
        found: list[NodeRun] = []
        _leaves(entry, status, found)
        if post is not None and post.status == status:
            found.append(post)
        return [run.full_name.removeprefix(prefix) for run in found]

    failed = names("failed")
    if failed or entry.status == "failed":
        return "failed", f"update status to failed because some step or dag run failed: {_join(failed)}"
    terminated, cancelled = names("terminated"), names("cancelled")
    if terminated or cancelled or entry.status in ("terminated", "cancelled"):
        if stopping:
            if terminated:
                return "terminated", (
                    "update status to terminated because some step or dag was terminated after receive "
                    f"termination singal: {_join(terminated)}"
                )
            return "terminated", (
                "update status to terminated because some step or dag was cancelled "
                "after receive termination singal."
            )
        return "failed", (
            "update status to failed because some step or dag was terminated unexpectedly: "
            f"{_join(terminated + cancelled)}"
        )
    return "succeeded", "Run successfully"
