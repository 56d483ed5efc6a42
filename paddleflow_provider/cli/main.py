"""The root ``paddleflow`` group: global options, then one sub-group per resource (original CLI tree).

Global options are the original's ``--pf_config`` and ``--output``, plus ``--host``/``--port``/``--user``
(override the config file and environment) and ``--conn-id`` (an Airflow connection). The password is
never an option: it comes from ``PADDLEFLOW_PASSWORD`` or the config file.
"""

from __future__ import annotations

import click

from paddleflow_provider.cli import (
    cluster,
    flavour,
    fs,
    log,
    pipeline,
    queue,
    run,
    run_follow,
    schedule,
    statistics,
    user,
)
from paddleflow_provider.cli.config import Flags
from paddleflow_provider.cli.output import FORMATS, Output
from paddleflow_provider.cli.session import ErrorBoundaryGroup, Session, quiet_library_logs

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


@click.group(cls=ErrorBoundaryGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--pf_config",
    "pf_config",
    metavar="PATH",
    help="the path of the config file [default: ~/.paddleflow/paddleflow.ini, or PADDLEFLOW_CONFIG]",
)
@click.option(
    "--output",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="The formatting style for command output.",
)
@click.option(
    "--host",
    metavar="HOST",
    help="PaddleFlow server host or http(s)://host:port URL [env PADDLEFLOW_SERVER_HOST]",
)
@click.option(
    "--port", metavar="PORT", help="PaddleFlow server port [env PADDLEFLOW_SERVER_PORT; default 8999]"
)
@click.option("--user", metavar="NAME", help="user to log in as [env PADDLEFLOW_USER]")
@click.option(
    "--conn-id", "conn_id", metavar="CONN_ID", help="use this Airflow connection (needs Airflow installed)"
)
@click.pass_context
def cli(
    ctx: click.Context,
    *,
    pf_config: str | None,
    output: str,
    host: str | None,
    port: str | None,
    user: str | None,
    conn_id: str | None,
) -> None:
    """paddleflow is the command line interface to paddleflow service.

    provide `user`, `queue`, `fs`, `run`, `pipeline`, `schedule`, `cluster`, `flavour`, `log`,
    `statistics` operation commands
    """
    if conn_id and (pf_config or host or port or user):
        raise click.UsageError(
            "--conn-id takes server and user from the Airflow connection: "
            "drop --pf_config/--host/--port/--user"
        )
    quiet_library_logs()
    session = Session(Flags(pf_config=pf_config, host=host, port=port, user=user), Output(output), conn_id)
    ctx.obj = session
    ctx.call_on_close(session.close)


for _group in (
    user.group,
    queue.group,
    flavour.group,
    fs.group,
    run.group,
    pipeline.group,
    schedule.group,
    cluster.group,
    log.group,
    statistics.group,
):
    cli.add_command(_group)
run.group.add_command(run_follow.wait)
run.group.add_command(run_follow.logs)
