"""An in-memory ledger: the repositories the lifecycle and the clerks' accounts use, without a
database, for a unit tier that runs in milliseconds.

It keeps to the real repositories' contract (tests/unit/registry/test_fake_ledger.py runs the same
cases on it and on SQLite); only the parts of that contract the unit tier needs are here.
"""

import dataclasses
import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from registry.audit import Actor
from registry.errors import Conflict, NotFound
from registry.models import CertificateRecord, CertificateStatus, DocumentRecord
from registry.paper import Clerk


@dataclasses.dataclass
class Entry:
    actor: str
    role: str
    action: str
    subject: str
    detail: Mapping[str, Any]
    at: dt.datetime


class FakeAudit:
    def __init__(self) -> None:
        self.log: list[Entry] = []

    def append(
        self,
        actor: Actor,
        action: str,
        subject: str,
        detail: Mapping[str, Any] | None = None,
        *,
        at: dt.datetime | None = None,
    ) -> Entry:
        entry = Entry(
            actor.name, actor.role, action, subject, dict(detail or {}), at or dt.datetime.now(dt.UTC)
        )
        self.log.append(entry)
        return entry

    def entries(self, *, after: int = 0, limit: int = 100) -> Sequence[Entry]:
        return self.log[after : after + limit]


class FakeCertificates:
    def __init__(self) -> None:
        self.rows: dict[str, CertificateRecord] = {}
        self.docs: list[DocumentRecord] = []
        self.counters: dict[str, int] = {}
        self._ids = itertools.count(1)

    def next_number(self, sequence: str) -> int:
        self.counters[sequence] = self.counters.get(sequence, 0) + 1
        return self.counters[sequence]

    def add(self, record: CertificateRecord) -> CertificateRecord:
        taken = {(r.certificate_no, r.token_hash, r.issue_key) for r in self.rows.values()}
        if any(
            record.certificate_no == no or record.token_hash == token or record.issue_key == key
            for no, token, key in taken
        ):
            raise Conflict(f"certificate {record.certificate_no} duplicates a registered one")
        record.id = next(self._ids)
        self.rows[record.certificate_no] = record
        return record

    def add_document(self, record: DocumentRecord) -> DocumentRecord:
        if any(d.sha256 == record.sha256 for d in self.docs):
            raise Conflict(f"{record.kind} {record.number} duplicates a registered document")
        record.id = next(self._ids)
        self.docs.append(record)
        return record

    def by_number(self, certificate_no: str) -> CertificateRecord | None:
        return self.rows.get(certificate_no)

    def by_issue_key(self, issue_key: str) -> CertificateRecord | None:
        return next((r for r in self.rows.values() if r.issue_key == issue_key), None)

    def revoke(self, certificate_no: str, *, reason: str, at: dt.datetime) -> CertificateRecord:
        record = self.rows.get(certificate_no)
        if record is None:
            raise NotFound(f"no certificate numbered {certificate_no}")
        if record.status == CertificateStatus.REVOKED:
            raise Conflict(f"certificate {certificate_no} was already revoked")
        record.status, record.status_reason, record.status_changed_at = (
            CertificateStatus.REVOKED.value,
            reason,
            at,
        )
        return record

    def mark_status(
        self, record: CertificateRecord, status: CertificateStatus, *, reason: str, at: dt.datetime
    ) -> None:
        record.status, record.status_reason, record.status_changed_at = status.value, reason, at

    def mark_superseded(
        self, record: CertificateRecord, *, by: str, reason: str, at: dt.datetime, issue_key: str | None
    ) -> None:
        if issue_key is not None:
            record.issue_key = issue_key
        record.status, record.superseded_by = CertificateStatus.SUPERSEDED.value, by
        record.status_reason, record.status_changed_at = reason, at

    def superseded_by_any(self, certificate_nos: Sequence[str]) -> Sequence[CertificateRecord]:
        found = [r for r in self.rows.values() if r.superseded_by in certificate_nos]
        return sorted(found, key=lambda r: r.id, reverse=True)

    def documents_of(self, certificate_no: str) -> list[DocumentRecord]:
        return [d for d in self.docs if d.certificate_no == certificate_no]


class FakeClerks:
    def __init__(self) -> None:
        self.by_username: dict[str, Clerk] = {}
        self.units: dict[str, set[str]] = {}

    def by_name(self, username: str) -> Clerk | None:
        return self.by_username.get(username)

    def all(self) -> Sequence[Clerk]:
        return [self.by_username[name] for name in sorted(self.by_username)]

    def add(self, clerk: Clerk) -> Clerk:
        clerk.id = len(self.by_username) + 1
        self.by_username[clerk.username] = clerk
        return clerk

    def units_of(self, clerk: Clerk) -> list[str]:
        return sorted(self.units.get(clerk.username, set()))

    def assign(self, clerk: Clerk, unit_code: str) -> bool:
        held = self.units.setdefault(clerk.username, set())
        fresh = unit_code not in held
        held.add(unit_code)
        return fresh

    def unassign(self, clerk: Clerk, unit_code: str) -> bool:
        held = self.units.setdefault(clerk.username, set())
        present = unit_code in held
        held.discard(unit_code)
        return present


class FakeLedger:
    """Stands in for registry.ledger.Ledger (certificates, audit, clerks)."""

    def __init__(self) -> None:
        self.certificates = FakeCertificates()
        self.audit = FakeAudit()
        self.clerks = FakeClerks()
