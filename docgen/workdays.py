"""The working-day calendar: official holidays and make-up days, never a Monday-Friday guess.

Wraps `chinese_calendar` (pinned; it covers the years of the State Council's announcements) with
an override table for late announcements and local changes. Counting is our own `nth_workday`:
the package's `find_workday` counts from the first workday on or after a non-working start day,
one off from "the n-th working day after" (DOMAIN.md §6.1).

A day in a year nobody describes is never guessed: it raises CalendarError. `WorkCalendar.then`
chains a later calendar consulted only for the years this one does not cover (how a job keeps the
days it counted and takes a year announced afterwards, docs/calendar.md).
"""

import calendar as month_lengths
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chinese_calendar

from docgen.errors import CalendarError


@dataclass(frozen=True)
class CalendarOverrides:
    """Days the official data lacks or gets wrong, and whole years announced after the package."""

    workdays: frozenset[dt.date] = frozenset()
    """Days that are working days whatever the package says (e.g. a make-up Sunday)."""
    holidays: frozenset[dt.date] = frozenset()
    """Days that are days off whatever the package says."""
    years: frozenset[int] = field(default_factory=frozenset)
    """Years fully described by these overrides plus the weekend rule, beyond the package's data."""

    def to_json(self) -> dict[str, list[Any]]:
        """The overrides in calendar.json's form, sorted."""
        return {
            "years": sorted(self.years),
            "workdays": [d.isoformat() for d in sorted(self.workdays)],
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
        }

    @staticmethod
    def from_json(raw: Any, where: str) -> "CalendarOverrides":
        """Overrides from calendar.json's form. Raises CalendarError naming `where` and the key."""
        try:
            unknown = set(raw) - {"years", "workdays", "holidays"}
            if unknown:
                raise CalendarError(
                    f"{where}: unknown keys {sorted(unknown)}; expected years, workdays, holidays"
                )
            return CalendarOverrides(
                workdays=frozenset(dt.date.fromisoformat(d) for d in raw.get("workdays", [])),
                holidays=frozenset(dt.date.fromisoformat(d) for d in raw.get("holidays", [])),
                years=frozenset(int(y) for y in raw.get("years", [])),
            )
        except (ValueError, TypeError, AttributeError) as e:
            raise CalendarError(f"{where}: {e}") from e


def load_overrides(path: Path) -> CalendarOverrides:
    """Read `{"years": [2027], "workdays": ["2027-02-06"], "holidays": ["2027-01-01"]}`.

    A missing file means no overrides. Raises CalendarError naming the file and key otherwise.
    """
    if not path.exists():
        return CalendarOverrides()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise CalendarError(f"{path}: {e}") from e
    return CalendarOverrides.from_json(raw, str(path))


def package_years() -> range:
    """The years the installed chinesecalendar has the State Council's announcements for."""
    known = chinese_calendar.holidays.keys() | chinese_calendar.workdays.keys()
    return range(min(known).year, max(known).year + 1)


HOW_TO_ADD_A_YEAR = (
    'add the year to calendar.json in the instance\'s home ({{"years": [{year}], "holidays": '
    '[every announced day off on a weekday], "workdays": [every make-up weekend day]}}, checked by '
    "`titlecert calendar check FILE`), or upgrade the pinned chinesecalendar once it has {year}"
)
"""What to do about a year the calendar lacks; `.format(year=...)`."""


class WorkCalendar:
    """Working days per the official calendar plus overrides."""

    def __init__(self, overrides: CalendarOverrides | None = None) -> None:
        self.overrides = overrides or CalendarOverrides()
        self.later: WorkCalendar | None = None

    def then(self, later: "WorkCalendar") -> "WorkCalendar":
        """This calendar, with `later` answering for the years this one does not cover only: a day
        this calendar knows (a listed day, or any day of a covered year) never changes."""
        merged = WorkCalendar(self.overrides)
        merged.later = later
        return merged

    def covers(self, year: int) -> bool:
        """Whether every day of `year` is known (by the package, the overrides or a later calendar)."""
        return (
            year in self.overrides.years
            or year in package_years()
            or (self.later is not None and self.later.covers(year))
        )

    def covered_years(self) -> list[int]:
        """Every covered year, ascending."""
        own = set(package_years()) | self.overrides.years
        return sorted(own | set(self.later.covered_years() if self.later else ()))

    def is_workday(self, day: dt.date) -> bool:
        """True on a working day. Raises CalendarError for a year nobody has described."""
        if day in self.overrides.workdays:
            return True
        if day in self.overrides.holidays:
            return False
        if day.year in self.overrides.years:
            return day.weekday() < 5
        if day.year in package_years():
            return bool(chinese_calendar.is_workday(day))
        if self.later is not None:
            return self.later.is_workday(day)
        raise CalendarError(
            f"no working-day calendar for {day.year}: the official holidays of that year are not "
            f"known yet; {HOW_TO_ADD_A_YEAR.format(year=day.year)}"
        )

    def is_makeup_weekend(self, day: dt.date) -> bool:
        """A Saturday or Sunday that is a working day (调休上班)."""
        return day.weekday() >= 5 and self.is_workday(day)

    def nth_workday(self, start: dt.date, n: int, *, inclusive: bool) -> dt.date:
        """The n-th working day counting from `start` (itself counted if `inclusive` and a workday).

        "公示不少于5个工作日" ends on nth_workday(start, 5, inclusive=True); "5个工作日内报送"
        is due on nth_workday(end, 5, inclusive=False).
        """
        if n < 1:
            raise ValueError("n must be at least 1")
        day = start if inclusive else start + dt.timedelta(days=1)
        count = 0
        while True:
            if self.is_workday(day):
                count += 1
                if count == n:
                    return day
            day += dt.timedelta(days=1)

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days from `start` to `end`, both included (0 if end < start)."""
        count, day = 0, start
        while day <= end:
            count += self.is_workday(day)
            day += dt.timedelta(days=1)
        return count


def add_month(day: dt.date) -> dt.date:
    """The same day one month later (the month's last day when it has no such day)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(day.day, month_lengths.monthrange(year, month)[1]))


def filing_deadline(confirmed_on: dt.date, workdays: WorkCalendar) -> dt.date:
    """The review forms are filed within one month of the confirmation notice; a deadline on a day
    off moves to the next working day. Raises CalendarError when the calendar lacks that year."""
    due = add_month(confirmed_on)
    return due if workdays.is_workday(due) else workdays.nth_workday(due, 1, inclusive=False)
