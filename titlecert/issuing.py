"""The issuing pipeline: validate a session, then render, convert, seal and register its documents.

All or nothing: the whole session is validated first (including that every character can be
printed); every document is rendered, converted, checked and sealed before anything is registered;
the registry rows go in one transaction; the PDFs are written as .part files before the commit and
renamed after it. A failure before the commit leaves no row and no file (numbers allocated for it
are skipped, never reused).
"""

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from pyhanko.sign.timestamps import TimeStamper

from docgen.anchors import seal_boxes
from docgen.context import COPY_LETTERS, passes
from docgen.convert import check_pdf, convert_to_pdf
from docgen.identifiers import certificate_number, licence_identifier, new_token
from docgen.identity import ID_TYPE_LABELS
from docgen.load import load_session, photo_path
from docgen.models import Applicant, CertificateData, LoadedSession, ReviewSession
from docgen.pagecodes import page_code, stamp_page_codes
from docgen.render import render_docx
from docgen.rules import mask_id
from docgen.workdays import WorkCalendar, load_overrides
from registry import lifecycle
from registry.audit import Actor, AuditLog
from registry.db import Registry
from registry.errors import NotFound
from registry.holders import holder_id_hmac
from registry.models import CertificateRecord, CertificateStatus, DocumentRecord
from registry.repository import CertificateRepository, hash_token
from signing.batch import BatchTimeStamper, BatchValidation, tls_context
from signing.fonts import find_seal_font
from signing.keys import SealKey
from signing.ltv import last_seal_sha256
from signing.pades import LongTerm, seal_pdf
from signing.profiles import SealPlacement
from signing.roles import Role
from templates import FONTS_CONF
from titlecert.clerks.register import register_paper_copy
from titlecert.documents import Award, Job, plan_jobs
from titlecert.errors import ReissueError
from titlecert.holder import holder_secret_hash, new_holder_secret
from titlecert.instance import instance_secret, load_keys, load_trust
from titlecert.settings import Settings
from titlecert.store import DocumentStore, open_store


@dataclass(frozen=True)
class IssuedDocument:
    """One document written by `issue`."""

    kind: str
    path: str
    sha256: str
    certificate_no: str | None = None
    verify_url: str | None = None
    form_no: str | None = None
    copy: str | None = None
    pages: int = 1
    storage_key: str | None = None
    """Where the sealed document's archive copy is kept in the instance's document store."""
    holder_url: str | None = None
    """A certificate's holder page (its secret is stored only hashed): hand it to the holder."""
    supersedes: str | None = None
    """A re-issued certificate: the number of the one it replaces."""


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
        docs = [{k: v for k, v in asdict(d).items() if v is not None} for d in self.documents]
        return {"documents": docs, "errors": self.errors, "skipped": self.skipped, "warnings": self.warnings}

    @property
    def certificates(self) -> list[IssuedDocument]:
        return [d for d in self.documents if d.kind == "certificate"]


def issue_key(secret: bytes, session: ReviewSession, applicant: Applicant) -> str:
    """A keyed fingerprint of (holder, approval, title): the same award is never issued twice.

    Keyed with the instance secret because ID numbers are guessable and must not be recoverable.
    """
    message = "|".join(
        (applicant.id_type, applicant.id_number, session.approval.document_no, applicant.applied.title)
    )
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Supersession:
    """A re-issue: the session's one passed award replaces a certificate in force, which becomes
    superseded in the transaction that registers the new one."""

    certificate_no: str
    """The certificate replaced."""
    reason: str
    """Why, e.g. 姓名有误，更正后重新颁发."""


def calendar_of(settings: Settings) -> WorkCalendar:
    """The working-day calendar with the instance's overrides (calendar.json in the home)."""
    return WorkCalendar(load_overrides(settings.home / "calendar.json"))


def issue_session(session_path: Path, out_dir: Path, settings: Settings, *,
                  supersede: Supersession | None = None) -> IssueResult:  # fmt: skip
    """Issue every document of a session. Raises InputError (nothing issued) on bad input, and the
    packages' errors on conversion, signing or registry failure (nothing registered).

    With `supersede` (a re-issue), the session must hold exactly one passed award, which may be
    the replaced certificate's own; only its certificate and review forms are issued. Raises
    ReissueError, or the registry's NotFound/Conflict when that certificate is not in force.
    """
    calendar = calendar_of(settings)
    loaded = load_session(session_path, calendar, fonts_conf=FONTS_CONF)
    sealing = batch_sealing(settings)
    secret = instance_secret(settings)
    registry = Registry(settings.database_url)
    result = IssueResult(warnings=list(loaded.warnings))
    try:
        awards = _allocate(loaded, settings, registry, secret, result, supersede)
        if supersede is not None and len(awards) != 1:
            raise ReissueError(
                f"{session_path}: a re-issue needs exactly one passed applicant to issue, found {len(awards)}"
                + "".join(f"; skipped {s}" for s in result.skipped)
            )
        if not awards:
            return result
        jobs = plan_jobs(loaded, awards, calendar, session_documents=supersede is None, today=dt.date.today())
        docx = [(j.stem, render_docx(j.template, j.context, images=j.images, must_contain=j.must_contain))
                for j in jobs]  # fmt: skip
        settings.soffice_profile.mkdir(parents=True, exist_ok=True)
        pdfs = convert_to_pdf(docx, profile_dir=settings.soffice_profile, fonts_conf=FONTS_CONF)
        finished = [(job, *_finish(job, pdfs[job.stem], settings, sealing)) for job in jobs]
        _register_and_write(finished, out_dir, registry, result, open_store(settings), secret,
                            Actor(settings.actor, "cli"), supersede)  # fmt: skip
    finally:
        registry.dispose()
    _update_manifest(out_dir, result)
    return result


@dataclass(frozen=True)
class Sealing:
    """Everything sealing needs, built once per batch."""

    keys: dict[Role, SealKey]
    font: Path
    timestamper: TimeStamper | None
    long_term: LongTerm | None


def batch_sealing(settings: Settings) -> Sealing:
    """What sealing needs for one batch at the configured PAdES level.

    The batch shares one timestamper (pyHanko caches its size-estimation token per instance), one
    TLS context and, for B-LT and B-LTA, the validation contexts' fetchers, so each certificate's
    OCSP answer is fetched once per batch rather than for every seal (docs/performance.md).
    """
    level = settings.signature_level
    timestamper, long_term = None, None
    if level != "B-B":
        tls = tls_context()
        timestamper = BatchTimeStamper(settings.tsa_url, tls)
        if level in ("B-LT", "B-LTA"):
            anchors = load_trust(settings).anchors
            long_term = LongTerm(anchors, archive=level == "B-LTA",
                                 validation_contexts=BatchValidation(anchors, tls))  # fmt: skip
    return Sealing(load_keys(settings), find_seal_font(settings.seal_font), timestamper, long_term)


def _finish(job: Job, pdf: bytes, settings: Settings, sealing: Sealing) -> tuple[bytes, int]:
    """Check the converted PDF, stamp page codes on review forms, seal what is sealed."""
    pages = check_pdf(f"{job.out_name}", pdf, pages=job.pages)
    if job.kind == "review-form" and job.award is not None and job.copy is not None:
        letter = COPY_LETTERS[job.copy]
        form_no = job.award.form_no
        pdf, _ = stamp_page_codes(
            pdf,
            code_for_page=lambda page: page_code(form_no, letter, page),
            url_for=lambda code: f"{settings.public_url}/p/{code}",
        )
    if job.seal_captions:
        boxes = seal_boxes(pdf, dict(job.seal_captions))
        placements = [SealPlacement(Role(role), page, box) for role, (page, box) in boxes.items()]
        pdf = seal_pdf(pdf, placements=placements, keys=sealing.keys, font_path=sealing.font,
                       timestamper=sealing.timestamper, long_term=sealing.long_term)  # fmt: skip
    return pdf, pages


def _allocate(loaded: LoadedSession, settings: Settings, registry: Registry, secret: bytes,
              result: IssueResult, supersede: Supersession | None) -> list[Award]:  # fmt: skip
    session = loaded.session
    awards = []
    year = session.approval.date.year
    present = session.sitting.present
    with registry.transaction() as repo:
        if supersede is not None:
            replaced = repo.by_number(supersede.certificate_no)
            if replaced is None:
                raise NotFound(f"no certificate numbered {supersede.certificate_no}")
            lifecycle.require_in_force(replaced)
        for i, a in enumerate(session.applicants):
            label = f"{loaded.source}: applicants row {i + 1} ({a.name})"
            if a.returns >= 3:
                result.skipped.append(f"{label}: application ended after a third return for correction")
                continue
            if not passes(session, a):
                result.skipped.append(f"{label}: not passed ({a.vote.agree} of {present} agreed, 2/3 needed)")
                continue
            key = issue_key(secret, session, a)
            existing = repo.by_issue_key(key)
            if existing is not None and existing.certificate_no != (supersede and supersede.certificate_no):
                later = f" (superseded by {existing.superseded_by})" if existing.superseded_by else ""
                result.skipped.append(f"{label}: already issued as {existing.certificate_no}{later}")
                continue
            token = new_token()
            holder = new_holder_secret()
            number = _next(repo, settings.certificate_no_format, year)
            form_no = _next(repo, "PS{year}{seq:06d}", year)
            data = _certificate_data(loaded, a, number, token, settings)
            awards.append(Award(i, a, data, token, key, form_no, holder, settings.holder_url(holder)))
    return awards


def _next(repo: CertificateRepository, fmt: str, year: int) -> str:
    return certificate_number(fmt, year=year, seq=repo.next_number(fmt.format(year=year, seq=0)))


def _certificate_data(loaded: LoadedSession, a: Applicant, number: str, token: str,
                      settings: Settings) -> CertificateData:  # fmt: skip
    session = loaded.session
    return CertificateData(
        certificate_no=number,
        licence_id=licence_identifier(type_code=settings.licence_type_code,
                                      issuer_code=session.approval.authority_credit_code, serial=number),
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
    )  # fmt: skip


def _register_and_write(finished: list[tuple[Job, bytes, int]], out_dir: Path, registry: Registry,
                        result: IssueResult, store: DocumentStore, secret: bytes, actor: Actor,
                        supersession: Supersession | None) -> None:  # fmt: skip
    """Register every document and write it, all or nothing; sealed ones also go to the store
    (before the registry commits, so nothing is registered without its archive copy). A replaced
    certificate is marked superseded, and every issue recorded in the audit log, in the same
    transaction."""
    now = dt.datetime.now(dt.UTC)
    parts: list[tuple[Path, Path]] = []
    try:
        with registry.transaction() as repo:
            audit = AuditLog(repo.session)
            replaced = supersession.certificate_no if supersession else None
            if supersession is not None:
                award = next(j.award for j, _, _ in finished if j.kind == "certificate" and j.award)
                lifecycle.supersede(repo, supersession.certificate_no, by=award.certificate.certificate_no,
                                    reason=supersession.reason, at=now, actor=actor, audit=audit,
                                    issue_key=award.issue_key)  # fmt: skip
            for job, pdf, pages in finished:
                final = out_dir / job.out_name
                doc = _record(repo, job, pdf, pages, now, final, secret)
                if job.kind == "review-form":
                    register_paper_copy(repo.session, job, pdf, pages, now)
                if doc.storage_key:
                    store.put(doc.storage_key, pdf)
                final.parent.mkdir(parents=True, exist_ok=True)
                part = final.with_name(final.name + ".part")
                part.write_bytes(pdf)
                parts.append((part, final))
                if doc.kind == "certificate" and (number := doc.certificate_no):
                    doc = replace(doc, supersedes=replaced)
                    lifecycle.record_issue(audit, number, sha256=doc.sha256, actor=actor, at=now,
                                           supersedes=replaced)  # fmt: skip
                result.documents.append(doc)
    except BaseException:
        for part, _ in parts:
            part.unlink(missing_ok=True)
        result.documents.clear()
        raise
    for part, final in parts:
        part.replace(final)


def _record(repo: CertificateRepository, job: Job, pdf: bytes, pages: int, now: dt.datetime,
            final: Path, secret: bytes) -> IssuedDocument:  # fmt: skip
    award = job.award
    digest = hashlib.sha256(pdf).hexdigest()
    if job.kind == "certificate" and award is not None:
        d = award.certificate
        key = f"certificates/{d.certificate_no}.pdf"
        repo.add(CertificateRecord(
            certificate_no=d.certificate_no, licence_id=d.licence_id, token_hash=hash_token(award.token),
            issue_key=award.issue_key, holder_name=d.name, holder_id_masked=mask_id(d.id_number),
            holder_id_hmac=holder_id_hmac(secret, d.id_number),
            title=d.title, level=d.level, series=d.series, speciality=d.speciality, committee=d.committee,
            authority=d.authority, approval_no=d.approval_no, passed_on=d.passed_on, issued_on=d.issued_on,
            sha256=digest, signed_sha256=last_seal_sha256(pdf), storage_key=key,
            status=CertificateStatus.VALID.value, created_at=now,
            holder_secret_hash=holder_secret_hash(award.holder_secret),
        ))  # fmt: skip
        return IssuedDocument("certificate", str(final.resolve()), digest, certificate_no=d.certificate_no,
                              verify_url=d.verify_url, storage_key=key,
                              holder_url=award.holder_url)  # fmt: skip
    if job.kind == "review-form" and award is not None and job.copy is not None:
        key = f"review-forms/{award.form_no}-{job.copy.value}.pdf"
        repo.add_document(DocumentRecord(
            kind="review-form", number=award.form_no, copy=job.copy.value,
            certificate_no=award.certificate.certificate_no, sha256=digest,
            signed_sha256=last_seal_sha256(pdf), storage_key=key, pages=pages, created_at=now,
        ))  # fmt: skip
        return IssuedDocument("review-form", str(final.resolve()), digest,
                              certificate_no=award.certificate.certificate_no, form_no=award.form_no,
                              copy=job.copy.value, pages=pages, storage_key=key)  # fmt: skip
    return IssuedDocument(job.kind, str(final.resolve()), digest, pages=pages)


MANIFEST = "manifest.json"


def read_manifest(out_dir: Path) -> list[dict[str, str]]:
    """Every document ever issued into `out_dir`, oldest first (the folder's manifest.json)."""
    try:
        return list(json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))["documents"])
    except (FileNotFoundError, json.JSONDecodeError, KeyError, TypeError):
        return []


def _update_manifest(out_dir: Path, result: IssueResult) -> None:
    """Add this run's documents to the folder's manifest, the issuer's record of verify URLs."""
    if not result.documents:
        return
    documents = read_manifest(out_dir) + [
        {k: v for k, v in asdict(d).items() if v is not None} for d in result.documents
    ]
    (out_dir / MANIFEST).write_text(json.dumps({"documents": documents}, ensure_ascii=False, indent=2),
                                    encoding="utf-8")  # fmt: skip
