"""The titles awarded on paper before this system: the only place that queries `legacy_titles`
(registry.models.LegacyTitle)."""

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import LegacyTitle


class LegacyTitles:
    """The imported paper titles, within the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_number(self, certificate_no: str) -> LegacyTitle | None:
        """The title with this (normalised) certificate number, or None."""
        query = select(LegacyTitle).where(LegacyTitle.certificate_no == certificate_no)
        return self.session.execute(query).scalar_one_or_none()

    def of_numbers(self, numbers: Collection[str]) -> dict[str, LegacyTitle]:
        """The titles among these numbers, by number."""
        if not numbers:
            return {}
        query = select(LegacyTitle).where(LegacyTitle.certificate_no.in_(list(numbers)))
        return {row.certificate_no: row for row in self.session.execute(query).scalars()}

    def add(self, rows: Sequence[LegacyTitle]) -> None:
        """Add `rows` (a number already stored raises IntegrityError at flush)."""
        self.session.add_all(rows)
        self.session.flush()


__all__ = ["LegacyTitles"]
