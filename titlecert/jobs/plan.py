"""An issuing job's plan: what it was asked to issue, the award key that keeps an award from being
issued twice, and each award's values rebuilt from its unit.
"""

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from docgen.identifiers import grouped_token, licence_identifier
from docgen.identity import ID_TYPE_LABELS
from docgen.load import photo_path
from docgen.models import Applicant, CertificateData, LoadedSession, ReviewSession
from registry.models import IssueUnit
from titlecert.documents import Award
from titlecert.jobs.inputs import unlock_secrets
from titlecert.settings import Settings


@dataclass(frozen=True)
class Supersession:
    """A re-issue: the session's one passed award replaces a certificate in force, which becomes
    superseded in the transaction that registers the new one."""

    certificate_no: str
    """The certificate replaced."""
    reason: str
    """Why, e.g. 姓名有误，更正后重新颁发."""


@dataclass(frozen=True)
class JobPlan:
    """What a job fixed when it was created (`IssueJob.plan`), so a resumed run makes the same
    documents and prints the same result."""

    date: dt.date
    """The review forms' date of filling in."""
    public_url: str
    """The base of the verify and holder URLs printed and handed out."""
    licence_type_code: str
    """The e-licence identifier's type code."""
    session_documents: bool
    """Whether the session's publicity tables, results list and report are part of the job."""
    supersede: Supersession | None = None
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        supersede = [self.supersede.certificate_no, self.supersede.reason] if self.supersede else None
        doc = {
            "date": self.date.isoformat(),
            "public_url": self.public_url,
            "licence_type_code": self.licence_type_code,
            "session_documents": self.session_documents,
            "supersede": supersede,
            "skipped": self.skipped,
            "warnings": self.warnings,
        }
        return json.dumps(doc, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "JobPlan":
        doc = json.loads(text)
        supersede = Supersession(*doc["supersede"]) if doc.get("supersede") else None
        return cls(
            dt.date.fromisoformat(doc["date"]),
            doc["public_url"],
            doc["licence_type_code"],
            bool(doc["session_documents"]),
            supersede,
            list(doc["skipped"]),
            list(doc["warnings"]),
        )

    def settings(self, settings: Settings) -> Settings:
        """`settings` with the values the job fixed."""
        return replace(settings, public_url=self.public_url, licence_type_code=self.licence_type_code)


def session_identity(document: Mapping[str, Any]) -> tuple[str, str]:
    """What makes two session files the same session (a correction of it): its committee and 批准文号
    (the approval is what the awards are issued under, and part of every award's key). A job is
    continued with a corrected session of its identity (titlecert.jobs.continuation); applications
    of the same identity are one application (titlecert.jobs.yearly)."""
    return document["committee"]["name"], document["approval"]["document_no"]


def issue_key(secret: bytes, session: ReviewSession, applicant: Applicant) -> str:
    """A keyed fingerprint of (holder, approval, title): the same award is never issued twice.

    Keyed with the instance secret because ID numbers are guessable and must not be recoverable.
    """
    message = "|".join(
        (applicant.id_type, applicant.id_number, session.approval.document_no, applicant.applied.title)
    )
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def award_of(loaded: LoadedSession, unit: IssueUnit, settings: Settings, secret: bytes) -> Award:
    """The award a unit issues, rebuilt from the job's session and the unit's numbers and secrets
    (`settings` with the job's plan applied). Raises ApplicationError when the secrets do not decrypt."""
    assert unit.applicant is not None and unit.certificate_no and unit.form_no and unit.issue_key  # noqa: S101
    values = unlock_secrets(secret, unit.secrets or "", bound_to=unit.certificate_no)
    a = loaded.session.applicants[unit.applicant]
    data = certificate_data(loaded, a, unit.certificate_no, values["token"], settings)
    return Award(
        unit.applicant,
        a,
        data,
        values["token"],
        unit.issue_key,
        unit.form_no,
        values["holder"],
        settings.holder_url(values["holder"]),
    )


def certificate_data(
    loaded: LoadedSession, a: Applicant, number: str, token: str, settings: Settings
) -> CertificateData:
    """Every value printed on the certificate of applicant `a`."""
    session = loaded.session
    return CertificateData(
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
        employer=a.employer_name,
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
        verification_code=grouped_token(token),
        verify_domain=settings.verify_domain,
        photo=photo_path(loaded.source, a.photo),
    )
