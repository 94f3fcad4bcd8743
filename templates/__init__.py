"""Word templates and font configuration. A clerk may edit the .docx files in Word."""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent
CERTIFICATE_DOCX = TEMPLATES_DIR / "certificate.docx"
PUBLICITY_TABLE_DOCX = TEMPLATES_DIR / "publicity-table.docx"
RESULTS_LIST_DOCX = TEMPLATES_DIR / "results-list.docx"
REVIEW_REPORT_DOCX = TEMPLATES_DIR / "review-report.docx"
REVIEW_FORM_DOCX = TEMPLATES_DIR / "review-form.docx"
FONTS_CONF = TEMPLATES_DIR / "fonts.conf"
