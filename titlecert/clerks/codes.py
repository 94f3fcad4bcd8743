"""Page codes of printed copies: `PS2026000001-P02-K` (form, copy label, page, check character).

The copy label is P or U, followed by the copy number from 2 on for a replacement (`P2`); the page
is always two digits, so `PS2026000001-P203-7` is page 3 of copy P2.
"""

import re
from dataclasses import dataclass

from stdnum.iso7064 import mod_37_36

from docgen.pagecodes import page_code
from verify.typed import normalise_page_code

_CODE = re.compile(
    r"^(?P<form>[A-Z]{2}\d{10})-(?P<label>[PU](?:[2-9]|[1-9]\d))(?P<page>\d{2})-(?P<check>[0-9A-Z])$"
)
_FIRST = re.compile(r"^(?P<form>[A-Z]{2}\d{10})-(?P<label>[PU])(?P<page>\d{2})-(?P<check>[0-9A-Z])$")
_COPY = re.compile(r"^(?P<form>[A-Z]{2}\d{10})-(?P<label>[PU](?:[2-9]|[1-9]\d)?)$")


@dataclass(frozen=True)
class PageRef:
    form_no: str
    label: str
    page: int


def code_of(form_no: str, label: str, page: int) -> str:
    return page_code(form_no, label, page)


def parse_code(code: str) -> PageRef | None:
    """The page a code names, or None for anything that is not a well-formed code; typed as
    people type it (verify.typed: case, spaces and hyphens, letters for digits forgiven)."""
    code = normalise_page_code(code) or ""
    match = _FIRST.match(code) or _CODE.match(code)
    if match is None:
        return None
    form, label, page = match["form"], match["label"], int(match["page"])
    if page < 1 or not mod_37_36.is_valid(f"{form}{label}{page:02d}{match['check']}"):
        return None
    return PageRef(form, label, page)


def parse_copy(text: str) -> tuple[str, str] | None:
    """The form number and copy label `PS2026000001-U` (or any page code of the copy) names, or None."""
    text = text.strip().upper()
    if (match := _COPY.match(text)) is not None:
        return match["form"], match["label"]
    ref = parse_code(text)
    return (ref.form_no, ref.label) if ref is not None else None
