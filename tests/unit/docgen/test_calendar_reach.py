"""Dates the documents print, computed defaults included, must lie in years the working-day
calendar covers: `check` (and `issue`, before a job exists) names each field that reaches past it."""

import datetime as dt
import json
from pathlib import Path

import pytest

from docgen.errors import InputError
from docgen.load import load_session
from docgen.workdays import STATUTORY_DAYS_OFF, CalendarOverrides, WorkCalendar
from tests.conftest import review_moved, sample_session_doc

UNCOVERED = max(WorkCalendar().covered_years()) + 1
"""The first year the pinned chinesecalendar lacks (2027 with 1.11.0)."""


def session(tmp_path: Path, *, sitting: str, approval: str) -> Path:
    """The sample with its review on `sitting` (two days ending then), confirmed on `approval`, the
    results publicity and the report date left to their computed defaults."""
    end = dt.date.fromisoformat(sitting)
    doc = review_moved(sample_session_doc(), (end - dt.timedelta(days=1)).isoformat(), sitting)
    doc["approval"]["date"] = approval
    del doc["results_publicity"], doc["report_submitted_on"]
    path = tmp_path / "session.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_year_end_session_with_defaults_names_every_computed_date_past_the_calendar(tmp_path: Path) -> None:
    path = session(tmp_path, sitting=f"{UNCOVERED - 1}-12-28", approval=f"{UNCOVERED}-01-20")
    with pytest.raises(InputError) as caught:
        load_session(path)
    found = [p.removeprefix(f"{path}: ") for p in caught.value.problems]
    for field in ("report_submitted_on", "results_publicity", "draft_notice_submitted_on", "approval.date"):
        about = [p for p in found if p.startswith(f"{field}: ")]
        assert about, (field, found)
        for p in about:
            assert "computed default" in p and f"reaches {UNCOVERED}" in p
            assert "calendar.json" in p and "chinesecalendar" in p
    assert sum("filing deadline" in p for p in found) == 1
    assert sum("draft confirmation notice's due date" in p for p in found) == 1
    assert all(not p.startswith("no working-day calendar") for p in found)  # each names its field


def test_the_same_session_passes_once_the_year_is_described(tmp_path: Path) -> None:
    path = session(tmp_path, sitting=f"{UNCOVERED - 1}-12-28", approval=f"{UNCOVERED}-01-20")
    days_off = frozenset(dt.date(UNCOVERED, m, d) for m, d in STATUTORY_DAYS_OFF)
    calendar = WorkCalendar(CalendarOverrides(holidays=days_off, years=frozenset({UNCOVERED})))
    loaded = load_session(path, calendar)
    assert not any("working-day calendar" in w for w in loaded.warnings)


def test_a_session_near_the_calendars_end_is_warned_about(tmp_path: Path) -> None:
    path = session(tmp_path, sitting=f"{UNCOVERED - 1}-10-21", approval=f"{UNCOVERED - 1}-11-10")
    loaded = load_session(path)
    [warning] = [w for w in loaded.warnings if "working-day calendar" in w]
    assert warning.startswith(f"{path}: approval.date: the review forms' filing deadline")
    assert f"within 60 days of {UNCOVERED}" in warning and "calendar.json" in warning


def test_a_session_far_from_the_calendars_end_is_not(tmp_path: Path) -> None:
    path = session(tmp_path, sitting=f"{UNCOVERED - 1}-06-21", approval=f"{UNCOVERED - 1}-07-10")
    assert not any("working-day calendar" in w for w in load_session(path).warnings)
