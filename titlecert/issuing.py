"""The issuing pipeline: validate a session, then render, convert, seal and register its certificates.

All or nothing: the whole session is validated first; every certificate is rendered, converted and
sealed before any is registered; the registry rows go in one transaction; the PDFs are written as
.part files before the commit and renamed after it. A failure before the commit leaves no row and
no file (certificate numbers allocated for it are skipped, never reused).
"""

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from docgen.anchors import CERTIFICATE_SEAL_CAPTIONS, seal_boxes
from docgen.convert import check_pdf, convert_to_pdf
from docgen.identifiers import certificate_number, licence_identifier, new_token
from docgen.identity import ID_TYPE_LABELS
from docgen.load import load_session, photo_path
from docgen.models import Applicant, CertificateData, LoadedSession, ReviewSession
from docgen.qr import qr_png
from docgen.render import render_certificate
from docgen.rules import mask_id, vote_passes
from docgen.workdays import WorkCalendar, load_overrides
from registry.db import Registry
from registry.models import CertificateRecord, CertificateStatus
from registry.repository import hash_token
from signing.fonts import find_seal_font
from signing.pades import seal_pdf
from signing.profiles import SealPlacement
from signing.roles import Role
from templates import CERTIFICATE_DOCX, FONTS_CONF
from titlecert.instance import load_keys
from titlecert.settings import Settings


@dataclass(frozen=True)
class IssuedDocument:
    """One document written by `issue`."""

    kind: str
    certificate_no: str
    path: str
    sha256: str
    verify_url: str


@dataclass
class IssueResult:
    """What `issue --json` prints."""

    documents: list[IssuedDocument] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Findings that did not block issuing (e.g. a make-up Sunday inside a publicity period)."""
    skipped: list[str] = field(default_factory=list)
    """Applicants not issued, with why (failed vote, already issued)."""

    def to_json(self) -> dict[str, object]:
        return {
            "documents": [asdict(d) for d in self.documents],
            "errors": self.errors,
            "skipped": self.skipped,
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class _Pending:
    applicant: Applicant
    data: CertificateData
    token: str
    issue_key: str


def issue_key(secret: bytes, session: ReviewSession, applicant: Applicant) -> str:
    """A keyed fingerprint of (holder, approval, title): the same award is never issued twice.

    Keyed with the instance secret because ID numbers are guessable and must not be recoverable.
    """
    message = "|".join(
        (applicant.id_type, applicant.id_number, session.approval.document_no, applicant.applied.title)
    )
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def issue_session(session_path: Path, out_dir: Path, settings: Settings) -> IssueResult:
    """Issue the certificates of every applicant who passed. Raises InputError (nothing issued)
    on bad input, and the packages' errors on conversion, signing or registry failure."""
    loaded = load_session(session_path, calendar_of(settings))
    keys = load_keys(settings)
    font = find_seal_font(settings.seal_font)
    secret = settings.secret_file.read_text().strip().encode()
    registry = Registry(settings.database_url)
    result = IssueResult(warnings=list(loaded.warnings))
    session = loaded.session
    try:
        pending = _allocate(loaded, settings, registry, secret, result)
        if not pending:
            return result
        docx = [
            (
                p.data.certificate_no,
                render_certificate(CERTIFICATE_DOCX, p.data, qr_png=qr_png(p.data.verify_url)),
            )
            for p in pending
        ]
        settings.soffice_profile.mkdir(parents=True, exist_ok=True)
        pdfs = convert_to_pdf(docx, profile_dir=settings.soffice_profile, fonts_conf=FONTS_CONF)
        sealed: list[tuple[_Pending, bytes]] = []
        for p in pending:
            pdf = pdfs[p.data.certificate_no]
            check_pdf(f"{p.data.certificate_no}.pdf", pdf, pages=1)
            boxes = seal_boxes(pdf, CERTIFICATE_SEAL_CAPTIONS)
            placements = [SealPlacement(Role(role), page, box) for role, (page, box) in boxes.items()]
            sealed.append((p, seal_pdf(pdf, placements=placements, keys=keys, font_path=font)))
        _register_and_write(sealed, session, out_dir, registry, result)
    finally:
        registry.dispose()
    _update_manifest(out_dir, result)
    return result


MANIFEST = "manifest.json"


def read_manifest(out_dir: Path) -> list[dict[str, str]]:
    """Every document ever issued into `out_dir`, oldest first (the folder's manifest.json)."""
    try:
        return list(json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))["documents"])
    except (FileNotFoundError, json.JSONDecodeError, KeyError, TypeError):
        return []


def _update_manifest(out_dir: Path, result: IssueResult) -> None:
    """Add this run's documents to the folder's manifest, the holder-side record of verify URLs."""
    if not result.documents:
        return
    documents = read_manifest(out_dir) + [asdict(d) for d in result.documents]
    (out_dir / MANIFEST).write_text(
        json.dumps({"documents": documents}, ensure_ascii=False, indent=2), encoding="utf-8"
    )


def calendar_of(settings: Settings) -> WorkCalendar:
    """The working-day calendar with the instance's overrides (calendar.json in the home)."""
    return WorkCalendar(load_overrides(settings.home / "calendar.json"))


def _allocate(
    loaded: LoadedSession, settings: Settings, registry: Registry, secret: bytes, result: IssueResult
) -> list[_Pending]:
    session = loaded.session
    pending = []
    year = session.approval.date.year
    present = session.sitting.present
    with registry.transaction() as repo:
        for i, a in enumerate(session.applicants):
            label = f"{loaded.source}: applicants row {i + 1} ({a.name})"
            if a.returns >= 3:
                result.skipped.append(f"{label}: application ended after a third return for correction")
                continue
            if not vote_passes(agree=a.vote.agree, present=present):
                result.skipped.append(f"{label}: not passed ({a.vote.agree} of {present} agreed, 2/3 needed)")
                continue
            key = issue_key(secret, session, a)
            existing = repo.by_issue_key(key)
            if existing is not None:
                result.skipped.append(f"{label}: already issued as {existing.certificate_no}")
                continue
            fmt = settings.certificate_no_format
            number = certificate_number(fmt, year=year, seq=repo.next_number(fmt.format(year=year, seq=0)))
            token = new_token()
            data = CertificateData(
                certificate_no=number,
                licence_id=licence_identifier(
                    type_code=settings.licence_type_code,
                    issuer_code=session.approval.authority_credit_code,
                    serial=number,
                ),
                name=a.name,
                sex=a.sex.value,
                birth=f"{a.birth_date.year}年{a.birth_date.month:02d}月",
                id_type=ID_TYPE_LABELS[a.id_type],
                id_number=a.id_number,
                employer=a.employer.name,
                series=a.applied.series,
                speciality=a.applied.speciality,
                title=a.applied.title,
                level=a.applied.level.value,
                obtained_by="评审",
                passed_on=session.sitting.end,
                committee=session.committee.name,
                approval_no=session.approval.document_no,
                issued_on=session.approval.date,
                authority=session.approval.authority,
                verify_url=settings.verify_url(token),
                verify_domain=settings.verify_domain,
                photo=photo_path(loaded.source, a.photo),
            )
            pending.append(_Pending(a, data, token, key))
    return pending


def _register_and_write(
    sealed: list[tuple[_Pending, bytes]],
    session: ReviewSession,
    out_dir: Path,
    registry: Registry,
    result: IssueResult,
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    parts: list[tuple[Path, Path]] = []
    try:
        with registry.transaction() as repo:
            for p, pdf in sealed:
                digest = hashlib.sha256(pdf).hexdigest()
                d = p.data
                repo.add(
                    CertificateRecord(
                        certificate_no=d.certificate_no,
                        licence_id=d.licence_id,
                        token_hash=hash_token(p.token),
                        issue_key=p.issue_key,
                        holder_name=d.name,
                        holder_id_masked=mask_id(d.id_number),
                        title=d.title,
                        level=d.level,
                        series=d.series,
                        speciality=d.speciality,
                        committee=d.committee,
                        authority=d.authority,
                        approval_no=d.approval_no,
                        passed_on=d.passed_on,
                        issued_on=d.issued_on,
                        sha256=digest,
                        status=CertificateStatus.VALID.value,
                        created_at=now,
                    )
                )
                final = out_dir / f"{d.certificate_no}.pdf"
                part = final.with_suffix(".pdf.part")
                part.write_bytes(pdf)
                parts.append((part, final))
                result.documents.append(
                    IssuedDocument(
                        "certificate", d.certificate_no, str(final.resolve()), digest, d.verify_url
                    )
                )
    except BaseException:
        for part, _ in parts:
            part.unlink(missing_ok=True)
        result.documents.clear()
        raise
    for part, final in parts:
        part.replace(final)
