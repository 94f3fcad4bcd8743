"""Where the last seal's signed revision ends, read from its dictionary's bytes: only a range that
fits the dictionary is believed (anything else is read the slow, parsing way)."""

from signing.ltv import _byte_range

HEAD = b"%PDF-1.7\n" + b"x" * 100
SIG = b"7 0 obj\n<</Type /Sig /Contents <" + b"00" * 8 + b"> /ByteRange [0 %010d %010d %010d]>>\nendobj\n"


def _file(hole_from_end: int = 0, length_extra: int = 0) -> tuple[bytes, int]:
    offset = len(HEAD)
    hole = offset + SIG.index(b"<" + b"00")
    second = hole + 2 + 16
    tail = b"trailer\n%%EOF\n"
    body = HEAD + SIG % (hole - hole_from_end, second, 0) + tail
    length = len(body) - second + length_extra
    return HEAD + SIG % (hole - hole_from_end, second, length) + tail, offset


def test_a_range_around_the_dictionarys_own_hex_string_is_read() -> None:
    pdf, offset = _file()
    second, length = _byte_range(pdf, offset) or (0, 0)
    assert pdf[second - 1 : second] == b">" and second + length == len(pdf)


def test_a_range_whose_hole_is_not_the_hex_string_is_not_believed() -> None:
    pdf, offset = _file(hole_from_end=3)
    assert _byte_range(pdf, offset) is None


def test_a_range_beyond_the_file_is_not_believed() -> None:
    pdf, offset = _file(length_extra=1)
    assert _byte_range(pdf, offset) is None


def test_an_object_in_an_object_stream_is_read_the_slow_way() -> None:
    pdf, _ = _file()
    assert _byte_range(pdf, ("in stream", 3)) is None
