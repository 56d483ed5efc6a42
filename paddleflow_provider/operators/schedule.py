"""Operators for PaddleFlow schedules (a pipeline version run on a crontab by the server).

Schedule names are unique per user, whatever the schedule's status; a retried create therefore
fails with ``DuplicatedName`` unless ``if_exists="reuse"``, which returns the existing schedule when
it is still running the same pipeline version on the same crontab (and the same options, where
the operator sets them). A stopped or finished schedule is never reused: it would run nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from paddleflow_provider._compat import StrArg
from paddleflow_provider.client import _validate as v
from paddleflow_provider.operators._base import (
    PaddleFlowCreateOperatorBase,
    PaddleFlowDeleteOperatorBase,
    PaddleFlowIfMissingOperatorBase,
    check_bool,
    check_optional_str,
    check_required,
    client_check,
)
from paddleflow_provider.runs.arguments import is_templated

if TYPE_CHECKING:
    from paddleflow_provider.client import PaddleFlowAPI, ScheduleInfo


__all__ = [
    "PaddleFlowCreateScheduleOperator",
    "PaddleFlowDeleteScheduleOperator",
    "PaddleFlowStopScheduleOperator",
]

#: Schedule statuses after which a schedule runs nothing any more (semantics §4.2).
FINAL_SCHEDULE_STATUSES = frozenset({"success", "failed", "terminated"})


class PaddleFlowCreateScheduleOperator(PaddleFlowCreateOperatorBase):
    """Create a schedule running a pipeline version on a crontab; return the schedule id.

    :param name: Schedule name, ``^[A-Za-z_][A-Za-z0-9_]{1,49}$`` (templated).
    :param pipeline_id: The pipeline (templated; ``create_pipeline.output`` works).
    :param pipeline_version_id: Its version (templated).
    :param crontab: 5-field cron, ``@every 10m`` or ``@daily`` style (templated).
    :param desc: Optional. Description.
    :param start_time: Optional. ``YYYY-MM-DD hh:mm:ss`` (server local time).
    :param end_time: Optional. Same format; after ``start_time``.
    :param concurrency: Optional. Active runs at most (0 = unlimited).
    :param concurrency_policy: Optional. ``suspend``, ``replace`` or ``skip``.
    :param expire_interval: Optional. Seconds after which a missed tick is skipped (0 = never).
    :param catchup: Optional. Back-fill missed ticks.
    :param username: Optional. Root only: create it for this user.
    :param if_exists: Optional. ``"fail"`` (default) or ``"reuse"`` (see the module docstring).
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = (
        "name",
        "pipeline_id",
        "pipeline_version_id",
        "crontab",
        "desc",
        "start_time",
        "end_time",
        "username",
    )

    def __init__(
        self,
        *,
        name: StrArg,
        pipeline_id: StrArg,
        pipeline_version_id: StrArg,
        crontab: StrArg,
        desc: str | None = None,
        start_time: str | None = None,
        end_time: str | None = None,
        concurrency: int | None = None,
        concurrency_policy: str | None = None,
        expire_interval: int | None = None,
        catchup: bool | None = None,
        username: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        name = check_required("name", name)
        pipeline_id = check_required("pipeline_id", pipeline_id)
        pipeline_version_id = check_required("pipeline_version_id", pipeline_version_id)
        crontab = check_required("crontab", crontab)
        for arg, text in (("desc", desc), ("start_time", start_time), ("end_time", end_time)):
            check_optional_str(arg, text)
        check_optional_str("username", username)
        # The client's own rules; a templated value is checked by the client at execute.
        if not is_templated(name):
            client_check(v.name, "name", name, "schedule")
        if not is_templated(crontab):
            client_check(v.crontab, "crontab", crontab)
        if not (is_templated(start_time) or is_templated(end_time)):
            client_check(v.schedule_window, start_time, end_time)
        for arg, count in (("concurrency", concurrency), ("expire_interval", expire_interval)):
            if not is_templated(count):
                client_check(v.int_range, arg, count, 0)
        if not is_templated(concurrency_policy):
            client_check(v.one_of, "concurrency_policy", concurrency_policy, v.CONCURRENCY_POLICIES)
        client_check(v.optional_bool, "catchup", catchup)
        self.name = name
        self.pipeline_id = pipeline_id
        self.pipeline_version_id = pipeline_version_id
        self.crontab = crontab
        self.desc = desc
        self.start_time = start_time
        self.end_time = end_time
        self.concurrency = concurrency
        self.concurrency_policy = concurrency_policy
        self.expire_interval = expire_interval
        self.catchup = catchup
        self.username = username

    def execute(self, context: Any) -> str:
        api = self.api

        def create() -> str:
            return api.create_schedule(
                self.name,
                self.pipeline_id,
                self.pipeline_version_id,
                self.crontab,
                desc=self.desc or None,
                start_time=self.start_time or None,
                end_time=self.end_time or None,
                concurrency=self.concurrency,
                concurrency_policy=self.concurrency_policy,
                expire_interval=self.expire_interval,
                catchup=self.catchup,
                username=self.username or None,
            )

        schedule_id = self.create_or_reuse(
            f"PaddleFlow schedule {self.name}", create, lambda: self._find(api)
        )
        return str(schedule_id)

    def _find(self, api: PaddleFlowAPI) -> tuple[str | None, str | None]:
        for item in api.iter_schedules(name_filter=self.name, user_filter=self.username or None):
            if item.name != self.name:
                continue
            return item.schedule_id, self._difference(item)
        return None, None

    def _difference(self, item: ScheduleInfo) -> str | None:
        """What differs between the existing schedule and this operator's (None: the same)."""
        if (item.status or "").lower() in FINAL_SCHEDULE_STATUSES:
            return f"it is {item.status}; delete it first"
        wanted: dict[str, Any] = {
            "pipeline_id": (item.pipeline_id, self.pipeline_id),
            "pipeline_version_id": (item.pipeline_version_id, self.pipeline_version_id),
            "crontab": (item.crontab, self.crontab),
        }
        options = item.options or {}
        for arg, key in (
            ("concurrency", "concurrency"),
            ("concurrency_policy", "concurrencyPolicy"),
            ("expire_interval", "expireInterval"),
            ("catchup", "catchup"),
        ):
            if getattr(self, arg) is not None:
                wanted[arg] = (options.get(key), getattr(self, arg))
        diffs = [
            f"{arg} {have!r} != {want!r}" for arg, (have, want) in wanted.items() if str(have) != str(want)
        ]
        return "; ".join(diffs) or None


class PaddleFlowStopScheduleOperator(PaddleFlowIfMissingOperatorBase):
    """Stop a schedule (its runs keep going). A schedule that already ended counts as stopped.

    A schedule must be stopped (or have ended) before it can be deleted, and so must every schedule
    using a pipeline, a pipeline version or an fs before that can be deleted.

    :param schedule_id: The schedule (templated).
    :param if_missing: Optional. ``"ignore"`` (default: a missing schedule counts as stopped) or
        ``"fail"``.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("schedule_id",)

    def __init__(self, *, schedule_id: StrArg, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        schedule_id = check_required("schedule_id", schedule_id)
        self.schedule_id = schedule_id

    def execute(self, context: Any) -> str:
        from paddleflow_provider.client import NotFoundError, PermissionDeniedError

        try:
            self.api.stop_schedule(self.schedule_id)
        except NotFoundError as err:
            self.missing(f"PaddleFlow schedule {self.schedule_id}", err.message, "stop")
            return self.schedule_id
        except PermissionDeniedError:
            status = (self.api.show_schedule(self.schedule_id).schedule.status or "").lower()
            if status not in FINAL_SCHEDULE_STATUSES:
                raise
            self.log.info("PaddleFlow schedule %s is already %s; nothing to stop", self.schedule_id, status)
            return self.schedule_id
        self.log.info("Stopped PaddleFlow schedule %s", self.schedule_id)
        return self.schedule_id


class PaddleFlowDeleteScheduleOperator(PaddleFlowDeleteOperatorBase):
    """Delete a schedule. The server only deletes ended schedules; ``stop=True`` stops it first.

    Without ``stop=True``, deleting a running schedule fails the task with a message saying so;
    stopping is never implicit, because a stopped schedule cannot be started again.

    :param schedule_id: The schedule (templated).
    :param stop: Optional. Stop a running schedule before deleting it (False).
    :param if_missing: Optional. ``"ignore"`` (default: a missing schedule counts as deleted) or
        ``"fail"``.
    :param paddleflow_conn_id: Optional. Airflow connection id (``paddleflow_default``).
    """

    template_fields: Sequence[str] = ("schedule_id",)

    def __init__(self, *, schedule_id: StrArg, stop: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        schedule_id = check_required("schedule_id", schedule_id)
        check_bool("stop", stop)
        self.schedule_id = schedule_id
        self.stop = stop

    def execute(self, context: Any) -> str:
        from paddleflow_provider.client import NotFoundError, PermissionDeniedError

        what = f"PaddleFlow schedule {self.schedule_id}"
        if self.stop:
            try:
                self.api.stop_schedule(self.schedule_id)
            except NotFoundError as err:
                self.missing(what, err.message)
                return self.schedule_id
            except PermissionDeniedError:  # already ended; the delete below says if it is not ours
                pass
        self.delete_or_ignore(
            what,
            lambda: self.api.delete_schedule(self.schedule_id),
            in_use=(
                "Only an ended schedule (success, failed, terminated) can be deleted: stop it first, with "
                "stop=True on this operator or a PaddleFlowStopScheduleOperator upstream"
            ),
        )
        return self.schedule_id
