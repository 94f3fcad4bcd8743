"""The certificate repository: the only place that queries the registry tables."""

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, fields

from sqlalchemy import Connection, bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.errors import Conflict, NotFound
from registry.models import CertificateRecord, CertificateStatus, DocumentRecord, NumberSequence


def hash_token(token: str) -> str:
    """SHA-256 (hex) of a QR token. The token has ≥128 random bits, so no salt or stretching is needed."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True)
class PublicRecord:
    """The columns of a certificate its public view is made of, read without the ORM."""

    certificate_no: str
    status: str
    status_reason: str | None
    status_changed_at: dt.datetime | None
    holder_name: str
    holder_id_masked: str
    title: str
    level: str
    series: str
    speciality: str
    committee: str
    authority: str
    approval_no: str
    passed_on: dt.date
    issued_on: dt.date
    sha256: str
    issued_sha256: str | None
    superseded_by: str | None


_PUBLIC_BY_TOKEN = select(*(CertificateRecord.__table__.c[f.name] for f in fields(PublicRecord))).where(
    CertificateRecord.__table__.c.token_hash == bindparam("token_hash")
)
"""One indexed row by the token's hash; built once, so SQLAlchemy compiles it once."""


def public_by_token(connection: Connection, token: str) -> PublicRecord | None:
    """The public columns of the certificate whose QR token is `token`: a lookup's one read, a
    Core statement on a pooled connection (a quarter of an ORM session's cost)."""
    row = connection.execute(_PUBLIC_BY_TOKEN, {"token_hash": hash_token(token)}).first()
    return PublicRecord(*row) if row is not None else None


class CertificateRepository:
    """Certificates and number sequences, within the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def next_number(self, sequence: str) -> int:
        """Advance and return the counter `sequence` (row-locked on PostgreSQL)."""
        row = self.session.execute(
            select(NumberSequence).where(NumberSequence.name == sequence).with_for_update()
        ).scalar_one_or_none()
        if row is None:
            row = NumberSequence(name=sequence, last_value=0)
            self.session.add(row)
        row.last_value += 1
        self.session.flush()
        return row.last_value

    def add(self, record: CertificateRecord) -> CertificateRecord:
        """Register a certificate. Raises Conflict on a duplicate number, token or fingerprint."""
        self.session.add(record)
        try:
            self.session.flush()
        except IntegrityError as e:
            raise Conflict(f"certificate {record.certificate_no} duplicates a registered one") from e
        return record

    def add_document(self, record: DocumentRecord) -> DocumentRecord:
        """Register a sealed document. Raises Conflict on a duplicate fingerprint or number."""
        self.session.add(record)
        try:
            self.session.flush()
        except IntegrityError as e:
            raise Conflict(f"{record.kind} {record.number} duplicates a registered document") from e
        return record

    def document(self, document_id: int) -> DocumentRecord | None:
        """The registered document with this row id."""
        return self.session.get(DocumentRecord, document_id)

    def document_by_sha256(self, sha256: str) -> DocumentRecord | None:
        """The registered document (other than a certificate) whose PDF, as issued or as its current
        archive copy, has this fingerprint."""
        digest = sha256.lower()
        return self.session.execute(
            select(DocumentRecord).where(
                or_(DocumentRecord.sha256 == digest, DocumentRecord.issued_sha256 == digest)
            )
        ).scalar_one_or_none()

    def any_certificate(self) -> bool:
        """Whether any certificate is registered (one indexed row read: a cheap liveness probe)."""
        return self.session.execute(select(CertificateRecord.id).limit(1)).first() is not None

    def by_token(self, token: str) -> CertificateRecord | None:
        """The certificate whose QR token is `token`."""
        return self.session.execute(
            select(CertificateRecord).where(CertificateRecord.token_hash == hash_token(token))
        ).scalar_one_or_none()

    def by_issue_key(self, issue_key: str) -> CertificateRecord | None:
        """The certificate already issued for this (holder, approval, title) key."""
        return self.session.execute(
            select(CertificateRecord).where(CertificateRecord.issue_key == issue_key)
        ).scalar_one_or_none()

    def by_sha256(self, sha256: str) -> CertificateRecord | None:
        """The certificate whose PDF, as issued or as its current archive copy, has this fingerprint."""
        digest = sha256.lower()
        return self.session.execute(
            select(CertificateRecord).where(
                or_(CertificateRecord.sha256 == digest, CertificateRecord.issued_sha256 == digest)
            )
        ).scalar_one_or_none()

    def by_signed_sha256(self, signed_sha256: str) -> CertificateRecord | None:
        """The certificate whose last seal signed a revision with this fingerprint."""
        return self.session.execute(
            select(CertificateRecord).where(CertificateRecord.signed_sha256 == signed_sha256.lower())
        ).scalar_one_or_none()

    def document_by_signed_sha256(self, signed_sha256: str) -> DocumentRecord | None:
        """The registered document whose last seal signed a revision with this fingerprint."""
        return self.session.execute(
            select(DocumentRecord).where(DocumentRecord.signed_sha256 == signed_sha256.lower())
        ).scalar_one_or_none()

    def stored(self) -> list[CertificateRecord | DocumentRecord]:
        """Every sealed document with an archive copy in the document store."""
        certificates = self.session.execute(
            select(CertificateRecord).where(CertificateRecord.storage_key.is_not(None))
        ).scalars()
        documents = self.session.execute(
            select(DocumentRecord).where(DocumentRecord.storage_key.is_not(None))
        ).scalars()
        return [*certificates, *documents]

    def stored_as(self, storage_key: str) -> CertificateRecord | DocumentRecord | None:
        """The sealed document whose archive copy is stored under `storage_key`."""
        certificate = self.session.execute(
            select(CertificateRecord).where(CertificateRecord.storage_key == storage_key)
        ).scalar_one_or_none()
        if certificate is not None:
            return certificate
        return self.session.execute(
            select(DocumentRecord).where(DocumentRecord.storage_key == storage_key)
        ).scalar_one_or_none()

    def by_holder_secret(self, secret: str) -> CertificateRecord | None:
        """The certificate whose holder secret is `secret` (stored only as its SHA-256)."""
        return self.session.execute(
            select(CertificateRecord).where(CertificateRecord.holder_secret_hash == hash_token(secret))
        ).scalar_one_or_none()

    def superseded_by_any(self, certificate_nos: Sequence[str]) -> Sequence[CertificateRecord]:
        """The certificates superseded by any of these, the newest first."""
        return (
            self.session.execute(
                select(CertificateRecord)
                .where(CertificateRecord.superseded_by.in_(list(certificate_nos)))
                .order_by(CertificateRecord.id.desc())
            )
            .scalars()
            .all()
        )

    def documents_of(self, certificate_no: str) -> list[DocumentRecord]:
        """The sealed documents (review-form copies) of a certificate's award, in issuing order."""
        query = select(DocumentRecord).where(DocumentRecord.certificate_no == certificate_no)
        return list(self.session.execute(query.order_by(DocumentRecord.id)).scalars())

    def by_number(self, certificate_no: str) -> CertificateRecord | None:
        """The certificate with this number."""
        return self.session.execute(
            select(CertificateRecord).where(CertificateRecord.certificate_no == certificate_no)
        ).scalar_one_or_none()

    def mark_superseded(
        self, record: CertificateRecord, *, by: str, reason: str, at: dt.datetime, issue_key: str | None
    ) -> None:
        """Record that `by` supersedes the certificate; `issue_key`, when given, replaces its award key
        (a re-issue takes the key over)."""
        if issue_key is not None:
            record.issue_key = issue_key
        record.status = CertificateStatus.SUPERSEDED.value
        record.superseded_by = by
        record.status_reason = reason
        record.status_changed_at = at
        self.session.flush()

    def mark_status(
        self, record: CertificateRecord, status: CertificateStatus, *, reason: str, at: dt.datetime
    ) -> None:
        """Set a certificate's status, with why and when (the caller checks the change is allowed)."""
        record.status = status.value
        record.status_reason = reason
        record.status_changed_at = at
        self.session.flush()

    def revoke(self, certificate_no: str, *, reason: str, at: dt.datetime) -> CertificateRecord:
        """Mark a certificate revoked. Raises NotFound, or Conflict if it is already revoked."""
        record = self.by_number(certificate_no)
        if record is None:
            raise NotFound(f"no certificate numbered {certificate_no}")
        if record.status == CertificateStatus.REVOKED:
            raise Conflict(
                f"certificate {certificate_no} was already revoked on {record.status_changed_at:%Y-%m-%d}"
            )
        record.status = CertificateStatus.REVOKED.value
        record.status_reason = reason
        record.status_changed_at = at
        self.session.flush()
        return record
