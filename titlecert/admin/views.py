"""What staff see through the admin API and `titlecert admin audit show`: JSON shapes of
registry rows. Staff see the holder's full name; the ID number is stored only masked."""

import datetime as dt
import json

from registry.chinatime import as_utc
from registry.models import AuditEntry, CertificateRecord, DocumentRecord


def _iso(at: dt.datetime | None) -> str | None:
    if at is None:
        return None
    return as_utc(at).isoformat()


def certificate_json(
    record: CertificateRecord, *, documents: list[DocumentRecord], supersedes: list[str], verifications: int
) -> dict[str, object]:
    """A certificate as staff see it."""
    return {
        "certificate_no": record.certificate_no,
        "status": record.status,
        "status_reason": record.status_reason,
        "status_changed_at": _iso(record.status_changed_at),
        "superseded_by": record.superseded_by,
        "supersedes": supersedes,
        "holder_name": record.holder_name,
        "holder_id": record.holder_id_masked,
        "title": record.title,
        "level": record.level,
        "series": record.series,
        "speciality": record.speciality,
        "committee": record.committee,
        "authority": record.authority,
        "approval_no": record.approval_no,
        "passed_on": record.passed_on.isoformat(),
        "issued_on": record.issued_on.isoformat(),
        "licence_id": record.licence_id,
        "sha256": record.sha256,
        "issued_sha256": record.issued_sha256 or record.sha256,
        "signed_sha256": record.signed_sha256,
        "created_at": _iso(record.created_at),
        "review_forms": [
            {
                "form_no": d.number,
                "copy": d.copy,
                "sha256": d.sha256,
                "issued_sha256": d.issued_sha256 or d.sha256,
            }
            for d in documents
        ],
        "verifications": verifications,
    }


def audit_entry_json(entry: AuditEntry) -> dict[str, object]:
    """An audit entry with its chain hashes; an unreadable detail is shown as stored."""
    try:
        detail: object = json.loads(entry.detail)
    except ValueError:
        detail = entry.detail
    return {
        "id": entry.id,
        "at": _iso(entry.at),
        "actor": entry.actor,
        "role": entry.role,
        "action": entry.action,
        "subject": entry.subject,
        "detail": detail,
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }
