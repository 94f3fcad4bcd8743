"""Archive maintenance: keep stored sealed documents verifiable for decades by re-time-stamping
them before the certificate of their newest time stamp expires (PAdES B-LTA renewal).

A renewed copy replaces the stored one only after it verified as the public would verify it; the
bytes as issued stay in the store under `issued/<storage key>` (written once, before the first
renewal, never overwritten) and the registry keeps their fingerprint (`issued_sha256`)."""

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field

from pyhanko.sign.timestamps import HTTPTimeStamper

from registry.audit import Actor, AuditAction
from registry.db import Registry
from registry.models import CertificateRecord, DocumentRecord
from signing.errors import SigningError
from signing.ltv import last_seal_sha256, newest_time_evidence, retimestamp
from signing.trust import TrustSettings
from titlecert.bootstrap import running
from titlecert.settings import Settings
from titlecert.store import DocumentStore
from verify.checks import analyse_pdf
from verify.report import Verdict

log = logging.getLogger(__name__)

RENEWAL_MARGIN = dt.timedelta(days=365)
"""Default: renew what expires within a year."""


@dataclass
class RetimestampResult:
    """What `archive retimestamp` did."""

    renewed: list[str] = field(default_factory=list)
    """Storage keys given a fresh document time stamp."""
    current: int = 0
    """Documents whose newest time stamp outlives the cut-off: left alone."""
    failed: list[str] = field(default_factory=list)
    """Storage keys that could not be renewed, with why (each left as it was)."""


def issued_key(storage_key: str) -> str:
    """Where the bytes as issued are kept once the archive copy under `storage_key` was renewed."""
    return f"issued/{storage_key}"


def issued_copy(store: DocumentStore, record: CertificateRecord | DocumentRecord) -> bytes:
    """The document's PDF as issued (raises KeyError when the store holds no copy of it)."""
    key = str(record.storage_key)
    if record.issued_sha256 in (None, record.sha256):  # never renewed: the stored copy is the issued one
        return store.get(key)
    return store.get(issued_key(key))


def issued_certificate(registry: Registry, store: DocumentStore, certificate_no: str) -> bytes:
    """The PDF of certificate `certificate_no` as issued, for its holder's download (raises
    KeyError when the registry has no such certificate or the store no copy of it)."""
    with registry.transaction() as ledger:
        record = ledger.certificates.by_number(certificate_no)
        if record is None or not record.storage_key:
            raise KeyError(certificate_no)
        return issued_copy(store, record)


def renewal_problem(renewed: bytes, trust: TrustSettings, signed_sha256: str) -> str | None:
    """Why a renewed copy must not replace the stored one (None: it may).

    It must verify valid with the analysis the public gets, and its last seal must still sign the
    registered revision.
    """
    analysis = analyse_pdf(renewed, trust)
    if analysis.verdict is not Verdict.VALID:
        why = "; ".join(analysis.reasons) or "no reason given"
        return f"the renewed copy does not verify ({analysis.verdict.value}: {why})"
    if analysis.signed_sha256 != signed_sha256:
        return "the renewed copy's seals no longer sign the registered revision"
    return None


def retimestamp_archive(settings: Settings, *, before: dt.datetime | None = None) -> RetimestampResult:
    """Re-time-stamp every stored sealed document (certificates and review-form copies) whose
    newest time stamp's certificate expires before `before` (default: a year from now), or that
    carries no time stamp at all.

    Each document is renewed on its own and the renewed copy verified before it replaces the
    stored one; the registry's fingerprint follows it in one step. A failure, including a renewed
    copy that does not verify, leaves that document exactly as it was and is counted as failed.
    """
    cutoff = before or dt.datetime.now(dt.UTC) + RENEWAL_MARGIN
    timestamper = HTTPTimeStamper(settings.tsa_url)
    result = RetimestampResult()
    with running(settings) as components:
        trust, store, registry = components.trust, components.store, components.registry
        anchors = list(trust.anchors)
        with registry.transaction() as ledger:
            keys = [str(r.storage_key) for r in ledger.certificates.stored()]
        for key in keys:
            try:
                pdf = store.get(key)
            except KeyError:
                result.failed.append(f"{key}: the archive copy is missing from {store}")
                continue
            evidence = newest_time_evidence(pdf)
            if evidence.expires is not None and evidence.expires > cutoff:
                result.current += 1
                continue
            try:
                renewed = retimestamp(pdf, timestamper=timestamper, trust_roots=anchors)
                signed = last_seal_sha256(pdf)
            except SigningError as e:
                result.failed.append(f"{key}: {e}")
                continue
            problem = renewal_problem(renewed, trust, signed)
            if problem is not None:
                result.failed.append(f"{key}: {problem}; the stored copy was kept")
                continue
            with registry.transaction() as ledger:
                record = ledger.certificates.stored_as(key)
                if record is None or record.signed_sha256 not in (None, signed):
                    why = (
                        "the registry no longer names this copy"
                        if record is None
                        else ("the stored copy's seals do not sign the registered revision")
                    )
                    result.failed.append(f"{key}: {why}; nothing was changed")
                    continue
                previous = record.sha256
                keep = issued_key(key)
                if hashlib.sha256(pdf).hexdigest() == record.issued_sha256 and not store.exists(keep):
                    store.put(keep, pdf)  # the first renewal: keep the issued bytes, once
                store.put(key, renewed)
                record.sha256 = hashlib.sha256(renewed).hexdigest()
                actor = Actor(settings.actor, "cli")
                detail = {"sha256": record.sha256, "previous_sha256": previous}
                ledger.audit.append(actor, AuditAction.DOCUMENT_RETIMESTAMPED, key, detail)
            result.renewed.append(key)
            log.info("re-time-stamped %s", key)
    return result


__all__ = [
    "RENEWAL_MARGIN",
    "RetimestampResult",
    "issued_copy",
    "issued_certificate",
    "issued_key",
    "renewal_problem",
    "retimestamp_archive",
]
