"""The working-day calendar: official holidays and make-up days, never a Monday-Friday guess.

Wraps `chinese_calendar` (pinned; it covers the years of the State Council's announcements) with
an override table for late announcements and local changes. Counting is our own `nth_workday`:
the package's `find_workday` counts from the first workday on or after a non-working start day,
one off from "the n-th working day after" (DOMAIN.md §6.1).
"""

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


class WorkCalendar:
    """Working days per the official calendar plus overrides."""

    def __init__(self, overrides: CalendarOverrides | None = None) -> None:
        self.overrides = overrides or CalendarOverrides()

    def is_workday(self, day: dt.date) -> bool:
        """True on a working day. Raises CalendarError for a year nobody has described."""
        if day in self.overrides.workdays:
            return True
        if day in self.overrides.holidays:
            return False
        if day.year in self.overrides.years:
            return day.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError as e:
            raise CalendarError(
                f"no working-day calendar for {day.year}: the official holidays of that year are not "
                "known yet; add them to the instance's calendar.json (years, workdays, holidays)"
            ) from e

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
