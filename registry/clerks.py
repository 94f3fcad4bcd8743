"""Clerks' accounts and the units whose forms each may record, within the caller's transaction.

Password hashing and the checks on a unit's code are the clerk pages' business
(titlecert.clerks.accounts); this is only where the rows are read and written.
"""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.paper import Clerk, ClerkUnit


class ClerkAccounts:
    """Clerk rows and their unit assignments."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_name(self, username: str) -> Clerk | None:
        return self.session.execute(select(Clerk).where(Clerk.username == username)).scalar_one_or_none()

    def all(self) -> Sequence[Clerk]:
        return self.session.execute(select(Clerk).order_by(Clerk.username)).scalars().all()

    def add(self, clerk: Clerk) -> Clerk:
        self.session.add(clerk)
        self.session.flush()
        return clerk

    def units_of(self, clerk: Clerk) -> list[str]:
        return list(
            self.session.execute(
                select(ClerkUnit.unit_code)
                .where(ClerkUnit.clerk_id == clerk.id)
                .order_by(ClerkUnit.unit_code)
            ).scalars()
        )

    def assign(self, clerk: Clerk, unit_code: str) -> bool:
        """Give the clerk the unit; whether it was not theirs already."""
        if self.session.get(ClerkUnit, (clerk.id, unit_code)) is not None:
            return False
        self.session.add(ClerkUnit(clerk_id=clerk.id, unit_code=unit_code))
        self.session.flush()
        return True

    def unassign(self, clerk: Clerk, unit_code: str) -> bool:
        """Take the unit away from the clerk; whether it was theirs."""
        existing = self.session.get(ClerkUnit, (clerk.id, unit_code))
        if existing is None:
            return False
        self.session.delete(existing)
        self.session.flush()
        return True


__all__ = ["ClerkAccounts"]
