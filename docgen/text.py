"""Text hygiene for values that reach a Word template."""

import re
import unicodedata


def clean_text(value: str) -> str:
    """NFC-normalised, control characters removed, whitespace runs folded to one space.

    docxtpl turns \\a and \\f into paragraph and page breaks even with autoescape
    (docs/conversion.md, "Escaping and control characters"), so no control character may reach a
    template.
    """
    value = unicodedata.normalize("NFC", value)
    value = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in value)
    value = "".join(c for c in value if c not in "\ufffe\uffff")
    return " ".join(value.split())


def normalise_id(number: str) -> str:
    """Upper-case, without spaces, hyphens or parentheses."""
    return re.sub(r"[\s\-()（）]", "", number).upper()
