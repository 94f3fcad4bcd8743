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


def award_jobs(loaded: LoadedSession, award: Award, *, today: dt.date) -> list[Job]:
    """An award's documents: its certificate and the two review-form copies."""
    data = award.certificate
    number = data.certificate_no
    images = certificate_images(data, qr_png(data.verify_url))
    jobs = [
        Job(
            "certificate",
            number,
            f"certificates/{number}.pdf",
            CERTIFICATE_DOCX,
            certificate_context(data),
            (1, 1),
            certificate_must_contain(data),
            images,
            CERTIFICATE_SEAL_CAPTIONS,
            award,
        )
    ]
    for copy in Copy:
        stem = f"{award.form_no}-{COPY_LETTERS[copy]}"
        ctx = review_form_context(
            loaded.session, award.applicant, form_no=award.form_no, copy=copy, filled_on=today
        )
        jobs.append(
            Job(
                "review-form",
                stem,
                f"review-forms/{stem}.pdf",
                REVIEW_FORM_DOCX,
                ctx,
                (4, 40),
                (award.form_no, award.applicant.name),
                {},
                REVIEW_FORM_SEAL_CAPTIONS,
                award,
                copy,
            )
        )
    return jobs


def publicity_out_name(index: int, name: str) -> str:
    """Where the publicity table of the applicant in row `index` (from 0) goes in the output folder."""
    return f"publicity-tables/{index + 1:04d}-{_safe(name)}.pdf"


def publicity_job(loaded: LoadedSession, index: int, calendar: WorkCalendar) -> Job:
    """The publicity table of the applicant in row `index` (from 0)."""
    s = loaded.session
    a = s.applicants[index]
    out_name = publicity_out_name(index, a.name)
    return Job(
        "publicity-table",
        f"publicity-{index + 1:04d}",
        out_name,
        PUBLICITY_TABLE_DOCX,
        publicity_context(s, a, calendar),
        (1, 6),
        (a.name,),
    )


def session_job(loaded: LoadedSession, kind: str, calendar: WorkCalendar) -> Job:
    """The session's results list (`results-list`) or situation report (`review-report`).

    Raises ValueError for another kind.
    """
    s = loaded.session
    if kind == "results-list":
        return Job(
            "results-list",
            "results-list",
            "results-list.pdf",
            RESULTS_LIST_DOCX,
            results_context(s, calendar),
            (1, 200),
        )
    if kind == "review-report":
        return Job(
            "review-report",
            "review-report",
            "review-report.pdf",
            REVIEW_REPORT_DOCX,
            report_context(s, calendar),
            (1, 200),
            (s.committee.name,),
        )
    raise ValueError(f"no session document of kind {kind!r}")


SESSION_KINDS = ("results-list", "review-report")
"""The session's own documents other than the publicity tables, in issuing order."""


def plan_jobs(
    loaded: LoadedSession,
    awards: list[Award],
    calendar: WorkCalendar,
    *,
    session_documents: bool,
    today: dt.date,
) -> list[Job]:
    """Every document of the batch: per-award certificates and two review-form copies; with
    `session_documents`, also the publicity tables, the results list and the situation report."""
    jobs = [job for award in awards for job in award_jobs(loaded, award, today=today)]
    if session_documents:
        jobs += [publicity_job(loaded, i, calendar) for i in range(len(loaded.session.applicants))]
        jobs += [session_job(loaded, kind, calendar) for kind in SESSION_KINDS]
    return jobs
