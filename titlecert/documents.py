"""The document types and what a session's batch consists of: one job per document.

`DOCUMENT_TYPES` is the one table of the documents titlecert makes: for each kind its template,
its scope (one per award, per applicant, per session or per entrusting unit), its page bounds,
what must appear in it, its seal captions (or none: printed and stamped by hand), its output name
and its copies. Planning, preflight, the workers and `templates check` read it; a new document is
a template, its context function and one entry here (docs/adding-a-document-type.md)."""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from docgen.anchors import CERTIFICATE_SEAL_CAPTIONS, COMMITTEE_SEAL_CAPTIONS, REVIEW_FORM_SEAL_CAPTIONS
from docgen.context import (
    COPY_LETTERS,
    Copy,
    publicity_context,
    report_context,
    results_context,
    review_form_context,
)
from docgen.models import Applicant, CertificateData, LoadedSession
from docgen.notices import delegation_rows, draft_notice_context, result_letter_context
from docgen.qr import qr_png
from docgen.render import certificate_context, certificate_images, certificate_must_contain
from docgen.workdays import WorkCalendar
from templates import TEMPLATES_DIR
from titlecert.kinds import DocumentKind, Filing, Scope


@dataclass(frozen=True)
class Award:
    """A passed applicant's numbers, allocated in the registry before rendering."""

    index: int
    applicant: Applicant
    certificate: CertificateData
    token: str
    issue_key: str
    form_no: str
    holder_secret: str = ""
    """Opens the holder's page; only its hash is registered."""
    holder_url: str = ""
    """The holder's page, with the secret: handed to the holder with the certificate."""


@dataclass(frozen=True)
class Job:
    """One document to render, convert, check and (for sealed kinds) seal."""

    kind: DocumentKind
    stem: str
    """Unique name within the batch (the conversion's file name)."""
    out_name: str
    """Path of the final PDF inside the output folder."""
    template: Path
    context: Mapping[str, Any]
    pages: tuple[int, int]
    """Allowed page count: more means the layout broke."""
    must_contain: tuple[str, ...] = ()
    images: Mapping[str, tuple[bytes | Path, float]] = field(default_factory=dict)
    seal_captions: Mapping[str, str] | None = None
    """Role -> caption of each e-seal, for sealed documents."""
    award: Award | None = None
    copy: Copy | None = None


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_·" else "_" for c in name)


@dataclass(frozen=True)
class Subject:
    """What one document is made for: the session, and the award, applicant row or copy it is of."""

    loaded: LoadedSession
    calendar: WorkCalendar | None = None
    today: dt.date | None = None
    award: Award | None = None
    index: int | None = None
    """The applicant's row (from 0), for per-applicant documents."""
    copy: Copy | None = None

    @property
    def the_award(self) -> Award:
        if self.award is None:
            raise ValueError("a per-award document needs its award")
        return self.award

    @property
    def the_calendar(self) -> WorkCalendar:
        if self.calendar is None:
            raise ValueError("this document counts working days: it needs the calendar")
        return self.calendar

    @property
    def applicant(self) -> Applicant:
        if self.index is None:
            raise ValueError("a per-applicant document needs the applicant's row")
        return self.loaded.session.applicants[self.index]

    @property
    def unit(self) -> str:
        """The entrusting unit of a result letter: that of the delegated applicant in its row."""
        delegation = self.applicant.delegation
        if delegation is None:
            raise ValueError(f"applicants row {(self.index or 0) + 1} has no delegation")
        return delegation.unit


Values = Callable[[Subject], Mapping[str, Any]]


@dataclass(frozen=True)
class DocumentType:
    """One kind of document: everything planning, checking, sealing and filing need to know."""

    kind: DocumentKind
    template: Path
    scope: Scope
    pages: tuple[int, int]
    """Allowed page count: more means the layout broke."""
    stem: Callable[[Subject], str]
    """Unique name within the batch (the conversion's file name)."""
    out_name: Callable[[Subject], str]
    """Path of the final PDF inside the output folder."""
    context: Values
    """The template's values."""
    must_contain: Callable[[Subject], tuple[str, ...]] = lambda _s: ()
    """Text the PDF must contain (a conversion that lost it is refused)."""
    images: Callable[[Subject], Mapping[str, tuple[bytes | Path, float]]] = lambda _s: {}
    image_names: frozenset[str] = frozenset()
    """The template's image placeholders, which `templates check` counts as provided."""
    seal_captions: Mapping[str, str] | None = None
    """Role -> caption of each e-seal; None: not sealed (printed and stamped by hand)."""
    copies: tuple[Copy | None, ...] = (None,)
    """The copies made of each (the review form's two); (None,) for one."""
    filing: Filing = Filing.SESSION
    """How the registry files it (an award's documents are registered; session documents archived)."""
    number: Callable[[Award], str] = lambda a: a.certificate.certificate_no
    """The number a registered document row carries (the review form's own form number)."""
    archive_folder: str = ""
    """The folder of the document store its archive copy goes in, for a registered document."""

    def archive_key(self, award: Award, copy: str | None) -> str:
        """Where a registered document's archive copy lives in the document store."""
        name = self.number(award) + (f"-{copy}" if copy else "")
        return f"{self.archive_folder}/{name}.pdf"

    def job(self, subject: Subject) -> Job:
        return Job(
            self.kind,
            self.stem(subject),
            self.out_name(subject),
            self.template,
            self.context(subject),
            self.pages,
            self.must_contain(subject),
            self.images(subject),
            self.seal_captions,
            subject.award,
            subject.copy,
        )


def publicity_out_name(index: int, name: str) -> str:
    """Where the publicity table of the applicant in row `index` (from 0) goes in the output folder."""
    return f"publicity-tables/{index + 1:04d}-{_safe(name)}.pdf"


def result_letter_out_name(index: int, unit: str) -> str:
    """Where the result letter to `unit`, planned under row `index` (from 0), goes."""
    return f"result-letters/{index + 1:04d}-{_safe(unit)}.pdf"


def _form_stem(s: Subject) -> str:
    return f"{s.the_award.form_no}-{COPY_LETTERS[s.copy or Copy.PERSONNEL_FILE]}"


def _review_form_context(s: Subject) -> Mapping[str, Any]:
    award = s.the_award
    return review_form_context(
        s.loaded.session,
        award.applicant,
        form_no=award.form_no,
        copy=s.copy or Copy.PERSONNEL_FILE,
    )


DOCUMENT_TYPES: Mapping[DocumentKind, DocumentType] = MappingProxyType(
    {
        t.kind: t
        for t in (
            DocumentType(
                DocumentKind.CERTIFICATE,
                TEMPLATES_DIR / "certificate.docx",
                Scope.AWARD,
                (1, 1),
                stem=lambda s: s.the_award.certificate.certificate_no,
                out_name=lambda s: f"certificates/{s.the_award.certificate.certificate_no}.pdf",
                context=lambda s: certificate_context(s.the_award.certificate),
                must_contain=lambda s: certificate_must_contain(s.the_award.certificate),
                images=lambda s: certificate_images(
                    s.the_award.certificate, qr_png(s.the_award.certificate.verify_url)
                ),
                image_names=frozenset({"qr", "photo"}),
                seal_captions=CERTIFICATE_SEAL_CAPTIONS,
                filing=Filing.CERTIFICATE,
                archive_folder="certificates",
            ),
            DocumentType(
                DocumentKind.REVIEW_FORM,
                TEMPLATES_DIR / "review-form.docx",
                Scope.AWARD,
                (4, 40),
                stem=_form_stem,
                out_name=lambda s: f"review-forms/{_form_stem(s)}.pdf",
                context=_review_form_context,
                must_contain=lambda s: (s.the_award.form_no, s.the_award.applicant.name),
                seal_captions=REVIEW_FORM_SEAL_CAPTIONS,
                copies=tuple(Copy),
                filing=Filing.PRINTED,
                number=lambda a: a.form_no,
                archive_folder="review-forms",
            ),
            DocumentType(
                DocumentKind.PUBLICITY_TABLE,
                TEMPLATES_DIR / "publicity-table.docx",
                Scope.APPLICANT,
                (1, 6),
                stem=lambda s: f"publicity-{(s.index or 0) + 1:04d}",
                out_name=lambda s: publicity_out_name(s.index or 0, s.applicant.name),
                context=lambda s: publicity_context(s.loaded.session, s.applicant, s.the_calendar),
                must_contain=lambda s: (s.applicant.name,),
            ),
            DocumentType(
                DocumentKind.RESULTS_LIST,
                TEMPLATES_DIR / "results-list.docx",
                Scope.SESSION,
                (1, 200),
                stem=lambda _s: "results-list",
                out_name=lambda _s: "results-list.pdf",
                context=lambda s: results_context(s.loaded.session, s.the_calendar),
            ),
            DocumentType(
                DocumentKind.REVIEW_REPORT,
                TEMPLATES_DIR / "review-report.docx",
                Scope.SESSION,
                (1, 200),
                stem=lambda _s: "review-report",
                out_name=lambda _s: "review-report.pdf",
                context=lambda s: report_context(s.loaded.session, s.the_calendar),
                must_contain=lambda s: (s.loaded.session.committee.name,),
            ),
            DocumentType(
                DocumentKind.DRAFT_NOTICE,
                TEMPLATES_DIR / "draft-notice.docx",
                Scope.SESSION,
                (1, 200),
                stem=lambda _s: "draft-notice",
                out_name=lambda _s: "draft-notice.pdf",
                context=lambda s: draft_notice_context(s.loaded.session, s.the_calendar),
                must_contain=lambda s: (s.loaded.session.committee.name, "代拟稿"),
                seal_captions=COMMITTEE_SEAL_CAPTIONS,
                filing=Filing.SEALED,
            ),
            DocumentType(
                DocumentKind.RESULT_LETTER,
                TEMPLATES_DIR / "result-letter.docx",
                Scope.DELEGATOR,
                (1, 50),
                stem=lambda s: f"result-letter-{(s.index or 0) + 1:04d}",
                out_name=lambda s: result_letter_out_name(s.index or 0, s.unit),
                context=lambda s: result_letter_context(s.loaded.session, s.index or 0, s.the_calendar),
                must_contain=lambda s: (s.unit,),
                seal_captions=COMMITTEE_SEAL_CAPTIONS,
                filing=Filing.SEALED,
            ),
        )
    }
)
"""Every document type, in issuing order."""


def template_of(kind: DocumentKind) -> Path:
    """The Word template a kind of document is made from."""
    return DOCUMENT_TYPES[kind].template


def type_of(kind: str) -> DocumentType:
    """The type of a document kind as stored (raises ValueError for a kind titlecert does not make)."""
    return DOCUMENT_TYPES[DocumentKind(kind)]


def kinds_of(scope: Scope) -> tuple[DocumentKind, ...]:
    return tuple(kind for kind, t in DOCUMENT_TYPES.items() if t.scope is scope)


APPLICANT_KINDS = kinds_of(Scope.APPLICANT)
"""The documents made for every applicant, passed or not (the publicity table)."""
SESSION_KINDS = kinds_of(Scope.SESSION)
"""The session's own documents, in issuing order."""
DELEGATOR_KINDS = kinds_of(Scope.DELEGATOR)
"""The documents made for each entrusting unit of delegated reviews (the result letter)."""
ROW_SCOPES = (Scope.APPLICANT, Scope.DELEGATOR)
"""The scopes whose documents are made from one applicant's row."""


def session_units(loaded: LoadedSession) -> list[tuple[DocumentKind, int | None]]:
    """The batch's documents other than the awards', each with its row (None: the session's), in
    issuing order: every applicant's publicity table, the session's documents, then one result
    letter per entrusting unit, under its first delegated row."""
    rows = range(len(loaded.session.applicants))
    return [
        *((kind, i) for kind in APPLICANT_KINDS for i in rows),
        *((kind, None) for kind in SESSION_KINDS),
        *((kind, i) for kind in DELEGATOR_KINDS for i in delegation_rows(loaded.session)),
    ]


def award_jobs(loaded: LoadedSession, award: Award, *, today: dt.date) -> list[Job]:
    """An award's documents: its certificate and the two review-form copies."""
    return [
        DOCUMENT_TYPES[kind].job(Subject(loaded, today=today, award=award, copy=copy))
        for kind in kinds_of(Scope.AWARD)
        for copy in DOCUMENT_TYPES[kind].copies
    ]


def unit_job(loaded: LoadedSession, kind: str, calendar: WorkCalendar, applicant: int | None = None) -> Job:
    """The one document of a unit other than an award's: of the applicant in row `applicant` (from 0)
    for a per-applicant kind, else the session's.

    Raises ValueError for an award's kind, a kind titlecert does not make, or a per-applicant kind
    without its row.
    """
    t = type_of(kind)
    if t.scope is Scope.AWARD:
        raise ValueError(f"no session document of kind {kind!r}")
    if t.scope in ROW_SCOPES and applicant is None:
        raise ValueError(f"a {kind} is made for one applicant: give the row")
    return t.job(Subject(loaded, calendar, index=applicant if t.scope in ROW_SCOPES else None))


def unit_out_name(loaded: LoadedSession, kind: str, applicant: int | None = None) -> str:
    """Where the document of a unit other than an award's goes in the output folder."""
    return type_of(kind).out_name(Subject(loaded, index=applicant))


def plan_jobs(
    loaded: LoadedSession,
    awards: list[Award],
    calendar: WorkCalendar,
    *,
    session_documents: bool,
    today: dt.date,
) -> list[Job]:
    """Every document of the batch: per-award certificates and two review-form copies; with
    `session_documents`, also those of `session_units` (publicity tables, results list, situation
    report, draft confirmation notice, result letters)."""
    jobs = [job for award in awards for job in award_jobs(loaded, award, today=today)]
    if session_documents:
        jobs += [unit_job(loaded, kind, calendar, i) for kind, i in session_units(loaded)]
    return jobs
