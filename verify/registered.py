"""What the public may see of a registered certificate, and the registry's word on it."""

import datetime as dt
import hashlib
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import TYPE_CHECKING

from registry.chinatime import as_utc

if TYPE_CHECKING:  # the registry's models need SQLAlchemy; a report read offline does not
    from registry.models import CertificateRecord
    from registry.repository import PublicRecord


class Status(StrEnum):
    """The registry's word on the certificate, separate from the file's verdict."""

    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    SUSPENDED = "suspended"
    """Not in force while an investigation runs; reinstated or revoked later."""
    UNKNOWN = "unknown"


def mask_name(name: str) -> str:
    """张*明 style: first and last character kept (a two-character name keeps the first)."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


@dataclass(frozen=True)
class CertificateView:
    """What the public may see of a registered certificate."""

    certificate_no: str
    """证书编号."""
    status: Status
    """The registry's status now: valid, suspended, revoked or superseded."""
    status_reason: str | None
    """Why it was suspended, revoked, superseded or reinstated."""
    status_changed_at: dt.datetime | None
    """When the status last changed (UTC)."""
    holder: str
    """Masked name, e.g. 张*明."""
    holder_id: str
    """Masked ID number: first 6 and last 4."""
    title: str
    """资格名称, e.g. 高级工程师."""
    level: str
    """级别, e.g. 副高级."""
    series: str
    """系列."""
    speciality: str
    """专业."""
    committee: str
    """The review committee (评审机构)."""
    authority: str
    """The approving authority (核准机构)."""
    approval_no: str
    """批准文号 of the approval notice."""
    passed_on: dt.date
    """取得时间: the day the committee passed the holder."""
    issued_on: dt.date
    """发证时间: the day the approval notice was issued."""
    sha256: str
    """SHA-256 (hex) of the issued PDF: compare it with the file at hand."""
    superseded_by: str | None = None
    """The number of the certificate re-issued in place of this one, if any."""
    archive_sha256: str | None = None
    """SHA-256 of the archive copy when it was re-time-stamped since issue (None: it is the issued
    file); the renewed copy carries the same seals and also verifies."""

    def fingerprint(self) -> str:
        """A digest of every field: equal fingerprints, the same view (what a receipt form signs
        so that POST /receipt can tell whether the registry has changed since the page)."""
        text = "\x1f".join(str(getattr(self, f.name)) for f in fields(self))
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @classmethod
    def of(cls, r: "CertificateRecord | PublicRecord") -> "CertificateView":
        return cls(
            certificate_no=r.certificate_no,
            status=Status(r.status),
            status_reason=r.status_reason,
            status_changed_at=_utc(r.status_changed_at),
            holder=mask_name(r.holder_name),
            holder_id=r.holder_id_masked,
            title=r.title,
            level=r.level,
            series=r.series,
            speciality=r.speciality,
            committee=r.committee,
            authority=r.authority,
            approval_no=r.approval_no,
            passed_on=r.passed_on,
            issued_on=r.issued_on,
            sha256=r.issued_sha256 or r.sha256,
            superseded_by=r.superseded_by,
            archive_sha256=r.sha256 if r.issued_sha256 not in (None, r.sha256) else None,
        )


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    return as_utc(moment) if moment else None


__all__ = ["CertificateView", "Status", "mask_name"]
