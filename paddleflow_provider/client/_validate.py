"""Argument checks run before anything is sent.

Each check raises ``InvalidArgumentError`` naming the argument and what is accepted. The rules mirror
the server's (paddleflow-api.md section 6), so a bad value fails fast and clearly instead of as a
server-side 400 (or, for yaml/credential types, instead of a confusing crash).

Each rule is written once, here: the client's builders call it before sending, and the Airflow
operators call the same function at DAG parse time (for values that are not templated), so the two
can never disagree about what is valid.
"""

from __future__ import annotations

import base64
import datetime
import json
import re
from typing import Any

from ._exceptions import InvalidArgumentError

USER_NAME = re.compile(r"^[A-Za-z0-9]{4,16}$")
QUEUE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
CLUSTER_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9\-_]{0,253}[A-Za-z0-9_]$")
FS_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,63}$")
RUN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")
SCHEDULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{1,49}$")
CLIENT_TOKEN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
FAILURE_STRATEGIES = ("fail_fast", "continue")
CONCURRENCY_POLICIES = ("suspend", "replace", "skip")
CLUSTER_TYPES = ("Kubernetes", "K3S", "Local")
CLUSTER_STATUSES = ("online", "offline")
QUOTA_TYPES = ("elasticQuota", "volcanoCapabilityQuota")
#: The largest number the server stores (Go's int64); also keeps ``str(number)`` cheap and possible.
MAX_INT = 2**63 - 1

RULES = {
    "user": (USER_NAME, "4-16 letters or digits"),
    "queue": (QUEUE_NAME, "lower-case letters, digits and '-', starting and ending alphanumeric, at most 63"),
    "namespace": (QUEUE_NAME, "a DNS-1123 label: lower-case letters, digits and '-', at most 63"),
    "cluster": (CLUSTER_NAME, "2-255 of letters, digits, '-' and '_', not starting or ending with '-'"),
    "fs": (FS_NAME, "1-63 of letters, digits, '_' and '-'"),
    "run": (RUN_NAME, "a letter or '_' then up to 127 letters, digits, '_' or '-'"),
    "schedule": (SCHEDULE_NAME, "a letter or '_' then 1-49 letters, digits or '_'"),
}


def encodable(argument: str, value: str) -> str:
    """Text goes on the wire as UTF-8: a lone surrogate (``"\\ud800"``) cannot, so it is this
    argument's error here rather than a ``UnicodeEncodeError`` from deep inside the request."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidArgumentError(
            argument, f"text must be valid Unicode (no lone surrogate at position {exc.start})"
        ) from None
    return value


def credential(argument: str, value: Any) -> str | None:
    """A user name or password for logging in: text (a password also as UTF-8 ``bytes``), or None.

    Checked where credentials enter (``ClientConfig``, ``login``), before they become a key of the
    token table or a login body: any other value would fail there as a ``TypeError``."""
    if value is None:
        return None
    if isinstance(value, bytes) and "password" in argument:
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidArgumentError(argument, "bytes must be UTF-8 text") from None
    if not isinstance(value, str):
        raise InvalidArgumentError(argument, "must be a string", value)
    return encodable(argument, value)


def required(argument: str, value: Any) -> str:
    """A non-empty string (ids, paths, urls)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(argument, "a non-empty string is required", value)
    return value


def optional_str(argument: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidArgumentError(argument, "must be a string", value)
    return value


def name(argument: str, value: Any, kind: str) -> str:
    pattern, accepted = RULES[kind]
    required(argument, value)
    if not pattern.match(value):
        raise InvalidArgumentError(argument, f"{kind} names are {accepted}", value)
    if kind == "queue" and value.lower() == "default":
        raise InvalidArgumentError(argument, "'default' is a reserved queue name", value)
    return value


def client_token(argument: str, value: Any) -> str:
    """The caller's run marker token: it goes into ``[pf-token:<token>]``, so no brackets or spaces."""
    if not isinstance(value, str) or not CLIENT_TOKEN.match(value):
        raise InvalidArgumentError(
            argument, "1-64 characters of letters, digits, '_', '.', ':' and '-'", value
        )
    return value


def optional_name(argument: str, value: Any, kind: str) -> str | None:
    return None if value is None else name(argument, value, kind)


def fs_name(argument: str, value: Any, owner: str | None = None) -> str:
    name(argument, value, "fs")
    if owner and len(owner) + len(value) > 59:
        raise InvalidArgumentError(argument, "owner name plus fs name must be at most 59 characters", value)
    return value


def maxsize(argument: str, value: Any, *, allow_none: bool = False) -> int | None:
    """Page sizes: an int in 1..1000 (the server's limit)."""
    if value is None and allow_none:
        return None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 4:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise InvalidArgumentError(argument, "an integer between 1 and 1000", value)
    return value


def int_range(argument: str, value: Any, low: int, high: int = MAX_INT) -> int | None:
    """An int in ``low..high``; without ``high``, at most what the server stores (``MAX_INT``)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        bound = f"between {low} and {high}" if high != MAX_INT else f">= {low}"
        raise InvalidArgumentError(argument, f"an integer {bound}", value)
    return value


def time_string(argument: str, value: Any) -> str | None:
    """``YYYY-MM-DD hh:mm:ss`` (the server's only accepted input time format)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidArgumentError(argument, "a time 'YYYY-MM-DD hh:mm:ss'", value)
    try:
        datetime.datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        raise InvalidArgumentError(argument, "a time 'YYYY-MM-DD hh:mm:ss'", value) from None
    return value


def one_of(argument: str, value: Any, accepted: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if value not in accepted:
        raise InvalidArgumentError(argument, f"accepted values: {', '.join(accepted)}", value)
    return value


def mapping(argument: str, value: Any) -> dict[str, Any] | None:
    """A dict that goes into a JSON body: checked here, so a value JSON cannot carry (a date, a set,
    NaN) is this argument's error before anything is sent, not a ``TypeError`` from the encoder."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidArgumentError(argument, "must be a dict", value)
    try:  # encoded as the request will be (UTF-8 text, no lone surrogates)
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:200]
        raise InvalidArgumentError(
            argument, f"must hold JSON data only (str, number, bool, None, list, dict): {reason}"
        ) from None
    return value


def string_list(argument: str, value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidArgumentError(argument, "must be a list of strings", value)
    return [encodable(argument, v) for v in value]


def base64_text(argument: str, value: Any) -> str | None:
    """Raw yaml or credentials: ``str`` (utf-8 encoded) or ``bytes``; sent base64-encoded."""
    if value is None:
        return None
    if isinstance(value, str):
        value = encodable(argument, value).encode("utf-8")
    if not isinstance(value, bytes | bytearray):
        raise InvalidArgumentError(argument, "must be str or bytes", type(value).__name__)
    if not value.strip():
        raise InvalidArgumentError(argument, "must not be empty")
    return base64.b64encode(bytes(value)).decode("ascii")


def pipeline_source(fs: Any, yaml_path: Any, yaml_raw: Any) -> str | None:
    """Where a pipeline's YAML comes from: ``yaml_raw`` alone, or ``fs`` (the ``fs_name`` argument,
    named apart from the rule ``fs_name``) with ``yaml_path``, by default ``./run.yaml``.

    Returns ``yaml_raw`` base64-encoded as the server takes it (or None)."""
    raw = base64_text("yaml_raw", yaml_raw)
    if yaml_raw is not None and (yaml_path is not None or fs is not None):
        bad = "yaml_path" if yaml_path is not None else "fs_name"
        raise InvalidArgumentError(bad, "give either yaml_raw, or fs_name (+ yaml_path), not both")
    if yaml_raw is None and fs is None:
        raise InvalidArgumentError(
            "yaml_raw / fs_name", "a yaml source is required: yaml_raw, or fs_name + yaml_path"
        )
    if fs is not None:
        fs_name("fs_name", fs)
    optional_str("yaml_path", yaml_path)
    return raw


def optional_bool(argument: str, value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise InvalidArgumentError(argument, "must be True, False or None", value)
    return value


def run_source(
    run_yaml_raw: Any, run_yaml_path: Any, pipeline_id: Any, pipeline_version_id: Any, fs_name: Any
) -> None:
    """Where a run's YAML comes from: exactly one of ``run_yaml_raw``, ``pipeline_id`` and
    ``run_yaml_path``, or none of them with ``fs_name`` (the server then reads ``./run.yaml``)."""
    sources = {"run_yaml_raw": run_yaml_raw, "pipeline_id": pipeline_id, "run_yaml_path": run_yaml_path}
    given = [k for k, val in sources.items() if val is not None]
    if len(given) > 1:
        raise InvalidArgumentError(
            " / ".join(given), "give exactly one run source: one of " + ", ".join(sources)
        )
    if not given and fs_name is None:
        raise InvalidArgumentError(
            " / ".join(sources),
            "no run source: give one of " + ", ".join(sources) + " (or fs_name alone, to run ./run.yaml)",
        )
    if pipeline_version_id is not None and pipeline_id is None:
        raise InvalidArgumentError("pipeline_version_id", "needs pipeline_id as well")
    if run_yaml_path is not None and fs_name is None:
        raise InvalidArgumentError(
            "run_yaml_path", "a yaml path is read from a file system: give fs_name too"
        )


def failure_options(argument: str, value: Any) -> dict[str, Any] | None:
    """A run's failure options: ``{"strategy": "fail_fast" | "continue"}``, or None / ``{}`` for the
    YAML's own. The server knows no other key."""
    options = mapping(argument, value)
    if not options:
        return None
    if unknown := sorted(str(key) for key in options if key != "strategy"):  # (keys of any JSON type)
        raise InvalidArgumentError(argument, f"the only key is 'strategy' (unknown: {unknown})", value)
    if options.get("strategy") not in FAILURE_STRATEGIES:
        raise InvalidArgumentError(
            f"{argument}['strategy']",
            f"accepted values: {', '.join(FAILURE_STRATEGIES)}",
            options.get("strategy"),
        )
    return options


def disabled_steps(argument: str, value: Any) -> str | None:
    """Steps a run skips: a comma-separated string, or a list of step names (sent joined by commas)."""
    if isinstance(value, list | tuple):
        return ",".join(string_list(argument, value) or [])
    return optional_str(argument, value)


def schedule_window(start_time: Any, end_time: Any) -> None:
    """Start and end of a schedule: each ``YYYY-MM-DD hh:mm:ss``, the end after the start."""
    time_string("start_time", start_time)
    time_string("end_time", end_time)
    if start_time and end_time and end_time <= start_time:
        raise InvalidArgumentError("end_time", "must be after start_time", end_time)


def quantity(argument: str, value: Any) -> str:
    """A resource quantity such as ``4``, ``"500m"`` or ``"8Gi"`` (sent as a string)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, int) and abs(value) > MAX_INT:
            raise InvalidArgumentError(argument, f"a number of at most {MAX_INT}", value)
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(argument, "a quantity such as 4, '500m' or '8Gi' is required", value)
    return value


def cluster_type(argument: str, value: Any, version: Any = None, *, creating: bool = False) -> str | None:
    """A cluster type (required when creating); a ``Kubernetes`` cluster is created with a version."""
    if value is None and creating:
        raise InvalidArgumentError(argument, f"required; accepted values: {', '.join(CLUSTER_TYPES)}")
    one_of(argument, value, CLUSTER_TYPES)
    if creating and value == "Kubernetes" and not version:
        raise InvalidArgumentError("version", "required for a Kubernetes cluster (e.g. '1.16')")
    return value


# -- crontab ------------------------------------------------------------------------------------
_DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    (
        "month",
        1,
        12,
        {
            m: i + 1
            for i, m in enumerate(
                ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            )
        },
    ),
    ("day of week", 0, 7, {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}),
)
_DURATION = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$")


def _cron_value(token: str, low: int, high: int, names: dict[str, int]) -> int:
    if token.lower() in names:
        return names[token.lower()]
    if not token.isdigit():
        raise ValueError(token)
    number = int(token)
    if not low <= number <= high:
        raise ValueError(token)
    return number


def _cron_field(text: str, low: int, high: int, names: dict[str, int]) -> None:
    for part in text.split(","):
        base, _, step = part.partition("/")
        if step and (not step.isdigit() or int(step) == 0):
            raise ValueError(part)
        if base in ("*", "?"):
            continue
        start, _, end = base.partition("-")
        first = _cron_value(start, low, high, names)
        if end and _cron_value(end, low, high, names) < first:
            raise ValueError(part)


def crontab(argument: str, value: Any) -> str:
    """Standard 5-field cron (robfig ``ParseStandard``), ``@every <duration>``, ``@daily``-style names."""
    required(argument, value)
    text = value.strip()
    accepted = "a 5-field cron expression ('*/5 * * * *'), '@every 1h30m' or a descriptor like '@daily'"
    if text.startswith("@"):
        if text in _DESCRIPTORS:
            return value
        if text.startswith("@every "):
            duration = text[len("@every ") :].strip()
            if _DURATION.match(duration) and re.search(r"[1-9]", duration):
                return value
        raise InvalidArgumentError(argument, accepted, value)
    fields = text.split()
    if len(fields) != 5:
        raise InvalidArgumentError(argument, accepted, value)
    for field, (label, low, high, names) in zip(fields, _FIELDS, strict=True):
        try:
            _cron_field(field, low, high, names)
        except ValueError:
            raise InvalidArgumentError(argument, f"bad {label} field {field!r}; {accepted}", value) from None
    return value
