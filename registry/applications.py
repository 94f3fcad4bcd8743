"""The applications of each year, for "one normal-channel application a year": the only place that
queries `yearly_applications` (registry.models.YearlyApplication).

Rows are added in the transaction that creates the issuing job, and only rows: a job opened and
abandoned before it registered an applicant's documents gives that applicant's row back (`release`).
Two sessions recording the same person in the same year at once cannot both commit: the normal
channel's key is unique with the year (PostgreSQL refuses the second insert once the first commits;
SQLite serialises writers, and `lock` takes its write lock before the rows are read).
"""

from collections.abc import Collection, Sequence

from sqlalchemy import delete, func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.errors import Conflict
from registry.models import YearlyApplication


class ApplicationBook:
    """The year's applications, within the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def lock(self) -> None:
        """On SQLite, take the database's write lock now (a statement that writes nothing; the driver
        begins transactions lazily), so that rows read next stay true until the transaction ends.
        On PostgreSQL nothing: the unique key refuses the second of two racing inserts."""
        if self.session.get_bind().dialect.name == "sqlite":
            self.session.execute(text("UPDATE yearly_applications SET id = id WHERE 0 = 1"))

    def of_people(
        self, year: int, id_hmacs: Collection[str], person_hmacs: Collection[str]
    ) -> list[YearlyApplication]:
        """The applications of `year` by any of these ID hashes or person hashes, oldest first."""
        if not id_hmacs and not person_hmacs:
            return []
        query = select(YearlyApplication).where(
            YearlyApplication.year == year,
            or_(
                YearlyApplication.id_hmac.in_(list(id_hmacs)),
                YearlyApplication.person_hmac.in_(list(person_hmacs)),
            ),
        )
        return list(self.session.execute(query.order_by(YearlyApplication.id)).scalars())

    def of_job(self, job_id: int) -> list[YearlyApplication]:
        """The applications job `job_id` recorded, by row."""
        query = select(YearlyApplication).where(YearlyApplication.job_id == job_id)
        return list(self.session.execute(query.order_by(YearlyApplication.applicant)).scalars())

    def count(self, year: int) -> int:
        """How many applications of `year` are recorded."""
        query = select(func.count()).select_from(YearlyApplication).where(YearlyApplication.year == year)
        return int(self.session.execute(query).scalar_one())

    def record(self, rows: Sequence[YearlyApplication]) -> None:
        """Add `rows`. Raises Conflict when a normal-channel application of the same person and year
        was recorded meanwhile (by another transaction): nothing of this transaction may commit."""
        self.session.add_all(rows)
        try:
            self.session.flush()
        except IntegrityError as e:
            raise Conflict(
                "another session recorded a normal-channel application of the same person and year "
                "at the same time"
            ) from e

    def release(self, job_id: int, *, keep: Collection[int] = ()) -> int:
        """Delete what job `job_id` recorded but the rows (applicants, from 0) in `keep`; returns how
        many were deleted."""
        query = delete(YearlyApplication).where(YearlyApplication.job_id == job_id)
        if keep:
            query = query.where(YearlyApplication.applicant.not_in(list(keep)))
        return int(self.session.execute(query).rowcount)  # type: ignore[attr-defined]


__all__ = ["ApplicationBook"]
