"""Registry tables. Tokens are stored only as hashes; ID numbers only masked or keyed-hashed."""

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def _as_issued(context: DefaultExecutionContext) -> str:
    """A new row's `issued_sha256`: the copy registered at issue is the issued one."""
    return str(context.get_current_parameters()["sha256"])  # type: ignore[no-untyped-call]


class Base(DeclarativeBase):
    """Declarative base of every registry table."""


CERTIFICATE_NO = "certificates.certificate_no"  # what a row naming a certificate points at


class CertificateStatus(StrEnum):
    """Lifecycle status of an issued certificate."""

    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    SUSPENDED = "suspended"
    """Not in force pending an investigation; reinstated or revoked later, never final."""


class CertificateRecord(Base):
    """One issued electronic title certificate (职称电子证书)."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_no: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 (hex) of the QR token; the token itself is never stored."""
    issue_key: Mapped[str] = mapped_column(String(64), unique=True)
    """Keyed hash of (holder ID, approval number, title): one award is issued once."""
    holder_name: Mapped[str] = mapped_column(String(100))
    holder_id_masked: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20))
    series: Mapped[str] = mapped_column(String(100))
    speciality: Mapped[str] = mapped_column(String(100))
    committee: Mapped[str] = mapped_column(String(200))
    authority: Mapped[str] = mapped_column(String(200))
    approval_no: Mapped[str] = mapped_column(String(100))
    passed_on: Mapped[dt.date] = mapped_column(Date)
    """取得时间: the day the committee passed the holder."""
    issued_on: Mapped[dt.date] = mapped_column(Date)
    """发证时间: the day the approval notice was issued."""
    licence_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    """National e-licence identifier (GB/T 36904) printed on the certificate; None before 0002."""
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 (hex) of the current archive copy of the sealed PDF (changes when re-time-stamped)."""
    issued_sha256: Mapped[str | None] = mapped_column(
        String(64), unique=True, index=True, nullable=True, default=_as_issued
    )
    """SHA-256 of the PDF as issued (what the holder was given); stays when the archive copy is
    re-time-stamped, whose issued bytes are kept under `issued/<storage key>`. Set on every row
    (0009 filled the earlier ones from `sha256`); nullable only because SQLite cannot add a
    NOT NULL column without copying a table others reference."""
    signed_sha256: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    """SHA-256 of the revision the last seal signed: stable under added validation data."""
    storage_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """Where the archive copy lives in the instance's document store."""
    holder_id_hmac: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """Keyed hash (instance secret) of the full ID number: lets an employer's match check say yes or
    no without the registry holding the number."""
    holder_secret_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    """SHA-256 of the holder's secret, which opens their page and verification log."""
    superseded_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The number of the certificate re-issued in place of this one."""
    status: Mapped[str] = mapped_column(String(16), default=CertificateStatus.VALID.value)
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class DocumentRecord(Base):
    """A sealed document other than the certificate (a review-form copy), known by fingerprint."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("kind", "number", "copy", name="uq_documents_kind_number_copy"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    """e.g. review-form."""
    number: Mapped[str] = mapped_column(String(64))
    """The document's own number (评审表编号)."""
    copy: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """personnel-file or unit-archive for a review form."""
    certificate_no: Mapped[str | None] = mapped_column(String(64), ForeignKey(CERTIFICATE_NO), nullable=True)
    """The certificate of the same award: its status is the document's status."""
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the current archive copy (changes when re-time-stamped)."""
    issued_sha256: Mapped[str | None] = mapped_column(
        String(64), unique=True, index=True, nullable=True, default=_as_issued
    )
    """SHA-256 of the copy as issued (as `CertificateRecord.issued_sha256`)."""
    signed_sha256: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    """SHA-256 of the revision the last seal signed."""
    storage_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """Where the archive copy lives in the instance's document store."""
    pages: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class NumberSequence(Base):
    """Counters for certificate numbers, one row per prefix; advanced inside a transaction."""

    __tablename__ = "number_sequences"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class VerificationLogEntry(Base):
    """One verification of a certificate, for the holder's "who verified me" list."""

    __tablename__ = "verification_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_no: Mapped[str] = mapped_column(String(64), ForeignKey(CERTIFICATE_NO), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(16))
    """scan (QR page), api, upload, match."""
    verdict: Mapped[str] = mapped_column(String(16))
    requester: Mapped[str] = mapped_column(String(120))
    """A coarse description (network prefix, browser family); never the full IP address."""
    share_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("share_links.id"), index=True, nullable=True
    )
    """The holder's share link the verifier came by (channel `share`), else None."""


class ShareLink(Base):
    """A holder's link to their certificate for one purpose (持证人加注), ≤ 90 days; token hashed."""

    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    certificate_no: Mapped[str] = mapped_column(String(64), ForeignKey(CERTIFICATE_NO), index=True)
    """The certificate in force when the link was made."""
    purpose: Mapped[str] = mapped_column(String(60))
    """The holder's annotation, e.g. 仅供XX单位招聘使用."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    """The end of the China day the holder chose (the link opens until then, exclusive)."""
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AdminToken(Base):
    """A bearer token of the admin API, stored hashed, with the role it grants."""

    __tablename__ = "admin_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    """committee-office, approval-authority or archive-clerk."""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditEntry(Base):
    """An append-only, hash-chained record of an administrative action."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(120))
    detail: Mapped[str] = mapped_column(Text)
    """JSON."""
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 over prev_hash and this entry's fields: a changed or deleted entry breaks the chain."""


class JobState(StrEnum):
    """Where an issuing job stands (stored strings)."""

    RUNNING = "running"
    """Created, or being worked on (or its runner died: re-running the command resumes it)."""
    FAILED = "failed"
    """Ended with failed units; re-running the command (or `titlecert jobs resume`) retries them."""
    COMPLETED = "completed"
    """Every unit registered and written out."""
    ABANDONED = "abandoned"
    """Replaced by a newer job for the same output folder before it finished; its unregistered units
    were abandoned (their numbers are skipped, never reused)."""


class UnitState(StrEnum):
    """Where one unit of work stands (stored strings): planned -> sealed -> registered, or failed."""

    PLANNED = "planned"
    """Numbers allocated; nothing made yet."""
    SEALED = "sealed"
    """Every document made, checked, sealed and put in the document store (`IssueUnit.documents`)."""
    REGISTERED = "registered"
    """Registered in the registry (a certificate with its review forms and audit entry together)."""
    FAILED = "failed"
    """The last attempt failed (`IssueUnit.error` names the document); the next run retries."""
    ABANDONED = "abandoned"
    """Its job was replaced; never registered."""


OPEN_JOB_STATES = (JobState.RUNNING.value, JobState.FAILED.value)
"""States of a job that a run can resume."""
ENDED_JOB_STATES = (JobState.COMPLETED.value, JobState.ABANDONED.value)
"""States of a job no run works on again."""


class IssueJob(Base):
    """A batch of `titlecert issue` (or `reissue`): validated, numbered, then worked unit by unit.

    The job keeps what any worker needs to rebuild its documents: the session as loaded and its
    photos in the document store under `jobs/<id>/` (`inputs`), the values fixed at creation
    (`plan`), and one `IssueUnit` per unit of work.
    """

    __tablename__ = "issue_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    """SHA-256 over the loaded session, its photos and the command's options (output folder,
    re-issue): the same command finds its unfinished job by it."""
    state: Mapped[str] = mapped_column(String(16), default=JobState.RUNNING.value)
    out_dir: Mapped[str] = mapped_column(Text)
    """The output folder the command writes the PDFs and manifest.json to."""
    inputs: Mapped[str] = mapped_column(String(200))
    """Document-store key of the loaded session (photos beside it)."""
    plan: Mapped[str] = mapped_column(Text)
    """JSON: the values fixed when the job was created (date, skipped applicants, warnings, the
    re-issue, whether the session's own documents are made)."""
    actor: Mapped[str] = mapped_column(String(100))
    """Who created the job (the audit log's actor)."""
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Why the job failed or was abandoned."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    runner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """The run working the job now, `host:pid:start time` (None when no run holds it)."""
    runner_seen: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    """When that run last said it was alive (every few seconds while it holds the job)."""


class IssueUnit(Base):
    """One unit of work of a job: an award (its certificate and both review-form copies, registered
    together) or one of the session's own documents (publicity table, results list, report)."""

    __tablename__ = "issue_units"
    __table_args__ = (UniqueConstraint("job_id", "seq", name="uq_issue_units_job_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(Integer, ForeignKey("issue_jobs.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    """Order within the job."""
    kind: Mapped[str] = mapped_column(String(32))
    """award, publicity-table, results-list or review-report."""
    label: Mapped[str] = mapped_column(String(200))
    """What the unit makes, for people (e.g. `certificate CQZC2026000001 (张三)`)."""
    applicant: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Row (from 0) of the applicant in the session, for awards and publicity tables."""
    state: Mapped[str] = mapped_column(String(16), default=UnitState.PLANNED.value)
    issue_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    """An award's key (as `CertificateRecord.issue_key`)."""
    certificate_no: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    """An award's certificate number, allocated once with the job."""
    form_no: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    """An award's review-form number, allocated once with the job."""
    secrets: Mapped[str | None] = mapped_column(Text, nullable=True)
    """An award's QR token and holder secret, encrypted under a key derived from the instance
    secret (the token is printed in the PDF, the holder secret handed out with it); cleared when
    the job completes."""
    documents: Mapped[str | None] = mapped_column(Text, nullable=True)
    """JSON, once sealed: each document's name, output path, SHA-256 (its sealed PDF is in the
    document store under `jobs/<job>/sealed/<sha256>.pdf`), signed revision's SHA-256 and pages."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    """Failed attempts so far."""
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Why the last attempt failed, naming the document."""
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class YearlyApplication(Base):
    """One applicant of an issued session, for "one normal-channel application a year" (the notice,
    item 四(二)2; docs/domain.md, "One application a year"): recorded with the job that issues the
    session, for every applicant, passed or not. Who it is is kept only as keyed hashes."""

    __tablename__ = "yearly_applications"
    __table_args__ = (UniqueConstraint("year", "normal_key", name="uq_yearly_applications_normal"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    """The review year: the year the sitting starts."""
    id_hmac: Mapped[str] = mapped_column(String(64), index=True)
    """`holder_id_hmac` of the ID number (as `CertificateRecord.holder_id_hmac`)."""
    person_hmac: Mapped[str] = mapped_column(String(64), index=True)
    """`holder_person_hmac` of name, sex and birth date: the same person under another ID document."""
    normal_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """`id_hmac` for a normal-channel application, else None: unique with the year, so that of two
    sessions recording the same person at once only one commits."""
    counts: Mapped[bool] = mapped_column(Boolean)
    """Uses the year's one normal-channel application: normal channel, or a green channel that passed."""
    id_type: Mapped[str] = mapped_column(String(40))
    route: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(20))
    """passed, failed, terminated, not_accepted or objection_upheld."""
    committee: Mapped[str] = mapped_column(String(200))
    approval_no: Mapped[str] = mapped_column(String(100))
    """With `committee`, the session's identity (a corrected session of the same identity is the same
    session: titlecert/jobs/continuation.py)."""
    sitting_start: Mapped[dt.date] = mapped_column(Date)
    applicant: Mapped[int] = mapped_column(Integer)
    """Row (from 0) of the applicant in that session."""
    job_id: Mapped[int] = mapped_column(Integer, ForeignKey("issue_jobs.id"), index=True)
    """The job that recorded it, created in the same transaction."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LegacyTitle(Base):
    """A title awarded on paper before this system (据纸质档案登记), imported by the committee office:
    no electronic document exists. Neither the name nor the ID number is kept in clear: each as a
    keyed hash (registry.holders) for the match check, and masked for display."""

    __tablename__ = "legacy_titles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_no: Mapped[str] = mapped_column(String(64), unique=True)
    """The paper certificate's number, as printed (normalised: no spaces, upper case)."""
    name_hmac: Mapped[str] = mapped_column(String(64))
    name_masked: Mapped[str] = mapped_column(String(100))
    id_hmac: Mapped[str] = mapped_column(String(64))
    id_masked: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20))
    series: Mapped[str] = mapped_column(String(100))
    speciality: Mapped[str] = mapped_column(String(100))
    committee: Mapped[str] = mapped_column(String(200))
    passed_on: Mapped[dt.date] = mapped_column(Date)
    """取得时间 on the paper record."""
    issued_on: Mapped[dt.date] = mapped_column(Date)
    """发证时间 on the paper record."""
    content_hash: Mapped[str] = mapped_column(String(64))
    """Keyed hash of every imported value: the same row imported again is recognised as such."""
    source_sha256: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the file the row was first imported from."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CommitteeMandate(Base):
    """A review committee's mandate (评委会备案; the notice, items 二(六) and 四(二): a committee accepts
    only what is in its scope): what series, speciality and highest level it may review, by which
    approving document, for which term (both days included). A committee is known by its full name,
    as sessions name it (docs/committees.md)."""

    __tablename__ = "committee_mandates"
    __table_args__ = (UniqueConstraint("committee", "document_no", name="uq_committee_mandates_document"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee: Mapped[str] = mapped_column(String(200), index=True)
    series: Mapped[str] = mapped_column(String(100))
    speciality: Mapped[str] = mapped_column(String(100))
    highest_level: Mapped[str] = mapped_column(String(20))
    """The highest level it may review (正高级 … 员级); every lower one is included."""
    document_no: Mapped[str] = mapped_column(String(100))
    """批准文件 / 备案文号."""
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CommitteeSeal(Base):
    """A seal certificate of a committee and the period it was authorised to seal in (both moments
    included): a new certificate for the same committee (key rotation) is another row."""

    __tablename__ = "committee_seals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee: Mapped[str] = mapped_column(String(200), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 (hex, lower case) of the certificate's DER."""
    subject: Mapped[str] = mapped_column(String(400))
    valid_from: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
