"""Photos are decoded in full when a session is loaded: what cannot go on a certificate is refused
with the applicant's row, the field and the file, before any job exists."""

import io
import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from docgen.errors import InputError
from docgen.load import load_session
from tests.conftest import SAMPLE_SESSION


def session_with_photo(tmp_path: Path, data: bytes, name: str = "x.jpg", row: int = 2) -> Path:
    """The sample session copied to `tmp_path`, the applicant in `row` (from 0) given `data` as photo."""
    shutil.copytree(SAMPLE_SESSION.parent / "photos", tmp_path / "photos")
    doc = json.loads(SAMPLE_SESSION.read_text(encoding="utf-8"))
    (tmp_path / "photos" / name).write_bytes(data)
    doc["applicants"][row]["photo"] = f"photos/{name}"
    path = tmp_path / "session.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def image(fmt: str, size: tuple[int, int] = (260, 360)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(out, fmt)
    return out.getvalue()


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_session(path)
    return [p.removeprefix(f"{path}: ") for p in caught.value.problems]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "x.jpg",
            b"not a photo at all",
            "not an image (not a JPEG or PNG file): save the photo as JPEG or PNG",
        ),
        ("x.jpg", image("JPEG")[:-300], "the image is cut off (truncated): export it again"),
        ("x.png", image("PNG")[:4000], "the image is cut off (truncated): export it again"),
        ("x.gif", image("GIF"), "a GIF image: save it as JPEG or PNG"),
        ("x.png", image("PNG", (60, 80)), "60×80 pixels is too small (at least 100 on each side)"),
    ],
)
def test_a_photo_that_cannot_be_printed_is_refused_with_its_row(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = session_with_photo(tmp_path, data, name)
    assert problems(path) == [f"applicants row 3 (薛伟), photo: photos/{name}: {message}"]


def test_whole_jpeg_and_png_photos_load(tmp_path: Path) -> None:
    for name, data in (("a.jpg", image("JPEG")), ("b.png", image("PNG"))):
        path = session_with_photo(tmp_path / name, data, name)
        assert load_session(path).session.applicants[2].photo == f"photos/{name}"
