import re

from hypothesis import given
from hypothesis import strategies as st

from docgen.identifiers import certificate_number, licence_identifier, new_token


def test_licence_identifier_check_character_matches_real_identifiers() -> None:
    # Real identifiers quoted in docs/domain.md, "Identifiers"
    assert (
        licence_identifier(
            type_code="11100000000013338W011", issuer_code="11430000006122244L", serial="20230000403"
        )
        == "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"
    )
    assert licence_identifier(
        type_code="11100000000013338W009",
        issuer_code="11330105002500287C",
        serial="2025052201",
        version="002",
    ).endswith(".002.0")


def test_tokens_are_unguessable_and_alphanumeric() -> None:
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(re.fullmatch(r"[A-Z2-7]{32}", t) for t in tokens)  # 160 bits, QR alphanumeric mode


def test_certificate_number_format() -> None:
    assert certificate_number("CQZC{year}{seq:06d}", year=2026, seq=42) == "CQZC2026000042"


ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@given(st.text(alphabet=ALNUM, min_size=12, max_size=12), st.integers(0, 11), st.integers(1, 35))
def test_licence_check_character_catches_every_single_character_error(
    serial: str, pos: int, delta: int
) -> None:
    def check(s: str) -> str:
        return licence_identifier(
            type_code="11100000000013338W999", issuer_code="11500000MB1234567A", serial=s
        )[-1]

    wrong = serial[:pos] + ALNUM[(ALNUM.index(serial[pos]) + delta) % 36] + serial[pos + 1 :]
    assert check(wrong) != check(serial)
