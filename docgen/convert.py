"""LibreOffice conversion: .docx -> PDF/A-2b, every output checked.

soffice exits 0 even when it wrote nothing (docs/conversion.md, "The exit status lies"), so every
PDF is checked for existence, header, page count and embedded fonts. One profile directory per
caller: two soffice processes sharing a profile serialise silently.
"""

import io
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pypdf import PdfReader

from docgen.errors import ConversionError

_PDF_FILTER = {
    "SelectPdfVersion": {"type": "long", "value": "2"},  # PDF/A-2b
    "UseLosslessCompression": {"type": "boolean", "value": "true"},
    "ReduceImageResolution": {"type": "boolean", "value": "false"},
    # A form control a clerk leaves in a template is printed as its content, never exported as a
    # fillable field: a sealed document has no fields but its seals.
    "ExportFormFields": {"type": "boolean", "value": "false"},
}


def soffice_binary() -> str:
    """Path of soffice. Raises ConversionError naming the setup step when it is missing."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ConversionError("LibreOffice (soffice) not found; run scripts/setup.sh")
    return found


def convert_to_pdf(
    documents: Sequence[tuple[str, bytes]],
    *,
    profile_dir: Path,
    fonts_conf: Path,
    timeout: float = 600.0,
) -> dict[str, bytes]:
    """Convert named .docx documents in one soffice run; return {name: PDF bytes}.

    Names must be unique file stems. Raises ConversionError naming the first document that
    produced no usable PDF.
    """
    if not documents:
        return {}
    with tempfile.TemporaryDirectory(prefix="titlecert-convert-") as tmp:
        src, out = Path(tmp, "src"), Path(tmp, "out")
        src.mkdir()
        out.mkdir()
        for name, data in documents:
            (src / f"{name}.docx").write_bytes(data)
        argv = [
            soffice_binary(),
            f"-env:UserInstallation={profile_dir.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export:" + json.dumps(_PDF_FILTER),
            "--outdir",
            str(out),
            *(str(src / f"{name}.docx") for name, _ in documents),
        ]
        env = {**os.environ, "FONTCONFIG_FILE": str(fonts_conf)}
        try:
            proc = subprocess.run(argv, env=env, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as e:
            raise ConversionError(f"LibreOffice did not finish within {timeout:.0f} s") from e
        results = {}
        for name, _ in documents:
            pdf_path = out / f"{name}.pdf"
            if not pdf_path.is_file():
                detail = proc.stderr.decode(errors="replace").strip()[-300:]
                raise ConversionError(
                    f"{name}.docx: LibreOffice wrote no PDF (exit {proc.returncode}; {detail})"
                )
            results[name] = pdf_path.read_bytes()
        return results


def check_pdf(name: str, pdf: bytes, *, pages: int | tuple[int, int]) -> int:
    """Check a converted PDF: header, page count (exact or a range), every font embedded.

    Returns the page count. Raises ConversionError saying what is wrong.
    """
    if not pdf.startswith(b"%PDF-"):
        raise ConversionError(f"{name}: output is not a PDF")

    reader = PdfReader(io.BytesIO(pdf))
    low, high = (pages, pages) if isinstance(pages, int) else pages
    if not low <= len(reader.pages) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise ConversionError(
            f"{name}: expected {expected} page(s), LibreOffice produced {len(reader.pages)}"
        )
    missing = sorted(unembedded_fonts(reader))
    if missing:
        raise ConversionError(f"{name}: fonts not embedded: {', '.join(missing)}")
    return len(reader.pages)


def unembedded_fonts(reader: PdfReader) -> set[str]:
    """Base names of fonts used on any page whose program is not embedded."""
    missing: set[str] = set()
    for page in reader.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources else None
        for ref in fonts.get_object().values() if fonts else []:
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants.get_object()[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else None
            if descriptor is None or not any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                missing.add(str(font.get("/BaseFont", "?")))
    return missing
