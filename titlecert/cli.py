"""The `titlecert` command line. Thin: parses arguments, calls services, prints results."""

import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from docgen.errors import DocgenError, InputError
from registry.errors import RegistryError
from signing.errors import SigningError
from titlecert.admin.cli import admin
from titlecert.calendars import calendar
from titlecert.clerks.cli import clerk
from titlecert.errors import ApplicationError
from titlecert.jobs.cli import jobs, worker
from titlecert.settings import Settings, from_env, with_token_options
from verify.errors import VerifyError

if TYPE_CHECKING:
    from signing.services import PkiServices
    from titlecert.issuing import IssueResult
    from titlecert.jobs.progress import Progress

# Commands import the heavy packages (pyHanko, SQLAlchemy, LibreOffice glue) only when they run,
# so `titlecert --help` and `revoke` start fast.

SAMPLE_SESSION = Path(__file__).resolve().parent.parent / "examples" / "session.json"


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn the packages' errors into a message and exit status; no traceback for known errors."""
    try:
        yield
    except InputError as e:
        click.echo(
            f"error: the session input has {len(e.problems)} problem(s); nothing was issued:", err=True
        )
        for problem in e.problems:
            click.echo(f"  {problem}", err=True)
        for warning in e.warnings:
            click.echo(f"  warning: {warning}", err=True)
        sys.exit(2)
    except (DocgenError, SigningError, RegistryError, VerifyError, ApplicationError) as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(1)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """titlecert: issue, seal and verify Chongqing professional-title documents."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    if not verbose:  # pyHanko logs every failed path with a traceback; the report says it plainly
        logging.getLogger("pyhanko").setLevel(logging.ERROR)
        logging.getLogger("pyhanko_certvalidator").setLevel(logging.ERROR)
    try:
        ctx.obj = from_env()
    except ValueError as e:
        raise click.UsageError(str(e)) from e


def _role_labels(_ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    labels = dict(v.partition("=")[::2] for v in values)
    if any(not role or not label for role, label in labels.items()) or len(labels) != len(values):
        raise click.BadParameter("give ROLE=LABEL once per role, e.g. committee=committee", param=param)
    return labels


@main.command()
@click.option(
    "--pkcs11-module",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="PKCS#11 module of the token holding the keys (default: TITLECERT_PKCS11_MODULE).",
)
@click.option(
    "--pkcs11-token",
    default=None,
    metavar="LABEL",
    help="Label of that token (default: TITLECERT_PKCS11_TOKEN). Its user PIN comes from "
    "TITLECERT_PKCS11_PIN. Without --key-label, DEMO keys are generated on it.",
)
@click.option(
    "--key-label",
    multiple=True,
    metavar="ROLE=LABEL",
    callback=_role_labels,
    help="An operator's key already on the token, for each role (e.g. committee=seal-1).",
)
@click.option(
    "--cert-label",
    multiple=True,
    metavar="ROLE=LABEL",
    callback=_role_labels,
    help="Its certificate's label, where it differs from the key's.",
)
@click.pass_obj
def init(
    settings: Settings,
    pkcs11_module: Path | None,
    pkcs11_token: str | None,
    key_label: dict[str, str],
    cert_label: dict[str, str],
) -> None:
    """Create the instance: folder, registry schema, keys (a DEMO PKI if none are configured); check
    the document store (TITLECERT_STORE_URL)."""
    from titlecert.instance import init_instance

    try:
        settings = with_token_options(
            settings,
            module=pkcs11_module,
            token_label=pkcs11_token,
            key_labels=key_label,
            cert_labels=cert_label,
        )
    except ValueError as e:
        raise click.UsageError(str(e)) from e
    with _user_errors():
        report = init_instance(settings)
    click.echo(f"instance {report.home}\nregistry {report.database}\nkeys     {report.keys}")
    click.echo(f"store    {report.store}")


@main.command()
@click.option("--pem", is_flag=True, required=True, help="Print the anchors as PEM.")
@click.pass_obj
def trust(settings: Settings, pem: bool) -> None:
    """Print the trust anchors verification uses."""
    from titlecert.instance import load_trust

    with _user_errors():
        click.echo(load_trust(settings).anchors_pem(), nl=False)


def _print_issue(result: "IssueResult", as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        for error in result.errors:
            click.echo(f"error: {error}", err=True)
        return
    for doc in result.documents:
        label = doc.certificate_no if doc.kind == "certificate" else (doc.form_no or "")
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


@main.command()
@click.argument("session", type=click.Path(path_type=Path))
@click.option(
    "--services",
    is_flag=True,
    help="Also load this instance's keys and, above B-B, ask its TSA and OCSP once.",
)
@click.pass_obj
def check(settings: Settings, session: Path, services: bool) -> None:
    """Validate SESSION.json or .xlsx against the notice's rules without issuing anything: every
    photo decoded, every document's values built and each kind rendered in memory."""
    from docgen.load import load_session
    from docgen.rules import vote_passes
    from titlecert.issuing import calendar_of
    from titlecert.preflight import preflight, render_problems

    calendar, today = calendar_of(settings), dt.date.today()
    with _user_errors():
        loaded = load_session(session, calendar)
        if services:
            preflight(loaded, settings, calendar, today=today)
        elif problems := render_problems(loaded, settings, calendar, today=today):
            raise InputError(problems, list(loaded.warnings))
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    s = loaded.session
    passed = sum(vote_passes(agree=a.vote.agree, present=s.sitting.present) for a in s.applicants)
    click.echo(
        f"ok: {session}: {len(s.applicants)} applicants, {passed} passed the vote, "
        f"{len(loaded.warnings)} warning(s)"
    )


@main.group()
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
    with _user_errors():
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


@main.group()
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

    with _user_errors():
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

    with _user_errors():
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

    with _user_errors():
        services = PkiServices(settings.pki_dir)
        when = dt.datetime.fromisoformat(at) if at else dt.datetime.now(dt.UTC)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        serial = services.certificate_of(holder).serial_number
        services.revoke(serial, at=when, reason=x509.ReasonFlags[reason])
    click.echo(f"revoked the {holder} certificate from {when.isoformat()} ({reason})")


@main.command("template-xlsx")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def template_xlsx(out: Path) -> None:
    """Write a blank session workbook: headers, drop-down lists and a notes sheet."""
    from docgen.xlsx import write_workbook

    write_workbook(out)
    click.echo(f"wrote {out}")


@main.command()
@click.option("--applicants", type=click.IntRange(1, 100000), default=20, show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="FILE.json or FILE.xlsx; photos go to photos/ beside it.",
)
@click.option("--seed", type=int, default=2025, show_default=True)
def sample(applicants: int, out: Path, seed: int) -> None:
    """Write a realistic synthetic session for demos and benchmarks."""
    from docgen.sample import write_sample

    if out.suffix.lower() not in (".json", ".xlsx"):
        raise click.BadParameter("the file must end in .json or .xlsx", param_hint="--out")
    out.parent.mkdir(parents=True, exist_ok=True)
    write_sample(out, applicants, seed=seed)
    click.echo(f"wrote {out} ({applicants} applicants)")


_progress_option = click.option(
    "--progress",
    "progress_mode",
    type=click.Choice(["auto", "bar", "json", "none"]),
    default="auto",
    show_default=True,
    help="On stderr: a progress bar (auto: when stderr is a terminal), one JSON object per line, or nothing.",
)


def _progress(mode: str) -> "Progress":
    from titlecert.jobs.progress import progress_for

    return progress_for(mode, sys.stderr)


@main.command()
@click.argument("session", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Folder for the PDFs.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@_progress_option
@click.pass_obj
def issue(settings: Settings, session: Path, out_dir: Path, as_json: bool, progress_mode: str) -> None:
    """Render, convert, seal and register the certificates of SESSION.json. Run again after an
    interruption or a failed document, it finishes the same job."""
    from titlecert.issuing import issue_session

    with _user_errors():
        result = issue_session(session, out_dir, settings, progress=_progress(progress_mode))
    _print_issue(result, as_json)
    sys.exit(1 if result.errors else 0)


@jobs.command("resume")
@click.argument("job_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@_progress_option
@click.pass_obj
def jobs_resume(settings: Settings, job_id: int, as_json: bool, progress_mode: str) -> None:
    """Finish an unfinished job from the registry alone (the session file is not needed)."""
    from titlecert.issuing import resume_job

    with _user_errors():
        result = resume_job(settings, job_id, progress=_progress(progress_mode))
    _print_issue(result, as_json)
    sys.exit(1 if result.errors else 0)


@main.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@click.option("--offline", is_flag=True, help="Use the trust anchors alone; do not consult the registry.")
@click.option(
    "--at",
    "at",
    default=None,
    metavar="DATE",
    help="Validate as of this ISO date or date-time (a date means the end of that day, UTC+8).",
)
@click.pass_obj
def verify(settings: Settings, files: tuple[Path, ...], as_json: bool, offline: bool, at: str | None) -> None:
    """Verify sealed PDFs offline (nothing is fetched); exit 0 only if every file is valid and in force."""
    from registry.db import Registry
    from titlecert.archive import parse_when
    from titlecert.instance import load_trust
    from verify.service import verify_pdf

    try:
        when = parse_when(at) if at else None
    except ValueError as e:
        raise click.BadParameter(
            f"{at!r} is not an ISO date (2030-06-30) or date-time", param_hint="--at"
        ) from e
    with _user_errors():
        trust_settings = load_trust(settings)
        registry = None if offline else Registry(settings.database_url)
        reports = [
            verify_pdf(f.read_bytes(), name=str(f), trust=trust_settings, registry=registry, at=when)
            for f in files
        ]
    if as_json:
        click.echo(json.dumps([r.to_json() for r in reports], ensure_ascii=False, indent=2))
    else:
        for r in reports:
            click.echo(f"{r.summary()} (as of {r.validation_time})")
            for s in r.signatures:
                click.echo(
                    f"  seal {s.role or '?'}: {s.signer} intact={s.intact} trusted={s.trusted} "
                    f"coverage={s.coverage} modification={s.modification_level} "
                    f"time={s.timestamp or 'unproven'} "
                    f"revocation={'checked' if s.revocation_checked else 'not checked'}"
                )
            for reason in r.reasons:
                click.echo(f"  - {reason}")
    ok = all(r.accepted for r in reports) if not offline else all(r.verdict.value == "valid" for r in reports)
    sys.exit(0 if ok else 1)


@main.group()
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
    from titlecert.archive import parse_when, retimestamp_archive

    try:
        cutoff = parse_when(before) if before else None
    except ValueError as e:
        raise click.BadParameter(f"{before!r} is not an ISO date or date-time", param_hint="--before") from e
    with _user_errors():
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

    with _user_errors():
        result = import_folder(settings, folder or settings.archive_dir)
    click.echo(f"{result.copied} copied, {result.already} already there, {len(result.conflicts)} conflicts")
    for conflict in result.conflicts:
        click.echo(f"error: {conflict}", err=True)
    for key in result.missing:
        click.echo(f"error: {key}: the registry names this copy but the store does not hold it", err=True)
    sys.exit(1 if result.conflicts or result.missing else 0)


@main.command()
@click.argument("certificate_no")
@click.option("--reason", required=True, help="Why, e.g. 评审终止：申报材料弄虚作假.")
@click.pass_obj
def revoke(settings: Settings, certificate_no: str, reason: str) -> None:
    """Revoke a certificate; the verify site and API say so at once."""
    from registry.audit import Actor
    from registry.db import Registry
    from registry.lifecycle import revoke as revoke_certificate

    with _user_errors():
        registry = Registry(settings.database_url)
        with registry.transaction() as repo:
            record = revoke_certificate(
                repo,
                certificate_no,
                reason=reason,
                at=dt.datetime.now(dt.UTC),
                actor=Actor(settings.actor, "cli"),
            )
    click.echo(f"revoked {record.certificate_no}: {reason}")


@main.command()
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
@_progress_option
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

    with _user_errors():
        result = issue_session(
            session,
            out_dir,
            settings,
            supersede=Supersession(certificate_no, reason),
            progress=_progress(progress_mode),
        )
    _print_issue(result, as_json)
    sys.exit(1 if result.errors else 0)


main.add_command(admin)
main.add_command(calendar)
main.add_command(jobs)
main.add_command(clerk)
main.add_command(worker)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.pass_obj
def serve(settings: Settings, host: str, port: int) -> None:
    """Serve the public verify site and API with gunicorn (TITLECERT_WEB_WORKERS, _THREADS, _TIMEOUT)."""
    _serve(settings, host, port)


def _serve(settings: Settings, host: str, port: int) -> None:
    from titlecert import server
    from titlecert.app import configure_logging, create_app

    with _user_errors():
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


@main.command()
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
    with _user_errors():
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
        with _user_errors():
            result = issue_session(SAMPLE_SESSION, out_dir, settings)
        if no_serve:
            _print_issue(result, as_json=True)
            return
        _print_issue(result, as_json=False)
        # Tokens are stored only hashed, so an earlier run's URLs come from the folder's manifest.
        certificates = [d for d in read_manifest(out_dir) if d.get("kind") == "certificate"]
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
