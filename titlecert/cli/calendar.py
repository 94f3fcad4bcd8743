"""`titlecert calendar`: which years the working-day calendar covers, and checking an override file.

The calendar is the pinned chinesecalendar plus the instance's overrides ($TITLECERT_HOME/
calendar.json, docs/calendar.md); a date in a year neither covers stops `check` and `issue`. The
same file may add the notice's timetable (item 三) of a year to the bundled ones (docgen.timetable).
"""

import json
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import click

from docgen.timetable import BUNDLED
from docgen.workdays import WorkCalendar, load_overrides, package_years, read_overrides
from titlecert.settings import Settings


def _spans(years: list[int]) -> str:
    """2004-2026, 2028 for [2004, ..., 2026, 2028]."""
    spans: list[list[int]] = []
    for year in years:
        if spans and spans[-1][1] == year - 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans) or "none"


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def calendar(ctx: click.Context, as_json: bool) -> None:
    """The years the working-day calendar covers (chinesecalendar and $TITLECERT_HOME/calendar.json)."""
    if ctx.invoked_subcommand is not None:
        return
    settings: Settings = ctx.obj
    path = settings.home / "calendar.json"
    overrides = load_overrides(path)
    official = list(package_years())
    doc: dict[str, Any] = {
        "package": {"name": "chinesecalendar", "version": version("chinesecalendar"), "years": official},
        "overrides": {"file": str(path), "exists": path.exists(), **overrides.to_json()},
        "covered": WorkCalendar(overrides).covered_years(),
        "timetables": {
            str(t.year): {**t.to_json(), "source": t.source}
            for t in sorted(
                {**BUNDLED, **{t.year: t for t in overrides.timetables}}.values(), key=lambda t: t.year
            )
        },
    }
    if as_json:
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    click.echo(f"chinesecalendar {doc['package']['version']}: {_spans(official)}")
    if path.exists():
        days = f"{len(overrides.holidays)} holiday(s), {len(overrides.workdays)} make-up workday(s)"
        click.echo(f"{path}: years {_spans(sorted(overrides.years))}; {days}")
    else:
        click.echo(f"{path}: none (no overrides)")
    click.echo(f"covered: {_spans(doc['covered'])}")
    shown = (f"{year} ({t['source']})" for year, t in doc["timetables"].items())
    click.echo(f"timetables: {', '.join(shown)}")


@calendar.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def calendar_check(file: Path, as_json: bool) -> None:
    """Validate FILE as a calendar.json: its form, its dates, whether each listed year is whole."""
    overrides, findings = read_overrides(file)
    errors = [str(f) for f in findings if f.error]
    warnings = [str(f) for f in findings if not f.error]
    if as_json:
        doc = {
            "file": str(file),
            "ok": overrides is not None,
            "errors": errors,
            "warnings": warnings,
            "overrides": overrides.to_json() if overrides is not None else None,
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        for error in errors:
            click.echo(f"error: {file}: {error}", err=True)
        for warning in warnings:
            click.echo(f"warning: {file}: {warning}", err=True)
        if overrides is not None:
            click.echo(
                f"ok: {file}: years {_spans(sorted(overrides.years))}, {len(overrides.holidays)} "
                f"holiday(s), {len(overrides.workdays)} make-up workday(s), "
                f"{len(overrides.timetables)} timetable(s), {len(warnings)} warning(s)"
            )
    if overrides is None:
        sys.exit(1)
