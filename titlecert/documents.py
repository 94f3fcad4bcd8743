"""What a session's batch consists of: one job per document, with its template, values and checks."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.anchors import CERTIFICATE_SEAL_CAPTIONS, REVIEW_FORM_SEAL_CAPTIONS
from docgen.context import (
    COPY_LETTERS,
    Copy,
    publicity_context,
    report_context,
    results_context,
    review_form_context,
)
from docgen.models import Applicant, CertificateData, LoadedSession
from docgen.qr import qr_png
from docgen.render import certificate_context, certificate_images, certificate_must_contain
from docgen.workdays import WorkCalendar
from templates import (
    CERTIFICATE_DOCX,
    PUBLICITY_TABLE_DOCX,
    RESULTS_LIST_DOCX,
    REVIEW_FORM_DOCX,
    REVIEW_REPORT_DOCX,
)


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

    kind: str
    """certificate, review-form, publicity-table, results-list or review-report."""
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


def plan_jobs(loaded: LoadedSession, awards: list[Award], calendar: WorkCalendar, *,
              session_documents: bool, today: dt.date) -> list[Job]:  # fmt: skip
    """Every document of the batch: per-award certificates and two review-form copies; with
    `session_documents`, also the publicity tables, the results list and the situation report."""
    s = loaded.session
    jobs: list[Job] = []
    for award in awards:
        data = award.certificate
        jobs.append(Job("certificate", data.certificate_no, f"certificates/{data.certificate_no}.pdf",
                        CERTIFICATE_DOCX, certificate_context(data), (1, 1), certificate_must_contain(data),
                        certificate_images(data, qr_png(data.verify_url)), CERTIFICATE_SEAL_CAPTIONS,
                        award))  # fmt: skip
        for copy in Copy:
            stem = f"{award.form_no}-{COPY_LETTERS[copy]}"
            ctx = review_form_context(s, award.applicant, form_no=award.form_no, copy=copy, filled_on=today)
            jobs.append(Job("review-form", stem, f"review-forms/{stem}.pdf", REVIEW_FORM_DOCX, ctx, (4, 40),
                            (award.form_no, award.applicant.name), {}, REVIEW_FORM_SEAL_CAPTIONS, award,
                            copy))  # fmt: skip
    if session_documents:
        for i, a in enumerate(s.applicants):
            stem = f"publicity-{i + 1:04d}"
            out_name = f"publicity-tables/{i + 1:04d}-{_safe(a.name)}.pdf"
            jobs.append(Job("publicity-table", stem, out_name, PUBLICITY_TABLE_DOCX,
                            publicity_context(s, a, calendar), (1, 6), (a.name,)))  # fmt: skip
        jobs.append(Job("results-list", "results-list", "results-list.pdf", RESULTS_LIST_DOCX,
                        results_context(s, calendar), (1, 200)))  # fmt: skip
        jobs.append(Job("review-report", "review-report", "review-report.pdf", REVIEW_REPORT_DOCX,
                        report_context(s, calendar), (1, 200), (s.committee.name,)))  # fmt: skip
    return jobs
