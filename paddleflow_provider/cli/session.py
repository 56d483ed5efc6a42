"""What every command shares: the chosen output, the client (built on first use) and error handling.

Why lazy: ``paddleflow --help`` or a usage error must work without a config file or a server, and
``--conn-id`` must import Airflow only when it is given. Why one error boundary: a failing command
prints the server's message on one line and exits non-zero, never a traceback, whatever group it is in
(:class:`ErrorBoundaryGroup` wraps every command's invocation).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
from typing import TYPE_CHECKING, Any

import click

from paddleflow_provider.cli import exitcodes
from paddleflow_provider.cli.config import Flags, SettingsError, load
from paddleflow_provider.cli.output import Output

if TYPE_CHECKING:
    from paddleflow_provider.client import Client, PaddleFlowAPI

#: set to 1 to see the traceback of an unexpected error (a bug report), instead of one line
ENV_DEBUG = "PADDLEFLOW_CLI_DEBUG"


class Session:
    """The root group's choices, shared by every command through ``click``'s context object."""

    def __init__(self, flags: Flags, output: Output, conn_id: str | None = None) -> None:
        self.flags = flags
        self.out = output
        self.conn_id = conn_id

    @functools.cached_property
    def client(self) -> Client:
        if self.conn_id:
            return client_from_connection(self.conn_id)
        from paddleflow_provider.client import Client

        return Client.from_config(load(self.flags))

    @property
    def api(self) -> PaddleFlowAPI:
        return self.client.api

    def close(self) -> None:
        if "client" in self.__dict__:
            self.client.close()


def client_from_connection(conn_id: str) -> Client:
    """The Airflow connection's client, through the provider's hook (imports Airflow, only here).

    Whatever Airflow prints while it starts goes to stderr: stdout is the command's answer (JSON).
    """
    with contextlib.redirect_stdout(sys.stderr):
        try:
            from paddleflow_provider.hooks.paddleflow import PaddleFlowHook
        except ImportError as err:
            raise SettingsError(f"--conn-id needs Apache Airflow installed ({err})") from err
        try:
            return PaddleFlowHook(paddleflow_conn_id=conn_id).get_conn()
        except Exception as err:  # Airflow raises its own AirflowNotFoundException
            raise SettingsError(f"Airflow connection {conn_id!r}: {one_line(str(err))}") from err


def one_line(text: str) -> str:
    return " ".join(text.split())


pass_session = click.make_pass_decorator(Session)


def fail(message: str, code: int = exitcodes.FAILED) -> None:
    """Print ``Error: message`` on one line (stderr) and exit with ``code``."""
    click.echo(f"Error: {one_line(message)}", err=True)
    raise click.exceptions.Exit(code)


def quiet_library_logs() -> None:
    """Keep the client's retry warnings off the terminal: a failure is reported once, as one line.

    A ``NullHandler`` on the package logger stops Python's last-resort stderr handler; records still
    propagate to any handler the caller configured. ``PADDLEFLOW_CLI_DEBUG=1`` shows them on stderr.
    """
    package = logging.getLogger("paddleflow_provider")
    if os.environ.get(ENV_DEBUG):
        logging.basicConfig(level=logging.INFO)
    elif not any(isinstance(h, logging.NullHandler) for h in package.handlers):
        package.addHandler(logging.NullHandler())


def quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (e.g. under a test runner)
        pass


class ErrorBoundaryGroup(click.Group):
    """A group whose commands turn every failure into one line and a non-zero exit.

    click's own exceptions (usage errors, ``--help``, exits) pass through untouched.
    """

    def invoke(self, ctx: click.Context) -> Any:
        from paddleflow_provider.client import PaddleFlowError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            # ``paddleflow run logs -F | head``: the reader left; stop quietly, as ``cat`` does.
            quiet_stdout()
            raise click.exceptions.Exit(exitcodes.FAILED) from None
        except SettingsError as err:
            fail(str(err))
        except PaddleFlowError as err:
            fail(str(err))
        except Exception as err:  # never a traceback for the user, unless asked for
            if os.environ.get(ENV_DEBUG):
                raise
            fail(f"{type(err).__name__}: {err}")
        return None
