"""What the issuing commands share: the progress option and how an issue's result is printed."""

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from titlecert.issuing import IssueResult
    from titlecert.jobs.progress import Progress


SAMPLE_SESSION = Path(__file__).resolve().parents[2] / "examples" / "session.json"
"""The bundled sample session `demo` issues and `templates check` checks against."""


progress_option = click.option(
    "--progress",
    "progress_mode",
    type=click.Choice(["auto", "bar", "json", "none"]),
    default="auto",
    show_default=True,
    help="On stderr: a progress bar (auto: when stderr is a terminal), one JSON object per line, or nothing.",
)


def progress(mode: str) -> "Progress":
    from titlecert.jobs.progress import progress_for

    return progress_for(mode, sys.stderr)


def print_issue(result: "IssueResult", as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        for error in result.errors:
            click.echo(f"error: {error}", err=True)
        return
    for doc in result.documents:
        label = doc.form_no or doc.certificate_no or ""  # a form's own number, else its award's
        click.echo(f"{doc.kind} {label} {doc.path}".replace("  ", " "))
        if doc.verify_url:
            click.echo(f"  verify: {doc.verify_url}")
        if doc.holder_url:
            click.echo(f"  holder: {doc.holder_url}")
        if doc.supersedes:
            click.echo(f"  supersedes: {doc.supersedes}")
    for note in result.skipped:
        click.echo(f"skipped: {note}")
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
