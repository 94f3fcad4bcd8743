"""`titlecert archive`: the document store's archive copies renewed and imported."""

import sys
from pathlib import Path

import click

from titlecert.settings import Settings


@click.group()
def archive() -> None:
    """The document store's archive copies of sealed PDFs."""


@archive.command("retimestamp")
@click.option(
    "--before",
    default=None,
    metavar="DATE",
    help="Renew documents whose newest time stamp's certificate expires before DATE (default: in a year).",
)
@click.pass_obj
def archive_retimestamp(settings: Settings, before: str | None) -> None:
    """Add a fresh document time stamp (and the validation data of the last one) to stored documents."""
    from registry.chinatime import parse_when
    from titlecert.archive import retimestamp_archive

    try:
        cutoff = parse_when(before) if before else None
    except ValueError as e:
        raise click.BadParameter(f"{before!r} is not an ISO date or date-time", param_hint="--before") from e
    result = retimestamp_archive(settings, before=cutoff)
    for key in result.renewed:
        click.echo(f"re-time-stamped {key}")
    click.echo(f"{len(result.renewed)} renewed, {result.current} still current, {len(result.failed)} failed")
    for failure in result.failed:
        click.echo(f"error: {failure}", err=True)
    sys.exit(1 if result.failed else 0)


@archive.command("import")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), required=False)
@click.pass_obj
def archive_import(settings: Settings, folder: Path | None) -> None:
    """Copy the folder store's archive copies (default: the home's archive/) into the configured
    bucket; run again to finish an interrupted copy. Exits 1 on a conflict or a missing copy."""
    from titlecert.store_import import import_folder

    result = import_folder(settings, folder or settings.archive_dir)
    click.echo(f"{result.copied} copied, {result.already} already there, {len(result.conflicts)} conflicts")
    for conflict in result.conflicts:
        click.echo(f"error: {conflict}", err=True)
    for key in result.missing:
        click.echo(f"error: {key}: the registry names this copy but the store does not hold it", err=True)
    sys.exit(1 if result.conflicts or result.missing else 0)
