"""Word templates and font configuration. A clerk may edit the .docx files in Word; which template
each document uses is titlecert.documents' table."""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent
FONTS_CONF = TEMPLATES_DIR / "fonts.conf"
