"""`titlecert clerk`: archive clerks' accounts and the units assigned to them.

Passwords are read from a prompt (or, with --password-stdin, one line of standard input), never
from the command line. Imports the registry only when a command runs.
"""

import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from titlecert.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from registry.audit import Actor


@contextmanager
def _transaction(settings: Settings) -> Iterator["Session"]:
    from registry.db import Registry
    from registry.errors import RegistryError

    registry = Registry(settings.database_url)
    try:
        with registry.transaction() as repo:
            yield repo.session
    except (RegistryError, ValueError) as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    finally:
        registry.dispose()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def _actor(settings: Settings) -> "Actor":
    from registry.audit import Actor

    return Actor(settings.actor, "cli")


@click.group()
def clerk() -> None:
    """Archive clerks: accounts, the units they see, the clerk pages' sign-in."""


@clerk.command("add")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from one line of standard input.")
@click.option(
    "--sso-only", is_flag=True, help="No password: signs in only through TITLECERT_CLERK_SSO_HEADER."
)
@click.pass_obj
def add(settings: Settings, username: str, password_stdin: bool, sso_only: bool) -> None:
    """Create the clerk USERNAME (argon2id password hash)."""
    from titlecert.clerks import accounts

    password = None if sso_only else _password(password_stdin)
    with _transaction(settings) as session:
        accounts.create(session, username, password, actor=_actor(settings), at=dt.datetime.now(dt.UTC))
    click.echo(f"created clerk {username!r}; assign units with `titlecert clerk assign`", err=True)


@clerk.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from one line of standard input.")
@click.pass_obj
def password(settings: Settings, username: str, password_stdin: bool) -> None:
    """Set the clerk's password."""
    from titlecert.clerks import accounts

    new = _password(password_stdin)
    with _transaction(settings) as session:
        accounts.set_password(session, username, new, actor=_actor(settings))


@clerk.command("assign")
@click.argument("username")
@click.argument("unit_codes", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Take the units away instead.")
@click.pass_obj
def assign(settings: Settings, username: str, unit_codes: tuple[str, ...], remove: bool) -> None:
    """Let the clerk see and record the forms of the units with these credit codes."""
    from titlecert.clerks import accounts

    with _transaction(settings) as session:
        for code in unit_codes:
            accounts.assign(session, username, code.strip().upper(), actor=_actor(settings), remove=remove)


@clerk.command("disable")
@click.argument("username")
@click.pass_obj
def disable(settings: Settings, username: str) -> None:
    """The clerk cannot sign in any more (their records stay)."""
    from titlecert.clerks import accounts

    with _transaction(settings) as session:
        accounts.disable(session, username, actor=_actor(settings), at=dt.datetime.now(dt.UTC))


@clerk.command("backfill")
@click.argument("session", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def backfill_command(settings: Settings, session: Path) -> None:
    """Make the review forms of SESSION, issued before the clerk pages existed, known to them
    (their units and reporting chains come from the session file)."""
    from docgen.errors import DocgenError
    from titlecert.clerks.backfill import backfill
    from titlecert.errors import ApplicationError

    try:
        done = backfill(settings, session)
    except (ApplicationError, DocgenError) as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    for copy in done:
        click.echo(copy)
    click.echo(f"{len(done)} printed copies recorded", err=True)


@clerk.command("list")
@click.pass_obj
def list_clerks(settings: Settings) -> None:
    """Every clerk as a JSON line: name, units, password or SSO only, disabled."""
    from registry.paper import PaperBook

    with _transaction(settings) as session:
        book = PaperBook(session)
        for c in book.clerks():
            click.echo(
                json.dumps(
                    {
                        "username": c.username,
                        "units": book.units_of(c),
                        "password": c.password_hash is not None,
                        "disabled": c.disabled_at is not None,
                    },
                    ensure_ascii=False,
                )
            )
