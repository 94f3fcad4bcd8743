import pytest

from verify.admission import admit

MINIMAL = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_plain_pdf_is_admitted() -> None:
    assert admit(MINIMAL).ok


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"junk" + MINIMAL, "does not start with a PDF header"),
        (MINIMAL + b"<script>", "data follows the final %%EOF"),
        (MINIMAL.replace(b"%%EOF", b""), "does not end with %%EOF"),
        (MINIMAL.replace(b"<<>>endobj", b"<</Encrypt 2 0 R>>endobj"), "encrypted"),
        (MINIMAL + MINIMAL[9:] * 8, "more than 8 revisions"),
    ],
)
def test_rejected_before_parsing(data: bytes, reason: str) -> None:
    result = admit(data)
    assert not result.ok
    assert reason in (result.reason or "")


def test_size_limit() -> None:
    assert admit(MINIMAL, max_bytes=10).reason == "the file is larger than 0 MiB"
