"""The client's connection settings, described once.

Each tunable setting of a PaddleFlow client (scheme, TLS, timeouts, retry budget) is one
:class:`Setting` here: its name, type, default, bounds and the words a user sees. Three readers are
built from this table, so a default or a bound changed here changes all of them:

* ``client/_config.py`` ``ClientConfig``: its field defaults and its value checks;
* ``get_provider_info.py``: the Airflow connection form (``conn-fields`` for Airflow 3.2+, and the
  hook's form widgets for older UIs);
* ``hooks/paddleflow.py``: turning a connection's extra into client settings (and the UI link
  template, the one field that is not a client setting: :data:`UI_URL_TEMPLATE`).

Why a module of its own, outside ``client/``: Airflow imports the provider metadata on start-up in
every process, so its import must stay free (importing ``paddleflow_provider.client`` loads requests
and pydantic: about 0.4 s). Plain data and the standard library only.
"""

from __future__ import annotations

import dataclasses
from typing import Any

DEFAULT_PORT = "8999"

_TRUE = frozenset({"1", "true", "yes", "on", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "off", "n", "f"})


@dataclasses.dataclass(frozen=True)
class Setting:
    """One client setting: what it is called, what it holds, and what a user is told about it.

    ``minimum`` is inclusive; ``above`` is an exclusive lower bound (a timeout of 0 means nothing).
    ``choices`` lists the accepted strings of a text setting.
    """

    name: str
    kind: type
    default: Any
    label: str
    description: str
    minimum: float | None = None
    above: float | None = None
    choices: tuple[str, ...] = ()

    @property
    def rule(self) -> str:
        """The accepted values in words, for error messages."""
        if self.choices:
            return "accepted values: " + ", ".join(repr(c) for c in self.choices)
        noun = {bool: "a boolean (true/false)", int: "an integer", float: "a number", str: "a string"}
        text = noun[self.kind]
        if self.minimum is not None:
            text += f" >= {self.minimum:g}"
        if self.above is not None:
            text += f" > {self.above:g}"
        return f"must be {text}"

    def problem(self, value: Any) -> str | None:
        """Why ``value`` (already of a Python type) is not acceptable, or None when it is."""
        if value is None:
            return None if self.default is None else self.rule
        if self.kind is bool:
            return None if isinstance(value, bool) else self.rule
        if self.kind is str:
            if not isinstance(value, str) or (self.choices and value not in self.choices):
                return self.rule
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.rule
        if self.kind is int and not isinstance(value, int):
            return self.rule
        if self.minimum is not None and value < self.minimum:
            return self.rule
        if self.above is not None and value <= self.above:
            return self.rule
        return None

    def parse(self, raw: Any) -> Any:
        """Turn a connection-extra value (text from a form or JSON) into this setting's type.

        Raises ``ValueError`` naming the extra key and the accepted values; never shows anything but
        the offending value (settings hold no secrets).
        """
        value: Any = raw
        if self.kind is bool and not isinstance(raw, bool):
            text = str(raw).strip().lower()
            value = True if text in _TRUE else False if text in _FALSE else raw
        elif self.kind is str:
            value = str(raw).strip()
            value = value.lower() if self.choices else value
        elif self.kind in (int, float) and not isinstance(raw, bool):
            try:
                value = self.kind(raw)
            except (TypeError, ValueError):
                value = raw
        if (why := self.problem(value)) is not None:
            raise ValueError(f"connection extra {self.name!r} {why}, got {raw!r}")
        return value

    def json_schema(self) -> dict[str, Any]:
        """The JSON-schema fragment Airflow 3.2+ renders as a form field."""
        kind = {bool: "boolean", int: "integer", float: "number", str: "string"}[self.kind]
        schema: dict[str, Any] = {"type": [kind, "null"]}
        if self.choices:
            schema["enum"] = list(self.choices)
        if self.default is not None:
            schema["default"] = self.default
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.above is not None:
            schema["exclusiveMinimum"] = self.above
        return schema


#: Every client setting a connection can carry, in form order.
SETTINGS: tuple[Setting, ...] = (
    Setting("scheme", str, "http", "Scheme", "http or https.", choices=("http", "https")),
    Setting(
        "verify",
        bool,
        True,
        "Verify TLS certificate",
        "Check the server certificate when the scheme is https.",
    ),
    Setting(
        "ca_bundle",
        str,
        None,
        "CA bundle path",
        "Path of a PEM CA bundle on the workers, for a private certificate authority.",
    ),
    Setting(
        "connect_timeout",
        float,
        10.0,
        "Connect timeout (s)",
        "Seconds to wait for a TCP/TLS connection.",
        above=0,
    ),
    Setting(
        "read_timeout",
        float,
        60.0,
        "Read timeout (s)",
        "Seconds to wait for a response; one attempt ends after connect + read timeout at most.",
        above=0,
    ),
    Setting(
        "max_attempts",
        int,
        5,
        "Max attempts",
        "Attempts per request on connection errors, timeouts, 429 and 5xx.",
        minimum=1,
    ),
    Setting(
        "max_retry_time",
        float,
        120.0,
        "Max retry time (s)",
        "Upper bound on the time spent retrying one request.",
        minimum=0,
    ),
    Setting(
        "backoff_initial",
        float,
        0.5,
        "Backoff initial (s)",
        "First wait between retries; it doubles (with jitter) after each attempt.",
        minimum=0,
    ),
    Setting("backoff_max", float, 8.0, "Backoff max (s)", "Longest wait between two retries.", minimum=0),
    Setting(
        "retry_after_max",
        float,
        60.0,
        "Retry-After cap (s)",
        "Longest wait a server's Retry-After answer may impose before the next attempt.",
        minimum=0,
    ),
)

BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}

#: Default link to a run in the PaddleFlow UI; ``{base}`` is the connection's ``scheme://host:port``.
DEFAULT_UI_URL_TEMPLATE = "{base}/run/{run_id}"

#: Not a client setting: where the provider's extra link points. It lives on the same form.
UI_URL_TEMPLATE = Setting(
    "ui_url_template",
    str,
    DEFAULT_UI_URL_TEMPLATE,
    "UI URL template",
    "Link to a run in the PaddleFlow UI; placeholders {base} and {run_id}.",
)

#: Accepted in a connection's extra but not shown on the form: one number for both timeouts.
TIMEOUT_SHORTHAND = Setting(
    "timeout",
    float,
    None,
    "Timeout (s)",
    "Connect and read timeout at once (the two fields above win).",
    above=0,
)

#: Every custom field of a ``paddleflow`` connection, stored as bare keys of ``Connection.extra``.
CONNECTION_FIELDS: tuple[Setting, ...] = (*SETTINGS, UI_URL_TEMPLATE)


def default(name: str) -> Any:
    """The default of one setting (``ClientConfig`` takes its field defaults from here)."""
    return BY_NAME[name].default
