"""The verification log behind the holder's "who verified me" page."""

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.models import VerificationLogEntry


class VerificationLog:
    """Verifications of certificates, within the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def record(
        self, certificate_no: str, *, channel: str, verdict: str, requester: str, at: dt.datetime
    ) -> VerificationLogEntry:
        """Note one verification. `requester` must already be coarse (no full address)."""
        entry = VerificationLogEntry(
            certificate_no=certificate_no,
            at=at,
            channel=channel[:16],
            verdict=verdict[:16],
            requester=requester[:120],
        )
        self.session.add(entry)
        self.session.flush()
        return entry

    def of(self, certificate_nos: Collection[str], *, limit: int = 500) -> Sequence[VerificationLogEntry]:
        """The newest verifications of these certificates, newest first."""
        return (
            self.session.execute(
                select(VerificationLogEntry)
                .where(VerificationLogEntry.certificate_no.in_(list(certificate_nos)))
                .order_by(VerificationLogEntry.at.desc(), VerificationLogEntry.id.desc())
                .limit(limit)
            )
            .scalars()
            .all()
        )

    def count(self, certificate_no: str) -> int:
        return int(
            self.session.execute(
                select(func.count())
                .select_from(VerificationLogEntry)
                .where(VerificationLogEntry.certificate_no == certificate_no)
            ).scalar_one()
        )


__all__ = ["VerificationLog"]
