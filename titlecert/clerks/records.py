"""Clerks' records on printed copies, each also in the audit log.

What a clerk records is only ever data: a copy recorded `lost` is void at once and its replacement
pending until the committee office issues it (`replacements`, from the command line). Nothing here
seals, so the web site that calls it never needs the seal keys.

The guards shared by the clerk pages and `titlecert clerk stamp|file`: a date is a day in Chongqing
(UTC+8), neither after today there nor before the copy was issued; a copy is filed with a box not
recorded stamped only when the clerk gives the reason, which the record and its audit entry keep.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from registry.audit import Actor, AuditAction
from registry.chinatime import china_date
from registry.db import Registry
from registry.errors import NotFound
from registry.paper import EventKind, PaperEvent, StampBox
from titlecert.errors import ApplicationError


@dataclass(frozen=True)
class MissingBox:
    position: int
    level: str
    page: int


class RecordRefused(ApplicationError):
    """A record the guards refuse; the message names the copy and says what to do."""


class IncompleteFiling(RecordRefused):
    """Filing a copy some of whose boxes are not recorded stamped, without a reason."""

    def __init__(self, copy: str, missing: list[MissingBox]) -> None:
        self.missing = missing
        boxes = ", ".join(f"{b.position} ({b.level}, page {b.page})" for b in missing)
        super().__init__(
            f"copy {copy}: stamp box(es) {boxes} not recorded as stamped: record their stamps first, "
            "or file it anyway giving the reason (--incomplete-reason TEXT)"
        )


class DateRefused(RecordRefused):
    """A date after today in Chongqing, or before the copy was issued."""

    def __init__(self, copy: str, on: dt.date, *, earliest: dt.date, latest: dt.date) -> None:
        self.on, self.earliest, self.latest = on, earliest, latest
        self.future = on > latest
        why = "is after today in Chongqing (UTC+8)" if self.future else "is before the copy was issued"
        super().__init__(
            f"copy {copy}: the date {on.isoformat()} {why}: give a day from {earliest.isoformat()} "
            f"to {latest.isoformat()}"
        )


def missing_boxes(boxes: Sequence[StampBox], stamped: set[int]) -> list[MissingBox]:
    """The boxes with no stamp in force, in the form's order."""
    return [MissingBox(b.position, b.level, b.page) for b in boxes if b.position not in stamped]


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
    incomplete_reason: str = "",
) -> PaperEvent:
    """Add one record and its audit entry in one transaction; a `lost` record is the request for a
    replacement (audited as such). A filing with boxes not recorded stamped needs
    `incomplete_reason`, kept as the record's note and in its audit entry. Raises NotFound,
    RegistryError, DateRefused (a stamp or filing dated after today in Chongqing or before the
    copy was issued), IncompleteFiling."""
    with registry.transaction() as ledger:
        book = ledger.paper
        copy = book.copy(copy_id)
        if copy is None:
            raise NotFound(f"no printed copy {copy_id}")
        name = f"{copy.form_no}-{copy.label}"
        at = dt.datetime.now(dt.UTC)
        detail: dict[str, object] = {}
        if kind in (EventKind.STAMPED, EventKind.FILED):
            document = ledger.certificates.document(copy.document_id)
            issued = china_date(document.created_at if document else copy.created_at)
            today = china_date(at)
            if not issued <= on <= today:
                raise DateRefused(name, on, earliest=issued, latest=today)
        if kind is EventKind.FILED:
            missing = missing_boxes(book.boxes(copy.form_no), set(book.state(copy).stamps))
            reason = incomplete_reason.strip()
            if missing and not reason:
                raise IncompleteFiling(name, missing)
            if missing:
                note = f"{note}；{reason}" if note else reason
                detail["incomplete"] = {"missing_boxes": [b.position for b in missing], "reason": reason}
        event = book.record(
            copy, kind, clerk=actor.name, on=on, at=at, box=box, body=body, corrects=corrects, note=note
        )
        detail = {
            "event": event.id,
            "kind": kind.value,
            "copy": name,
            "on": on.isoformat(),
            "box": box,
            "body": body,
            "corrects": corrects,
            "note": note,
            **detail,
        }
        action = (
            AuditAction.PAPER_REPLACEMENT_REQUESTED if kind is EventKind.LOST else AuditAction.PAPER_RECORDED
        )
        ledger.audit.append(actor, action, f"review-form {copy.form_no}", detail, at=at)
        return event
