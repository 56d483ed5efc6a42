"""The ``paddleflow`` command line: the original PaddleFlow SDK's command tree, over this client.

Why a package of small modules: each command group is one module (``run``, ``user`` ...) that only
maps options to one client call and picks the columns to show; settings (``config``), output formats
(``output``), the client session and error handling (``session``) and the root group (``main``) are
written once. Importing this package loads click and the client, never Airflow (``--conn-id`` imports
the Airflow hook only when it is used).
"""

from __future__ import annotations

import sys


def main() -> None:
    """The ``paddleflow`` script: one line naming the ``cli`` extra when click or tabulate is missing
    (instead of a ``No module named`` traceback), else the command line itself."""
    from paddleflow_provider._extras import MissingExtraError, require_extra

    try:
        require_extra("the command line", "cli")
    except MissingExtraError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    from paddleflow_provider.cli.main import cli

    cli(prog_name="paddleflow")
