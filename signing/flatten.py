"""Flatten interactive form fields before the first seal: a sealed document holds no field but
its seals, so nothing on it can be filled in after the committee certifies it (DocMDP P=2 would
otherwise allow exactly that). Each field's appearance is drawn into its page and the field removed.
"""

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from signing.errors import SigningError


def form_field_names(pdf: bytes) -> list[str]:
    """Names of the interactive fields other than signatures."""
    reader = PdfReader(io.BytesIO(pdf))
    fields = reader.get_fields() or {}
    return [name for name, field in fields.items() if field.get("/FT") != "/Sig"]


def flatten_form_fields(pdf: bytes) -> bytes:
    """Return `pdf` with every non-signature field drawn into its page and removed; unchanged
    (the same bytes) when it has none. Raises SigningError if the PDF holds a signature already:
    rewriting it would break that signature."""
    names = form_field_names(pdf)
    if not names:
        return pdf
    reader = PdfReader(io.BytesIO(pdf))
    fields = reader.get_fields() or {}
    if any(field.get("/FT") == "/Sig" and field.get("/V") is not None for field in fields.values()):
        raise SigningError("the document is already signed; its form fields cannot be flattened")
    writer = PdfWriter(clone_from=reader)
    values = {name: str(fields[name].get("/V", "")) for name in names}
    writer.update_page_form_field_values(None, values, auto_regenerate=False, flatten=True)
    writer.remove_annotations(subtypes="/Widget")
    acroform = writer.root_object.get("/AcroForm")
    if acroform is not None:
        del writer.root_object[NameObject("/AcroForm")]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
