"""Review committees' mandates (评委会备案) and their seal certificates' authorised periods: the only
place that queries `committee_mandates` and `committee_seals` (registry.models), and the rules on
them that need no session: which mandate covers a series, level and day, which seal certificate was
authorised at a moment (docs/committees.md)."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import CommitteeMandate, CommitteeSeal

LEVELS = ("员级", "助理级", "中级", "副高级", "正高级")
"""Title levels from lowest to highest (as docgen.models.Level spells them): a mandate up to a level
includes every lower one."""


def level_covered(highest: str, level: str) -> bool:
    """Whether a mandate whose highest level is `highest` may review `level`."""
    return level in LEVELS and highest in LEVELS and LEVELS.index(level) <= LEVELS.index(highest)


def mandate_covers(m: CommitteeMandate, series: str, level: str, day: dt.date) -> bool:
    """Whether mandate `m` covers reviewing `series` at `level` on `day`."""
    return m.series == series and level_covered(m.highest_level, level) and m.valid_from <= day <= m.valid_to


def seal_authorised(s: CommitteeSeal, moment: dt.datetime) -> bool:
    """Whether seal certificate `s` was authorised to seal at `moment` (an aware datetime)."""
    return _aware(s.valid_from) <= moment <= _aware(s.valid_to)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes of what was stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


class Mandates:
    """Committees' mandates and seal certificates, within the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_mandate(self, mandate: CommitteeMandate) -> None:
        self.session.add(mandate)
        self.session.flush()

    def add_seal(self, seal: CommitteeSeal) -> None:
        self.session.add(seal)
        self.session.flush()

    def of_committee(self, committee: str) -> list[CommitteeMandate]:
        """The committee's mandates, earliest term first."""
        query = select(CommitteeMandate).where(CommitteeMandate.committee == committee)
        return list(self.session.execute(query.order_by(CommitteeMandate.valid_from)).scalars())

    def all_mandates(self) -> list[CommitteeMandate]:
        """Every mandate, by committee and term."""
        query = select(CommitteeMandate).order_by(CommitteeMandate.committee, CommitteeMandate.valid_from)
        return list(self.session.execute(query).scalars())

    def seals(self, committee: str | None = None) -> list[CommitteeSeal]:
        """The seal certificates (of one committee), by committee and period."""
        query = select(CommitteeSeal)
        if committee is not None:
            query = query.where(CommitteeSeal.committee == committee)
        order = (CommitteeSeal.committee, CommitteeSeal.valid_from)
        return list(self.session.execute(query.order_by(*order)).scalars())

    def seal(self, sha256: str) -> CommitteeSeal | None:
        """The seal certificate with this fingerprint, None if not registered."""
        query = select(CommitteeSeal).where(CommitteeSeal.sha256 == sha256.lower())
        return self.session.execute(query).scalar_one_or_none()


def covering(
    mandates: Sequence[CommitteeMandate], series: str, level: str, day: dt.date
) -> CommitteeMandate | None:
    """The first of `mandates` covering `series` at `level` on `day`."""
    return next((m for m in mandates if mandate_covers(m, series, level, day)), None)


__all__ = ["LEVELS", "Mandates", "covering", "level_covered", "mandate_covers", "seal_authorised"]
