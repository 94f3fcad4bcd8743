"""Page codes: a small QR code and short code in the corner of every printed review-form page.

A footer cannot differ by page beyond page numbers, so the codes are stamped onto the converted
PDF (before sealing) as a tiny image per page, merged with pypdf.
"""

import io
from collections.abc import Callable, Sequence

import qrcode
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter, Transformation
from qrcode.constants import ERROR_CORRECT_M
from stdnum.iso7064 import mod_37_36

from docgen.errors import DocgenError

MM = 72 / 25.4
CODE_SIZE_MM = 15.0
"""Printed width of the page code (QR plus its text), small enough for the footer corner."""


def page_code(form_no: str, copy_letter: str, page: int) -> str:
    """`PS2026000001-P03-K`: form, copy (P personnel file, U unit archive), page, check character."""
    body = f"{form_no}{copy_letter}{page:02d}".upper()
    return f"{form_no}-{copy_letter}{page:02d}-{mod_37_36.calc_check_digit(body)}"


def _code_image(url: str, code: str) -> bytes:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=4, border=1)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.make_image().convert("L")
    width = matrix.width
    size = max(10, width // 11)
    font = ImageFont.load_default(size=size)
    label_h = int(size * 1.4)
    img = Image.new("L", (width, width + label_h), 255)
    img.paste(matrix, (0, 0))
    ImageDraw.Draw(img).text((width / 2, width + label_h / 2), code, font=font, fill=0, anchor="mm")
    dpi = img.width / (CODE_SIZE_MM / 25.4)
    out = io.BytesIO()
    img.save(out, format="PDF", resolution=dpi)
    return out.getvalue()


def stamp_page_codes(
    pdf: bytes,
    *,
    code_for_page: Callable[[int], str],
    url_for: Callable[[str], str],
    right_margin_mm: float = 20.0,
    bottom_mm: float = 3.0,
) -> tuple[bytes, Sequence[str]]:
    """Stamp each page's code in its lower right corner; return the PDF and the codes in page order.

    Keeps the document's metadata (its PDF/A identification) as LibreOffice wrote it.
    Raises DocgenError if the PDF cannot be read.
    """
    try:
        reader = PdfReader(io.BytesIO(pdf))
        writer = PdfWriter(clone_from=reader)
    except Exception as e:  # pypdf raises several types for a damaged file
        raise DocgenError(f"cannot stamp page codes: {e}") from e
    codes = []
    for index, page in enumerate(writer.pages, start=1):
        code = code_for_page(index)
        codes.append(code)
        overlay = PdfReader(io.BytesIO(_code_image(url_for(code), code))).pages[0]
        x = float(page.mediabox.width) - right_margin_mm * MM - float(overlay.mediabox.width)
        page.merge_transformed_page(overlay, Transformation().translate(x, bottom_mm * MM))
    producer = reader.metadata.get("/Producer") if reader.metadata else None
    if producer is not None:  # the document information must keep matching the XMP metadata
        writer.add_metadata({"/Producer": producer})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), codes
