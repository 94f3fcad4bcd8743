"""The page code as printed: its text legible (at least 2 mm high) beside a QR that still decodes,
in the corner below the body, where a replacement's white patch covers it."""

import io
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader, PdfWriter

from docgen.pagecodes import MM, page_code, stamp_page_codes
from titlecert.clerks.replacements import CODE_AREA_MM

A4 = (210.0, 297.0)
DPI = 600
BODY_BOTTOM_MM = 65 / MM
"""Where the review form's body ends, from the bottom edge (its bottom margin)."""
FOOTER_LINE_END_MM = 110.0
"""Right of the footer's line (评审表编号 …, 第 N 页 共 M 页) and a replacement's line over it."""


def stamped_page(tmp_path: Path, label: str) -> tuple[Image.Image, str]:
    blank = PdfWriter()
    blank.add_blank_page(A4[0] * MM, A4[1] * MM)
    data = io.BytesIO()
    blank.write(data)
    code = page_code("PS2026000001", label, 3)
    pdf, codes = stamp_page_codes(
        data.getvalue(), code_for_page=lambda _: code, url_for=lambda c: f"https://verify.example.cn/p/{c}"
    )
    assert codes == [code] and len(PdfReader(io.BytesIO(pdf)).pages) == 1
    (tmp_path / "page.pdf").write_bytes(pdf)
    render = ["pdftoppm", "-r", str(DPI), "-gray", "-png", "-singlefile", str(tmp_path / "page.pdf")]
    subprocess.run([*render, str(tmp_path / "page")], check=True)
    return Image.open(tmp_path / "page.png").convert("L"), code


def mm(pixels: float) -> float:
    return pixels * 25.4 / DPI


@pytest.mark.parametrize("label", ["P", "U12"])
def test_the_code_prints_at_least_2_mm_high_beside_a_qr_that_decodes(tmp_path: Path, label: str) -> None:
    page, code = stamped_page(tmp_path, label)
    [qr] = [c for c in zxingcpp.read_barcodes(page) if c.format == zxingcpp.BarcodeFormat.QRCode]
    assert qr.text == f"https://verify.example.cn/p/{code}"
    qr_left = min(p.x for p in (qr.position.top_left, qr.position.bottom_left))
    ink = page.point(lambda v: 255 if v < 128 else 0)
    left, top, right, bottom = ink.crop((0, 0, qr_left - 10, page.height)).getbbox() or (0, 0, 0, 0)
    # The text is what is left of the QR: one line, no letter of a code descends below the line.
    assert mm(bottom - top) >= 2.0, f"the code's text is {mm(bottom - top):.2f} mm high"
    assert mm(right - left) >= 20.0, "the whole code is printed, not a part of it"


@pytest.mark.parametrize("label", ["P", "U12"])
def test_the_code_stays_in_the_corner_and_a_replacements_patch_covers_it(tmp_path: Path, label: str) -> None:
    page, _ = stamped_page(tmp_path, label)
    left, top, right, bottom = page.point(lambda v: 255 if v < 128 else 0).getbbox() or (0, 0, 0, 0)
    width, height = page.size
    from_bottom = mm(height - top)
    assert from_bottom < BODY_BOTTOM_MM, "the code reaches into the form's body"
    assert mm(left) > FOOTER_LINE_END_MM, "the code covers the footer's line"
    patch_right, patch_bottom, patch_width, patch_height = CODE_AREA_MM
    assert A4[0] - patch_right <= mm(left) and mm(right) <= A4[0] - patch_right + patch_width
    assert patch_bottom <= mm(height - bottom) and from_bottom <= patch_bottom + patch_height
