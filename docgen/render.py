"""docxtpl rendering: certificate data + QR image -> .docx bytes."""

import datetime as dt
import io
from functools import lru_cache
from pathlib import Path

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from docgen.errors import DocgenError
from docgen.models import CertificateData


@lru_cache(maxsize=8)
def _template_bytes(path: Path) -> bytes:
    return path.read_bytes()


def _date(value: dt.date) -> str:
    return f"{value.year}年{value.month:02d}月{value.day:02d}日"


def render_certificate(template: Path, data: CertificateData, *, qr_png: bytes) -> bytes:
    """Fill the certificate template. Autoescape is on: values are text, never markup.

    One DocxTemplate per document, built from cached bytes (docxtpl re-renders are not faster,
    CONVERSION.md §1). Raises DocgenError if a value did not land in the document.
    """
    tpl = DocxTemplate(io.BytesIO(_template_bytes(template)))
    context = {
        "name": data.name,
        "sex": data.sex,
        "birth": data.birth,
        "id_type": data.id_type,
        "id_number": data.id_number,
        "employer": data.employer,
        "series": data.series,
        "speciality": data.speciality,
        "title": data.title,
        "level": data.level,
        "obtained_by": data.obtained_by,
        "passed_on": _date(data.passed_on),
        "committee": data.committee,
        "approval_no": data.approval_no,
        "issued_on": _date(data.issued_on),
        "authority": data.authority,
        "certificate_no": data.certificate_no,
        "licence_id": data.licence_id,
        "verify_domain": data.verify_domain,
        "qr": InlineImage(tpl, io.BytesIO(qr_png), width=Mm(30)),
        "photo": (InlineImage(tpl, str(data.photo), width=Mm(30)) if data.photo else "（照片）"),
    }
    tpl.render(context, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    # docxtpl repairs malformed XML silently (CONVERSION.md §1.1): check the values arrived.
    xml = tpl.docx.element.xml
    for key in ("certificate_no", "name", "id_number"):
        if str(getattr(data, key)) not in xml:
            raise DocgenError(f"certificate {data.certificate_no}: field {key} missing after rendering")
    return out.getvalue()
