"""Who started a run: the identity of a task instance, the run name and client token derived
from it, and which try of it holds the run now.

A retried task must find the run its earlier try started, even when Airflow kept nothing (a
worker crash before the run id was stored, Airflow before 3.3). The identity is the same for every
try of one task instance (dag_id, task_id, dag run, map index); its hash goes into the run's client
token, which the client writes into the run's description and can look up again.

A *retry* and a *clear* both start a new try, and they mean opposite things: a retry after a crash
should carry on with the run already going (one run on the server), a clear means the user wants
the work done again, while Airflow kills the old try (its trigger's ``on_kill`` stops the old run,
at about the time the new try starts). They are told apart the way Airflow itself finds "the first
try since the last clear" (``RuntimeTaskInstance.get_first_reschedule_date``): every clear raises the
task instance's ``max_tries`` (to ``try_number + retries``) and a retry never changes it. So the try
that takes a run records a :func:`run_claim` (run id, its try number and ``max_tries``) and a later try
reads it: the same ``max_tries`` is a retry of the same work, another one a clear.

The claim is kept in two places. The run itself carries the claim of the try that created it, as a
marker in its description (:func:`claim_marker`, read back by :func:`claim_in`): that works on every
Airflow version, with nothing stored on the Airflow side, and survives anything that loses the
task's state. Airflow 3.3's task state store also records the claim of the try that holds the run
*now* (a retry that reattached): only that tells a zombie try's cleanup to keep its hands off.
Plain Python: the context only needs a ``ti`` with those attributes.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

_RUN_NAME_START = re.compile(r"[A-Za-z_]")
_NOT_IN_RUN_NAME = re.compile(r"[^A-Za-z0-9_-]")


def task_identity(context: Any) -> str:
    """Stable identity of the task instance across tries: dag_id, task_id, run_id, map_index."""
    ti = context["ti"]
    map_index = getattr(ti, "map_index", -1)  # absent on hand-made test TIs
    if map_index is None:
        map_index = -1
    return f"{ti.dag_id}|{ti.task_id}|{ti.run_id}|{map_index}"


def identity_token(context: Any) -> str:
    """A short hash of :func:`task_identity`, safe to put in a run name or description."""
    return hashlib.sha256(task_identity(context).encode()).hexdigest()[:16]


def run_claim(context: Any, run_id: str) -> dict[str, Any]:
    """What a try records when it takes a run: the run, the try, and the clear it belongs to."""
    ti = context["ti"]
    return {"run_id": run_id, "try_number": _number(ti, "try_number"), "max_tries": _number(ti, "max_tries")}


_CLAIM_MARKER = re.compile(r"\[airflow-try:(\d+)/(\d+)\]")


def claim_marker(context: Any) -> str | None:
    """The description marker recording which try, of which clear, created a run (None when the
    context does not know its try, e.g. a hand-made one)."""
    claim = run_claim(context, "")
    if claim["try_number"] is None or claim["max_tries"] is None:
        return None
    return f"[airflow-try:{claim['try_number']}/{claim['max_tries']}]"


def claim_in(description: Any, run_id: str) -> dict[str, Any] | None:
    """The claim a run's description records (:func:`claim_marker`), or None (a run created before
    claims were recorded, or not by a create operator)."""
    found = _CLAIM_MARKER.search(description) if isinstance(description, str) else None
    if found is None:
        return None
    return {"run_id": run_id, "try_number": int(found[1]), "max_tries": int(found[2])}


def try_number(context: Any) -> int | None:
    """The running try's number (None on a hand-made context without one)."""
    return _number(context["ti"], "try_number")


def retry_follows_failure(context: Any) -> bool:
    """Whether Airflow tries this task instance again if this try fails: its own rule, ``max_tries``
    not 0 and ``try_number <= max_tries`` (False when the context does not say)."""
    ti = context.get("ti")
    tried, most = _number(ti, "try_number"), _number(ti, "max_tries")
    return tried is not None and most is not None and most != 0 and tried <= most


def cleared_since(claim: Any, context: Any) -> bool:
    """True if the task instance was cleared after ``claim`` was recorded (its ``max_tries`` changed).

    False when either side does not know (no claim, a hand-made context): then the run is treated
    as a retry's, which is what the provider did before it recorded claims.
    """
    if not isinstance(claim, dict) or claim.get("max_tries") is None:
        return False
    now = _number(context["ti"], "max_tries")
    return now is not None and now != claim["max_tries"]


def held_by_another_try(claim: Any, run_id: str, try_number: int | None) -> bool:
    """True if ``claim`` says a try other than ``try_number`` holds ``run_id`` now (it reattached to
    it): a try's cleanup must never stop a run a newer try owns. A run the claim does not name is
    nobody else's: the try that started it stops it."""
    if not isinstance(claim, dict) or try_number is None:
        return False
    return claim.get("run_id") == run_id and claim.get("try_number") not in (None, try_number)


def _number(ti: Any, name: str) -> int | None:
    value = getattr(ti, name, None)  # absent on hand-made test TIs
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def client_token(token: str, generation: int | None = 0) -> str:
    """The run's client token: the same for every try of one task instance, unique across them.

    ``generation`` counts the runs the task instance submitted before: a resubmission after a
    failed run uses a new one, so the client's "did my create land?" check cannot mistake the
    failed run for the new one.
    """
    return f"airflow-{token}" if not generation else f"airflow-{token}.{generation}"


def default_run_name(task_id: str, token: str) -> str:
    """A valid PaddleFlow run name (``^[A-Za-z_][A-Za-z0-9_-]{0,127}$``) naming the task."""
    base = _NOT_IN_RUN_NAME.sub("_", task_id)[:100]
    if not base or not _RUN_NAME_START.match(base[0]):
        base = "_" + base
    return f"{base}-{token}"
