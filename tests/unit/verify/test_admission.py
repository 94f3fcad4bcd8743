import pytest

from verify.admission import MAX_CONTENT_REVISIONS, MAX_REVISIONS, MAX_TAIL_REVISIONS, admit, revision_problem
from verify.text import Text

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
        (MINIMAL + MINIMAL[9:] * MAX_REVISIONS, f"more than {MAX_REVISIONS} revisions"),
    ],
)
def test_rejected_before_parsing(data: bytes, reason: str) -> None:
    result = admit(data)
    assert not result.ok
    assert result.reason is not None and reason in result.reason.en and result.reason.zh


def test_size_limit() -> None:
    assert admit(MINIMAL, max_bytes=10).reason == Text("文件大于 0 MiB", "the file is larger than 0 MiB")


def test_an_archive_copy_renewed_for_a_century_is_admitted() -> None:
    # 4 content revisions (B-LTA), then two per renewal: validation data, a document time stamp
    renewed = MINIMAL + MINIMAL[9:] * (3 + 2 * 60)
    assert admit(renewed).ok
    assert revision_problem(4 + 2 * 60, 3) is None


def test_content_revisions_are_bounded_strictly_and_the_tail_generously() -> None:
    assert revision_problem(MAX_CONTENT_REVISIONS, MAX_CONTENT_REVISIONS - 1) is None
    too_many = revision_problem(MAX_CONTENT_REVISIONS + 1, MAX_CONTENT_REVISIONS)
    assert too_many is not None and too_many.en == (
        f"the file has {MAX_CONTENT_REVISIONS + 1} revisions up to its last seal; "
        f"an issued document has at most {MAX_CONTENT_REVISIONS}"
    )
    assert revision_problem(MAX_CONTENT_REVISIONS + 1, None) == too_many  # no seal: all content
    assert revision_problem(4 + MAX_TAIL_REVISIONS, 3) is None
    tail = revision_problem(5 + MAX_TAIL_REVISIONS, 3)
    assert tail is not None and f"{MAX_TAIL_REVISIONS + 1} revisions after its last seal" in tail.en
