"""Ways an attacker changes a sealed PDF, for tests."""

import io
import re

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from verify.audit import revision_ends


def byte_ranges(data: bytes) -> list[list[int]]:
    return [[int(x) for x in m.group(1).split()] for m in re.finditer(rb"/ByteRange\s*\[([\d\s]+)\]", data)]


def flip_byte_in_signed_range(data: bytes) -> bytes:
    """Flip one byte inside an image (the QR code) covered by every signature: the file still
    parses, only the signed digest no longer matches."""
    first_range = byte_ranges(data)[0]
    image = re.search(rb"/Subtype\s*/Image", data)
    assert image is not None
    stream = data.index(b"stream", image.end()) + len(b"stream\n") + 50
    assert stream < first_range[1]
    return data[:stream] + bytes([data[stream] ^ 0x01]) + data[stream + 1 :]


def add_page_content(data: bytes, text: str = "FORGED") -> bytes:
    """An incremental update that draws over page 1, as an editing tool would."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    stream = generic.StreamObject(
        stream_data=f"q 1 1 1 rg 60 400 200 30 re f Q BT /F1 12 Tf 60 410 Td ({text}) Tj ET".encode()
    )
    ref = writer.add_object(stream)
    writer.add_stream_to_page(0, ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def unsigned_revision(data: bytes) -> bytes:
    """The document as converted, before any seal: the first revision."""
    reader = PdfFileReader(io.BytesIO(data))
    return data[: revision_ends(data, reader)[0]]
