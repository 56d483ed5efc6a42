"""``paddleflow user add|delete|set|list``.

Passwords: ``user add NAME`` and ``user set NAME`` ask for the password with hidden input (twice);
the original's positional ``PASSWORD`` is refused with a usage error naming the prompt, since the
shell's history would keep it. A password is never printed.
"""

from __future__ import annotations

import click

from paddleflow_provider.cli.params import marker, maxsize
from paddleflow_provider.cli.session import Session, pass_session

USER_COLUMNS = [("name", "name"), ("create time", "create_time")]


@click.group("user")
def group() -> None:
    """manage user resources"""


def password_of(given: str | None) -> str:
    """A password read at a hidden, confirmed prompt (a pipe can answer it: the password twice).

    The original CLI's positional password is refused, not taken: the shell history and the process
    list would keep it, and the prompt can always give it instead.
    """
    if given is not None:
        raise click.UsageError(
            "the password is not taken from the command line, where the shell history keeps it: "
            "leave it out to be asked for it (or pipe it in twice)"
        )
    # The prompt goes to stderr: stdout stays the command's answer (``--output json`` parses it).
    return str(click.prompt("password", hide_input=True, confirmation_prompt=True, err=True))


@group.command()
@click.argument("name")
@click.argument("password", required=False)
@pass_session
def add(s: Session, name: str, password: str | None) -> None:
    """add a user (root only); the password is asked for when not given."""
    s.api.add_user(name, password_of(password))
    s.out.done(f"user[{name}] add success", name=name)


@group.command()
@click.argument("name")
@pass_session
def delete(s: Session, name: str) -> None:
    """delete a user (root only)."""
    s.api.del_user(name)
    s.out.done(f"user[{name}] delete success", name=name)


@group.command("set")
@click.argument("name")
@click.argument("password", required=False)
@pass_session
def set_(s: Session, name: str, password: str | None) -> None:
    """change a user's password; it is asked for when not given."""
    s.api.update_password(name, password_of(password))
    s.out.done(f"user[{name}] update success", name=name)


@group.command("list")
@maxsize("-m", "--maxsize")
@marker()
@pass_session
def list_(s: Session, maxsize: int, marker: str | None) -> None:
    """list users (root only)."""
    page = s.api.list_user(maxsize=maxsize, marker=marker)
    s.out.listing(page.items, USER_COLUMNS, page.next_marker)
