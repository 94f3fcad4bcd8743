"""Beijing time, the one home of it: the registry keeps moments in UTC, and the days people act on
(a clerk's stamp, the end of a `--at` day, a date on a page) are Chongqing calendar days, UTC+8
(China keeps no daylight saving time, so a fixed offset is exact)."""

import datetime as dt

CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "UTC+8")


def in_china(moment: dt.datetime) -> dt.datetime:
    """`moment` on Beijing clocks; a naive value (as SQLite returns it) is UTC."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(CHINA_TIME)


def china_date(moment: dt.datetime) -> dt.date:
    """The day `moment` falls on in Chongqing: at 23:30 UTC it is already the next day there."""
    return in_china(moment).date()


def china_today() -> dt.date:
    """Today in Chongqing."""
    return china_date(dt.datetime.now(dt.UTC))


def parse_when(text: str) -> dt.datetime:
    """An ISO date or date-time; a bare date means the end of that day in Chongqing, a date-time
    without an offset is Beijing time. Raises ValueError on anything else."""
    if len(text) == 10:
        day = dt.date.fromisoformat(text)
        return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=CHINA_TIME)
    when = dt.datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=CHINA_TIME)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A time read from the registry, in UTC: the registry stores UTC, and SQLite hands it back
    without a zone."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


__all__ = ["CHINA_TIME", "as_utc", "china_date", "china_today", "in_china", "parse_when"]
