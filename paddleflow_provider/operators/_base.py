"""What every PaddleFlow operator shares: the connection, a lazy hook, argument checks, secret
masking, "create or reuse" / "delete or ignore" for retried tasks, and YAML templating that leaves
PaddleFlow's own ``{{ ... }}`` references alone.

Why one base: the management operators (pipelines, schedules, queues, storage, clusters) are thin
wrappers around one client call each. Everything around that call (which connection, how an
existing object is reported, what reaches XCom, what is masked) must behave the same in all of
them, so it lives here once instead of in twenty copies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar

import jinja2

from paddleflow_provider._compat import (
    AirflowFailException,
    BaseOperator,
    StrArg,
    is_xcom_arg,
    mask_secret,
    rendered,
)
from paddleflow_provider.hooks.mixin import DEFAULT_CONN_ID, PaddleFlowHookMixin
from paddleflow_provider.runs.failures import (
    PaddleFlowObjectBusyError,
    PaddleFlowRequestRefusedError,
    passes_with_time,
)

T = TypeVar("T")

IF_EXISTS_CHOICES = ("fail", "reuse")
IF_MISSING_CHOICES = ("fail", "ignore")
#: The ``if_missing`` default of every delete and stop operator (``PaddleFlowIfMissingOperatorBase``
#: says why).
IF_MISSING_DEFAULT = "ignore"
#: Server codes refusing a delete because the object is still in use: a running schedule (of the
#: schedule itself, or of a pipeline or fs it uses) or active jobs on a queue or cluster.
IN_USE_CODES = frozenset({"ActionNotAllowed", "QueueIsInUse"})
YAML_TEMPLATE_EXT = (".yaml", ".yml")


class PaddleFlowObjectExistsError(AirflowFailException):
    """The object to create already exists and may not (or cannot) be reused; retrying cannot help."""


class PaddleFlowObjectMissingError(AirflowFailException):
    """The object to change or delete does not exist; retrying cannot help."""


# -- argument checks --------------------------------------------------------------------------------


def client_check(rule: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Apply one of the client's argument rules (``client._validate``) at DAG parse time.

    The rule is the client's, so the operator and the client cannot disagree; its
    ``InvalidArgumentError`` becomes a ``ValueError`` (the error of every operator argument check)
    with the client's message, which names the argument and the accepted values. Callers skip
    values Airflow will still render (``runs.arguments.is_templated``): the client checks those
    when ``execute`` calls it.
    """
    from paddleflow_provider.client import InvalidArgumentError

    try:
        rule(*args, **kwargs)
    except InvalidArgumentError as err:
        raise ValueError(str(err)) from None


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """Reject a value outside ``choices`` with a message naming the argument and the accepted values."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(repr(c) for c in choices)}; got {value!r}")
    return str(value)


def check_required(name: str, value: StrArg) -> str:
    """A required string argument (an id or a name): non-empty text, a template or an XComArg.

    Returns the value typed as ``execute`` will see it (rendered; see ``_compat.rendered``).
    """
    if not is_xcom_arg(value) and (not isinstance(value, str) or not value.strip()):
        raise ValueError(f"{name} is required: a non-empty string, a template or an XComArg; got {value!r}")
    return rendered(value)


def check_optional_str(name: str, value: Any) -> None:
    if value is not None and not isinstance(value, str) and not is_xcom_arg(value):
        raise ValueError(f"{name} must be a string or None, got {type(value).__name__}")


def check_bool(name: str, value: Any, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False{' or None' if allow_none else ''}, got {value!r}")


def check_mapping(name: str, value: Any) -> None:
    if value is not None and not isinstance(value, dict) and not is_xcom_arg(value):
        raise ValueError(f"{name} must be a dict or None, got {type(value).__name__}")


def mask(secret: Any, name: str | None = None) -> None:
    """Register a secret with Airflow's secret masker so no task log line can show it.

    ``name`` masks a dict's values by key the way Airflow does for connections (``secretKey``,
    ``password`` ... are masked; ``endpoint`` is not); without it every value is masked.
    """
    if secret in (None, "", b"", {}):
        return
    if isinstance(secret, bytes):
        secret = secret.decode("utf-8", "replace")
    mask_secret(secret, name)


# -- YAML templating --------------------------------------------------------------------------------


class KeepPaddleFlowReference(jinja2.Undefined):
    """Renders an unknown name as the PaddleFlow reference it was, e.g. ``{{ PF_PARENT.data }}``."""

    __slots__ = ()

    def __str__(self) -> str:
        return "{{ " + str(self._undefined_name) + " }}"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return KeepPaddleFlowReference(name=f"{self._undefined_name}.{name}")


class PaddleFlowYamlTemplateMixin:
    """Template handling for the one field that holds PaddleFlow YAML (``yaml_field``).

    * Only that field may name a local ``.yaml``/``.yml`` template file; any other string that
      happens to end in ``.yaml`` (a path on PaddleFlow storage, a parameter value) stays a value.
    * PaddleFlow's own references (``{{epochs}}``, ``{{PF_RUN_ID}}``, ``{{step.param}}``) share
      Jinja's syntax: names Airflow does not know are written back verbatim instead of failing.
    * ``bytes`` are never rendered (BaseOperator leaves non-str values alone).
    """

    yaml_field: ClassVar[str]
    template_ext: Sequence[str] = YAML_TEMPLATE_EXT

    def resolve_template_files(self) -> None:
        content = getattr(self, self.yaml_field)
        if isinstance(content, str) and content.endswith(tuple(self.template_ext)):
            env = self.get_template_env()  # type: ignore[attr-defined]
            try:
                setattr(self, self.yaml_field, env.loader.get_source(env, content)[0])
            except Exception:
                self.log.exception("could not read %s template file %r", self.yaml_field, content)  # type: ignore[attr-defined]
        self.prepare_template()  # type: ignore[attr-defined]

    def render_template(
        self, content: Any, context: Any, jinja_env: Any = None, seen_oids: Any = None
    ) -> Any:
        is_file = isinstance(content, str) and content.endswith(tuple(self.template_ext))
        if isinstance(content, str) and content == getattr(self, self.yaml_field):
            env = (jinja_env or self.get_template_env()).overlay(undefined=KeepPaddleFlowReference)  # type: ignore[attr-defined]
            template = env.get_template(content) if is_file else env.from_string(content)
            return self._render(template, context)  # type: ignore[attr-defined]
        if is_file:
            return self._render((jinja_env or self.get_template_env()).from_string(content), context)  # type: ignore[attr-defined]
        return super().render_template(content, context, jinja_env, seen_oids)  # type: ignore[misc]


# -- the base operator ------------------------------------------------------------------------------


class PaddleFlowBaseOperator(PaddleFlowHookMixin, BaseOperator):
    """Base of the PaddleFlow operators: connection id, lazy hook, XCom of what was made.

    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    ui_color = "#2932e1"

    def __init__(self, *, paddleflow_conn_id: str = DEFAULT_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.use_connection(paddleflow_conn_id)

    @staticmethod
    def push(context: Any, **values: Any) -> None:
        """Push extra XComs (ids and names only: never a secret)."""
        ti = context["ti"]
        for key, value in values.items():
            ti.xcom_push(key=key, value=value)


class PaddleFlowCreateOperatorBase(PaddleFlowBaseOperator):
    """A create operator with ``if_exists``: ``"fail"`` (default) or ``"reuse"``.

    With ``"reuse"``, an object that already exists *with the same definition* is reported and its
    id returned, so a retried task (or a re-run DAG) carries on instead of failing. An object of
    the same name with another definition always fails: silently using it would be wrong.

    :param if_exists: Optional. ``"fail"`` or ``"reuse"`` (see above).
    """

    def __init__(self, *, if_exists: str = "fail", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.if_exists = check_choice("if_exists", if_exists, IF_EXISTS_CHOICES)

    def create_or_reuse(
        self, what: str, create: Callable[[], T], find: Callable[[], tuple[T | None, str | None]]
    ) -> T:
        """Call ``create``; if the object exists, ``find`` returns ``(existing, difference)``.

        ``difference`` is None when the existing object matches the requested definition, else a
        short text saying what differs (it must never contain a secret).
        """
        from paddleflow_provider.client import ConflictError

        try:
            created = create()
        except ConflictError as err:
            return self._existing(what, find, err.message)
        self.log.info("Created %s", what)
        return created

    def reuse_before_create(self, what: str, find: Callable[[], tuple[T | None, str | None]]) -> T | None:
        """For objects the server does not report as duplicates: look before creating."""
        existing, difference = find()
        if existing is None:
            return None
        return self._existing(what, lambda: (existing, difference), "it already exists")

    def _existing(self, what: str, find: Callable[[], tuple[T | None, str | None]], message: str) -> T:
        if self.if_exists == "fail":
            raise PaddleFlowObjectExistsError(
                f"{what} already exists ({message}); pass if_exists='reuse' to reuse it when its "
                "definition is the same (accepted values: 'fail', 'reuse')"
            )
        existing, difference = find()
        if existing is None:
            raise PaddleFlowObjectExistsError(f"{what} already exists ({message}) but was not found to reuse")
        if difference:
            raise PaddleFlowObjectExistsError(
                f"{what} already exists with a different definition ({difference}); not reusing it"
            )
        self.log.info("%s already exists with the same definition; reusing it", what)
        return existing


class PaddleFlowIfMissingOperatorBase(PaddleFlowBaseOperator):
    """An operator acting on an object that may be gone: ``if_missing`` says what that means.

    Every delete and stop operator (runs included) defaults to ``"ignore"``: what the task is for
    (the object gone, or not running) already holds, and the object is often gone because this very
    task ran before: an Airflow retry after a lost answer or a crash, a cleared or re-run DAG, an id
    pulled from an upstream task that has since been cleaned up. ``"fail"`` is for a DAG that must
    notice a missing object (a mistyped name, say).

    :param if_missing: Optional. ``"ignore"`` (default) counts a missing object as done, so the task
        succeeds; ``"fail"`` fails the task (``PaddleFlowObjectMissingError``, no retries).
    """

    def __init__(self, *, if_missing: str = IF_MISSING_DEFAULT, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.if_missing = check_choice("if_missing", if_missing, IF_MISSING_CHOICES)

    def missing(self, what: str, message: str, action: str = "delete") -> bool:
        """A missing ``what``: logged and False under ``"ignore"``; an error naming it under ``"fail"``."""
        if self.if_missing == "ignore":
            self.log.info(
                "%s does not exist (%s); nothing to %s (if_missing='ignore')", what, message, action
            )
            return False
        raise PaddleFlowObjectMissingError(
            f"{what} does not exist ({message}), so there is nothing to {action}; if_missing='fail' makes "
            "that an error (accepted values: 'fail', 'ignore'; the default 'ignore' counts it as done)"
        )


class PaddleFlowDeleteOperatorBase(PaddleFlowIfMissingOperatorBase):
    """A delete operator: ``if_missing`` (default ``"ignore"``) and what a refusal means."""

    def delete_or_ignore(self, what: str, delete: Callable[[], Any], in_use: str | None = None) -> bool:
        """Run ``delete``; True if something was deleted, False if it was already gone (ignored).

        ``in_use`` says what must happen before ``what`` can be deleted (stop a schedule, let jobs
        end); when the server refuses because the object is still in use, the task fails with the
        server's answer and that advice, naming the object: at once when someone must act (a running
        schedule), with its Airflow retries when the refusal passes with time (jobs still on a queue).
        """
        from paddleflow_provider.client import APIStatusError, NotFoundError

        try:
            delete()
        except NotFoundError as err:
            return self.missing(what, err.message)
        except APIStatusError as err:
            if in_use is None or err.code not in IN_USE_CODES:
                raise
            message = f"{what} was not deleted; PaddleFlow answered {err}. {in_use}"
            if passes_with_time(err):
                raise PaddleFlowObjectBusyError(f"{message} (the task's retries try again)") from err
            raise PaddleFlowRequestRefusedError(message) from err
        self.log.info("Deleted %s", what)
        return True
