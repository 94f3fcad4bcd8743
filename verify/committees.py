"""The public list of review committees (as the human-resources departments publish 评委会备案):
each committee's mandates and seal certificates with their periods (docs/committees.md). Served
as GET /committees and GET /api/v1/committees (verify.web)."""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from registry.db import Registry


@dataclass(frozen=True)
class MandateView:
    """One mandate: what the committee may review, by which document, for which term."""

    series: str
    speciality: str
    highest_level: str
    """The highest level it may review; the lower ones are included."""
    document_no: str
    """批准文件 / 备案文号."""
    valid_from: dt.date
    valid_to: dt.date
    """Both days included."""


@dataclass(frozen=True)
class SealView:
    """One seal certificate and the period it was authorised to seal in (both moments included)."""

    sha256: str
    """SHA-256 of the certificate's DER (lower-case hex): what a reader's certificate details show."""
    subject: str
    valid_from: dt.datetime
    valid_to: dt.datetime


@dataclass(frozen=True)
class CommitteeView:
    """One review committee by its full name."""

    name: str
    mandates: list[MandateView]
    """Earliest term first."""
    seals: list[SealView]
    """Earliest period first."""


@dataclass(frozen=True)
class CommitteeList:
    """Every committee the registry holds, by name."""

    committees: list[CommitteeView]


def committee_list(registry: "Registry") -> CommitteeList:
    """Every committee's mandates and seal certificates. Raises Unavailable as the registry does."""
    with registry.transaction() as ledger:
        mandates, seals = ledger.mandates.all_mandates(), ledger.mandates.seals()
        names = sorted({m.committee for m in mandates} | {s.committee for s in seals})
        return CommitteeList(
            [
                CommitteeView(
                    name,
                    [
                        MandateView(
                            m.series, m.speciality, m.highest_level, m.document_no, m.valid_from, m.valid_to
                        )
                        for m in mandates
                        if m.committee == name
                    ],
                    [
                        SealView(s.sha256, s.subject, _aware(s.valid_from), _aware(s.valid_to))
                        for s in seals
                        if s.committee == name
                    ],
                )
                for name in names
            ]
        )


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


__all__ = ["CommitteeList", "CommitteeView", "MandateView", "SealView", "committee_list"]
