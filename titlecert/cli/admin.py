"""`titlecert admin`: admin API tokens and the audit log."""

import datetime as dt
import json
import sys
from typing import TYPE_CHECKING

import click

from registry.staff import StaffRole
from titlecert.settings import Settings

if TYPE_CHECKING:
    from registry.audit import Actor


def _actor(settings: Settings) -> "Actor":
    from registry.audit import Actor

    return Actor(settings.actor, "cli")


@click.group()
def admin() -> None:
    """Admin API tokens and the audit log."""


@admin.group()
def token() -> None:
    """Bearer tokens of the admin API (/api/v1/admin)."""


@token.command("create")
@click.argument("name")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in StaffRole]),
    help="committee-office: read, supersede; approval-authority: read, suspend, revoke, supersede; "
    "archive-clerk: read.",
)
@click.pass_obj
def token_create(settings: Settings, name: str, role: str) -> None:
    """Create a token NAME and print it; only its hash is kept, so it is shown this once."""
    from registry.staff import StaffRole
    from titlecert.bootstrap import transaction

    with transaction(settings) as ledger:
        secret = ledger.staff.create(
            name, StaffRole(role), actor=_actor(settings), at=dt.datetime.now(dt.UTC)
        )
    click.echo(secret)
    click.echo(f"created admin token {name!r} ({role}); it is shown only this once", err=True)


@token.command("revoke")
@click.argument("name")
@click.pass_obj
def token_revoke(settings: Settings, name: str) -> None:
    """Revoke the token NAME at once."""
    from titlecert.bootstrap import transaction

    with transaction(settings) as ledger:
        ledger.staff.revoke(name, actor=_actor(settings), at=dt.datetime.now(dt.UTC))
    click.echo(f"revoked admin token {name!r}")


@token.command("list")
@click.pass_obj
def token_list(settings: Settings) -> None:
    """List the tokens: name, role, created, revoked."""
    from titlecert.bootstrap import transaction

    with transaction(settings) as ledger:
        rows = [(t.name, t.role, t.created_at, t.revoked_at) for t in ledger.staff.all()]
    for name, role, created, revoked in rows:
        state = f"revoked {revoked:%Y-%m-%d %H:%M}" if revoked else "active"
        click.echo(f"{name}\t{role}\tcreated {created:%Y-%m-%d %H:%M}\t{state}")


@admin.group()
def audit() -> None:
    """The append-only, hash-chained audit log."""


@audit.command("verify")
@click.pass_obj
def audit_verify(settings: Settings) -> None:
    """Check the chain; exit 1 naming the first entry that does not check out."""
    from titlecert.bootstrap import transaction

    with transaction(settings) as ledger:
        check = ledger.audit.verify()
    if check.intact:
        click.echo(f"audit log intact: {check.entries} entries, head {check.head}")
        return
    click.echo(f"audit log broken at entry {check.broken_at}: {check.problem}", err=True)
    sys.exit(1)


@audit.command("show")
@click.option("--after", default=0, type=int, help="Only entries with a higher id.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10000))
@click.pass_obj
def audit_show(settings: Settings, after: int, limit: int) -> None:
    """Print entries as JSON lines, oldest first."""
    from titlecert.admin.views import audit_entry_json
    from titlecert.bootstrap import transaction

    with transaction(settings) as ledger:
        entries = [audit_entry_json(e) for e in ledger.audit.entries(after=after, limit=limit)]
    for entry in entries:
        click.echo(json.dumps(entry, ensure_ascii=False))
