"""Operators for PaddleFlow runs: create (and wait), stop, retry (and wait), delete.

No duplicates, no leaks: a create operator that is retried by Airflow after a worker crash
*reattaches* to the run it already started instead of submitting another one. It finds that run
through two independent identities:

1. the task state store (Airflow 3.3+), where the run id is written the moment the run exists;
2. a deterministic client token ``airflow-<hash of dag_id/task_id/run_id/map_index>`` passed to
   ``create_run(client_token=...)``: the client writes it as the run's one description marker
   ``[pf-token:<token>]`` and finds the run again with ``find_run_by_client_token``. It is sent
   *with* the create request, so it also covers a crash between "the server created the run" and
   "the id was stored", older Airflow versions, and a create call whose outcome was unknown.

A reattached run that is still active is waited for; one that already succeeded is returned
without resubmitting; one that failed, was stopped or is being stopped (``terminating``) is submitted
afresh (that is what an Airflow retry is for). ``reattach=False`` always submits.

A *clear* is not a retry: the user wants the work done again. The try that creates a run records a
claim (:func:`~paddleflow_provider.runs.identity.run_claim`: its try number and the ``max_tries`` that
every clear raises) in the run's description, on every Airflow version; a new try that finds the
task instance cleared since then stops the old run if it is still going and submits its own. On
Airflow 3.3+ this happens whichever comes first of the new try and the old try's trigger
``on_kill`` (which stops the old run too), and the task state store also records which try holds
the run now, so no try's cleanup stops a run a newer try has taken: ``on_kill`` checks it first.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from paddleflow_provider._compat import StrArg, is_xcom_arg
from paddleflow_provider.client import _validate as v
from paddleflow_provider.links import PaddleFlowRunLink, push_run_xcoms
from paddleflow_provider.operators._base import (
    PaddleFlowDeleteOperatorBase,
    PaddleFlowIfMissingOperatorBase,
    PaddleFlowYamlTemplateMixin,
    check_bool,
    client_check,
)
from paddleflow_provider.operators._run_base import (
    PaddleFlowRunFailedError,
    PaddleFlowRunTimeoutError,
    PaddleFlowRunWaitBase,
)
from paddleflow_provider.runs.arguments import check_run_id, given_or_none, is_templated
from paddleflow_provider.runs.identity import (
    claim_in,
    claim_marker,
    cleared_since,
    client_token,
    default_run_name,
    held_by_another_try,
    identity_token,
    retry_follows_failure,
    run_claim,
    try_number,
)
from paddleflow_provider.runs.status import STOPPING_RUN_STATUSES
from paddleflow_provider.runs.task_state import TaskState
from paddleflow_provider.runs.verdict import Verdict, run_verdict

if TYPE_CHECKING:
    from paddleflow_provider.client import PaddleFlowAPI, RunInfo


STATE_RUN_ID = "paddleflow_run_id"
STATE_RUN_CLAIM = "paddleflow_run_claim"  # runs.identity.run_claim of the try that holds the run
STATE_RETRY_RUN_ID = "paddleflow_retry_run_id"

__all__ = [
    "PaddleFlowCreateRunOperator",
    "PaddleFlowDeleteRunOperator",
    "PaddleFlowRetryRunOperator",
    "PaddleFlowRunFailedError",
    "PaddleFlowRunTimeoutError",
    "PaddleFlowStopRunOperator",
]


def _failure_options(value: Any) -> Any:
    """The operator also takes the bare strategy, ``"continue"``, for ``{"strategy": "continue"}``."""
    return {"strategy": value} if isinstance(value, str) else value


def _worth_reattaching(status: str | None) -> bool:
    """A run a new try may carry on with: not failed or stopped, and not being stopped either (a
    ``terminating`` run still counts as running, but can only end ``terminated``)."""
    return run_verdict(status) is not Verdict.FAILURE and status not in STOPPING_RUN_STATUSES


def stop_cleared_run(op: Any, api: PaddleFlowAPI, run_id: str, claim: dict[str, Any]) -> None:
    """The task instance was cleared after try ``claim["try_number"]`` took ``run_id``: the user
    wants the work done again, so that run is stopped if it is still going (before Airflow 3.3
    nothing else stops it, and on 3.3 the old trigger's ``on_kill`` may not have run yet) and the
    caller starts new work, also when the old run had succeeded. ``op`` logs."""
    from paddleflow_provider.client import PaddleFlowError

    op.log.info(
        "This task instance was cleared after try %s started PaddleFlow run %s: stopping that run "
        "and starting anew",
        claim.get("try_number"),
        run_id,
    )
    try:
        if not api.show_run(run_id).is_final:
            api.stop_run(run_id)
    except PaddleFlowError as err:  # already ending (the old trigger's on_kill), or gone
        op.log.info("PaddleFlow run %s of the cleared try: %s", run_id, err)


class PaddleFlowCreateRunOperator(PaddleFlowYamlTemplateMixin, PaddleFlowRunWaitBase):
    """Create a PaddleFlow run, optionally wait for it, and return its run id.

    Exactly one source: ``run_yaml_raw`` (YAML text or bytes; a ``.yaml``/``.yml`` file name is
    read from the DAG folder and rendered as a template), ``run_yaml_path`` (a path on the run's
    storage ``fs_name``; without any source the server reads ``./run.yaml`` from ``fs_name``), or
    ``pipeline_id`` (with optional ``pipeline_version_id``).

    :param run_yaml_raw: Optional. The run YAML (templated).
    :param run_yaml_path: Optional. Path of the YAML on ``fs_name``. Templated, never read locally.
    :param pipeline_id: Optional. Run a stored pipeline.
    :param pipeline_version_id: Optional. Its version (default: the latest).
    :param fs_name: Optional. Storage the run uses (``fs_name`` of the SDK).
    :param username: Optional. Root only: run with this user's storage.
    :param run_name: Optional. Run name; default ``<task_id>-<token>`` (see module docstring).
    :param desc: Optional. Description; the client appends the run marker ``[pf-token:airflow-<hash>]``.
    :param param: Optional. Parameter overrides, ``{"p": v}`` or ``{"step.p": v}``.
    :param disabled: Optional. Steps to skip: a comma-separated string or a list of names.
    :param docker_env: Optional. Global image override.
    :param failure_options: Optional. ``{"strategy": "fail_fast" | "continue"}`` (or the bare string).
    :param reattach: Optional. Reattach to this task instance's run on an Airflow retry (True).
    :param wait_for_completion: Optional. Wait for the run to end (True).
    :param poll_interval: Optional. Seconds between status reads (10).
    :param deferrable: Optional. Wait in the triggerer (default ``[operators] default_deferrable``).
    :param timeout: Optional. Seconds to wait before stopping the run and failing (None: no bound).
    :param stream_logs: Optional. Log new step log lines while waiting (True).
    :param log_tail_lines: Optional. Log lines of each failed step quoted in the failure (30).
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = (
        "run_yaml_raw",
        "run_yaml_path",
        "pipeline_id",
        "pipeline_version_id",
        "fs_name",
        "username",
        "run_name",
        "desc",
        "param",
        "disabled",
        "docker_env",
        "failure_options",
        "paddleflow_conn_id",
    )
    yaml_field = "run_yaml_raw"
    template_fields_renderers: ClassVar[dict[str, str]] = {"run_yaml_raw": "yaml", "param": "json"}
    ui_color = "#2932e1"

    def __init__(
        self,
        *,
        run_yaml_raw: str | bytes | None = None,
        run_yaml_path: str | None = None,
        pipeline_id: str | None = None,
        pipeline_version_id: str | None = None,
        fs_name: str | None = None,
        username: str | None = None,
        run_name: str | None = None,
        desc: str | None = None,
        param: dict[str, Any] | None = None,
        disabled: str | Sequence[str] | None = None,
        docker_env: str | None = None,
        failure_options: dict[str, Any] | str | None = None,
        reattach: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if run_yaml_raw is not None and not isinstance(run_yaml_raw, str | bytes):
            raise ValueError(f"run_yaml_raw must be str or bytes, got {type(run_yaml_raw).__name__}")
        if param is not None and not isinstance(param, dict) and not is_xcom_arg(param):
            raise ValueError(f"param must be a dict of parameter name -> value, got {type(param).__name__}")
        # The client's own rules; a templated value is checked by the client at execute.
        client_check(
            v.run_source,
            given_or_none(run_yaml_raw),
            given_or_none(run_yaml_path),
            given_or_none(pipeline_id),
            given_or_none(pipeline_version_id),
            given_or_none(fs_name),
        )
        if not is_templated(run_name):
            client_check(v.optional_name, "run_name", run_name or None, "run")
        if not is_templated(disabled):
            client_check(v.disabled_steps, "disabled", disabled)
        if not is_templated(failure_options):
            failure_options = _failure_options(failure_options)
            client_check(v.failure_options, "failure_options", failure_options)
        if not isinstance(reattach, bool):
            raise ValueError(f"reattach must be True or False, got {reattach!r}")
        self.run_yaml_raw = run_yaml_raw
        self.run_yaml_path = run_yaml_path
        self.pipeline_id = pipeline_id
        self.pipeline_version_id = pipeline_version_id
        self.fs_name = fs_name
        self.username = username
        self.run_name = run_name
        self.desc = desc
        self.param = param
        self.disabled = disabled
        self.docker_env = docker_env
        self.failure_options = failure_options
        self.reattach = reattach
        self._in_flight: tuple[str, str] | None = None  # (client token, run name) while creating

    # -- execution ----------------------------------------------------------------------------------

    def execute(self, context: Any) -> str:
        api = self.hook.api
        token = identity_token(context)
        state = TaskState(context)
        self._task_state = state if state.durable_store else None  # on_kill reads the claim
        self._try_number = try_number(context)
        run_id, generation = self._existing_run(api, state, token, context) if self.reattach else (None, None)
        if run_id is None:
            # Without reattach the token is random: no retry looks this run up again, but on_kill
            # can still find it (like a reattaching task's) while create_run has not returned.
            run_token = (
                client_token(token, generation)
                if generation is not None
                else f"airflow-{uuid.uuid4().hex[:16]}"
            )
            self._in_flight = (run_token, self._run_name(token))
            run_id = self._submit(api, token, run_token, claim_marker(context))
        self._run_id = run_id  # before anything else can be interrupted (state store, XCom)
        self._in_flight = None
        if state.durable_store:  # Airflow 3.3+; older versions rely on the client token alone
            state.set(STATE_RUN_ID, run_id)
            state.set(STATE_RUN_CLAIM, run_claim(context, run_id))
        self._publish(context, run_id)
        return self.wait_for_run(context, run_id)

    def on_kill(self) -> None:
        """Stop the run, even if the kill (SIGTERM, ``execution_timeout``) interrupted ``create_run``
        after the server had created it: that run is found by its client token."""
        in_flight = getattr(self, "_in_flight", None)
        if self._run_id is None and in_flight is not None:
            try:
                found = self.hook.api.find_run_by_client_token(
                    in_flight[0], fs_name=self.fs_name or None, run_name=in_flight[1]
                )
            except Exception as err:  # best effort: never hide the reason the task was killed
                self.log.warning("Could not look up the PaddleFlow run being created: %s", err)
                found = None
            if found is not None:
                self._run_id = str(found.run_id)
        super().on_kill()

    def still_owned(self, run_id: str) -> bool:
        """False once a newer try has taken ``run_id`` (its claim names another try): a zombie try
        that is killed after the scheduler started the next one must leave that try's run alone.

        Called from ``on_kill``, i.e. from Airflow 3's SIGTERM handler; the read goes over the task
        runner's channel, which the wait loop (HTTP polls and sleeps) does not hold while it waits."""
        state = getattr(self, "_task_state", None)
        if state is None:
            return True
        try:
            claim = state.get(STATE_RUN_CLAIM)
        except Exception as err:  # best effort: stopping our own run matters more
            self.log.warning("Could not read which try holds PaddleFlow run %s: %s", run_id, err)
            return True
        return not held_by_another_try(claim, run_id, getattr(self, "_try_number", None))

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """OpenLineage: the run and its artifacts (see :mod:`paddleflow_provider.lineage`); the provider
        also asks this method when the task failed."""
        from paddleflow_provider.lineage import operator_lineage

        return operator_lineage(self)

    def _run_name(self, token: str) -> str:
        return self.run_name or default_run_name(self.task_id, token)

    def _existing_run(
        self, api: PaddleFlowAPI, state: TaskState, token: str, context: Any
    ) -> tuple[str | None, int | None]:
        """The run this task instance already started, if it is worth reattaching to.

        Returns ``(run_id, None)`` to reattach, or ``(None, generation)``: submit with that
        generation of the client token (one more than the runs this task instance already made).
        """
        info, generation = self._stored_run(api, state), None
        if info is None or not _worth_reattaching(info.status):
            found, generation = self._lookup(api, token)
            info = info or found
        if info is None:
            return None, generation
        claim = self._claim_of(info, state)
        if cleared_since(claim, context):
            stop_cleared_run(self, api, str(info.run_id), claim)  # type: ignore[arg-type]  # a claim: a dict
            return None, generation if generation is not None else self._lookup(api, token)[1]
        if not _worth_reattaching(info.status):
            self.log.info(
                "previous PaddleFlow run %s of this task is %s; submitting a new run",
                info.run_id,
                info.status,
            )
            return None, generation
        verdict = run_verdict(info.status)
        verb = "already succeeded; not resubmitting" if verdict is Verdict.SUCCESS else "is active"
        self.log.info("Reattaching to PaddleFlow run %s of this task instance: it %s", info.run_id, verb)
        return str(info.run_id), None

    def _stored_run(self, api: PaddleFlowAPI, state: TaskState) -> RunInfo | None:
        """The run the task state store (Airflow 3.3+) names, if it still exists."""
        from paddleflow_provider.client import NotFoundError

        stored = state.get(STATE_RUN_ID) if state.durable_store else None
        if not stored:
            return None
        try:
            return api.show_run(stored)
        except NotFoundError:
            self.log.info("stored PaddleFlow run %s no longer exists", stored)
            return None

    @staticmethod
    def _claim_of(info: RunInfo, state: TaskState) -> dict[str, Any] | None:
        """Which try, of which clear, holds ``info``'s run: the task state store's claim (it follows a
        reattaching retry), else the claim the run's description recorded when it was created."""
        claim = state.get(STATE_RUN_CLAIM) if state.durable_store else None
        if isinstance(claim, dict) and claim.get("run_id") == info.run_id:
            return claim
        return claim_in(info.description, str(info.run_id))

    def _lookup(self, api: PaddleFlowAPI, token: str) -> tuple[RunInfo | None, int]:
        """The newest run this task instance created, and the next free token generation.

        A resubmission (after a failed run) uses a new generation of the client token: reusing the
        old one would let the client's "did my create land?" check mistake the failed run for the
        new one after a lost answer.
        """
        newest, generation = None, 0
        while True:
            found = api.find_run_by_client_token(
                client_token(token, generation), fs_name=self.fs_name or None, run_name=self._run_name(token)
            )
            if found is None:
                return newest, generation
            newest, generation = found, generation + 1

    def _submit(self, api: PaddleFlowAPI, token: str, run_token: str, claim: str | None) -> str:
        """Create the run under ``run_token`` (never blindly re-sent by the client), its description
        carrying the creating try's ``claim`` marker after the user's ``desc``."""
        from paddleflow_provider.client import OutcomeUnknownError

        raw = self.run_yaml_raw.encode() if isinstance(self.run_yaml_raw, str) else self.run_yaml_raw
        try:
            run_id = api.create_run(
                fs_name=self.fs_name or None,
                username=self.username or None,
                run_name=self._run_name(token),
                desc=" ".join(part for part in (self.desc, claim) if part) or None,
                run_yaml_path=self.run_yaml_path or None,
                run_yaml_raw=raw or None,
                pipeline_id=self.pipeline_id or None,
                pipeline_version_id=self.pipeline_version_id or None,
                param=self.param or None,
                disabled=v.disabled_steps("disabled", self.disabled) or None,
                docker_env=self.docker_env or None,
                failure_options=_failure_options(self.failure_options) or None,
                client_token=run_token,
            )
        except OutcomeUnknownError:
            found = api.find_run_by_client_token(
                run_token, fs_name=self.fs_name or None, run_name=self._run_name(token)
            )
            if found is None:
                raise
            self.log.warning("create_run outcome was unknown; found the created run %s", found.run_id)
            return str(found.run_id)
        self.log.info("Created PaddleFlow run %s", run_id)
        return str(run_id)


class PaddleFlowRetryRunOperator(PaddleFlowRunWaitBase):
    """Retry a failed or stopped run (PaddleFlow creates a *new* run); optionally wait for it.

    Returns the new run id and pushes it as ``run_id``/``run_url``. The retry API takes no client
    token, so the operator remembers the new run per task instance: in the task state store on
    Airflow 3.3+, in an Airflow Variable before (deleted once no later try needs it). An
    Airflow retry of this task (the worker died, the wait failed on a network error) then carries on
    with that run instead of retrying the old run a second time, unless the new run failed or was
    stopped: then the old run is retried again. A clear of the task (the user wants it done again)
    stops the new run if it is still going and retries the old run once more.

    :param run_id: The failed/terminated run to retry (templated).
    Other parameters as for :class:`PaddleFlowCreateRunOperator` (waiting and connection).
    """

    template_fields: Sequence[str] = ("run_id", "paddleflow_conn_id")

    def __init__(self, *, run_id: StrArg, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        run_id = check_run_id(run_id)
        self.run_id = run_id

    def execute(self, context: Any) -> str:
        api = self.hook.api
        state = TaskState(context)
        new_id = self._earlier_retry(api, state, context)
        if new_id:
            self.log.info("Reattaching to run %s created by an earlier try of this task", new_id)
        else:
            new_id = str(api.retry_run(self.run_id))
            state.set(STATE_RETRY_RUN_ID, new_id)
            state.set(STATE_RUN_CLAIM, run_claim(context, new_id))
            self.log.info("Retried PaddleFlow run %s as new run %s", self.run_id, new_id)
        self._publish(context, new_id)
        with self._forgotten_when_done(context):
            return self.wait_for_run(context, new_id)

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> str:
        with self._forgotten_when_done(context):
            return super().execute_complete(context, event)

    def _earlier_retry(self, api: PaddleFlowAPI, state: TaskState, context: Any) -> str | None:
        """The run an earlier try of this task instance made by retrying, if this try carries on
        with it: not after a clear (that run is stopped if still going), and not if it is gone,
        failed or stopped (retried anew, as the create operator submits anew)."""
        from paddleflow_provider.client import NotFoundError

        if try_number(context) == 1:
            # No earlier try: nothing to read (before 3.3 the read of a missing Variable is logged as
            # an error by Airflow 3.0-3.2; a leftover of a deleted DAG run of the same id is ignored).
            return None
        new_id = state.get(STATE_RETRY_RUN_ID)
        if not isinstance(new_id, str) or not new_id:
            return None
        claim = state.get(STATE_RUN_CLAIM)
        if cleared_since(claim, context):
            stop_cleared_run(self, api, new_id, claim)
            return None
        try:
            status = api.show_run(new_id).status
        except NotFoundError:
            self.log.info("PaddleFlow run %s of an earlier try no longer exists; retrying anew", new_id)
            return None
        if not _worth_reattaching(status):
            self.log.info("PaddleFlow run %s of an earlier try is %s; retrying anew", new_id, status)
            return None
        return new_id

    @contextlib.contextmanager
    def _forgotten_when_done(self, context: Any) -> Iterator[None]:
        """Before Airflow 3.3, drop the remembered run once no try needs it: this one returned (the
        task succeeded, so no retry follows; a clear needs nothing remembered), or the run failed or
        was stopped at the deadline and Airflow will not try again. Airflow never deletes Variables;
        the 3.3 store is the task instance's own and is kept (a clear while the run goes on still
        stops it there). A deferral, a kill or any other error keeps it: the next try needs it. So
        does a run failure with a retry to come: that try then reads a Variable that exists (Airflow
        3.0-3.2 log a missing one as an error) and, the run having failed, retries anew."""
        try:
            yield
        except (PaddleFlowRunFailedError, PaddleFlowRunTimeoutError):
            if not retry_follows_failure(context):
                self._forget(context)
            raise
        self._forget(context)

    def _forget(self, context: Any) -> None:
        """Best effort, like ``TaskState.delete``: a leftover must never fail a task (nor a context
        without a task instance, as a unit test may hand ``execute_complete``)."""
        try:
            state = TaskState(context)
        except (KeyError, AttributeError, TypeError) as err:
            self.log.debug("no task instance to forget the retried run of: %r", err)
            return
        if not state.durable_store:
            state.delete(STATE_RETRY_RUN_ID)
            state.delete(STATE_RUN_CLAIM)


class PaddleFlowStopRunOperator(PaddleFlowIfMissingOperatorBase):
    """Stop a run. Stopping a run that already ended is not an error (it logs and returns).

    :param run_id: The run to stop (templated).
    :param force: Optional. Also kill a running post-process step (False).
    :param if_missing: Optional. A run that does not exist: ``"ignore"`` (default) counts it as
        stopped, ``"fail"`` fails the task (see ``PaddleFlowIfMissingOperatorBase``).
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("run_id", "paddleflow_conn_id")
    operator_extra_links = (PaddleFlowRunLink(),)

    def __init__(self, *, run_id: StrArg, force: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        run_id = check_run_id(run_id)
        check_bool("force", force)
        self.run_id = run_id
        self.force = force

    def execute(self, context: Any) -> str:
        from paddleflow_provider.client import NotFoundError, PermissionDeniedError

        try:
            self.api.stop_run(self.run_id, force=self.force)
        except NotFoundError as err:
            self.missing(f"PaddleFlow run {self.run_id}", err.message, action="stop")
            return self.run_id
        except PermissionDeniedError:
            push_run_xcoms(context, self.run_id, self.hook.run_url(self.run_id))
            status = self.api.show_run(self.run_id).status
            if run_verdict(status) is Verdict.WAITING and status != "terminating":
                raise
            self.log.info("PaddleFlow run %s is already %s; nothing to stop", self.run_id, status)
            return self.run_id
        push_run_xcoms(context, self.run_id, self.hook.run_url(self.run_id))
        self.log.info("Stopped PaddleFlow run %s", self.run_id)
        return self.run_id


class PaddleFlowDeleteRunOperator(PaddleFlowDeleteOperatorBase):
    """Delete a finished run. By default a run that does not exist (any more) counts as deleted.

    :param run_id: The run to delete (templated).
    :param check_cache: Optional. Refuse if other runs reuse its cache (server default: True).
    :param if_missing: Optional. ``"ignore"`` (default, as for every delete operator: a run id
        comes from an earlier task, so a retry or re-run finds it gone) or ``"fail"``.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("run_id", "paddleflow_conn_id")

    def __init__(
        self, *, run_id: StrArg, check_cache: bool | None = None, if_missing: str = "ignore", **kwargs: Any
    ) -> None:
        super().__init__(if_missing=if_missing, **kwargs)
        run_id = check_run_id(run_id)
        check_bool("check_cache", check_cache, allow_none=True)
        self.run_id = run_id
        self.check_cache = check_cache

    def execute(self, context: Any) -> None:
        self.delete_or_ignore(
            f"PaddleFlow run {self.run_id}",
            lambda: self.api.delete_run(self.run_id, check_cache=self.check_cache),
        )
