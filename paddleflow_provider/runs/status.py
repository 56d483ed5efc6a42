"""How every PaddleFlow run status maps to an Airflow outcome.

Incomplete maps are the classic provider bug (a cancelled run counted as success), so every status
the server documents is listed explicitly. A status the server adds later is treated as *still
running* and warned about: waiting a little longer is recoverable, a wrong verdict is not.
The map is the single source of truth: the default targets and failures of every waiting path
(operator, sensor, trigger) are derived from it by :mod:`paddleflow_provider.runs.verdict`.
Plain Python on purpose: triggers and the log cursor use it without Airflow.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)


class RunOutcome(enum.Enum):
    """What a run status means for the Airflow task waiting on it."""

    RUNNING = "running"
    SUCCESS = "success"
    FAILURE = "failure"


#: Every run status of PaddleFlow (semantics §2.2), mapped explicitly.
RUN_STATUS_MAP: dict[str, RunOutcome] = {
    "initiating": RunOutcome.RUNNING,
    "pending": RunOutcome.RUNNING,
    "running": RunOutcome.RUNNING,
    "terminating": RunOutcome.RUNNING,
    "succeeded": RunOutcome.SUCCESS,
    "failed": RunOutcome.FAILURE,
    "terminated": RunOutcome.FAILURE,
    # Only schedule-created runs that never executed are skipped: the work did not happen.
    "skipped": RunOutcome.FAILURE,
}

#: Every run status the server can report (for argument checks on sensors).
KNOWN_RUN_STATUSES: frozenset[str] = frozenset(RUN_STATUS_MAP)

#: Final run statuses: the run will not change any more.
FINAL_RUN_STATUSES: frozenset[str] = frozenset(
    status for status, outcome in RUN_STATUS_MAP.items() if outcome is not RunOutcome.RUNNING
)

#: A run being stopped: it still counts as running for whoever waits on it, but it can only end
#: ``terminated``, so a new try of the task that started it never reattaches to it.
STOPPING_RUN_STATUSES: frozenset[str] = frozenset({"terminating"})

#: Step (job) statuses that explain a failed run; ``cancelled`` steps never ran, so they have no log.
FAILED_STEP_STATUSES: frozenset[str] = frozenset({"failed", "terminated"})

#: Step statuses after which a step's log no longer grows.
FINAL_STEP_STATUSES: frozenset[str] = frozenset({"succeeded", "failed", "terminated", "cancelled", "skipped"})

_warned: set[str] = set()


def run_outcome(status: str | None) -> RunOutcome:
    """Classify a run status; unknown (or missing) statuses count as running, with one warning each."""
    normalized = (status or "").strip().lower()
    outcome = RUN_STATUS_MAP.get(normalized)
    if outcome is None:
        if normalized not in _warned:
            _warned.add(normalized)
            log.warning(
                "Unknown PaddleFlow run status %r: treating the run as still running. Known statuses: %s",
                status,
                ", ".join(sorted(RUN_STATUS_MAP)),
            )
        return RunOutcome.RUNNING
    return outcome


def is_final(status: str | None) -> bool:
    """True once the run's status can no longer change."""
    return run_outcome(status) is not RunOutcome.RUNNING


def check_statuses(argument: str, statuses: Iterable[str]) -> tuple[str, ...]:
    """Validate a user-given list of run statuses; raise ValueError naming the argument otherwise."""
    if isinstance(statuses, str):
        statuses = (statuses,)
    values = tuple(str(s).strip().lower() for s in statuses)
    unknown = [s for s in values if s not in KNOWN_RUN_STATUSES]
    if unknown:
        raise ValueError(
            f"{argument} has unknown PaddleFlow run status(es) {unknown}; "
            f"accepted values: {', '.join(sorted(KNOWN_RUN_STATUSES))}"
        )
    return values
