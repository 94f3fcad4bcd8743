import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docgen.identity import (
    CREDIT_ALPHABET,
    IdType,
    address_code_warning,
    check_id,
    credit_check_char,
    credit_code_problem,
    gb11643_check_char,
    id_birth_and_sex,
)
from docgen.rules import mask_id, quorum_met, vote_passes

digits17 = st.text(alphabet="0123456789", min_size=17, max_size=17)
credit17 = st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17)


@given(digits17, st.integers(0, 16), st.integers(1, 9))
def test_gb11643_check_catches_every_single_digit_error(body: str, pos: int, delta: int) -> None:
    # MOD 11-2 detects all single substitutions: changing any digit changes the check character.
    wrong = body[:pos] + str((int(body[pos]) + delta) % 10) + body[pos + 1 :]
    assert gb11643_check_char(wrong) != gb11643_check_char(body)


@given(digits17, st.integers(0, 15))
def test_gb11643_check_catches_adjacent_transpositions(body: str, pos: int) -> None:
    swapped = body[:pos] + body[pos + 1] + body[pos] + body[pos + 2 :]
    if swapped != body:
        assert gb11643_check_char(swapped) != gb11643_check_char(body)


@given(credit17)
def test_credit_code_with_its_check_character_is_valid(body: str) -> None:
    assert credit_code_problem(body + credit_check_char(body)) is None


@given(credit17, st.integers(0, 16), st.integers(1, 30))
def test_credit_check_catches_every_single_character_error(body: str, pos: int, delta: int) -> None:
    i = CREDIT_ALPHABET.index(body[pos])
    wrong = body[:pos] + CREDIT_ALPHABET[(i + delta) % 31] + body[pos + 1 :]
    assert credit_check_char(wrong) != credit_check_char(body)


@given(
    st.dates(dt.date(1900, 1, 1), dt.date(2010, 12, 31)),
    st.integers(0, 999),
    st.sampled_from(["500103", "500235", "110105"]),
)
def test_birth_date_and_sex_round_trip_through_the_id(birth: dt.date, seq: int, area: str) -> None:
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    number = body + gb11643_check_char(body)
    assert check_id(IdType.RESIDENT_ID, number) is None
    assert id_birth_and_sex(IdType.RESIDENT_ID, number) == (birth, "男" if seq % 2 else "女")


@pytest.mark.parametrize(
    "number",
    [
        # Chongqing, born 1990: python-stdnum rejects these (docs/domain.md, "Resident ID and
        # residence permits (GB 11643-1999)")
        "500103199003070017",
        "500112198506150010",
        "11010519491231002X",
    ],
)
def test_genuine_resident_ids_pass(number: str) -> None:
    assert check_id(IdType.RESIDENT_ID, number) is None


def test_wrong_check_character_names_the_right_one() -> None:
    assert check_id(IdType.RESIDENT_ID, "500103199003070018") == "check character should be '7', found '8'"


def test_hk_residence_permit_uses_the_same_check_and_an_81_prefix() -> None:
    assert check_id(IdType.HMT_RESIDENCE_PERMIT, "810000199001010019") is None
    assert check_id(IdType.HMT_RESIDENCE_PERMIT, "500103199003070017") == (
        "a residence permit number starts with 81, 82 or 83, found '50'"
    )


def test_2023_foreign_permanent_resident_id_starts_with_9() -> None:
    body = "93615619850101001"
    assert check_id(IdType.FOREIGN_PERMANENT_RESIDENT_2023, body + gb11643_check_char(body)) is None
    assert (
        check_id(IdType.RESIDENT_ID, body + gb11643_check_char(body))
        == "a resident ID starts with 1-8, found '9'"
    )


@pytest.mark.parametrize(
    ("id_type", "good", "bad"),
    [
        (IdType.HM_HOME_VISIT_PERMIT, "H12345678", "X12345678"),
        (IdType.TAIWAN_COMPATRIOT_PERMIT, "12345678", "ABCDEFGH"),
        (IdType.FOREIGN_PERMANENT_RESIDENT_2017, "USA123456789012", "US1234567890123"),
        (IdType.PASSPORT, "E12345678", "E1"),
    ],
)
def test_format_only_documents(id_type: IdType, good: str, bad: str) -> None:
    assert check_id(id_type, good) is None
    assert (check_id(id_type, bad) or "").endswith(f"found {bad!r}")


def test_address_codes_warn_but_never_block() -> None:
    assert address_code_warning(IdType.RESIDENT_ID, "500103199003070017") is None
    body = "50019919900307001"
    assert address_code_warning(IdType.RESIDENT_ID, body + gb11643_check_char(body)) == (
        "address code 500199 is not a current Chongqing district or county"
    )


def test_credit_code_messages() -> None:
    assert credit_code_problem("11500000MB1234567A") is None
    assert credit_code_problem("11500000MB1234567B") == "check character should be 'A', found 'B'"


@pytest.mark.parametrize(
    ("agree", "present", "passes"), [(14, 21, True), (13, 21, False), (2, 3, True), (1, 3, False)]
)
def test_pass_rule_is_two_thirds_of_attending(agree: int, present: int, passes: bool) -> None:
    assert vote_passes(agree=agree, present=present) is passes


@pytest.mark.parametrize(("present", "met"), [(17, True), (16, False)])
def test_quorum_is_two_thirds_of_members(present: int, met: bool) -> None:
    assert quorum_met(members=25, present=present) is met


def test_mask_id_shows_first_six_and_last_four() -> None:
    assert mask_id("500103199003070017") == "500103********0017"
    assert mask_id("H12345678") == "*******78"
