import pytest

from docgen.load import credit_code_problem
from docgen.models import IdType
from docgen.rules import check_id, gb11643_check_char, id_birth_and_sex, mask_id, quorum_met, vote_passes


@pytest.mark.parametrize(
    "number",
    [
        "500103199003070017",  # Chongqing, born 1990: python-stdnum rejects these (DOMAIN.md §7.1)
        "500112198506150010",
        "11010519491231002X",  # lower-case x accepted after normalisation elsewhere
    ],
)
def test_genuine_resident_ids_pass(number: str) -> None:
    assert check_id(IdType.RESIDENT_ID, number) is None


def test_wrong_check_character_names_the_right_one() -> None:
    assert check_id(IdType.RESIDENT_ID, "500103199003070018") == "check character should be 7"


def test_resident_id_with_impossible_birth_date_is_refused() -> None:
    body = "50010319901332001"
    assert (
        check_id(IdType.RESIDENT_ID, body + gb11643_check_char(body))
        == "digits 7-14 must be a real birth date"
    )


def test_hk_residence_permit_uses_the_same_check_and_an_81_prefix() -> None:
    assert check_id(IdType.HMT_RESIDENCE_PERMIT, "810000199001010019") is None
    assert check_id(IdType.HMT_RESIDENCE_PERMIT, "500103199003070017") == (
        "a residence permit number starts with 81, 82 or 83"
    )


def test_2023_foreign_permanent_resident_id_starts_with_9() -> None:
    body = "93615619850101001"
    assert check_id(IdType.FOREIGN_PERMANENT_RESIDENT_2023, body + gb11643_check_char(body)) is None
    assert check_id(IdType.RESIDENT_ID, body + gb11643_check_char(body)) == "a resident ID starts with 1-8"


@pytest.mark.parametrize(
    ("id_type", "good", "bad"),
    [
        (IdType.HM_HOME_VISIT_PERMIT, "H12345678", "X12345678"),
        (IdType.TAIWAN_COMPATRIOT_PERMIT, "12345678", "ABCDEFGH"),
        (IdType.FOREIGN_PERMANENT_RESIDENT_2017, "USA123456789012", "US1234567890123"),
    ],
)
def test_format_only_documents(id_type: IdType, good: str, bad: str) -> None:
    assert check_id(id_type, good) is None
    assert check_id(id_type, bad) is not None


def test_birth_and_sex_read_from_the_id() -> None:
    birth, sex = id_birth_and_sex(IdType.RESIDENT_ID, "500103199003070017")  # type: ignore[misc]
    assert (birth.isoformat(), sex) == ("1990-03-07", "男")


def test_credit_code_check_character() -> None:
    assert credit_code_problem("11500000MB1234567A") is None
    assert credit_code_problem("11500000MB1234567B") == "check character should be A"
    assert credit_code_problem("11500000MB123456IA") == "18 characters from 0-9 and A-Y without I, O, S, V, Z"


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
