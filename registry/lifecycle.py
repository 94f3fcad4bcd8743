"""A certificate's life after issue: suspension, revocation, and supersession by a corrected re-issue.

Each change is recorded in the audit log inside the caller's transaction, so the status and its
record commit together or not at all.

A certificate in force is `valid`. Revoked (the award itself is void, e.g. a review found to rest
on fraud is terminated) and superseded (a corrected certificate replaces it) are final: a
certificate in either state changes no more, and is never superseded again, so chains of
supersession cannot loop.

Suspended (pending an investigation) is not in force and never final: a suspended certificate is
reinstated (valid again) or revoked, each step audited with its reason and actor. It is not
superseded while suspended (reinstate it first), and a suspension is never lifted silently.
"""

import datetime as dt
import hashlib

from registry.audit import Actor, AuditAction
from registry.errors import Conflict, NotFound
from registry.ledger import Ledger
from registry.models import CertificateRecord, CertificateStatus
from registry.repository import CertificateRepository


def _require(repo: CertificateRepository, certificate_no: str) -> CertificateRecord:
    record = repo.by_number(certificate_no)
    if record is None:
        raise NotFound(f"no certificate numbered {certificate_no}")
    return record


def require_in_force(record: CertificateRecord) -> None:
    """Raises Conflict, saying what happened, unless the certificate is valid."""
    when = f" on {record.status_changed_at:%Y-%m-%d}" if record.status_changed_at else ""
    if record.status == CertificateStatus.REVOKED:
        raise Conflict(f"certificate {record.certificate_no} was already revoked{when}")
    if record.status == CertificateStatus.SUPERSEDED:
        raise Conflict(
            f"certificate {record.certificate_no} was already superseded{when} by {record.superseded_by}; "
            f"act on {record.superseded_by} instead"
        )
    if record.status == CertificateStatus.SUSPENDED:
        raise Conflict(
            f"certificate {record.certificate_no} is suspended pending an investigation{when} "
            f"({record.status_reason}); reinstate it first"
        )


def suspend(
    ledger: Ledger, certificate_no: str, *, reason: str, at: dt.datetime, actor: Actor
) -> CertificateRecord:
    """Suspend a certificate in force pending an investigation: the verify site and API say
    暂停使用（调查中） at once. Raises NotFound, or Conflict if it is not valid (already suspended,
    revoked or superseded)."""
    record = _require(ledger.certificates, certificate_no)
    if record.status == CertificateStatus.SUSPENDED:
        when = f" since {record.status_changed_at:%Y-%m-%d}" if record.status_changed_at else ""
        raise Conflict(
            f"certificate {certificate_no} is already suspended{when} ({record.status_reason}); "
            "reinstate or revoke it"
        )
    require_in_force(record)
    ledger.certificates.mark_status(record, CertificateStatus.SUSPENDED, reason=reason, at=at)
    ledger.audit.append(actor, AuditAction.CERTIFICATE_SUSPENDED, certificate_no, {"reason": reason}, at=at)
    return record


def reinstate(
    ledger: Ledger, certificate_no: str, *, reason: str, at: dt.datetime, actor: Actor
) -> CertificateRecord:
    """Put a suspended certificate back in force (the investigation found nothing against it).
    Raises NotFound, or Conflict if it is not suspended."""
    record = _require(ledger.certificates, certificate_no)
    if record.status != CertificateStatus.SUSPENDED:
        raise Conflict(
            f"certificate {certificate_no} is {record.status}, not suspended: nothing to reinstate"
        )
    ledger.certificates.mark_status(record, CertificateStatus.VALID, reason=reason, at=at)
    ledger.audit.append(actor, AuditAction.CERTIFICATE_REINSTATED, certificate_no, {"reason": reason}, at=at)
    return record


def revoke(
    ledger: Ledger, certificate_no: str, *, reason: str, at: dt.datetime, actor: Actor
) -> CertificateRecord:
    """Revoke a certificate in force or suspended. Raises NotFound, or Conflict if it is revoked or
    superseded."""
    record = _require(ledger.certificates, certificate_no)
    if record.status != CertificateStatus.SUSPENDED:
        require_in_force(record)
    record = ledger.certificates.revoke(certificate_no, reason=reason, at=at)
    ledger.audit.append(actor, AuditAction.CERTIFICATE_REVOKED, certificate_no, {"reason": reason}, at=at)
    return record


def supersede(
    ledger: Ledger,
    certificate_no: str,
    *,
    by: str,
    reason: str,
    at: dt.datetime,
    actor: Actor,
    issue_key: str | None = None,
) -> CertificateRecord:
    """Mark a certificate in force as superseded by certificate `by`.

    A suspended certificate is refused with Conflict (reinstate it first, or revoke it): a
    re-issue must not lift a suspension silently.

    Without `issue_key`, `by` must be registered already and in force (a corrected certificate
    issued on its own). With `issue_key`, this is a re-issue whose new record is added after this
    call in the same transaction: if the old certificate holds that award key, it gives the key up
    (keeping a hash derived from it), so the award stays issued exactly once in force.

    Raises NotFound, or Conflict when either certificate is not in force or they are the same.
    """
    repo = ledger.certificates
    old = _require(repo, certificate_no)
    require_in_force(old)
    if by == certificate_no:
        raise Conflict(f"certificate {certificate_no} cannot supersede itself")
    if issue_key is None:
        new = _require(repo, by)
        require_in_force(new)
    freed = issue_key is not None and old.issue_key == issue_key
    released = (
        hashlib.sha256(f"superseded:{certificate_no}:{issue_key}".encode()).hexdigest() if freed else None
    )
    repo.mark_superseded(old, by=by, reason=reason, at=at, issue_key=released)
    ledger.audit.append(
        actor, AuditAction.CERTIFICATE_SUPERSEDED, certificate_no, {"by": by, "reason": reason}, at=at
    )
    return old


def current(repo: CertificateRepository, record: CertificateRecord) -> CertificateRecord:
    """The certificate at the end of `record`'s chain of supersession (itself if not superseded)."""
    seen = {record.certificate_no}
    while record.superseded_by:
        successor = repo.by_number(record.superseded_by)
        if successor is None or successor.certificate_no in seen:
            break
        seen.add(successor.certificate_no)
        record = successor
    return record


def lineage(repo: CertificateRepository, record: CertificateRecord) -> list[CertificateRecord]:
    """Every certificate of `record`'s chain of supersession, the current one first, then the
    ones it replaced, newest first."""
    chain = [current(repo, record)]
    seen = {chain[0].certificate_no}
    frontier = [chain[0].certificate_no]
    while frontier:
        predecessors = repo.superseded_by_any(frontier)
        frontier = []
        for p in predecessors:
            if p.certificate_no not in seen:
                seen.add(p.certificate_no)
                chain.append(p)
                frontier.append(p.certificate_no)
    return chain


def replace_holder_secret(
    ledger: Ledger, record: CertificateRecord, *, new_secret_hash: str, at: dt.datetime, actor: Actor
) -> None:
    """The holder's page moves to a new secret (the old link leaked): the old one opens nothing
    from this transaction's commit on. Audited with the certificate, never with either secret."""
    record.holder_secret_hash = new_secret_hash
    ledger.session.flush()
    ledger.audit.append(actor, AuditAction.HOLDER_SECRET_REPLACED, record.certificate_no, {}, at=at)


def record_issue(
    ledger: Ledger,
    certificate_no: str,
    *,
    sha256: str,
    actor: Actor,
    at: dt.datetime,
    supersedes: str | None = None,
) -> None:
    """Record in the audit log that a certificate was issued (with the fingerprint of its PDF)."""
    detail = {"sha256": sha256} | ({"supersedes": supersedes} if supersedes else {})
    ledger.audit.append(actor, AuditAction.CERTIFICATE_ISSUED, certificate_no, detail, at=at)


__all__ = [
    "current",
    "lineage",
    "record_issue",
    "reinstate",
    "replace_holder_secret",
    "require_in_force",
    "revoke",
    "supersede",
    "suspend",
]
