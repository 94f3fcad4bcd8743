"""`titlecert suspend` and `titlecert reinstate`: a certificate suspended pending an investigation
(the verify site and API say 暂停使用（调查中） at once), and put back in force when it ends."""

import datetime as dt
from collections.abc import Callable

import click

from titlecert.settings import Settings


def _change(settings: Settings, certificate_no: str, reason: str, *, suspend: bool) -> str:
    from registry import lifecycle
    from registry.audit import Actor
    from titlecert.bootstrap import transaction

    act: Callable[..., object] = lifecycle.suspend if suspend else lifecycle.reinstate
    with transaction(settings) as ledger:
        act(
            ledger,
            certificate_no,
            reason=reason,
            at=dt.datetime.now(dt.UTC),
            actor=Actor(settings.actor, "cli"),
        )
    return f"{'suspended' if suspend else 'reinstated'} {certificate_no}: {reason}"


@click.command()
@click.argument("certificate_no")
@click.option("--reason", required=True, help="Why, e.g. 收到举报，正在调查申报材料.")
@click.pass_obj
def suspend(settings: Settings, certificate_no: str, reason: str) -> None:
    """Suspend a certificate in force pending an investigation; reinstate or revoke it later."""
    click.echo(_change(settings, certificate_no, reason, suspend=True))


@click.command()
@click.argument("certificate_no")
@click.option("--reason", required=True, help="Why, e.g. 调查结束，未发现问题.")
@click.pass_obj
def reinstate(settings: Settings, certificate_no: str, reason: str) -> None:
    """Put a suspended certificate back in force (the investigation found nothing against it)."""
    click.echo(_change(settings, certificate_no, reason, suspend=False))
