"""Titles awarded on paper before this system (据纸质档案登记): verified by their number together
with the holder's full name or ID number, never looked up by number alone.

The answer is yes or no. Only on yes does it show the title as registered (the holder masked, the
title, level, committee and dates), all of which the asker could read on the paper they hold; an
unknown number and a wrong name or ID number get the same no, so that the registry tells nobody
which numbers exist or whose they are. Names and ID numbers compare as keyed hashes in constant time.
"""

import datetime as dt
from dataclasses import dataclass

from registry.db import Registry
from registry.holders import same_holder_id, same_holder_name
from verify.errors import MatchUnavailable
from verify.match import MatchQuery
from verify.typed import normalise_certificate_no

PAPER_NOTE = "据纸质档案登记，无电子证书 / Registered from paper records; no electronic document exists"


@dataclass(frozen=True)
class LegacyView:
    """What a matching asker sees of a title awarded on paper."""

    certificate_no: str
    """证书编号 as registered."""
    holder: str
    """Masked name, e.g. 张*明."""
    holder_id: str
    """Masked ID number."""
    title: str
    """资格名称."""
    level: str
    """级别."""
    series: str
    """系列 (blank when the paper record has none)."""
    speciality: str
    """专业 (blank when the paper record has none)."""
    committee: str
    """评审机构."""
    passed_on: dt.date
    """取得时间."""
    issued_on: dt.date
    """发证时间."""
    source: str = "paper"
    """Always `paper`: registered from paper records; no electronic document exists."""


def match_legacy(
    registry: Registry, certificate_no: str, query: MatchQuery, *, id_key: bytes | None
) -> LegacyView | None:
    """The title when every value given belongs to its holder; None for no (an unknown number
    alike). Raises MatchUnavailable when no key is configured."""
    if id_key is None:
        raise MatchUnavailable("the paper-records check is not available: no instance secret is configured")
    number = normalise_certificate_no(certificate_no)
    with registry.transaction() as ledger:
        row = ledger.legacy.by_number(number) if number else None
        if row is None:
            return None
        results = []
        if query.name is not None:
            results.append(same_holder_name(id_key, query.name, row.name_hmac))
        if query.id_number is not None:
            results.append(same_holder_id(id_key, query.id_number, row.id_hmac))
        if not results or not all(results):
            return None
        return LegacyView(
            certificate_no=row.certificate_no,
            holder=row.name_masked,
            holder_id=row.id_masked,
            title=row.title,
            level=row.level,
            series=row.series,
            speciality=row.speciality,
            committee=row.committee,
            passed_on=row.passed_on,
            issued_on=row.issued_on,
        )


__all__ = ["PAPER_NOTE", "LegacyView", "match_legacy"]
