"""Where the command line finds its server and user: flag > environment > ini file > defaults.

Why this order: a flag is the most deliberate choice, an environment variable is how CI configures a
job without writing a file, and the ini file is the original CLI's (``~/.paddleflow/paddleflow.ini``,
``[user] name/password``, ``[server] paddleflow_server_host/paddleflow_server_port``). Every value
remembers where it came from, so an error names both the bad value and its source. The value rules
themselves (host, port) are the client's (:class:`~paddleflow_provider.client.ClientConfig`); this
module only gathers the values.
"""

from __future__ import annotations

import configparser
import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path

from paddleflow_provider.client import ClientConfig, InvalidArgumentError
from paddleflow_provider.connection_schema import DEFAULT_PORT

DEFAULT_CONFIG_PATH = Path("~/.paddleflow/paddleflow.ini")

ENV_CONFIG = "PADDLEFLOW_CONFIG"
ENV_HOST = "PADDLEFLOW_SERVER_HOST"
ENV_PORT = "PADDLEFLOW_SERVER_PORT"
ENV_USER = "PADDLEFLOW_USER"
ENV_PASSWORD = "PADDLEFLOW_PASSWORD"  # noqa: S105 (the variable's name, not a password)

#: A command line gives up sooner than a DAG task: a person (or CI step) is waiting for the answer.
CLI_MAX_ATTEMPTS = 3

#: setting -> (ini section, ini key, environment variable)
SOURCES: dict[str, tuple[str, str, str]] = {
    "host": ("server", "paddleflow_server_host", ENV_HOST),
    "port": ("server", "paddleflow_server_port", ENV_PORT),
    "username": ("user", "name", ENV_USER),
    "password": ("user", "password", ENV_PASSWORD),
}

#: the client's argument names for the settings, to name the setting in its error
_CLIENT_ARGUMENT = {"paddleflow_server_host": "host", "paddleflow_server_port": "port"}


class SettingsError(Exception):
    """A missing or bad setting; the message names the value and where it came from."""


@dataclasses.dataclass(frozen=True)
class Value:
    value: str | None
    origin: str


@dataclasses.dataclass(frozen=True)
class Flags:
    """The root group's options that choose the server and user."""

    pf_config: str | None = None
    host: str | None = None
    port: str | None = None
    user: str | None = None


def config_path(flags: Flags, env: Mapping[str, str]) -> tuple[Path, bool]:
    """The ini file to read and whether the user named it (then it must exist)."""
    if flags.pf_config:
        return Path(flags.pf_config).expanduser(), True
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG]).expanduser(), True
    return DEFAULT_CONFIG_PATH.expanduser(), False


def read_ini(path: Path, required: bool) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    if not path.exists():
        if required:
            raise SettingsError(f"config file {str(path)!r} does not exist")
        return parser
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, configparser.Error) as err:
        raise SettingsError(f"cannot read config file {str(path)!r}: {' '.join(str(err).split())}") from err
    return parser


def gather(flags: Flags, env: Mapping[str, str]) -> dict[str, Value]:
    """Each setting's winning value and its origin (``None`` when nothing gives it)."""
    path, required = config_path(flags, env)
    ini = read_ini(path, required)
    given = {"host": flags.host, "port": flags.port, "username": flags.user, "password": None}
    out: dict[str, Value] = {}
    for name, (section, key, variable) in SOURCES.items():
        if given[name]:
            out[name] = Value(given[name], f"option --{'user' if name == 'username' else name}")
        elif env.get(variable):
            out[name] = Value(env[variable], f"environment variable {variable}")
        elif ini.has_option(section, key) and ini.get(section, key).strip():
            out[name] = Value(ini.get(section, key).strip(), f"[{section}] {key} in {path}")
        else:
            out[name] = Value(DEFAULT_PORT if name == "port" else None, "default")
    return out


def load(flags: Flags, env: Mapping[str, str] | None = None) -> ClientConfig:
    """The client settings, or :class:`SettingsError` naming what is missing or wrong and where."""
    values = gather(flags, os.environ if env is None else env)
    host, port = values["host"], values["port"]
    if not host.value:
        raise SettingsError(
            "no PaddleFlow server: give --host, set PADDLEFLOW_SERVER_HOST, or write "
            "[server] paddleflow_server_host in ~/.paddleflow/paddleflow.ini (or the --pf_config file)"
        )
    for name in ("username", "password"):
        if not values[name].value:
            section, key, variable = SOURCES[name]
            raise SettingsError(
                f"no PaddleFlow {name}: set {variable} or write [{section}] {key} in the config file"
            )
    try:
        return ClientConfig(
            host=str(host.value),
            port=str(port.value),
            username=values["username"].value,
            password=values["password"].value,
            max_attempts=CLI_MAX_ATTEMPTS,
        )
    except InvalidArgumentError as err:
        setting = _CLIENT_ARGUMENT.get(err.argument, err.argument)
        origin = values[setting].origin if setting in values else "settings"
        raise SettingsError(f"bad {setting} from {origin}: {err.message}") from err
