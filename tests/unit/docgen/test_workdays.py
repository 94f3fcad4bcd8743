"""The working-day calendar against hand-checked dates (docs/domain.md, "Deadlines the notice
sets") and as properties."""

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docgen.errors import CalendarError
from docgen.workdays import CalendarOverrides, WorkCalendar, load_overrides

CAL = WorkCalendar()
D = dt.date


@pytest.mark.parametrize(
    ("start", "n", "inclusive", "expected"),
    [
        (D(2025, 9, 26), 5, True, D(2025, 10, 9)),  # across Sun 09-28 (make-up) and National Day
        (D(2025, 9, 29), 5, True, D(2025, 10, 11)),  # ends on the make-up Saturday
        (D(2025, 12, 15), 5, False, D(2025, 12, 22)),  # situation report due
        (D(2025, 12, 22), 15, False, D(2026, 1, 13)),  # confirmation due
        (D(2025, 12, 26), 5, True, D(2026, 1, 4)),  # publicity ends on the make-up Sunday
        (D(2026, 1, 4), 15, False, D(2026, 1, 23)),
        (D(2025, 12, 20), 5, False, D(2025, 12, 26)),  # from a Saturday: not find_workday's 12-29
    ],
)
def test_hand_checked_dates(start: dt.date, n: int, inclusive: bool, expected: dt.date) -> None:
    assert CAL.nth_workday(start, n, inclusive=inclusive) == expected


def test_official_days() -> None:
    assert CAL.is_workday(D(2025, 9, 28)) and CAL.is_makeup_weekend(D(2025, 9, 28))
    assert not CAL.is_workday(D(2025, 10, 8))
    assert not CAL.is_workday(D(2026, 1, 1)) and CAL.is_workday(D(2026, 1, 4))


dates = st.dates(D(2024, 1, 1), D(2026, 10, 31))


@given(dates, st.integers(1, 40))
def test_nth_workday_is_a_workday_with_exactly_n_workdays_counted(start: dt.date, n: int) -> None:
    end = CAL.nth_workday(start, n, inclusive=True)
    assert CAL.is_workday(end)
    assert CAL.workdays_between(start, end) == n


@given(dates, st.integers(1, 40))
def test_exclusive_counting_starts_the_next_day(start: dt.date, n: int) -> None:
    assert CAL.nth_workday(start, n, inclusive=False) == CAL.nth_workday(
        start + dt.timedelta(days=1), n, inclusive=True
    )


@given(dates, st.integers(1, 30))
def test_more_days_never_end_earlier(start: dt.date, n: int) -> None:
    assert CAL.nth_workday(start, n + 1, inclusive=True) > CAL.nth_workday(start, n, inclusive=True)


def test_unknown_year_fails_loudly() -> None:
    with pytest.raises(CalendarError, match=r"no working-day calendar for 2027.*calendar.json"):
        CAL.is_workday(D(2027, 3, 1))


def test_overrides_describe_a_new_year_and_fix_single_days(tmp_path: Path) -> None:
    path = tmp_path / "calendar.json"
    holidays = ["2027-01-01", "2027-10-01"]  # 2027-05-01 and 10-02/03 are weekend days
    path.write_text(
        json.dumps({"years": [2027], "holidays": holidays, "workdays": ["2026-10-10", "2027-02-06"]})
    )
    cal = WorkCalendar(load_overrides(path))
    assert (
        not cal.is_workday(D(2027, 1, 1)) and cal.is_workday(D(2027, 1, 4)) and cal.is_workday(D(2027, 2, 6))
    )
    assert not cal.is_workday(D(2027, 1, 9))  # a plain Saturday
    assert load_overrides(tmp_path / "missing.json") == CalendarOverrides()
    path.write_text('{"year": [2027]}')
    with pytest.raises(CalendarError, match=r"calendar.json: year: unknown key; expected years"):
        load_overrides(path)
