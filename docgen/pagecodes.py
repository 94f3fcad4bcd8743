"""Page codes: a small QR code and, beside it, its code in legible text, in the lower right corner
of every printed review-form page.

A footer cannot differ by page beyond page numbers, so the codes are stamped onto the converted
PDF (before sealing) as a tiny image per page, merged with pypdf.
"""

import io
import math
from collections.abc import Callable, Sequence

import qrcode
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter, Transformation
from qrcode.constants import ERROR_CORRECT_M
from stdnum.iso7064 import mod_37_36

from docgen.errors import DocgenError

MM = 72 / 25.4
CODE_SIZE_MM = 15.0
"""Printed width (and height) of the QR code, small enough for the footer corner."""
TEXT_HEIGHT_MM = 2.2
"""Printed height of the code's capital letters and digits, beside the QR: legible at arm's length
and typable (at least 2 mm; 1 mm was too small to read)."""
GAP_MM = 1.5
"""Between the text and the QR."""
_BOX = 8
"""Pixels per QR module: the image is drawn at about 400 dpi, so the text prints sharp."""


def page_code(form_no: str, copy_letter: str, page: int) -> str:
    """`PS2026000001-P03-K`: form, copy (P personnel file, U unit archive), page, check character."""
    body = f"{form_no}{copy_letter}{page:02d}".upper()
    return f"{form_no}-{copy_letter}{page:02d}-{mod_37_36.calc_check_digit(body)}"


def _code_image(url: str, code: str) -> bytes:
    """The code's text, then its QR: one image CODE_SIZE_MM high, as a one-page PDF."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=_BOX, border=1)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.make_image().convert("L")
    px_per_mm = matrix.width / CODE_SIZE_MM
    font = _font_with_cap_height(TEXT_HEIGHT_MM * px_per_mm)
    text_w = math.ceil(font.getlength(code))
    gap = round(GAP_MM * px_per_mm)
    img = Image.new("L", (text_w + gap + matrix.width, matrix.height), 255)
    img.paste(matrix, (text_w + gap, 0))
    ImageDraw.Draw(img).text((0, matrix.height / 2), code, font=font, fill=0, anchor="lm")
    out = io.BytesIO()
    img.save(out, format="PDF", resolution=px_per_mm * 25.4)
    return out.getvalue()


def _font_with_cap_height(pixels: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's built-in font (always there, the same everywhere) at the size whose capitals are
    `pixels` high."""
    trial = ImageFont.load_default(size=100)
    cap = -trial.getbbox("P", anchor="ls")[1]
    return ImageFont.load_default(size=math.ceil(100 * pixels / cap))


def stamp_page_codes(
    pdf: bytes,
    *,
    code_for_page: Callable[[int], str],
    url_for: Callable[[str], str],
    right_margin_mm: float = 20.0,
    bottom_mm: float = 3.0,
) -> tuple[bytes, Sequence[str]]:
    """Stamp each page's code in its lower right corner, `right_margin_mm` from the edge (the
    text to the left of the QR, both below the body, right of the footer's line); return the PDF and
    the codes in page order.

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
