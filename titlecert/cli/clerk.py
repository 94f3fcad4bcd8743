"""`titlecert clerk`: archive clerks' accounts and the units assigned to them, and the committee
office's issue of the replacements clerks asked for.

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
    from registry.audit import Actor
    from registry.db import Registry
    from registry.ledger import Ledger


@contextmanager
def _transaction(settings: Settings) -> Iterator["Ledger"]:
    from titlecert.bootstrap import transaction

    with transaction(settings) as ledger:
        yield ledger


@contextmanager
def _registry(settings: Settings) -> Iterator["Registry"]:
    """The registry for a command, disposed of when it ends."""
    from titlecert.bootstrap import running

    with running(settings) as components:
        yield components.registry


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
    with _transaction(settings) as ledger:
        accounts.create(ledger, username, password, actor=_actor(settings), at=dt.datetime.now(dt.UTC))
    click.echo(f"created clerk {username!r}; assign units with `titlecert clerk assign`", err=True)


@clerk.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from one line of standard input.")
@click.pass_obj
def password(settings: Settings, username: str, password_stdin: bool) -> None:
    """Set the clerk's password."""
    from titlecert.clerks import accounts

    new = _password(password_stdin)
    with _transaction(settings) as ledger:
        accounts.set_password(ledger, username, new, actor=_actor(settings))


@clerk.command("assign")
@click.argument("username")
@click.argument("unit_codes", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Take the units away instead.")
@click.pass_obj
def assign(settings: Settings, username: str, unit_codes: tuple[str, ...], remove: bool) -> None:
    """Let the clerk see and record the forms of the units with these credit codes (checked: GB
    32100). Prints, per unit, what changed and the forms and copies registered for it."""
    from titlecert.clerks import accounts

    changed, codes = 0, list(dict.fromkeys(c.strip().upper() for c in unit_codes))
    with _transaction(settings) as ledger:
        book = ledger.paper
        for code in codes:
            done = accounts.assign(ledger, username, code, actor=_actor(settings), remove=remove)
            changed += done
            forms = book.forms([code])
            copies = sum(len(book.copies(f.form_no)) for f in forms)
            unit = f"{code} ({forms[0].unit_name})" if forms else code
            if remove:
                what = "taken from" if done else "was not assigned to"
            else:
                what = "assigned to" if done else "was already assigned to"
            numbers = f" ({', '.join(f.form_no for f in forms)})" if forms else ""
            click.echo(f"{unit} {what} {username}: {len(forms)} form(s){numbers}, {copies} printed copy(ies)")
    verb = "taken away" if remove else "assigned"
    click.echo(f"{changed} unit(s) {verb}, {len(codes) - changed} unchanged", err=True)


@clerk.command("disable")
@click.argument("username")
@click.pass_obj
def disable(settings: Settings, username: str) -> None:
    """The clerk cannot sign in any more (their records stay)."""
    from titlecert.clerks import accounts

    with _transaction(settings) as ledger:
        accounts.disable(ledger, username, actor=_actor(settings), at=dt.datetime.now(dt.UTC))


def _day(text: str | None) -> dt.date:
    from registry.chinatime import china_today

    if not text:
        return china_today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date: give it as 2026-03-05") from None


@clerk.command("stamp")
@click.argument("copy")
@click.argument("box", type=click.IntRange(min=1))
@click.option("--body", required=True, help="Who stamped the box (the body named on the stamp).")
@click.option("--on", "on_text", metavar="DATE", help="The day it was stamped (default: today in Chongqing).")
@click.pass_obj
def stamp(settings: Settings, copy: str, box: int, body: str, on_text: str | None) -> None:
    """Record that box BOX (its number on the copy's page) of COPY (PS2026000001-U, or one of its
    page codes) was stamped by hand."""
    from registry.paper import EventKind
    from titlecert.clerks.records import record
    from titlecert.clerks.replacements import find_copy

    on = _day(on_text)
    with _registry(settings) as registry:
        record(
            registry,
            find_copy(registry, copy),
            EventKind.STAMPED,
            actor=_actor(settings),
            on=on,
            box=box,
            body=body.strip(),
        )
    click.echo(f"{copy}: box {box} stamped by {body.strip()} on {on.isoformat()}", err=True)


@clerk.command("file")
@click.argument("copy")
@click.option("--place", required=True, help="Where the copy is kept (the archive).")
@click.option("--on", "on_text", metavar="DATE", help="The day it was filed (default: today in Chongqing).")
@click.option(
    "--incomplete-reason",
    default="",
    metavar="TEXT",
    help="File it although a box is not recorded stamped, for this reason (kept in its history).",
)
@click.pass_obj
def file_copy(settings: Settings, copy: str, place: str, on_text: str | None, incomplete_reason: str) -> None:
    """Record that COPY (PS2026000001-U, or one of its page codes) was filed. Refused, naming the
    boxes, while a box is not recorded stamped, unless --incomplete-reason says why."""
    from registry.paper import EventKind
    from titlecert.clerks.records import record
    from titlecert.clerks.replacements import find_copy

    on = _day(on_text)
    with _registry(settings) as registry:
        record(
            registry,
            find_copy(registry, copy),
            EventKind.FILED,
            actor=_actor(settings),
            on=on,
            body=place.strip(),
            incomplete_reason=incomplete_reason,
        )
    click.echo(f"{copy}: filed at {place.strip()} on {on.isoformat()}", err=True)


@clerk.command("backfill")
@click.argument("session", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def backfill_command(settings: Settings, session: Path) -> None:
    """Make the review forms of SESSION, issued before the clerk pages existed, known to them
    (their units and reporting chains come from the session file)."""
    from titlecert.clerks.backfill import backfill

    done = backfill(settings, session)
    for copy in done:
        click.echo(copy)
    click.echo(f"{len(done)} printed copies recorded", err=True)


@clerk.command("list")
@click.pass_obj
def list_clerks(settings: Settings) -> None:
    """Every clerk as a JSON line: name, units, password or SSO only, disabled."""
    with _transaction(settings) as ledger:
        for c in ledger.clerks.all():
            click.echo(
                json.dumps(
                    {
                        "username": c.username,
                        "units": ledger.clerks.units_of(c),
                        "password": c.password_hash is not None,
                        "disabled": c.disabled_at is not None,
                    },
                    ensure_ascii=False,
                )
            )


@clerk.group("replacements", invoke_without_command=True)
@click.pass_context
def replacements(ctx: click.Context) -> None:
    """The printed copies clerks recorded lost whose replacement is pending, as JSON lines (the web
    site never seals: the committee office issues them with `issue`, which needs the seal keys)."""
    if ctx.invoked_subcommand is not None:
        return
    from titlecert.clerks.replacements import pending_requests

    with _registry(ctx.obj) as registry:
        for request in pending_requests(registry):
            click.echo(json.dumps(request.to_json(), ensure_ascii=False))


@replacements.command("issue")
@click.argument("copy", required=False)
@click.option("--all", "every", is_flag=True, help="Issue every pending replacement.")
@click.pass_obj
def issue_replacements(settings: Settings, copy: str | None, every: bool) -> None:
    """Issue the replacement of the lost COPY (PS2026000001-U, or one of its page codes), or of
    every copy pending with --all: new copy number and page codes, sealed like the original,
    registered, stored. Prints `LOST NEW` per copy; a copy replaced already is left as it is."""
    from docgen.errors import DocgenError
    from registry.errors import RegistryError
    from signing.errors import KeyLoadError, SigningError
    from titlecert.clerks.replacements import Reprinter, find_copy, issue, pending_requests
    from titlecert.configured_store import open_store
    from titlecert.errors import ApplicationError

    if (copy is None) == (not every):
        raise click.UsageError("give one COPY (e.g. PS2026000001-U) or --all")
    reprint, issued, failed = Reprinter(settings), 0, 0
    with _registry(settings) as registry:
        store = open_store(settings)
        if every:
            todo = [(p.copy, p.copy_id) for p in pending_requests(registry)]
        else:
            todo = [(copy or "", find_copy(registry, copy or ""))]
        for name, copy_id in todo:
            try:
                done = issue(registry, store, copy_id, reprint=reprint, actor=_actor(settings))
            except KeyLoadError as e:  # the same for every copy: stop
                raise ApplicationError(f"the seal keys cannot be loaded: {e}") from e
            except (RegistryError, SigningError, DocgenError, ApplicationError) as e:
                failed += 1
                click.echo(f"error: {name}: {e}", err=True)
                continue
            if done is None:
                click.echo(f"{name} was replaced already", err=True)
            else:
                issued += 1
                click.echo(f"{done.void} {done.new}")
    click.echo(f"{issued} replacement(s) issued, {failed} failed", err=True)
    if failed:
        sys.exit(1)
