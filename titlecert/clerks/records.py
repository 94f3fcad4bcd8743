"""Clerks' records on printed copies, each also in the audit log.

What a clerk records is only ever data: a copy recorded `lost` is void at once and its replacement
pending until the committee office issues it (`replacements`, from the command line). Nothing here
seals, so the web site that calls it never needs the seal keys.
"""

import datetime as dt

from registry.audit import Actor, AuditAction, AuditLog
from registry.db import Registry
from registry.errors import NotFound
from registry.paper import EventKind, PaperBook, PaperEvent


def record(
    registry: Registry,
    copy_id: int,
    kind: EventKind,
    *,
    actor: Actor,
    on: dt.date,
    box: int | None = None,
    body: str | None = None,
    corrects: int | None = None,
    note: str = "",
) -> PaperEvent:
    """Add one record and its audit entry in one transaction; a `lost` record is the request for a
    replacement (audited as such). Raises NotFound, RegistryError."""
    with registry.transaction() as repo:
        book = PaperBook(repo.session)
        copy = book.copy(copy_id)
        if copy is None:
            raise NotFound(f"no printed copy {copy_id}")
        at = dt.datetime.now(dt.UTC)
        event = book.record(
            copy, kind, clerk=actor.name, on=on, at=at, box=box, body=body, corrects=corrects, note=note
        )
        detail = {
            "event": event.id,
            "kind": kind.value,
            "copy": f"{copy.form_no}-{copy.label}",
            "on": on.isoformat(),
            "box": box,
            "body": body,
            "corrects": corrects,
            "note": note,
        }
        action = (
            AuditAction.PAPER_REPLACEMENT_REQUESTED if kind is EventKind.LOST else AuditAction.PAPER_RECORDED
        )
        AuditLog(repo.session).append(actor, action, f"review-form {copy.form_no}", detail, at=at)
        return event
