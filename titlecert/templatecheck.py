"""`titlecert templates check`: does each Word template still match the data it is given?

A clerk's edit in Word can misspell a placeholder or drop one. For each template this lists the
fields it uses that the data does not provide (an error: they would print empty) and the fields
the data provides that it does not use (a notice: something may have been deleted).
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.context import Copy
from docgen.load import load_session
from docgen.models import CertificateData
from docgen.render import template_variables
from docgen.workdays import WorkCalendar
from titlecert.documents import DOCUMENT_TYPES, Award, Subject


@dataclass(frozen=True)
class TemplateReport:
    template: Path
    unknown: frozenset[str]
    """Used by the template, not provided by the data: they would print nothing."""
    unused: frozenset[str]
    """Provided by the data, not used by the template."""

    @property
    def ok(self) -> bool:
        return not self.unknown


def _contexts(session_path: Path) -> dict[Path, dict[str, Any]]:
    calendar = WorkCalendar()
    loaded = load_session(session_path, calendar)
    session = loaded.session
    a = session.applicants[0]
    sample_certificate = CertificateData(
        certificate_no="CQZC2026000001",
        licence_id="1.2.156.3005.2.X.Y.Z.001.0",
        name=a.name,
        sex=a.sex.value,
        birth="1990年01月",
        id_type="居民身份证",
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
        verify_url="http://127.0.0.1:8080/v/X",
        verify_domain="127.0.0.1:8080",
    )
    award = Award(0, a, sample_certificate, "X", "sample", "PS2026000001")  # token, issue key, form
    subject = Subject(loaded, calendar, today=dt.date.today(), award=award, index=0, copy=Copy.PERSONNEL_FILE)
    # Every document type's template, with the values its documents get: none can be left out.
    return {
        t.template: {**t.context(subject), **dict.fromkeys(t.image_names)} for t in DOCUMENT_TYPES.values()
    }


def check_templates(session_path: Path, templates: dict[Path, Path] | None = None) -> list[TemplateReport]:
    """Compare each template's variables with its context (built from `session_path`).

    `templates` maps a bundled template to a replacement file to check instead (a clerk's edit).
    """
    reports = []
    for bundled, context in _contexts(session_path).items():
        path = (templates or {}).get(bundled, bundled)
        used = template_variables(path)
        provided = set(context)
        reports.append(TemplateReport(path, frozenset(used - provided), frozenset(provided - used)))
    return reports
