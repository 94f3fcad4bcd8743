"""The holder's share links (持证人加注): a link to their certificate for one stated purpose
(e.g. 仅供XX单位招聘使用) and at most 90 days, which the holder withdraws whenever they like.

A link's token is 216 random bits, stored only hashed. A link opens while it is neither expired
nor withdrawn; expired, withdrawn, unknown and malformed links are all the same None, so nobody
learns from the answer that a link once existed. Moments are passed in (`now`), never read here.
"""

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from registry.chinatime import CHINA_TIME, as_utc, china_date
from registry.db import Registry
from registry.lifecycle import current, lineage
from registry.models import ShareLink
from verify.registered import CertificateView
from verify.share_terms import ShareState, annotation, last_day, state_of
from verify.text import Text

SHARE_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{36}")
"""What a share token looks like (`secrets.token_urlsafe(27)`: 36 characters)."""
PURPOSE_MAX = 60
DAYS_MIN, DAYS_MAX, DAYS_DEFAULT = 1, 90, 30
"""How long a link may open, in days (as MOHRSS e-certificates' 加注 allow: up to 90)."""


class ShareProblem(StrEnum):
    """Why a share link was not made (the holder's page says so beside the form)."""

    PURPOSE_MISSING = "purpose-missing"
    PURPOSE_TOO_LONG = "purpose-too-long"
    DAYS_OUT_OF_RANGE = "days-out-of-range"


def new_share_token() -> str:
    return secrets.token_urlsafe(27)


def checked_request(purpose: str, days: str) -> tuple[str, int] | ShareProblem:
    """The purpose (whitespace trimmed) and number of days a holder typed, or what is wrong."""
    purpose = " ".join(purpose.split())
    if not purpose:
        return ShareProblem.PURPOSE_MISSING
    if len(purpose) > PURPOSE_MAX:
        return ShareProblem.PURPOSE_TOO_LONG
    text = days.strip() or str(DAYS_DEFAULT)
    if not text.isdecimal() or not DAYS_MIN <= int(text) <= DAYS_MAX:
        return ShareProblem.DAYS_OUT_OF_RANGE
    return purpose, int(text)


def expiry(now: dt.datetime, days: int) -> dt.datetime:
    """When a link made at `now` for `days` days stops opening: the end of the China day `days`
    days after today there (a link made today for one day opens until tomorrow's midnight)."""
    after = china_date(now) + dt.timedelta(days=days + 1)
    return dt.datetime.combine(after, dt.time(), tzinfo=CHINA_TIME).astimezone(dt.UTC)


@dataclass(frozen=True)
class ShareSeen:
    """One link on its holder's page."""

    id: int
    certificate_no: str
    purpose: str
    created_at: dt.datetime
    expires_at: dt.datetime
    valid_until: dt.date
    """The last China day it opens."""
    state: ShareState
    uses: int
    """Verifications that came by it so far."""
    annotation: Text
    """What its page prints: 持证人加注：…，有效期至…."""


def seen(link: ShareLink, now: dt.datetime, uses: int) -> ShareSeen:
    return ShareSeen(
        link.id,
        link.certificate_no,
        link.purpose,
        as_utc(link.created_at),
        as_utc(link.expires_at),
        last_day(link.expires_at),
        state_of(link, now),
        uses,
        annotation(link.purpose, last_day(link.expires_at)),
    )


@dataclass(frozen=True)
class MadeShare:
    """A link just made: its token is shown once, on the page answering the holder's form."""

    token: str
    share: ShareSeen


def make_share(
    registry: Registry, secret: str, purpose: str, days: str, *, now: dt.datetime
) -> MadeShare | ShareProblem | None:
    """A new link to the certificate in force of the holder whose secret is `secret`; None for an
    unknown secret."""
    checked = checked_request(purpose, days)
    if isinstance(checked, ShareProblem):
        return checked
    with registry.transaction() as ledger:
        record = ledger.certificates.by_holder_secret(secret)
        if record is None:
            return None
        in_force = current(ledger.certificates, record)
        token = new_share_token()
        link = ledger.shares.add(
            in_force.certificate_no,
            token=token,
            purpose=checked[0],
            at=now,
            expires_at=expiry(now, checked[1]),
        )
        return MadeShare(token, seen(link, now, 0))


def withdraw_share(registry: Registry, secret: str, share_id: int, *, now: dt.datetime) -> bool:
    """Withdraw one of the holder's links; False when the secret is unknown or the link not theirs."""
    with registry.transaction() as ledger:
        record = ledger.certificates.by_holder_secret(secret)
        if record is None:
            return False
        link = ledger.shares.by_id(share_id)
        chain = {r.certificate_no for r in lineage(ledger.certificates, record)}
        if link is None or link.certificate_no not in chain:
            return False
        ledger.shares.withdraw(link, at=now)
        return True


@dataclass(frozen=True)
class ShareView:
    """What an open share link shows: the certificate as its scan page would, and the annotation."""

    share_id: int
    certificate: CertificateView
    """What the certificate's scan page shows."""
    purpose: str
    valid_until: dt.date
    """The last China day the link opens."""
    annotation: Text
    """The holder's annotation: 持证人加注：…，有效期至…."""


def share_view(registry: Registry, token: str, *, now: dt.datetime) -> ShareView | None:
    """What the link `token` opens at `now`; None alike for unknown, malformed, expired and
    withdrawn links."""
    if not SHARE_TOKEN_PATTERN.fullmatch(token):
        return None
    with registry.transaction() as ledger:
        link = ledger.shares.by_token(token)
        if link is None or state_of(link, now) is not ShareState.ACTIVE:
            return None
        record = ledger.certificates.by_number(link.certificate_no)
        if record is None:
            return None
        until = last_day(link.expires_at)
        return ShareView(
            link.id, CertificateView.of(record), link.purpose, until, annotation(link.purpose, until)
        )


__all__ = [
    "DAYS_DEFAULT",
    "DAYS_MAX",
    "DAYS_MIN",
    "PURPOSE_MAX",
    "SHARE_TOKEN_PATTERN",
    "MadeShare",
    "ShareProblem",
    "ShareSeen",
    "ShareState",
    "ShareView",
    "annotation",
    "checked_request",
    "expiry",
    "make_share",
    "seen",
    "share_view",
    "state_of",
    "withdraw_share",
]
