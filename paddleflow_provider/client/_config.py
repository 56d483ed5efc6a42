"""Client settings as plain, frozen data.

Why a separate object: the Airflow hook and the deferrable triggers must rebuild the *same* client in
another process (the triggerer), so the settings travel as JSON. Everything here is plain data; the
password is the only field that must not be serialised anywhere visible (``to_dict`` leaves it out
unless asked, and ``repr`` masks it).
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
from typing import Any

from ..connection_schema import BY_NAME, DEFAULT_PORT, default
from ._exceptions import InvalidArgumentError
from ._validate import credential

API_PREFIX = "/api/paddleflow/v1"

_HOST = re.compile(r"^[A-Za-z0-9._:\[\]%-]+$")

TimeoutType = float | tuple[float, float]


def _timeout_pair(value: Any) -> tuple[float, float]:
    """Normalise ``timeout`` to a ``(connect, read)`` pair of positive floats."""
    if isinstance(value, bool):
        raise InvalidArgumentError("timeout", "must be a positive number or a (connect, read) pair", value)
    if isinstance(value, int | float):
        pair = (float(value), float(value))
    elif isinstance(value, tuple | list) and len(value) == 2:
        pair = (float(value[0]), float(value[1]))
    else:
        raise InvalidArgumentError("timeout", "must be a positive number or a (connect, read) pair", value)
    if pair[0] <= 0 or pair[1] <= 0:
        raise InvalidArgumentError("timeout", "must be a positive number or a (connect, read) pair", value)
    return pair


@dataclasses.dataclass(frozen=True)
class ClientConfig:
    """Everything needed to build a client: where the server is, who logs in, and how hard to try.

    ``host`` may be a bare host name or a full ``http(s)://host[:port]`` URL; in the latter case the
    scheme and port in the URL win over ``scheme``/``port``.
    """

    host: str
    port: str = DEFAULT_PORT
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    scheme: str = default("scheme")
    verify: bool = default("verify")
    ca_bundle: str | None = default("ca_bundle")
    timeout: tuple[float, float] = (default("connect_timeout"), default("read_timeout"))
    max_attempts: int = default("max_attempts")
    max_retry_time: float = default("max_retry_time")
    backoff_initial: float = default("backoff_initial")
    backoff_max: float = default("backoff_max")
    retry_after_max: float = default("retry_after_max")

    def __post_init__(self) -> None:
        host = str(self.host or "").strip()
        if not host:
            raise InvalidArgumentError(
                "paddleflow_server_host", "must be a host name or http(s)://host:port URL"
            )
        scheme, port = self.scheme, str(self.port if self.port not in (None, "") else DEFAULT_PORT)
        if "://" in host:
            parsed = urllib.parse.urlsplit(host)
            if parsed.scheme not in ("http", "https") or not parsed.hostname:
                raise InvalidArgumentError(
                    "paddleflow_server_host", "must be a host name or http(s)://host:port URL", host
                )
            scheme = parsed.scheme
            host = parsed.hostname
            if parsed.port is not None:
                port = str(parsed.port)
        if not _HOST.match(host):
            raise InvalidArgumentError(
                "paddleflow_server_host", "a host name, IP address or http(s)://host:port URL", host
            )
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise InvalidArgumentError("paddleflow_server_port", "must be a TCP port 1..65535", port)
        # Every field that is a connection setting obeys that setting's rule (the scheme as a URL host
        # may have set it; the timeout pair has its own shape rule below).
        values = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        for name, value in (values | {"scheme": scheme}).items():
            if name in BY_NAME and (why := BY_NAME[name].problem(value)) is not None:
                raise InvalidArgumentError(name, why, value)
        object.__setattr__(self, "username", credential("username", self.username))
        object.__setattr__(self, "password", credential("password", self.password))
        object.__setattr__(self, "host", host)
        object.__setattr__(self, "port", port)
        object.__setattr__(self, "scheme", scheme)
        object.__setattr__(self, "timeout", _timeout_pair(self.timeout))

    @property
    def base_url(self) -> str:
        """``scheme://host:port`` with IPv6 literals bracketed."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def verify_arg(self) -> bool | str:
        """What ``requests``/``httpx`` take for ``verify``: a CA bundle path wins over the flag."""
        if not self.verify:
            return False
        return self.ca_bundle or True

    def to_dict(self, include_password: bool = False) -> dict[str, Any]:
        """JSON-ready form; the password is left out unless explicitly requested."""
        data = dataclasses.asdict(self)
        data["timeout"] = list(self.timeout)
        if not include_password:
            data.pop("password")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClientConfig:
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - fields)
        if unknown:
            raise InvalidArgumentError("config", f"unknown keys {unknown}; accepted: {sorted(fields)}")
        kwargs = dict(data)
        if "timeout" in kwargs and isinstance(kwargs["timeout"], list):
            kwargs["timeout"] = tuple(kwargs["timeout"])
        return cls(**kwargs)

    def replace(self, **changes: Any) -> ClientConfig:
        return dataclasses.replace(self, **changes)
