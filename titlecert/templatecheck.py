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
from docgen.models import Delegation, LoadedSession
from docgen.notices import delegation_rows
from docgen.render import template_variables
from docgen.workdays import WorkCalendar
from titlecert import receipts
from titlecert.documents import DOCUMENT_TYPES, Award, Subject
from titlecert.jobs.plan import certificate_data
from titlecert.kinds import Scope
from titlecert.receipts import sample_statement
from titlecert.settings import from_env


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
    # The default settings' URLs and codes: a template sees the same values as in an issued batch.
    sample_certificate = certificate_data(loaded, a, "CQZC2026000001", "X", from_env({}))
    award = Award(0, a, sample_certificate, "X", "sample", "PS2026000001")  # token, issue key, form
    subject = Subject(loaded, calendar, today=dt.date.today(), award=award, index=0, copy=Copy.PERSONNEL_FILE)
    letter = _letter_subject(loaded, calendar)
    # Every document type's template, with the values its documents get: none can be left out;
    # and the verification receipt's, with a statement of the sample's first certificate.
    contexts = {
        t.template: {
            **t.context(letter if t.scope is Scope.DELEGATOR else subject),
            **dict.fromkeys(t.image_names),
        }
        for t in DOCUMENT_TYPES.values()
    }
    contexts[receipts.TEMPLATE] = receipts.receipt_context(sample_statement(), "查验服务", "verify.example")
    return contexts


def _letter_subject(loaded: LoadedSession, calendar: WorkCalendar) -> Subject:
    """A result letter's subject: the session's first delegated row; in a session that delegates no
    review (the bundled sample), its first row given a stand-in delegation."""
    session = loaded.session
    rows = delegation_rows(session)
    if rows:
        return Subject(loaded, calendar, index=rows[0])
    stand_in = Delegation(unit="委托单位", letter_no="委托评审函文号", letter_date=session.sitting.start)
    first = session.applicants[0].model_copy(update={"delegation": stand_in})
    changed = session.model_copy(update={"applicants": (first, *session.applicants[1:])})
    return Subject(loaded.model_copy(update={"session": changed}), calendar, index=0)


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
