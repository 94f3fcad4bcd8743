"""Printed review forms: their copies, the wet-stamp boxes on them, and what archive clerks record.

A review form (`review_forms`) is registered at issue with its unit and reporting chain; each printed
copy (`paper_copies`) is a registered document (`documents`) with a copy label (`P`, `U`; `P2`, `U2`…
for replacements); the boxes to be stamped by hand (`stamp_boxes`) are the same on every copy of a
form. Clerks' records (`paper_events`) are only ever added, never changed or deleted (the ORM refuses,
as for the audit log); a mistake is retracted by a `correction` naming the event it retracts, and a
copy's state is derived from its events (`copy_state`).
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from registry.errors import RegistryError
from registry.models import Base, DocumentRecord


class ReviewFormRecord(Base):
    """One review form (职称评审表) of an award: who it belongs to and who must stamp it."""

    __tablename__ = "review_forms"

    form_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    certificate_no: Mapped[str] = mapped_column(String(64), ForeignKey("certificates.certificate_no"))
    holder_name: Mapped[str] = mapped_column(String(100))
    unit_name: Mapped[str] = mapped_column(String(200))
    unit_code: Mapped[str] = mapped_column(String(18), index=True)
    """The employer's unified social credit code: clerks are assigned units by it."""
    superior_name: Mapped[str] = mapped_column(String(200))
    """主管部门 / 人事代理机构 / 驻渝最高管理机构 of the reporting chain."""
    chain: Mapped[str] = mapped_column(String(40))
    """The applicant's reporting chain (docgen.models.ReportingChain)."""
    session_ref: Mapped[str] = mapped_column(String(100), index=True)
    """The confirmation notice's 批准文号: names the review session."""
    confirmed_on: Mapped[dt.date] = mapped_column(Date)
    """The confirmation notice's date; the forms are due in the archives a month later."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PaperCopy(Base):
    """One printed copy of a review form, with its own page codes."""

    __tablename__ = "paper_copies"
    __table_args__ = (UniqueConstraint("form_no", "label", name="uq_paper_copies_form_label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_no: Mapped[str] = mapped_column(String(64), ForeignKey("review_forms.form_no"), index=True)
    copy: Mapped[str] = mapped_column(String(32))
    """personnel-file (人事档案) or unit-archive (单位文书档案)."""
    label: Mapped[str] = mapped_column(String(8))
    """What the page codes print: P or U, then the copy number from 2 for a replacement (P2)."""
    document_id: Mapped[int] = mapped_column(Integer, ForeignKey("documents.id"), unique=True)
    pages: Mapped[int] = mapped_column(Integer)
    replaces_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("paper_copies.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class StampBox(Base):
    """A box of the form to be stamped by hand (鲜章), in the order the form prints them."""

    __tablename__ = "stamp_boxes"
    __table_args__ = (UniqueConstraint("form_no", "position", name="uq_stamp_boxes_form_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_no: Mapped[str] = mapped_column(String(64), ForeignKey("review_forms.form_no"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(60))
    """The level of the reporting chain, e.g. 所在单位, 单位主管部门, 区县人力社保（职改）部门."""
    body: Mapped[str] = mapped_column(String(200))
    """The body expected to stamp, when the session names it (else empty)."""
    page: Mapped[int] = mapped_column(Integer)
    """1-based page the box is printed on."""


class EventKind(StrEnum):
    STAMPED = "stamped"
    FILED = "filed"
    LOST = "lost"
    """The copy was lost or spoilt: void from then on, a replacement requested (registry.replacements)."""
    CORRECTION = "correction"
    """Retracts the event `corrects_id` names (a stamp or a filing recorded by mistake)."""


class PaperEvent(Base):
    """A clerk's record about one copy. Append-only."""

    __tablename__ = "paper_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    copy_id: Mapped[int] = mapped_column(Integer, ForeignKey("paper_copies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    box: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """A stamp's box position."""
    body: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """Who stamped (a stamp), or where the copy is kept (a filing)."""
    happened_on: Mapped[dt.date] = mapped_column(Date)
    clerk: Mapped[str] = mapped_column(String(100))
    """Who recorded it."""
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    corrects_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("paper_events.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class Clerk(Base):
    """An archive clerk's account (password hashed with argon2 by the application)."""

    __tablename__ = "clerks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """None: signs in only through the SSO header."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ClerkUnit(Base):
    """A unit (by credit code) whose forms a clerk may see and record."""

    __tablename__ = "clerk_units"

    clerk_id: Mapped[int] = mapped_column(Integer, ForeignKey("clerks.id"), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(18), primary_key=True)


@event.listens_for(PaperEvent, "before_update")
@event.listens_for(PaperEvent, "before_delete")
def _refuse_change(_mapper: Any, _connection: Any, target: PaperEvent) -> None:
    raise RegistryError(f"paper event {target.id} cannot be changed or deleted: record a correction")


class CopyState(StrEnum):
    AWAITING_STAMPS = "awaiting-stamps"
    STAMPED = "stamped"
    FILED = "filed"
    VOID = "void"


@dataclass
class DerivedState:
    """A copy's state as its events leave it."""

    state: CopyState
    stamps: dict[int, PaperEvent] = field(default_factory=dict)
    """Box position -> the stamp in force (the latest not retracted)."""
    filed: PaperEvent | None = None
    lost: PaperEvent | None = None
    retracted: set[int] = field(default_factory=set)


def copy_state(events: Sequence[PaperEvent], boxes: Sequence[StampBox]) -> DerivedState:
    """Derive a copy's state from its events (any order). Filed needs no stamp: a filing records
    where the copy went even if a box was missed (the list shows both)."""
    retracted = {e.corrects_id for e in events if e.kind == EventKind.CORRECTION and e.corrects_id}
    live = sorted((e for e in events if e.id not in retracted), key=lambda e: (e.recorded_at, e.id))
    stamps = {e.box: e for e in live if e.kind == EventKind.STAMPED and e.box is not None}
    filed = next((e for e in reversed(live) if e.kind == EventKind.FILED), None)
    lost = next((e for e in live if e.kind == EventKind.LOST), None)
    if lost is not None:
        state = CopyState.VOID
    elif filed is not None:
        state = CopyState.FILED
    elif all(b.position in stamps for b in boxes):
        state = CopyState.STAMPED
    else:
        state = CopyState.AWAITING_STAMPS
    return DerivedState(state, stamps, filed, lost, retracted)


class PaperBook:
    """Queries and records on printed copies, within the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_form(self, form: ReviewFormRecord, boxes: Sequence[StampBox]) -> None:
        """Record a review form and the boxes of it stamped by hand."""
        self.session.add(form)
        self.session.add_all(boxes)
        self.session.flush()

    def add_copy(self, copy: PaperCopy) -> PaperCopy:
        """Record a printed copy of a recorded form."""
        self.session.add(copy)
        self.session.flush()
        return copy

    def unrecorded_documents(self, certificate_no: str, kind: str) -> Sequence[DocumentRecord]:
        """The registered documents of this kind of a certificate's award that no recorded copy is
        (review forms issued before the clerk pages existed), in issuing order."""
        recorded = select(PaperCopy.document_id)
        return (
            self.session.execute(
                select(DocumentRecord)
                .where(
                    DocumentRecord.kind == kind,
                    DocumentRecord.certificate_no == certificate_no,
                    DocumentRecord.id.not_in(recorded),
                )
                .order_by(DocumentRecord.id)
            )
            .scalars()
            .all()
        )

    def form(self, form_no: str) -> ReviewFormRecord | None:
        return self.session.get(ReviewFormRecord, form_no)

    def copy_by_label(self, form_no: str, label: str) -> PaperCopy | None:
        return self.session.execute(
            select(PaperCopy).where(PaperCopy.form_no == form_no, PaperCopy.label == label)
        ).scalar_one_or_none()

    def copy(self, copy_id: int) -> PaperCopy | None:
        return self.session.get(PaperCopy, copy_id)

    def copies(self, form_no: str) -> Sequence[PaperCopy]:
        return (
            self.session.execute(select(PaperCopy).where(PaperCopy.form_no == form_no).order_by(PaperCopy.id))
            .scalars()
            .all()
        )

    def boxes(self, form_no: str) -> Sequence[StampBox]:
        return (
            self.session.execute(
                select(StampBox).where(StampBox.form_no == form_no).order_by(StampBox.position)
            )
            .scalars()
            .all()
        )

    def events(self, copy_id: int) -> Sequence[PaperEvent]:
        return (
            self.session.execute(
                select(PaperEvent).where(PaperEvent.copy_id == copy_id).order_by(PaperEvent.id)
            )
            .scalars()
            .all()
        )

    def state(self, copy: PaperCopy) -> DerivedState:
        return copy_state(self.events(copy.id), self.boxes(copy.form_no))

    def is_void(self, document_id: int) -> bool:
        """Whether the registered document is a printed copy recorded lost (and so replaced)."""
        copy = self.session.execute(
            select(PaperCopy).where(PaperCopy.document_id == document_id)
        ).scalar_one_or_none()
        return copy is not None and self.state(copy).state is CopyState.VOID

    def forms(
        self, units: Sequence[str] | None, *, session_ref: str | None = None, unit: str | None = None
    ) -> Sequence[ReviewFormRecord]:
        """Forms of the given units (None: all), optionally of one session or unit, newest first."""
        query = select(ReviewFormRecord).order_by(ReviewFormRecord.form_no.desc())
        if units is not None:
            query = query.where(ReviewFormRecord.unit_code.in_(list(units)))
        if session_ref:
            query = query.where(ReviewFormRecord.session_ref == session_ref)
        if unit:
            query = query.where(ReviewFormRecord.unit_code == unit)
        return self.session.execute(query).scalars().all()

    def record(
        self,
        copy: PaperCopy,
        kind: EventKind,
        *,
        clerk: str,
        on: dt.date,
        at: dt.datetime,
        box: int | None = None,
        body: str | None = None,
        corrects: int | None = None,
        note: str = "",
    ) -> PaperEvent:
        """Add a record. Raises RegistryError for a box the form does not have, a correction of an
        event of another copy (or of a correction), or a record on a void copy."""
        state = self.state(copy)
        if state.state is CopyState.VOID and kind is not EventKind.CORRECTION:
            raise RegistryError(f"copy {copy.form_no}-{copy.label} is void")
        if kind is EventKind.STAMPED and box not in {b.position for b in self.boxes(copy.form_no)}:
            raise RegistryError(f"{copy.form_no} has no stamp box {box}")
        if kind is EventKind.CORRECTION:
            target = self.session.get(PaperEvent, corrects) if corrects else None
            if (
                target is None
                or target.copy_id != copy.id
                or target.kind not in (EventKind.STAMPED, EventKind.FILED)
            ):
                raise RegistryError("a correction retracts a stamp or a filing of the same copy")
        entry = PaperEvent(
            copy_id=copy.id,
            kind=kind.value,
            box=box,
            body=body,
            happened_on=on,
            clerk=clerk,
            recorded_at=at,
            corrects_id=corrects,
            note=note,
        )
        self.session.add(entry)
        self.session.flush()
        return entry


__all__ = [
    "Clerk",
    "ClerkUnit",
    "CopyState",
    "EventKind",
    "PaperBook",
    "PaperCopy",
    "PaperEvent",
    "ReviewFormRecord",
    "StampBox",
    "copy_state",
]
