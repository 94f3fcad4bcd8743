"""Replacements of lost printed copies: the requests pending and the lock one is registered under.

A clerk's `lost` record (`paper_events`) makes a copy void at once and asks for a replacement; the
replacement is the `paper_copies` row whose `replaces_id` names the lost copy, added by the committee
office (`titlecert clerk replacements issue`). A request is pending while no such row exists, so
nothing is updated when it is fulfilled: both records stay as they were written.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from registry.paper import EventKind, PaperCopy, PaperEvent


@dataclass(frozen=True)
class ReplacementRequest:
    """A copy recorded lost whose replacement has not been issued yet."""

    copy: PaperCopy
    """The lost (void) copy."""
    lost: PaperEvent
    """The clerk's record that asked for the replacement: who, on which day, why (`note`)."""


class Replacements:
    """Replacement requests and the copies issued for them, within the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def of(self, copy_id: int) -> PaperCopy | None:
        """The copy issued in place of `copy_id`, if any."""
        return self.session.execute(
            select(PaperCopy).where(PaperCopy.replaces_id == copy_id).order_by(PaperCopy.id).limit(1)
        ).scalar_one_or_none()

    def pending(self) -> Sequence[ReplacementRequest]:
        """Every copy recorded lost and not replaced yet, the oldest request first (a copy two clerks
        recorded lost at once is one request: the first record)."""
        replaced = select(PaperCopy.replaces_id).where(PaperCopy.replaces_id.is_not(None))
        events = self.session.execute(
            select(PaperEvent)
            .where(PaperEvent.kind == EventKind.LOST.value, PaperEvent.copy_id.not_in(replaced))
            .order_by(PaperEvent.id)
        ).scalars()
        requests: dict[int, ReplacementRequest] = {}
        for event in events:
            copy = self.session.get(PaperCopy, event.copy_id)
            if copy is not None and event.copy_id not in requests:
                requests[event.copy_id] = ReplacementRequest(copy, event)
        return list(requests.values())

    def lock(self, copy_id: int) -> None:
        """Hold, until the transaction ends, the lock under which a replacement of `copy_id` is
        registered, so that of two issuers the second reads the replacement the first registered.

        PostgreSQL: the lost copy's row FOR NO KEY UPDATE (clerks' records on the copy, which only take
        a key-share lock through their foreign key, still go in). SQLite: the database's write lock,
        taken by a statement that writes nothing (the driver begins transactions lazily). Call it first
        in the transaction, before reading whether the copy is replaced.
        """
        if self.session.get_bind().dialect.name == "sqlite":
            self.session.execute(text("UPDATE paper_copies SET id = id WHERE 0 = 1"))
        else:
            self.session.execute(
                select(PaperCopy.id).where(PaperCopy.id == copy_id).with_for_update(key_share=True)
            ).all()


__all__ = ["ReplacementRequest", "Replacements"]
