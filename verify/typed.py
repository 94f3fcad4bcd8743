"""Codes as people type them: a certificate's verification code (its QR token, printed grouped by
docgen.identifiers.grouped_token), its number, and a review-form page code. The one home of
forgiving parsing, used by every form and page that takes them.

What is forgiven: full-width characters from a Chinese input method, spaces and hyphens anywhere,
lower case, and letters read for the digits a code cannot hold there (and the other way round).
URLs keep the exact form (`/v/<token>`, `/p/<code>`): logs recognise tokens only in that form.
"""

import re
import unicodedata

TOKEN_PATTERN = re.compile(r"[A-Z2-7]{32}")
"""A QR token exactly: 160 bits as upper-case base32 (RFC 4648), as URLs carry it."""

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_.·・]+")
"""Spaces (the ideographic one too) and the hyphens and dots people put between groups."""
_LONGEST = 200
"""Anything longer typed into a form is no code: not even looked at."""

_NOT_BASE32 = str.maketrans("018", "OIB")
"""Digits base32 lacks, read as the letters they are mistaken for (0 for O, 1 for I, 8 for B)."""
_NOT_DIGITS = str.maketrans("OILB", "0118")
"""Letters typed where a page code has digits."""
_PAGE_CODE = re.compile(r"([A-Z]{2})([0-9A-Z]{10})([PU])([0-9A-Z]{2,4})([0-9A-Z])")
"""A page code without its hyphens: form (2 letters, 10 digits), copy and page (the copy letter,
the copy number from 2 on, two page digits), the check character."""


def _plain(text: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text[:_LONGEST])).upper()


def normalise_token(text: str) -> str | None:
    """The token a typed verification code names (`abcd-efgh …`, `ABCD EFGH …`), or None when
    what was typed cannot be one."""
    if len(text) > _LONGEST:
        return None
    token = _plain(text).translate(_NOT_BASE32)
    return token if TOKEN_PATTERN.fullmatch(token) else None


def normalise_certificate_no(text: str) -> str:
    """A certificate number as compared: full-width, spaces, hyphens and case do not matter."""
    return _plain(text) if len(text) <= _LONGEST else ""


def normalise_page_code(text: str) -> str | None:
    """The page code as printed (`PS2026000001-P03-K`) that a typed one names, or None when what
    was typed has not its shape. Whether its check character fits is titlecert.clerks.codes' to say."""
    if len(text) > _LONGEST:
        return None
    found = _PAGE_CODE.fullmatch(_plain(text))
    if found is None:
        return None
    prefix, digits, letter, page, check = found.groups()
    digits, page = digits.translate(_NOT_DIGITS), page.translate(_NOT_DIGITS)
    if not (digits.isdigit() and page.isdigit()):
        return None
    return f"{prefix}{digits}-{letter}{page}-{check}"


__all__ = [
    "TOKEN_PATTERN",
    "normalise_certificate_no",
    "normalise_page_code",
    "normalise_token",
]
