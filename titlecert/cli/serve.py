"""`titlecert serve` and `titlecert demo`: the verify site, and the whole product on the sample session."""

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import click

from signing.errors import SigningError
from titlecert.cli.output import SAMPLE_SESSION, print_issue
from titlecert.kinds import DocumentKind
from titlecert.settings import Settings, from_env

if TYPE_CHECKING:
    from signing.services import PkiServices


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.pass_obj
def serve(settings: Settings, host: str, port: int) -> None:
    """Serve the public verify site and API with gunicorn (TITLECERT_WEB_WORKERS, _THREADS, _TIMEOUT)."""
    _serve(settings, host, port)


def _serve(settings: Settings, host: str, port: int) -> None:
    from titlecert import server
    from titlecert.app import configure_logging, create_app

    app = create_app(settings)
    configure_logging()
    web = settings.web
    click.echo(
        f"serving {settings.public_url} on http://{host}:{port} with gunicorn "
        f"({web.workers} workers x {web.threads} threads; Ctrl-C stops)",
        err=True,
    )
    try:
        server.run(app, web, host=host, port=port)
    except OSError as e:
        click.echo(
            f"error: cannot listen on {host}:{port} ({e.strerror}); choose another with --port", err=True
        )
        sys.exit(1)


@click.command()
@click.option("--no-serve", is_flag=True, help="Stop after issuing and print the issue JSON.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None, help="Folder for the PDFs.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.pass_obj
def demo(settings: Settings, no_serve: bool, out_dir: Path | None, host: str, port: int) -> None:
    """Init, start the DEMO PKI services, issue the bundled sample session (at B-LTA unless
    TITLECERT_SIGNATURE_LEVEL is set) and serve the verify site."""
    from signing.services import PkiServices
    from titlecert.instance import init_instance
    from titlecert.issuing import issue_session, read_manifest

    out_dir = out_dir or settings.home / "demo-out"
    init_instance(settings)
    services = None
    if not settings.configured_keys:  # else the office's own CA and TSA answer, if any
        try:
            services = PkiServices(settings.pki_dir, services_url=settings.pki_url)
            settings = from_env(default_level="B-LTA")
        except SigningError as e:
            click.echo(f"note: no DEMO PKI services ({e}); sealing at {settings.signature_level}", err=True)
    with ExitStack() as stack:
        if services is not None:
            _start_pki(stack, services, settings)
        result = issue_session(SAMPLE_SESSION, out_dir, settings)
        if no_serve:
            print_issue(result, as_json=True)
            return
        print_issue(result, as_json=False)
        # Tokens are stored only hashed, so an earlier run's URLs come from the folder's manifest.
        certificates = [d for d in read_manifest(out_dir) if d.get("kind") == DocumentKind.CERTIFICATE]
        if certificates:
            first = certificates[0]
            click.echo(f"\nVerify page of certificate {first['certificate_no']}:\n  {first['verify_url']}\n")
        _serve(settings, host, port)


def _start_pki(stack: ExitStack, services: "PkiServices", settings: Settings) -> None:
    """Serve the DEMO PKI (TSA, OCSP, CRL) on TITLECERT_PKI_URL from a background thread until
    `stack` closes."""
    from urllib.parse import urlsplit

    where = urlsplit(settings.pki_url)
    host, port = where.hostname or "127.0.0.1", where.port or 80
    try:
        stack.enter_context(services.running(host, port))
    except OSError as e:
        click.echo(
            f"error: cannot start the DEMO PKI services on {host}:{port} ({e.strerror}); "
            "stop what listens there (a `titlecert pki serve`?)",
            err=True,
        )
        sys.exit(1)
    click.echo(
        f"DEMO PKI services (tsa, ocsp, crl) on {settings.pki_url}; sealing at {settings.signature_level}",
        err=True,
    )
