"""What a share link's terms are, without the registry: its states, its last day and the
annotation it prints (verify.shares makes and opens links; verify.holder_copies judges the
annotated copy, offline too, so this module loads no database code)."""

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING

from registry.chinatime import as_utc, china_date
from verify.text import Text

if TYPE_CHECKING:  # the model's type only: this module loads no database code
    from registry.models import ShareLink


class ShareState(StrEnum):
    """A link as its holder sees it."""

    ACTIVE = "active"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


def last_day(expires_at: dt.datetime) -> dt.date:
    """The last China day a link opens (the 有效期至 date)."""
    return china_date(as_utc(expires_at) - dt.timedelta(microseconds=1))


def annotation(purpose: str, valid_until: dt.date) -> Text:
    """The annotation the share page and its JSON print."""
    return Text(
        f"持证人加注：{purpose}，有效期至{valid_until.year}年{valid_until.month}月{valid_until.day}日",
        f"Holder's note: {purpose}; valid until {valid_until.isoformat()}",
    )


def state_of(link: "ShareLink", now: dt.datetime) -> ShareState:
    if link.withdrawn_at is not None:
        return ShareState.WITHDRAWN
    return ShareState.ACTIVE if as_utc(now) < as_utc(link.expires_at) else ShareState.EXPIRED


__all__ = ["ShareState", "annotation", "last_day", "state_of"]
