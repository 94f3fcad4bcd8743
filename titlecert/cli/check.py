"""`titlecert check` and `titlecert templates check`: what would be issued, checked before anything is."""

import datetime as dt
import sys
from collections import Counter
from pathlib import Path

import click

from docgen.errors import InputError
from titlecert.cli.output import SAMPLE_SESSION
from titlecert.settings import Settings


@click.command()
@click.argument("session", type=click.Path(path_type=Path))
@click.option(
    "--services",
    is_flag=True,
    help="Also load this instance's keys, check the applicants against the other sessions of the "
    "year in its registry (one application a year) and, above B-B, ask its TSA and OCSP once.",
)
@click.pass_obj
def check(settings: Settings, session: Path, services: bool) -> None:
    """Validate SESSION.json or .xlsx against the notice's rules without issuing anything: every
    photo decoded, every document's values built and each kind rendered in memory. One application
    a year across sessions needs the registry: checked with --services (and by `issue`), not offline."""
    from docgen.load import load_session
    from docgen.notices import delegated_passes
    from docgen.outcomes import OUTCOME_WORDS, Outcome, outcome, review_year
    from titlecert.bootstrap import calendar_of, running
    from titlecert.preflight import Registered, preflight, render_problems

    calendar, today = calendar_of(settings), dt.date.today()
    loaded = load_session(session, calendar)
    s = loaded.session
    if services:
        with running(settings) as components:
            across = preflight(loaded, settings, calendar, today=today, registered=Registered(components))
        assert across is not None  # noqa: S101 - asked of the registry, so answered by it
        warnings = [*loaded.warnings, *across.warnings]
        yearly = (
            f"one application a year: checked against the registry ({across.recorded} application(s) "
            f"of {across.year} recorded)"
        )
    else:
        if problems := render_problems(loaded, settings, calendar, today=today):
            raise InputError(problems, list(loaded.warnings))
        warnings = list(loaded.warnings)
        yearly = (
            f"one application a year across sessions: not checked (offline; --services checks it "
            f"against the {review_year(s)} sessions in the registry, and issue does)"
        )
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    counts = Counter(outcome(s, a) for a in s.applicants)
    said = {o: f"{counts[o]} {words}" for o, words in OUTCOME_WORDS.items()}
    # Passed, but confirmed by the entrusting unit: a result letter, no certificate.
    if delegated := delegated_passes(s):
        said[Outcome.PASSED] += f" ({delegated} of them delegated reviews: a result letter, no certificate)"
    outcomes = ", ".join(said.values())
    click.echo(f"ok: {session}: {len(s.applicants)} applicants: {outcomes}; {len(warnings)} warning(s)")
    click.echo(yearly)


@click.group()
def templates() -> None:
    """The Word templates documents are made from."""


@templates.command("check")
@click.option(
    "--session",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Session whose data the templates are checked against (default: the bundled sample).",
)
@click.option(
    "--template",
    "replacements",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An edited template to check in place of the bundled one of the same name.",
)
def templates_check(session: Path | None, replacements: tuple[Path, ...]) -> None:
    """List, for each template, fields it uses that the data lacks, and data fields it does not use."""
    from templates import TEMPLATES_DIR
    from titlecert.templatecheck import check_templates

    swap = {TEMPLATES_DIR / p.name: p for p in replacements}
    unknown_names = [p.name for p in replacements if not (TEMPLATES_DIR / p.name).exists()]
    if unknown_names:
        raise click.BadParameter(
            f"no bundled template named {', '.join(unknown_names)}", param_hint="--template"
        )
    reports = check_templates(session or SAMPLE_SESSION, swap)
    for r in reports:
        state = "ok" if r.ok else "BROKEN"
        click.echo(f"{state:6} {r.template.name}")
        for name in sorted(r.unknown):
            click.echo(
                f"       uses {{{{ {name} }}}}, which the data does not provide: it would print nothing"
            )
        for name in sorted(r.unused):
            click.echo(f"       does not use {name}, which the data provides")
    sys.exit(0 if all(r.ok for r in reports) else 1)
