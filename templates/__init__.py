"""Word templates and font configuration. A clerk may edit the .docx files in Word."""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent
CERTIFICATE_DOCX = TEMPLATES_DIR / "certificate.docx"
FONTS_CONF = TEMPLATES_DIR / "fonts.conf"
