"""`titlecert issue` and `titlecert reissue`: render, convert, seal and register a session."""

import sys
from pathlib import Path

import click

from titlecert.cli.output import print_issue, progress, progress_option
from titlecert.settings import Settings


@click.command()
@click.argument("session", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Folder for the PDFs.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@progress_option
@click.pass_obj
def issue(settings: Settings, session: Path, out_dir: Path, as_json: bool, progress_mode: str) -> None:
    """Render, convert, seal and register the certificates of SESSION.json. Run again after an
    interruption or a failed document, it finishes the same job."""
    from titlecert.issuing import issue_session

    result = issue_session(session, out_dir, settings, progress=progress(progress_mode))
    print_issue(result, as_json)
    sys.exit(1 if result.errors else 0)


@click.command()
@click.argument("certificate_no")
@click.option(
    "--session",
    "session",
    type=click.Path(path_type=Path),
    required=True,
    help="The corrected session (JSON or XLSX) holding exactly the one passed award.",
)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Folder for the PDFs.")
@click.option("--reason", required=True, help="Why, e.g. 姓名有误，更正后重新颁发.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@progress_option
@click.pass_obj
def reissue(
    settings: Settings,
    certificate_no: str,
    session: Path,
    out_dir: Path,
    reason: str,
    as_json: bool,
    progress_mode: str,
) -> None:
    """Issue a corrected certificate (and review forms) in place of CERTIFICATE_NO, which becomes
    superseded by it in the same transaction."""
    from titlecert.issuing import Supersession, issue_session

    result = issue_session(
        session,
        out_dir,
        settings,
        supersede=Supersession(certificate_no, reason),
        progress=progress(progress_mode),
    )
    print_issue(result, as_json)
    sys.exit(1 if result.errors else 0)
