"""Admission control: cheap byte-level checks before any parser touches an upload (VERIFY.md §6)."""

import re
from dataclasses import dataclass

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_REVISIONS = 8
"""Base document, seals and a little long-term-validation material; more is refused unparsed
(pyHanko's diff analysis is quadratic in revisions)."""

_EOF = re.compile(rb"%%EOF")


@dataclass(frozen=True)
class Admission:
    """The outcome of admission control."""

    ok: bool
    """True if the bytes may be parsed."""
    reason: str | None = None
    """Why not, in plain words."""


def admit(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Admission:
    """Decide whether `data` may be handed to the PDF parser at all."""
    if len(data) > max_bytes:
        return Admission(False, f"the file is larger than {max_bytes // (1024 * 1024)} MiB")
    if not data.startswith(b"%PDF-1."):
        return Admission(False, "the file does not start with a PDF header (%PDF-1.x at offset 0)")
    tail = data[-1024:]
    last = tail.rfind(b"%%EOF")
    if last < 0:
        return Admission(False, "the file does not end with %%EOF")
    if len(tail) - (last + 5) > 2 or tail[last + 5 :].strip(b"\r\n"):
        return Admission(False, "data follows the final %%EOF marker")
    if len(_EOF.findall(data)) > MAX_REVISIONS:
        return Admission(False, f"the file has more than {MAX_REVISIONS} revisions")
    if b"/Encrypt" in data:
        return Admission(False, "the file is encrypted; issued documents never are")
    return Admission(True)
