"""Page codes: a small QR code and, beside it, its code in legible text, in the lower right corner
of every printed review-form page.

A footer cannot differ by page beyond page numbers, so the codes are stamped onto the converted
PDF (before sealing) as a tiny image per page, in one incremental update: the pages' fonts and
content are neither parsed nor rewritten (a full rewrite with pypdf cost ten times as much:
docs/performance.md). The stored copy keeps that update below its seals, so a replacement starts
from the codes as printed (`titlecert.clerks.replacements`).
"""

import io
import math
from collections.abc import Callable, Sequence
from typing import Any

import qrcode
from PIL import Image, ImageDraw, ImageFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
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
PAGE_CODE_MASK = 2
"""The QR mask pattern of every page code: any of the eight of ISO/IEC 18004 decodes."""


def page_code(form_no: str, copy_letter: str, page: int) -> str:
    """`PS2026000001-P03-K`: form, copy (P personnel file, U unit archive), page, check character."""
    body = f"{form_no}{copy_letter}{page:02d}".upper()
    return f"{form_no}-{copy_letter}{page:02d}-{mod_37_36.calc_check_digit(body)}"


def _code_image(url: str, code: str) -> tuple[Image.Image, float]:
    """The code's text, then its QR: one grey image CODE_SIZE_MM high, and its pixels per mm."""
    # One mask for every code: choosing the best of the eight (the library's default) is three
    # quarters of a page's stamping, and any mask decodes; the symbol is printed at 15 mm.
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=_BOX, border=1, mask_pattern=PAGE_CODE_MASK)
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
    return img, px_per_mm


def _image_xobject(img: Image.Image) -> generic.StreamObject:
    objects: Any = generic  # pyHanko's PDF objects are untyped
    name = objects.NameObject
    stream = objects.StreamObject(
        {
            name("/Type"): name("/XObject"),
            name("/Subtype"): name("/Image"),
            name("/Width"): objects.NumberObject(img.width),
            name("/Height"): objects.NumberObject(img.height),
            name("/ColorSpace"): name("/DeviceGray"),
            name("/BitsPerComponent"): objects.NumberObject(8),
        },
        stream_data=img.tobytes(),
    )
    stream.compress()
    return stream  # type: ignore[no-any-return]


class _AsConverted(IncrementalPdfFileWriter):
    """An incremental writer that leaves the document information and XMP metadata as they are:
    the codes change neither, and pyHanko would otherwise replace LibreOffice's XMP packet with
    one of its own, without the PDF/A identification (the seals that follow keep it: signing.pades)."""

    def _update_meta(self) -> None:
        return None


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
        writer = _AsConverted(io.BytesIO(pdf))
        pages = int(writer.root["/Pages"]["/Count"])
    except Exception as e:  # pyHanko raises several types for a damaged file
        raise DocgenError(f"cannot stamp page codes: {e}") from e
    objects: Any = generic  # pyHanko's PDF objects are untyped
    codes = []
    for index in range(pages):
        code = code_for_page(index + 1)
        codes.append(code)
        img, px_per_mm = _code_image(url_for(code), code)
        width, height = img.width / px_per_mm * MM, img.height / px_per_mm * MM
        page_ref, _ = writer.find_page_for_modification(index)  # type: ignore[no-untyped-call]
        page = page_ref.get_object()
        if "/Contents" not in page:  # a blank page may have none
            page[objects.NameObject("/Contents")] = writer.add_object(objects.StreamObject(stream_data=b""))
            writer.mark_update(page_ref)
        x1, _, x2, _ = (float(v) for v in page["/MediaBox"])
        x = x2 - x1 - right_margin_mm * MM - width
        # Pages may share one resource dictionary (LibreOffice's do), and a replacement's codes go
        # over a copy's: a name per code.
        image = f"/PageCode-{code}"
        draw = b"q %.3f 0 0 %.3f %.3f %.3f cm %s Do Q" % (width, height, x, bottom_mm * MM, image.encode())
        resources = objects.DictionaryObject(
            {
                objects.NameObject("/XObject"): objects.DictionaryObject(
                    {objects.NameObject(image): writer.add_object(_image_xobject(img))}
                )
            }
        )
        # Before and after the page's own content: its graphics state cannot move the code.
        before, after = (writer.add_object(generic.StreamObject(stream_data=d)) for d in (b"q", b"Q " + draw))
        writer.add_stream_to_page(index, before, prepend=True)  # type: ignore[no-untyped-call]
        writer.add_stream_to_page(index, after, resources)  # type: ignore[no-untyped-call]
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]  # untyped in pyHanko
    return out.getvalue(), codes
