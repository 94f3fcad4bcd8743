"""The verification log behind the holder's "who verified me" page."""

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from registry.models import VerificationLogEntry


@dataclass(frozen=True)
class Verification:
    """One verification to note. `requester` must already be coarse (no full address)."""

    certificate_no: str
    channel: str
    verdict: str
    requester: str
    at: dt.datetime
    share_id: int | None = None
    """The holder's share link the verifier came by (channel `share`)."""

    def row(self) -> dict[str, object]:
        return {
            "certificate_no": self.certificate_no,
            "at": self.at,
            "channel": self.channel[:16],
            "verdict": self.verdict[:16],
            "requester": self.requester[:120],
            "share_id": self.share_id,
        }


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

    def record_many(self, verifications: Iterable[Verification]) -> int:
        """Note several verifications in one statement (executemany); how many."""
        rows = [v.row() for v in verifications]
        if rows:
            self.session.execute(insert(VerificationLogEntry), rows)
        return len(rows)

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


__all__ = ["Verification", "VerificationLog"]
