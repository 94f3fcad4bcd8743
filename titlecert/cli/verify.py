"""`titlecert verify`: sealed PDFs judged as the verify site judges uploads, or offline."""

import atexit
import gc
import json
import os
import sys
from pathlib import Path

import click

from titlecert.settings import Settings


@click.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print the full reports as JSON.")
@click.option("--verbose", "-v", is_flag=True, help="Print the full report of each file, not one line.")
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="The language of --verbose (default: Chinese when LANG is zh*, else English).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Use the trust anchors alone: consult neither the registry nor an OCSP responder or CRL.",
)
@click.option(
    "--at",
    "at",
    default=None,
    metavar="DATE",
    help="Validate as of this ISO date or date-time (a date means the end of that day, UTC+8).",
)
@click.pass_obj
def verify(
    settings: Settings,
    files: tuple[Path, ...],
    as_json: bool,
    verbose: bool,
    lang: str | None,
    offline: bool,
    at: str | None,
) -> None:
    """Verify sealed PDFs; exit 0 only if every file is valid and in force. The registry is
    consulted, and the configured OCSP responders (else CRLs) asked about seals whose file carries no
    revocation data; with --offline nothing is fetched.

    One line per file, e.g. `有效 / valid — CQZC2026000001`; --verbose for the whole report."""
    from registry.chinatime import parse_when
    from titlecert.bootstrap import running
    from titlecert.cli.verify_output import full_report, short_line
    from verify.report import Verdict
    from verify.service import verify_pdf

    try:
        when = parse_when(at) if at else None
    except ValueError as e:
        raise click.BadParameter(
            f"{at!r} is not an ISO date (2030-06-30) or date-time", param_hint="--at"
        ) from e
    with running(settings) as components:
        registry = None if offline else components.registry
        reports = [
            verify_pdf(
                f.read_bytes(),
                name=str(f),
                trust=components.trust,
                registry=registry,
                at=when,
                revocation=None if offline else settings.revocation,
            )
            for f in files
        ]
    if as_json:
        click.echo(json.dumps([r.to_json() for r in reports], ensure_ascii=False, indent=2))
    else:
        language = lang or ("zh" if os.environ.get("LANG", "").startswith("zh") else "en")
        for r in reports:
            click.echo(full_report(r, language) if verbose else short_line(r))
    ok = all(r.accepted for r in reports) if not offline else all(r.verdict is Verdict.VALID for r in reports)
    # When the process exits, its last garbage collections would walk every object of the thousand
    # modules imported (0.15 s) and free nothing this command needs freed: the registry is closed.
    atexit.register(gc.freeze)
    sys.exit(0 if ok else 1)
