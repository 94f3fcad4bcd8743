"""Page codes of printed copies and the filing deadline."""

import datetime as dt
import io
from types import SimpleNamespace
from typing import cast

import pytest
from openpyxl import load_workbook

from docgen.context import Copy, copy_label
from docgen.errors import CalendarError
from docgen.workdays import WorkCalendar
from registry.paper import CopyState, PaperBook, ReviewFormRecord
from titlecert.clerks.codes import PageRef, code_of, parse_code, parse_copy
from titlecert.clerks.listing import UNSURE_NOTE, filing_deadline, form_rows, workbook


def test_codes_name_form_copy_and_page_and_replacements_count_on() -> None:
    assert copy_label(Copy.PERSONNEL_FILE, 1) == "P" and copy_label(Copy.UNIT_ARCHIVE, 2) == "U2"
    for label in ("P", "U", "P2", "U12"):
        for page in (1, 9, 10, 40):
            code = code_of("PS2026000001", label, page)
            assert parse_code(code) == PageRef("PS2026000001", label, page)
            assert parse_code(code.lower()) == PageRef("PS2026000001", label, page)  # typed by hand


def test_a_code_with_a_wrong_character_or_shape_is_no_code() -> None:
    code = code_of("PS2026000001", "P", 3)
    check = code[-1]
    assert parse_code(code[:-1] + ("0" if check != "0" else "1")) is None
    assert parse_code(code.replace("P03", "P04")) is None  # another page, same check character
    for bad in ("", "PS2026000001-P00-" + check, "PS2026000001-X03-" + check, "PS2026000001-P1", "../etc"):
        assert parse_code(bad) is None, bad


def test_the_filing_deadline_is_a_month_on_moved_off_days_off() -> None:
    calendar = WorkCalendar()
    assert filing_deadline(dt.date(2026, 1, 12), calendar) == dt.date(2026, 2, 12)  # a Thursday
    assert filing_deadline(dt.date(2025, 9, 1), calendar) == dt.date(2025, 10, 9)  # National Day holiday
    assert filing_deadline(dt.date(2026, 1, 31), calendar) == dt.date(2026, 2, 28)  # a make-up Saturday
    assert filing_deadline(dt.date(2025, 12, 31), calendar) == dt.date(2026, 2, 2)  # 31 Jan is a Saturday
    with pytest.raises(CalendarError, match="no working-day calendar for 2031"):
        filing_deadline(dt.date(2031, 3, 14), calendar)  # never the month's date as if it were known


class _Book:
    """A paper book whose forms each have one copy awaiting stamps."""

    def boxes(self, form_no: str) -> list[object]:
        return []

    def copies(self, form_no: str) -> list[object]:
        return [SimpleNamespace(id=1, copy="personnel-file", label="P", replaces_id=None)]

    def state(self, copy: object) -> object:
        return SimpleNamespace(state=CopyState.AWAITING_STAMPS, stamps=[], filed=None)


def test_the_list_marks_a_deadline_the_calendar_cannot_move() -> None:
    uncovered = max(WorkCalendar().covered_years()) + 1
    named = {"holder_name": "", "unit_name": "", "unit_code": "", "session_ref": ""}
    forms = [
        SimpleNamespace(form_no="PS1", confirmed_on=dt.date(2026, 1, 12), **named),
        SimpleNamespace(form_no="PS2", confirmed_on=dt.date(uncovered, 3, 14), **named),
    ]
    rows = form_rows(
        cast(PaperBook, _Book()), cast(list[ReviewFormRecord], forms), WorkCalendar(), dt.date(2026, 1, 1)
    )
    assert [r.deadline_unsure for r in rows] == [False, True]
    assert rows[1].deadline == dt.date(uncovered, 4, 14)
    sheet = load_workbook(io.BytesIO(workbook(rows))).active
    assert UNSURE_NOTE not in str(sheet["G2"].value) and UNSURE_NOTE in str(sheet["G3"].value)


def test_a_copy_is_named_by_form_and_label_or_by_any_of_its_page_codes() -> None:
    assert parse_copy("PS2026000001-U") == ("PS2026000001", "U")
    assert parse_copy(" ps2026000001-p12 ") == ("PS2026000001", "P12")
    assert parse_copy(code_of("PS2026000001", "U2", 3)) == ("PS2026000001", "U2")
    for bad in ("", "PS2026000001", "PS2026000001-U1", "PS2026000001-X", "PS2026000001-U-"):
        assert parse_copy(bad) is None, bad
