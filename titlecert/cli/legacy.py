"""`titlecert legacy`: titles awarded on paper before this system (据纸质档案登记)."""

import datetime as dt
from pathlib import Path

import click

from titlecert.settings import Settings


@click.group()
def legacy() -> None:
    """Titles awarded on paper before this system: imported, then verifiable by number + name or ID."""


@legacy.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def import_file(settings: Settings, file: Path) -> None:
    """Import FILE (.csv in UTF-8 or .xlsx): every row checked first, all or nothing; rows imported
    before are skipped."""
    from registry.audit import Actor
    from titlecert.bootstrap import running
    from titlecert.legacy import import_legacy

    with running(settings) as components, components.registry.transaction() as ledger:
        done = import_legacy(
            ledger,
            file,
            secret=components.secret,
            actor=Actor(settings.actor, "cli"),
            at=dt.datetime.now(dt.UTC),
        )
    click.echo(
        f"imported {done.added} paper title(s), {done.already} already registered (sha256 {done.sha256})"
    )
