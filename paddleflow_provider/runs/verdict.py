"""The one decision every waiting path makes: is the run still going, done, or failed?

The sync operator loop, the deferred operator, the run sensor's poke and the run trigger all ask
the same question about the same status. They used to answer it in four places, so changing one
map entry changed some paths and not others. :func:`run_verdict` is now the only answer: the
trigger only uses it to know when to stop polling and reports the *raw* status, and the task
applies the same verdict again when it resumes.
"""

from __future__ import annotations

import enum
from collections.abc import Collection

from paddleflow_provider.runs.status import RUN_STATUS_MAP, RunOutcome, is_final


class Verdict(enum.Enum):
    """What a run status means for a caller waiting for some target statuses."""

    WAITING = "waiting"
    SUCCESS = "success"
    FAILURE = "failure"


def default_target_statuses() -> tuple[str, ...]:
    """The statuses the status map calls success (read at call time, so the map stays the source)."""
    return tuple(sorted(s for s, outcome in RUN_STATUS_MAP.items() if outcome is RunOutcome.SUCCESS))


def default_failure_statuses(target_statuses: Collection[str] = ()) -> tuple[str, ...]:
    """The statuses the status map calls failure, except any the caller waits for."""
    return tuple(
        sorted(
            s
            for s, outcome in RUN_STATUS_MAP.items()
            if outcome is RunOutcome.FAILURE and s not in target_statuses
        )
    )


def normalize_status(status: str | None) -> str:
    """Statuses compare case-insensitively and without surrounding blanks."""
    return (status or "").strip().lower()


def run_verdict(
    status: str | None,
    target_statuses: Collection[str] | None = None,
    failure_statuses: Collection[str] | None = None,
) -> Verdict:
    """Decide a run's outcome for a caller waiting for ``target_statuses``.

    A target status is success. A failure status is failure, and so is any other *final* status:
    a run that ended can never reach a target any more. Everything else (including a status the
    map does not know yet) is still waiting. ``None`` means the map's defaults.
    """
    normalized = normalize_status(status)
    targets = default_target_statuses() if target_statuses is None else target_statuses
    failures = default_failure_statuses(targets) if failure_statuses is None else failure_statuses
    if normalized in targets:
        return Verdict.SUCCESS
    if normalized in failures or is_final(normalized):
        return Verdict.FAILURE
    return Verdict.WAITING
