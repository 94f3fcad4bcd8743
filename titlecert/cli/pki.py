"""`titlecert pki`: the DEMO PKI's online services, key rotation and revocation."""

import datetime as dt
import sys

import click

from titlecert.settings import Settings


@click.group()
def pki() -> None:
    """The DEMO PKI's online services (time stamps, OCSP, CRL)."""


@pki.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=None, type=int, help="Default: the port of TITLECERT_PKI_URL.")
@click.pass_obj
def pki_serve(settings: Settings, host: str, port: int | None) -> None:
    """Serve POST /tsa (RFC 3161), POST /ocsp, GET /crl for the instance's DEMO PKI."""
    from urllib.parse import urlsplit

    from aiohttp import web

    from signing.services import PkiServices

    services = PkiServices(settings.pki_dir, services_url=settings.pki_url)
    port = port or urlsplit(settings.pki_url).port or 8081
    click.echo(f"DEMO PKI services on http://{host}:{port} (tsa, ocsp, crl; Ctrl-C stops)", err=True)
    try:
        web.run_app(services.app(), host=host, port=port, print=None)
    except OSError as e:
        click.echo(
            f"error: cannot listen on {host}:{port} ({e.strerror}); choose another with --port", err=True
        )
        sys.exit(1)


@pki.command("rotate")
@click.argument("holder", type=click.Choice(["committee", "authority", "tsa", "ocsp"]))
@click.pass_obj
def pki_rotate(settings: Settings, holder: str) -> None:
    """Give a DEMO PKI holder a new key and certificate; documents sealed before keep verifying."""
    from signing.devpki import rotate

    try:
        path = rotate(settings.pki_dir, holder, services_url=settings.pki_url)
    except (OSError, ValueError) as e:
        raise click.ClickException(f"{settings.pki_dir}: cannot rotate {holder} ({e})") from e
    click.echo(
        f"new {holder} key and certificate in {path}; the old ones are kept in {path.parent / 'retired'}"
    )


@pki.command("revoke")
@click.argument("holder", type=click.Choice(["committee", "authority", "tsa"]))
@click.option(
    "--reason",
    default="key_compromise",
    show_default=True,
    type=click.Choice(["key_compromise", "affiliation_changed", "superseded", "cessation_of_operation"]),
)
@click.option("--at", "at", default=None, help="ISO date-time the revocation takes effect (default: now).")
@click.pass_obj
def pki_revoke(settings: Settings, holder: str, reason: str, at: str | None) -> None:
    """Revoke a DEMO PKI certificate; OCSP and the CRL say so from then on."""
    from cryptography import x509

    from signing.services import PkiServices

    services = PkiServices(settings.pki_dir)
    when = dt.datetime.fromisoformat(at) if at else dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    serial = services.certificate_of(holder).serial_number
    services.revoke(serial, at=when, reason=x509.ReasonFlags[reason])
    click.echo(f"revoked the {holder} certificate from {when.isoformat()} ({reason})")
