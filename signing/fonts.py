"""Finds the CJK font used for seal text.

pyHanko cannot read font collections (.ttc), so the seal font must be a single .ttf/.otf
(docs/signing.md, "Seal text in Chinese"). AR PL SungtiL GB (Debian fonts-arphic-gbsn00lp) is a
TrueType font with a licence that allows embedding.
"""

from pathlib import Path

from signing.errors import SigningError

SEAL_FONT_CANDIDATES = (Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"),)


def find_seal_font(configured: Path | None = None) -> Path:
    """Return the seal font path: the configured one, else the first installed candidate.

    Raises SigningError naming what to install when none is found.
    """
    candidates = (configured,) if configured else SEAL_FONT_CANDIDATES
    for path in candidates:
        if path and path.is_file() and path.suffix.lower() in (".ttf", ".otf"):
            return path
    raise SigningError(
        "no CJK seal font found (looked for "
        + ", ".join(str(p) for p in candidates if p)
        + "); run scripts/setup.sh or set TITLECERT_SEAL_FONT to a .ttf/.otf file"
    )
