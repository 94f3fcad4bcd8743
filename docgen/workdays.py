"""The working-day calendar: official holidays and make-up days, never a Monday-Friday guess.

Wraps `chinese_calendar` (pinned; it covers the years of the State Council's announcements) with
an override table for late announcements and local changes. Counting is our own `nth_workday`:
the package's `find_workday` counts from the first workday on or after a non-working start day,
one off from "the n-th working day after" (docs/domain.md, "The calendar package").

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
from docgen.timetable import BUNDLED, Timetable, parse_timetables


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


@dataclass(frozen=True)
class CalendarOverrides:
    """Days the official data lacks or gets wrong, and whole years announced after the package."""

    workdays: frozenset[dt.date] = frozenset()
    """Days that are working days whatever the package says (e.g. a make-up Sunday)."""
    holidays: frozenset[dt.date] = frozenset()
    """Days that are days off whatever the package says."""
    years: frozenset[int] = field(default_factory=frozenset)
    """Years fully described by these overrides plus the weekend rule, beyond the package's data."""
    timetables: tuple[Timetable, ...] = ()
    """The notice's timetable (item 三) of years the bundled ones lack or get wrong (docgen.timetable)."""

    def to_json(self) -> dict[str, Any]:
        """The overrides in calendar.json's form, sorted."""
        return {
            "years": sorted(self.years),
            "workdays": [d.isoformat() for d in sorted(self.workdays)],
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "timetables": {str(t.year): t.to_json() for t in self.timetables},
        }

    @staticmethod
    def from_json(raw: Any, where: str) -> "CalendarOverrides":
        """Overrides from calendar.json's form. Raises CalendarError naming `where`, the key and the
        entry of each error (`check_overrides` also gives the warnings)."""
        overrides, findings = check_overrides(raw)
        errors = [f"{where}: {f}" for f in findings if f.error]
        if overrides is None or errors:
            raise CalendarError("; ".join(errors))
        return overrides


@dataclass(frozen=True)
class OverrideFinding:
    """A problem of a calendar.json file."""

    where: str
    """The key and entry, e.g. "holidays[3]"; empty for the file as a whole."""
    message: str
    error: bool = True
    """An error makes the file unusable; a warning is a likely mistake."""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


KEYS = ("years", "workdays", "holidays", "timetables")
STATUTORY_DAYS_OFF = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}
"""Fixed-date statutory holidays (全体公民放假的节日): a day off in every year, whatever the weekday."""


def _entries(raw: dict[str, Any], key: str, out: list[OverrideFinding]) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        out.append(OverrideFinding(key, f"expected a list, found {type(value).__name__}"))
        return []
    return value


def _dates(raw: dict[str, Any], key: str, out: list[OverrideFinding]) -> dict[dt.date, str]:
    days: dict[dt.date, str] = {}
    for i, item in enumerate(_entries(raw, key, out)):
        where = f"{key}[{i}]"
        try:
            day = dt.date.fromisoformat(item) if isinstance(item, str) and len(item) == 10 else None
        except ValueError:
            day = None
        if day is None:
            out.append(OverrideFinding(where, f"expected a date written YYYY-MM-DD, found {item!r}"))
        elif day in days:
            out.append(OverrideFinding(where, f"{day} is listed twice (also {days[day]})", error=False))
        else:
            days[day] = where
    return days


def check_overrides(raw: Any) -> tuple[CalendarOverrides | None, list[OverrideFinding]]:
    """The overrides of a parsed calendar.json and every problem found: its form, its dates, and
    whether each year under `years` is whole (its statutory holidays days off; the weekend rule
    and the listed days describe all of it). None when there are errors."""
    out: list[OverrideFinding] = []
    if not isinstance(raw, dict):
        return None, [
            OverrideFinding(
                "",
                'expected an object {"years": [...], "workdays": [...], '
                f'"holidays": [...]}}, found {type(raw).__name__}',
            )
        ]
    for key in sorted(set(raw) - set(KEYS)):
        out.append(OverrideFinding(str(key), f"unknown key; expected {', '.join(KEYS)}"))
    years: dict[int, str] = {}
    for i, item in enumerate(_entries(raw, "years", out)):
        if isinstance(item, bool) or not isinstance(item, int) or not 1949 < item < 2200:
            out.append(OverrideFinding(f"years[{i}]", f"expected a year such as 2027, found {item!r}"))
        else:
            years.setdefault(item, f"years[{i}]")
    workdays, holidays = _dates(raw, "workdays", out), _dates(raw, "holidays", out)
    timetables, problems = parse_timetables(raw.get("timetables", {}))
    out += [OverrideFinding(where, message) for where, message in problems]
    for day in sorted(workdays.keys() & holidays.keys()):
        out.append(
            OverrideFinding(
                holidays[day],
                f"{day} is also under workdays ({workdays[day]}); a day is either a working day or a day off",
            )
        )
    official = package_years()
    for year, where in sorted(years.items()):
        if year in official:
            out.append(
                OverrideFinding(
                    where,
                    f"chinesecalendar already has {year}: listed here, the "
                    "weekend rule and this file's days replace its official "
                    "holidays of that year",
                    error=False,
                )
            )
        for (month, day_of_month), name in STATUTORY_DAYS_OFF.items():
            day = dt.date(year, month, day_of_month)
            if day in workdays or (day.weekday() < 5 and day not in holidays):
                out.append(
                    OverrideFinding(
                        where,
                        f"{day} ({name}) is a statutory holiday but would be "
                        "a working day: add it to holidays",
                    )
                )
    for day, where in sorted((workdays | holidays).items()):
        if day.year not in years and day.year not in official:
            year = day.year
            out.append(
                OverrideFinding(
                    where,
                    f"{year} is not under years and chinesecalendar lacks "
                    f"it: the other days of {year} stay unknown; to describe "
                    f"the year add {year} to years",
                    error=False,
                )
            )
        elif day.year in years and day in workdays and day.weekday() < 5:
            out.append(
                OverrideFinding(
                    where,
                    f"{day} is a {day.strftime('%A')}, a working day by the "
                    "weekend rule already; workdays are for make-up weekend days",
                    error=False,
                )
            )
    if any(f.error for f in out):
        return None, out
    overrides = CalendarOverrides(frozenset(workdays), frozenset(holidays), frozenset(years), timetables)
    return overrides, out


def read_overrides(path: Path) -> tuple[CalendarOverrides | None, list[OverrideFinding]]:
    """`check_overrides` of a calendar.json file, reading and JSON problems included."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        return None, [OverrideFinding("", f"cannot be read ({e.strerror}); check the path")]
    except UnicodeDecodeError:
        return None, [OverrideFinding("", "is not UTF-8 text; save it as UTF-8 JSON")]
    except json.JSONDecodeError as e:
        return None, [OverrideFinding("", f"is not valid JSON at line {e.lineno}, column {e.colno}")]
    return check_overrides(raw)


def load_overrides(path: Path) -> CalendarOverrides:
    """Read `{"years": [2027], "workdays": ["2027-02-06"], "holidays": ["2027-01-01"]}`.

    A missing file means no overrides. Raises CalendarError naming the file, key and entry otherwise.
    """
    if not path.exists():
        return CalendarOverrides()
    overrides, findings = read_overrides(path)
    errors = [f"{path}: {f}" for f in findings if f.error]
    if overrides is None or errors:
        raise CalendarError("; ".join(errors) + " (see `titlecert calendar check`)")
    return overrides


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

    def timetable(self, year: int) -> Timetable | None:
        """The notice's timetable of `year`: the overrides', a later calendar's, else the bundled one."""
        own = next((t for t in self.overrides.timetables if t.year == year), None)
        later = self.later.timetable(year) if self.later is not None else None
        return own or later or BUNDLED.get(year)

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
