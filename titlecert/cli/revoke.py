"""`titlecert revoke`: a certificate revoked, at once, on every channel."""

import datetime as dt

import click

from titlecert.settings import Settings


@click.command()
@click.argument("certificate_no")
@click.option("--reason", required=True, help="Why, e.g. 评审终止：申报材料弄虚作假.")
@click.pass_obj
def revoke(settings: Settings, certificate_no: str, reason: str) -> None:
    """Revoke a certificate; the verify site and API say so at once."""
    from registry.audit import Actor
    from registry.lifecycle import revoke as revoke_certificate
    from titlecert.bootstrap import transaction

    with transaction(settings) as ledger:
        record = revoke_certificate(
            ledger,
            certificate_no,
            reason=reason,
            at=dt.datetime.now(dt.UTC),
            actor=Actor(settings.actor, "cli"),
        )
    click.echo(f"revoked {record.certificate_no}: {reason}")
