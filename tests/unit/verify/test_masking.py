from verify.certificates import TOKEN_PATTERN
from verify.registered import mask_name


def test_names_are_masked_like_the_national_platforms() -> None:
    assert mask_name("张晓明") == "张*明"
    assert mask_name("李婷") == "李*"
    assert mask_name("欧阳建国") == "欧**国"


def test_token_pattern_rejects_lowercase_and_short() -> None:
    assert TOKEN_PATTERN.fullmatch("A" * 32)
    assert not TOKEN_PATTERN.fullmatch("a" * 32)
    assert not TOKEN_PATTERN.fullmatch("A" * 31)
