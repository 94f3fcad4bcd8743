"""docxtpl rendering: a template and a context -> .docx bytes."""

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import Environment, Template

from docgen.errors import DocgenError
from docgen.models import CertificateData


@lru_cache(maxsize=16)
def _template_bytes(path: Path) -> bytes:
    return path.read_bytes()


class _CompilingOnce(Environment):
    """A Jinja environment that compiles each distinct template source once per process.

    docxtpl compiles the document's XML with `from_string` on every render, and the source is the
    same for every document of a template: compiling was a fifth of rendering (docs/performance.md).
    """

    _LIMIT = 64
    """Sources kept: a template's body, headers, footers and properties, for every template."""

    def __init__(self) -> None:
        super().__init__(autoescape=True)
        self._compiled: dict[str, Template] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Template:  # noqa: A002
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            if len(self._compiled) >= self._LIMIT:
                self._compiled.clear()
            compiled = self._compiled[source] = super().from_string(source)
        return compiled


_ENVIRONMENT = _CompilingOnce()


class _Template(DocxTemplate):  # type: ignore[misc]  # docxtpl is untyped
    """A DocxTemplate whose tag merging (`patch_xml`, regular expressions over the whole XML) is
    done once per distinct source: it was another fifth of rendering."""

    _patched: dict[str, str] = {}  # noqa: RUF012 - one cache for every instance, on purpose

    def patch_xml(self, src_xml: str) -> str:
        patched = self._patched.get(src_xml)
        if patched is None:
            if len(self._patched) >= _CompilingOnce._LIMIT:
                self._patched.clear()
            patched = self._patched[src_xml] = super().patch_xml(src_xml)
        return patched


def template_variables(template: Path) -> set[str]:
    """The top-level variables a template uses (for `titlecert templates check`)."""
    return set(DocxTemplate(io.BytesIO(_template_bytes(template))).get_undeclared_template_variables())


def render_docx(
    template: Path,
    context: Mapping[str, Any],
    *,
    images: Mapping[str, tuple[bytes | Path, float]] | None = None,
    must_contain: Sequence[str] = (),
) -> bytes:
    """Fill `template`. Autoescape is on: values are text, never markup or template code.

    `images` maps a variable to (PNG bytes or file, width in mm). One DocxTemplate per document,
    built from cached bytes (docxtpl re-renders are not faster: docs/conversion.md, "Rendering with
    docxtpl"). docxtpl repairs malformed XML silently, so DocgenError is raised if a `must_contain`
    value did not arrive.
    """
    tpl = _Template(io.BytesIO(_template_bytes(template)))
    values = dict(context)
    for name, (source, width) in (images or {}).items():
        stream = io.BytesIO(source) if isinstance(source, bytes) else str(source)
        values[name] = InlineImage(tpl, stream, width=Mm(width))
    tpl.render(values, jinja_env=_ENVIRONMENT, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    xml = tpl.docx.element.xml
    for value in must_contain:
        escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if value not in xml and escaped not in xml:
            raise DocgenError(f"{template.name}: {value!r} is missing after rendering")
    return out.getvalue()


def _date(value: dt.date) -> str:
    return f"{value.year}年{value.month:02d}月{value.day:02d}日"


def certificate_context(data: CertificateData) -> dict[str, Any]:
    """What the certificate template prints."""
    fields = data.model_dump(exclude={"photo", "passed_on", "issued_on", "verify_url"})  # the URL is the QR
    return {
        **fields,
        "verification_code": "\n".join(verification_code_lines(data)),
        "passed_on": _date(data.passed_on),
        "issued_on": _date(data.issued_on),
        "photo": "（照片）",
    }


def verification_code_lines(data: CertificateData) -> tuple[str, str]:
    """The verification code as printed: two lines of four groups, to fit the QR's column in a
    legible size (docxtpl turns the line feed into a line break)."""
    groups = data.verification_code.split("-")
    half = len(groups) // 2
    return "-".join(groups[:half]), "-".join(groups[half:])


def certificate_images(data: CertificateData, qr_png: bytes) -> dict[str, tuple[bytes | Path, float]]:
    """The pictures on a certificate: the QR code and, when given, the photo (30 mm wide)."""
    images: dict[str, tuple[bytes | Path, float]] = {"qr": (qr_png, 30)}
    if data.photo:
        images["photo"] = (data.photo, 30)
    return images


def certificate_must_contain(data: CertificateData) -> tuple[str, ...]:
    """Values whose absence after rendering means docxtpl lost them."""
    return (data.certificate_no, data.name, data.id_number, *verification_code_lines(data))


def render_certificate(template: Path, data: CertificateData, *, qr_png: bytes) -> bytes:
    """Fill the certificate template (see render_docx)."""
    return render_docx(
        template,
        certificate_context(data),
        images=certificate_images(data, qr_png),
        must_contain=certificate_must_contain(data),
    )
