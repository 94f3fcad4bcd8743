"""Archive maintenance: keep stored sealed documents verifiable for decades by re-time-stamping
them before the certificate of their newest time stamp expires (PAdES B-LTA renewal)."""

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field

from pyhanko.sign.timestamps import HTTPTimeStamper

from registry.audit import Actor, AuditAction, AuditLog
from registry.db import Registry
from signing.errors import SigningError
from signing.ltv import newest_time_evidence, retimestamp
from titlecert.instance import load_trust
from titlecert.settings import Settings
from titlecert.store import open_store

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


def parse_when(text: str) -> dt.datetime:
    """An ISO date or date-time; a bare date means the end of that day, China time (UTC+8).

    Raises ValueError on anything else.
    """
    china = dt.timezone(dt.timedelta(hours=8))
    if len(text) == 10:
        day = dt.date.fromisoformat(text)
        return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=china)
    when = dt.datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=china)


def retimestamp_archive(settings: Settings, *, before: dt.datetime | None = None) -> RetimestampResult:
    """Re-time-stamp every stored sealed document whose newest time stamp's certificate expires
    before `before` (default: a year from now), or that carries no time stamp at all.

    Each document is renewed on its own: the new copy replaces the stored one and the registry's
    fingerprint follows it in one step, so a failure leaves that document exactly as it was.
    """
    cutoff = before or dt.datetime.now(dt.UTC) + RENEWAL_MARGIN
    anchors = list(load_trust(settings).anchors)
    timestamper = HTTPTimeStamper(settings.tsa_url)
    store = open_store(settings)
    registry = Registry(settings.database_url)
    result = RetimestampResult()
    try:
        with registry.transaction() as repo:
            keys = [str(r.storage_key) for r in repo.stored()]
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
            except SigningError as e:
                result.failed.append(f"{key}: {e}")
                continue
            with registry.transaction() as repo:
                record = repo.stored_as(key)
                if record is None:
                    continue
                store.put(key, renewed)
                record.sha256 = hashlib.sha256(renewed).hexdigest()
                actor = Actor(settings.actor, "cli")
                detail = {"sha256": record.sha256}
                AuditLog(repo.session).append(actor, AuditAction.DOCUMENT_RETIMESTAMPED, key, detail)
            result.renewed.append(key)
            log.info("re-time-stamped %s", key)
    finally:
        registry.dispose()
    return result


__all__ = ["RENEWAL_MARGIN", "RetimestampResult", "parse_when", "retimestamp_archive"]
