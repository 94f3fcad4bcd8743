"""Codes as people type them (verify.typed): read back the one printed, or refused."""

import base64

import pytest

from docgen.identifiers import grouped_token, new_token
from docgen.pagecodes import page_code
from titlecert.clerks.codes import PageRef, parse_code
from verify.typed import normalise_certificate_no, normalise_page_code, normalise_token

TOKEN = base64.b32encode(bytes(range(20))).decode("ascii")  # AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT


def test_the_printed_code_is_eight_groups_of_four_and_reads_back() -> None:
    printed = grouped_token(TOKEN)
    assert printed == "AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQT"
    assert normalise_token(printed) == TOKEN
    fresh = new_token()
    assert normalise_token(grouped_token(fresh)) == fresh


@pytest.mark.parametrize(
    "typed",
    [
        "aaaq-eaye-auda-ocaj-bifq-ydio-b4ib-ceqt",  # lower case
        "AAAQ EAYE AUDA OCAJ BIFQ YDIO B4IB CEQT",  # spaces
        " AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT\n",  # no separators, pasted with whitespace
        # a full-width input method
        "ＡＡＡＱ－ＥＡＹＥ　ＡＵＤＡ－ＯＣＡＪ－ＢＩＦＱ－ＹＤＩＯ－Ｂ４ＩＢ－ＣＥＱＴ",
        "AAAQ-EAYE-AUDA-0CAJ-81FQ-YD10-B4IB-CEQT",  # 0 for O, 8 for B, 1 for I
    ],
)
def test_what_people_type_names_the_token(typed: str) -> None:
    assert normalise_token(typed) == TOKEN


@pytest.mark.parametrize(
    "typed", ["", "AAAQ-EAYE", "A" * 33, "AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQ9", "A" * 300]
)
def test_what_cannot_be_a_token_is_none(typed: str) -> None:
    assert normalise_token(typed) is None


def test_certificate_numbers_compare_without_case_spaces_or_width() -> None:
    assert normalise_certificate_no(" cqzc 2026-000001 ") == "CQZC2026000001"
    assert normalise_certificate_no("ＣＱＺＣ２０２６０００００１") == "CQZC2026000001"
    assert normalise_certificate_no("CQZC2026000002") != "CQZC2026000001"


@pytest.mark.parametrize("label", ["P", "U", "P2", "U12"])
def test_page_codes_read_back_however_typed(label: str) -> None:
    code = page_code("PS2026000001", label, 3)
    variants = [code, code.lower(), code.replace("-", ""), code.replace("-", " "), code.replace("0", "O")]
    for typed in variants:
        assert normalise_page_code(typed) == code, typed
        assert parse_code(typed) == PageRef("PS2026000001", label, 3), typed


def test_what_has_not_a_page_codes_shape_is_none() -> None:
    for typed in ("", "PS2026000001", "PS20260000O1-X03-K", "../../etc/passwd", "P" * 300):
        assert normalise_page_code(typed) is None, typed
