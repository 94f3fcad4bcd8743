"""Ways an attacker changes a sealed PDF, for tests."""

import io
import re
from collections.abc import Callable

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


def _update(data: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _info(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    ref = writer.trailer.raw_get("/Info")
    info = ref.get_object()
    assert isinstance(info, generic.DictionaryObject)
    writer.mark_update(ref)
    return info


def set_info_title(data: bytes, title: str = "Forged title") -> bytes:
    """The document information's /Title rewritten, as a metadata editor does."""
    return _update(data, lambda w: _info(w).__setitem__("/Title", generic.TextStringObject(title)))


def set_info_moddate(data: bytes) -> bytes:
    """Only /ModDate and /Producer touched: the bookkeeping a validation-data update may write."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        info = _info(writer)
        info["/ModDate"] = generic.TextStringObject("D:20300101000000Z")
        info["/Producer"] = generic.TextStringObject("a reader adding validation data")

    return _update(data, change)


def replace_xmp(data: bytes) -> bytes:
    """A new XMP packet (claiming another title) put in the catalog's /Metadata."""
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Forged</rdf:li></rdf:Alt></dc:title>'
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="r"?>'
    ).encode()

    def change(writer: IncrementalPdfFileWriter) -> None:
        stream = generic.StreamObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Metadata"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/XML"),
            },
            stream_data=packet,
        )
        writer.root["/Metadata"] = writer.add_object(stream)
        writer.update_root()

    return _update(data, change)


def set_acroform_entry(data: bytes, key: str) -> bytes:
    """AcroForm /NeedAppearances, /DA or /DR changed (pyHanko does not compare them)."""
    values: dict[str, generic.PdfObject] = {
        "/NeedAppearances": generic.BooleanObject(True),
        "/DA": generic.TextStringObject("/Helv 0 Tf 0 g"),
        "/DR": generic.DictionaryObject({generic.pdf_name("/Font"): generic.DictionaryObject()}),
    }

    def change(writer: IncrementalPdfFileWriter) -> None:
        ref = writer.root.raw_get("/AcroForm")
        form = ref.get_object()
        form[key] = values[key]
        writer.mark_update(ref)

    return _update(data, change)


def _add_annotation(
    writer: IncrementalPdfFileWriter, annot: generic.DictionaryObject, *, field: bool
) -> None:
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    annot[generic.pdf_name("/P")] = page_ref
    ref = writer.add_object(annot)
    page = page_ref.get_object()
    annots = page.get("/Annots", generic.ArrayObject())
    annots.append(ref)
    page["/Annots"] = annots
    writer.mark_update(page_ref)
    if field:
        form_ref = writer.root.raw_get("/AcroForm")
        form_ref.get_object()["/Fields"].append(ref)
        writer.mark_update(form_ref)


def add_invisible_signature_field(data: bytes) -> bytes:
    """An empty, invisible signature field (pyHanko rates it LTA_UPDATES)."""
    from pyhanko.sign import fields

    def change(writer: IncrementalPdfFileWriter) -> None:
        fields.append_signature_field(writer, fields.SigFieldSpec("Extra"))

    return _update(data, change)


def add_text_field(data: bytes, value: str = "FORGED") -> bytes:
    """A filled text field on page 1: a form value that was never sealed."""
    n = generic.pdf_name
    field = generic.DictionaryObject(
        {
            n("/FT"): n("/Tx"),
            n("/T"): generic.TextStringObject("Remark"),
            n("/V"): generic.TextStringObject(value),
            n("/Type"): n("/Annot"),
            n("/Subtype"): n("/Widget"),
            n("/Rect"): generic.ArrayObject([generic.NumberObject(x) for x in (60, 400, 260, 430)]),
        }
    )
    return _update(data, lambda w: _add_annotation(w, field, field=True))


def add_annotation(data: bytes) -> bytes:
    """A sticky note on page 1."""
    n = generic.pdf_name
    note = generic.DictionaryObject(
        {
            n("/Type"): n("/Annot"),
            n("/Subtype"): n("/Text"),
            n("/Contents"): generic.TextStringObject("void"),
            n("/Rect"): generic.ArrayObject([generic.NumberObject(x) for x in (60, 400, 80, 420)]),
        }
    )
    return _update(data, lambda w: _add_annotation(w, note, field=False))


def duplicate_object_definition(data: bytes) -> bytes:
    """A metadata-only update carrying a second, unreferenced definition of the object it writes
    (pyHanko reads the xref's; a repairing viewer may read the other)."""
    updated = set_info_moddate(data)
    start = len(data)
    region = updated[start:]
    header = _OBJ_HEADER.search(region)
    pos = region.rindex(b"startxref")
    number = re.match(rb"startxref\s+(\d+)", region[pos:])
    assert header is not None and number is not None
    xref_at = int(number.group(1)) - start  # put the copy just before the cross-reference data
    forged = region[header.start() : header.end()] + b" << /Title (Forged) >> endobj\n"
    fixed = b"startxref\n" + str(int(number.group(1)) + len(forged)).encode()
    region = region[:xref_at] + forged + region[xref_at:pos] + fixed + region[pos + number.end() :]
    return updated[:start] + region


_OBJ_HEADER = re.compile(rb"\d+\s+\d+\s+obj")
