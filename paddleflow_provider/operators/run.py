"""Operators for PaddleFlow runs: create (and wait), stop, retry (and wait), delete.

No duplicates, no leaks: a create operator that is retried by Airflow after a worker crash
*reattaches* to the run it already started instead of submitting another one. It finds that run
through two independent identities:

1. the task state store (Airflow 3.3+), where the run id is written the moment the run exists;
2. a marker ``[airflow:<token>]`` in the run's description, ``token`` being a hash of
   dag_id/task_id/run_id/map_index, looked up with ``list_run(run_name=...)``. It is sent *with*
   the create request, so it also covers a crash between "the server created the run" and "the id
   was stored", older Airflow versions, and a create call whose outcome was unknown (timeout).

A reattached run that is still active is waited for; one that already succeeded is returned
without resubmitting; one that failed or was stopped is submitted afresh (that is what an Airflow
retry is for). ``reattach=False`` always submits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar

import jinja2

from paddleflow_provider._compat import BaseOperator
from paddleflow_provider.hooks.paddleflow import PaddleFlowHook
from paddleflow_provider.hooks.state import TaskState, identity_token
from paddleflow_provider.hooks.status import RunOutcome, run_outcome
from paddleflow_provider.links import PaddleFlowRunLink
from paddleflow_provider.operators._run_base import (
    PaddleFlowRunFailedError,
    PaddleFlowRunTimeoutError,
    PaddleFlowRunWaitBase,
)

STATE_RUN_ID = "paddleflow_run_id"
STATE_RETRY_RUN_ID = "paddleflow_retry_run_id"
FAILURE_STRATEGIES = ("fail_fast", "continue")
_NAME_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")

__all__ = [
    "PaddleFlowCreateRunOperator",
    "PaddleFlowDeleteRunOperator",
    "PaddleFlowRetryRunOperator",
    "PaddleFlowRunFailedError",
    "PaddleFlowRunTimeoutError",
    "PaddleFlowStopRunOperator",
]


def default_run_name(task_id: str, token: str) -> str:
    """A valid PaddleFlow run name (``^[A-Za-z_][A-Za-z0-9_-]{0,127}$``) naming the task."""
    base = re.sub(r"[^A-Za-z0-9_-]", "_", task_id)[:100]
    if not base or not re.match(r"[A-Za-z_]", base[0]):
        base = "_" + base
    return f"{base}-{token}"


class KeepPaddleFlowReference(jinja2.Undefined):
    """Renders an unknown name as the PaddleFlow reference it was, e.g. ``{{ PF_PARENT.data }}``."""

    __slots__ = ()

    def __str__(self) -> str:
        return "{{ " + str(self._undefined_name) + " }}"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return KeepPaddleFlowReference(name=f"{self._undefined_name}.{name}")


def _marker(token: str) -> str:
    return f"[airflow:{token}]"


def _check_run_id(run_id: Any) -> None:
    if isinstance(run_id, str) and not run_id.strip():
        raise ValueError("run_id must be a non-empty PaddleFlow run id such as 'run-000001'")
    if run_id is not None and not isinstance(run_id, str) and not hasattr(run_id, "resolve"):
        raise ValueError(f"run_id must be a string or an XComArg (e.g. create.output), got {run_id!r}")


class PaddleFlowCreateRunOperator(PaddleFlowRunWaitBase):
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
    :param desc: Optional. Description; the operator appends its ``[airflow:<token>]`` marker.
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
    template_ext: Sequence[str] = (".yaml", ".yml")
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
        sources = [
            n
            for n, v in (
                ("run_yaml_raw", run_yaml_raw),
                ("run_yaml_path", run_yaml_path),
                ("pipeline_id", pipeline_id),
            )
            if v not in (None, "", b"")
        ]
        if len(sources) > 1:
            raise ValueError(
                f"give exactly one run source, got {sources}: run_yaml_raw, run_yaml_path or pipeline_id"
            )
        if not sources and not fs_name:
            raise ValueError(
                "no run source: set run_yaml_raw, run_yaml_path or pipeline_id "
                "(or fs_name, to run ./run.yaml from that storage)"
            )
        if run_yaml_raw is not None and not isinstance(run_yaml_raw, str | bytes):
            raise ValueError(f"run_yaml_raw must be str or bytes, got {type(run_yaml_raw).__name__}")
        if pipeline_version_id and not pipeline_id:
            raise ValueError("pipeline_version_id needs pipeline_id")
        if param is not None and not isinstance(param, dict) and not hasattr(param, "resolve"):
            raise ValueError(f"param must be a dict of parameter name -> value, got {type(param).__name__}")
        if isinstance(failure_options, str) and "{{" not in failure_options:
            failure_options = {"strategy": failure_options}
        if isinstance(failure_options, dict):
            strategy = failure_options.get("strategy")
            if set(failure_options) - {"strategy"} or strategy not in FAILURE_STRATEGIES:
                raise ValueError(
                    f"failure_options must be {{'strategy': one of {list(FAILURE_STRATEGIES)}}}, "
                    f"got {failure_options!r}"
                )
        if run_name and "{{" not in run_name and not _NAME_OK.match(run_name):
            raise ValueError(
                f"run_name {run_name!r} is invalid: it must match ^[A-Za-z_][A-Za-z0-9_-]{{0,127}}$"
            )
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

    # Only run_yaml_raw may name a local template file; any other string that happens to end in
    # ".yaml" (run_yaml_path, a parameter value) is a value, not a file to load.
    def resolve_template_files(self) -> None:
        content = self.run_yaml_raw
        if isinstance(content, str) and content.endswith(tuple(self.template_ext)):
            env = self.get_template_env()
            try:
                self.run_yaml_raw = env.loader.get_source(env, content)[0]
            except Exception:
                self.log.exception("could not read run_yaml_raw template file %r", content)
        self.prepare_template()

    def render_template(
        self, content: Any, context: Any, jinja_env: Any = None, seen_oids: Any = None
    ) -> Any:
        is_file = isinstance(content, str) and content.endswith(tuple(self.template_ext))
        if isinstance(content, str) and content == self.run_yaml_raw:
            # PaddleFlow's own references ({{epochs}}, {{PF_RUN_ID}}, {{step.param}}) share Jinja's
            # syntax: names Airflow does not know are written back verbatim instead of failing.
            env = (jinja_env or self.get_template_env()).overlay(undefined=KeepPaddleFlowReference)
            template = env.get_template(content) if is_file else env.from_string(content)
            return self._render(template, context)
        if is_file:
            return self._render((jinja_env or self.get_template_env()).from_string(content), context)
        return super().render_template(content, context, jinja_env, seen_oids)

    # -- execution ----------------------------------------------------------------------------------

    def execute(self, context: Any) -> str:
        api = self.hook.api
        token = identity_token(context)
        state = TaskState(context)
        run_id = self._existing_run(api, state, token) if self.reattach else None
        if run_id is None:
            run_id = self._submit(api, token)
        if state.durable_store:  # Airflow 3.3+; older versions rely on the description marker alone
            state.set(STATE_RUN_ID, run_id)
        self._publish(context, run_id)
        return self.wait_for_run(context, run_id)

    def _run_name(self, token: str) -> str:
        return self.run_name or default_run_name(self.task_id, token)

    def _existing_run(self, api: Any, state: TaskState, token: str) -> str | None:
        """The run this task instance already started, if it is worth reattaching to."""
        from paddleflow_provider.client import NotFoundError

        candidates: list[Any] = []
        stored = state.get(STATE_RUN_ID) if state.durable_store else None
        if stored:
            try:
                candidates.append(api.show_run(stored))
            except NotFoundError:
                self.log.info("stored PaddleFlow run %s no longer exists", stored)
        if not candidates:
            found = self._lookup(api, token)
            if found is not None:
                candidates.append(found)
        for info in candidates:
            outcome = run_outcome(info.status)
            if outcome is RunOutcome.FAILURE:
                self.log.info(
                    "previous PaddleFlow run %s of this task ended %s; submitting a new run",
                    info.run_id,
                    info.status,
                )
                return None
            verb = "already succeeded; not resubmitting" if outcome is RunOutcome.SUCCESS else "is active"
            self.log.info("Reattaching to PaddleFlow run %s of this task instance: it %s", info.run_id, verb)
            return str(info.run_id)
        return None

    def _lookup(self, api: Any, token: str) -> Any | None:
        """Newest run carrying this task instance's marker, found by name."""
        marker = _marker(token)
        newest = None
        for brief in api.iter_runs(run_name=self._run_name(token)):
            if marker not in (getattr(brief, "description", "") or ""):
                continue
            if newest is None or _run_number(brief.run_id) > _run_number(newest.run_id):
                newest = brief
        return newest

    def _submit(self, api: Any, token: str) -> str:
        from paddleflow_provider.client import OutcomeUnknownError

        raw = self.run_yaml_raw.encode() if isinstance(self.run_yaml_raw, str) else self.run_yaml_raw
        disabled = self.disabled
        if isinstance(disabled, list | tuple):
            disabled = ",".join(str(d) for d in disabled)
        failure_options = self.failure_options
        if isinstance(failure_options, str):
            failure_options = {"strategy": failure_options}
        desc = f"{self.desc} {_marker(token)}" if self.desc else _marker(token)
        try:
            run_id = api.create_run(
                fs_name=self.fs_name or None,
                username=self.username or None,
                run_name=self._run_name(token),
                desc=desc,
                run_yaml_path=self.run_yaml_path or None,
                run_yaml_raw=raw or None,
                pipeline_id=self.pipeline_id or None,
                pipeline_version_id=self.pipeline_version_id or None,
                param=self.param or None,
                disabled=disabled or None,
                docker_env=self.docker_env or None,
                failure_options=failure_options or None,
            )
        except OutcomeUnknownError:
            found = self._lookup(api, token)
            if found is None:
                raise
            self.log.warning("create_run outcome was unknown; found the created run %s", found.run_id)
            return str(found.run_id)
        self.log.info("Created PaddleFlow run %s", run_id)
        return str(run_id)


def _run_number(run_id: str) -> int:
    digits = re.sub(r"\D", "", run_id or "")
    return int(digits) if digits else -1


class PaddleFlowRetryRunOperator(PaddleFlowRunWaitBase):
    """Retry a failed or stopped run (PaddleFlow creates a *new* run); optionally wait for it.

    Returns the new run id and pushes it as ``run_id``/``run_url``. On Airflow 3.3+ the new run id is
    kept in the task state store, so an Airflow retry of this task reattaches instead of retrying
    the old run a second time.

    :param run_id: The failed/terminated run to retry (templated).
    Other parameters as for :class:`PaddleFlowCreateRunOperator` (waiting and connection).
    """

    template_fields: Sequence[str] = ("run_id", "paddleflow_conn_id")

    def __init__(self, *, run_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_run_id(run_id)
        self.run_id = run_id

    def execute(self, context: Any) -> str:
        api = self.hook.api
        state = TaskState(context)
        new_id = state.get(STATE_RETRY_RUN_ID) if state.durable_store else None
        if new_id:
            self.log.info("Reattaching to run %s created by an earlier try of this task", new_id)
        else:
            new_id = str(api.retry_run(self.run_id))
            if state.durable_store:
                state.set(STATE_RETRY_RUN_ID, new_id)
            self.log.info("Retried PaddleFlow run %s as new run %s", self.run_id, new_id)
        self._publish(context, new_id)
        return self.wait_for_run(context, new_id)


class PaddleFlowStopRunOperator(BaseOperator):
    """Stop a run. Stopping a run that already ended is not an error (it logs and returns).

    :param run_id: The run to stop (templated).
    :param force: Optional. Also kill a running post-process step (False).
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("run_id", "paddleflow_conn_id")
    operator_extra_links = (PaddleFlowRunLink(),)

    def __init__(
        self,
        *,
        run_id: str,
        force: bool = False,
        paddleflow_conn_id: str = "paddleflow_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        _check_run_id(run_id)
        if not isinstance(force, bool):
            raise ValueError(f"force must be True or False, got {force!r}")
        self.run_id = run_id
        self.force = force
        self.paddleflow_conn_id = paddleflow_conn_id

    def execute(self, context: Any) -> str:
        from paddleflow_provider.client import PermissionDeniedError
        from paddleflow_provider.links import push_run_xcoms

        hook = PaddleFlowHook(paddleflow_conn_id=self.paddleflow_conn_id)
        push_run_xcoms(context, self.run_id, hook.run_url(self.run_id))
        try:
            hook.api.stop_run(self.run_id, force=self.force)
        except PermissionDeniedError:
            status = hook.api.show_run(self.run_id).status
            if run_outcome(status) is RunOutcome.RUNNING and status != "terminating":
                raise
            self.log.info("PaddleFlow run %s is already %s; nothing to stop", self.run_id, status)
            return self.run_id
        self.log.info("Stopped PaddleFlow run %s", self.run_id)
        return self.run_id


class PaddleFlowDeleteRunOperator(BaseOperator):
    """Delete a finished run. A run that does not exist (any more) counts as deleted.

    :param run_id: The run to delete (templated).
    :param check_cache: Optional. Refuse if other runs reuse its cache (server default: True).
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("run_id", "paddleflow_conn_id")

    def __init__(
        self,
        *,
        run_id: str,
        check_cache: bool | None = None,
        paddleflow_conn_id: str = "paddleflow_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        _check_run_id(run_id)
        if check_cache is not None and not isinstance(check_cache, bool):
            raise ValueError(f"check_cache must be True, False or None, got {check_cache!r}")
        self.run_id = run_id
        self.check_cache = check_cache
        self.paddleflow_conn_id = paddleflow_conn_id

    def execute(self, context: Any) -> None:
        from paddleflow_provider.client import NotFoundError

        api = PaddleFlowHook(paddleflow_conn_id=self.paddleflow_conn_id).api
        try:
            api.delete_run(self.run_id, check_cache=self.check_cache)
        except NotFoundError:
            self.log.info("PaddleFlow run %s does not exist; nothing to delete", self.run_id)
            return
        self.log.info("Deleted PaddleFlow run %s", self.run_id)
