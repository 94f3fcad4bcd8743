"""Page codes of printed copies and the filing deadline."""

import datetime as dt

from docgen.context import Copy
from docgen.workdays import WorkCalendar
from titlecert.clerks.codes import PageRef, code_of, copy_label, parse_code, parse_copy
from titlecert.clerks.listing import filing_deadline


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
    assert filing_deadline(dt.date(2031, 3, 14), calendar) == dt.date(2031, 4, 14)  # not covered: as counted


def test_a_copy_is_named_by_form_and_label_or_by_any_of_its_page_codes() -> None:
    assert parse_copy("PS2026000001-U") == ("PS2026000001", "U")
    assert parse_copy(" ps2026000001-p12 ") == ("PS2026000001", "P12")
    assert parse_copy(code_of("PS2026000001", "U2", 3)) == ("PS2026000001", "U2")
    for bad in ("", "PS2026000001", "PS2026000001-U1", "PS2026000001-X", "PS2026000001-U-"):
        assert parse_copy(bad) is None, bad
