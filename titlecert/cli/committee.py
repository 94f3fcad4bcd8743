"""`titlecert committee`: review committees' mandates and seal certificates (docs/committees.md)."""

from pathlib import Path

import click

from titlecert.settings import Settings


@click.group()
def committee() -> None:
    """Register review committees' mandates (评委会备案) and seal certificates."""


@committee.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.pass_obj
def import_(settings: Settings, path: Path) -> None:
    """Register the committees of a JSON file (what the registry holds already is kept)."""
    from titlecert.bootstrap import transaction
    from titlecert.committees import load_committees, register

    mandates, seals = load_committees(path)
    with transaction(settings) as ledger:
        added_m, added_s = register(ledger, mandates, seals)
    click.echo(f"{path}: {added_m} mandate(s) and {added_s} seal certificate(s) registered")


@committee.command("list")
@click.pass_obj
def list_(settings: Settings) -> None:
    """Every committee's mandates and seal certificates, with their periods."""
    from titlecert.bootstrap import transaction

    with transaction(settings) as ledger:
        mandates, seals = ledger.mandates.all_mandates(), ledger.mandates.seals()
    for m in mandates:
        click.echo(
            f"{m.committee}\t{m.document_no}\t{m.series} {m.speciality} ≤{m.highest_level}\t"
            f"{m.valid_from}..{m.valid_to}"
        )
    for s in seals:
        click.echo(f"{s.committee}\tseal {s.sha256}\t{s.valid_from.isoformat()}..{s.valid_to.isoformat()}")
