"""Beijing time: the day a moment falls on in Chongqing, and the moments people type."""

import datetime as dt

import pytest

from registry.chinatime import china_date, in_china, parse_when


def test_a_bare_date_means_the_end_of_that_day_in_china() -> None:
    assert parse_when("2030-06-30") == dt.datetime(2030, 6, 30, 15, 59, 59, tzinfo=dt.UTC)
    assert parse_when("2030-06-30T08:00:00+00:00") == dt.datetime(2030, 6, 30, 8, tzinfo=dt.UTC)
    assert parse_when("2030-06-30T08:00") == dt.datetime(2030, 6, 30, 0, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        parse_when("next tuesday")


def test_the_chongqing_day_turns_at_16_00_utc_and_naive_values_are_utc() -> None:
    before, after = dt.datetime(2026, 12, 31, 15, 59, tzinfo=dt.UTC), dt.datetime(2026, 12, 31, 16, 0)
    assert china_date(before) == dt.date(2026, 12, 31)
    assert china_date(after) == dt.date(2027, 1, 1)  # New Year in Chongqing, still 2026 in UTC
    assert in_china(after).strftime("%Y-%m-%d %H:%M %Z") == "2027-01-01 00:00 UTC+8"
