"""The append-only audit log: every administrative action, hash-chained.

Each entry's `entry_hash` is SHA-256 over the previous entry's hash and this entry's canonical JSON
(`canonical_json`), the first entry chaining from `GENESIS`. Changing, deleting or reordering an
entry breaks the chain at that entry or the next; `AuditLog.verify` names the first one that does
not check out. Cutting entries off the end leaves a shorter chain that still checks: record the
head hash `verify` reports somewhere else to notice that.

Nothing here updates or deletes an entry, and the ORM refuses to (see `_refuse_change`).
"""

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from registry.chinatime import as_utc
from registry.errors import RegistryError
from registry.models import AuditEntry

GENESIS = "0" * 64
"""The `prev_hash` of the first entry."""


class AuditAction(StrEnum):
    """The actions recorded (stored strings)."""

    CERTIFICATE_ISSUED = "certificate-issued"
    CERTIFICATE_REVOKED = "certificate-revoked"
    CERTIFICATE_SUPERSEDED = "certificate-superseded"
    CERTIFICATE_SUSPENDED = "certificate-suspended"
    """Suspended pending an investigation (reason in the detail)."""
    CERTIFICATE_REINSTATED = "certificate-reinstated"
    """A suspended certificate back in force (reason in the detail)."""
    CERTIFICATE_VIEWED = "certificate-viewed"
    """A staff member read a certificate's unmasked details through the admin API."""
    DOCUMENT_RETIMESTAMPED = "document-retimestamped"
    PAPER_RECORDED = "paper-recorded"
    """An archive clerk's record on a printed review-form copy (stamp, filing, loss, correction)."""
    PAPER_REPLACEMENT_REQUESTED = "paper-replacement-requested"
    """A clerk recorded a printed copy lost: void at once, its replacement pending."""
    PAPER_REPLACED = "paper-copy-replaced"
    """A lost printed copy re-issued under a new copy number (by the committee office's CLI)."""
    CLERK_CHANGED = "clerk-changed"
    """An archive clerk's account created, assigned a unit, disabled or given a new password."""
    LEGACY_IMPORTED = "legacy-titles-imported"
    """Titles awarded on paper imported from a file (its SHA-256, how many rows added and already there)."""
    HOLDER_SECRET_REPLACED = "holder-secret-replaced"  # noqa: S105 - an action's name, not a secret
    """The holder replaced the link of their page (actor `holder`); the old one opens nothing."""
    TOKEN_CREATED = "admin-token-created"  # noqa: S105 - an action's name, not a secret
    TOKEN_REVOKED = "admin-token-revoked"  # noqa: S105 - an action's name, not a secret


@dataclass(frozen=True)
class Actor:
    """Who did something: a person or an admin token, and the role they acted in."""

    name: str
    """The admin token's name, or the operator's name for the command line."""
    role: str
    """The token's role (committee-office, approval-authority, archive-clerk), or `cli`."""


def canonical_json(
    *, at: dt.datetime, actor: str, role: str, action: str, subject: str, detail: Mapping[str, Any]
) -> bytes:
    """The bytes an entry's hash covers: its fields as JSON with sorted keys, no spaces, UTF-8,
    the time in UTC to the microsecond."""
    doc = {
        "at": as_utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": actor,
        "role": role,
        "action": action,
        "subject": subject,
        "detail": detail,
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    """SHA-256 (hex) over the previous entry's hash (as ASCII hex) followed by the canonical JSON."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()


def expected_hash(entry: AuditEntry, prev_hash: str) -> str:
    """What `entry.entry_hash` must be if it follows `prev_hash` and was not changed.

    Raises ValueError if its detail is not a JSON object.
    """
    detail = json.loads(entry.detail)
    if not isinstance(detail, dict):
        raise ValueError("detail is not a JSON object")
    canonical = canonical_json(
        at=entry.at,
        actor=entry.actor,
        role=entry.role,
        action=entry.action,
        subject=entry.subject,
        detail=detail,
    )
    return chain_hash(prev_hash, canonical)


@dataclass(frozen=True)
class ChainCheck:
    """The result of checking the whole chain."""

    entries: int
    """How many entries were checked."""
    head: str
    """The last entry's hash (GENESIS for an empty log): note it elsewhere to detect truncation."""
    broken_at: int | None = None
    """The id of the first entry that does not check out; None if the chain is intact."""
    problem: str | None = None
    """Why that entry does not check out."""

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    def to_json(self) -> dict[str, object]:
        return {
            "intact": self.intact,
            "entries": self.entries,
            "head": self.head,
            "broken_at": self.broken_at,
            "problem": self.problem,
        }


class AuditLog:
    """The audit log, within the caller's transaction (so an action and its record commit together)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._head: str | None = None

    def append(
        self,
        actor: Actor,
        action: str,
        subject: str,
        detail: Mapping[str, Any] | None = None,
        *,
        at: dt.datetime | None = None,
    ) -> AuditEntry:
        """Record an action after the chain's last entry.

        The chain's head is read under a lock held until the transaction ends, so concurrent
        writers chain one after the other: on PostgreSQL a table lock that conflicts with itself;
        on SQLite the database's write lock, taken by a statement that writes nothing (the driver
        begins transactions lazily, so reading the head first would let two writers read the same
        head). Raises RegistryError if the detail cannot be stored as JSON.
        """
        at = as_utc(at or dt.datetime.now(dt.UTC))
        if self._head is None:
            dialect = self.session.get_bind().dialect.name
            if dialect == "postgresql":
                self.session.execute(text("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"))
            elif dialect == "sqlite":
                self.session.execute(text("UPDATE audit_log SET id = id WHERE 0 = 1"))
            last = self.session.execute(
                select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
            ).scalar_one_or_none()
            self._head = last or GENESIS
        detail = dict(detail or {})
        try:
            canonical = canonical_json(
                at=at, actor=actor.name, role=actor.role, action=action, subject=subject, detail=detail
            )
        except (TypeError, ValueError) as e:
            raise RegistryError(f"audit detail of {action} {subject} is not JSON: {e}") from e
        entry = AuditEntry(
            at=at,
            actor=actor.name[:100],
            role=actor.role[:32],
            action=action,
            subject=subject[:120],
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
            prev_hash=self._head,
            entry_hash=chain_hash(self._head, canonical),
        )
        if (entry.actor, entry.role, entry.subject) != (actor.name, actor.role, subject):
            raise RegistryError(f"audit entry {action} {subject[:40]}: a field is longer than the column")
        self.session.add(entry)
        self.session.flush()
        self._head = entry.entry_hash
        return entry

    def entries(self, *, after: int = 0, limit: int = 100) -> Sequence[AuditEntry]:
        """Entries with an id above `after`, oldest first, at most `limit`."""
        return (
            self.session.execute(
                select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(limit)
            )
            .scalars()
            .all()
        )

    def verify(self) -> ChainCheck:
        """Walk the chain from the first entry; stop at the first that does not check out."""
        prev = GENESIS
        count = 0
        for entry in self.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars():
            count += 1
            if entry.prev_hash != prev:
                why = "it does not follow the entry before it (rewritten, or entries between were removed)"
                return ChainCheck(count, prev, entry.id, why)
            try:
                expected = expected_hash(entry, prev)
            except ValueError as e:
                return ChainCheck(count, prev, entry.id, f"its detail is unreadable ({e})")
            if entry.entry_hash != expected:
                why = "its content was changed after it was written (its hash does not match)"
                return ChainCheck(count, prev, entry.id, why)
            prev = entry.entry_hash
        return ChainCheck(count, prev)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(_mapper: Any, _connection: Any, target: AuditEntry) -> None:
    raise RegistryError(f"audit entry {target.id} cannot be changed or deleted: the log is append-only")


__all__ = ["GENESIS", "Actor", "AuditAction", "AuditLog", "ChainCheck", "canonical_json", "chain_hash"]
