"""Glyph coverage: a character no installed font can draw is an error before issuing.

LibreOffice falls back glyph by glyph through fontconfig and silently drops a character that no
font covers (𪚥 vanished from a certificate without HanaMin: docs/conversion.md, "Fonts"). So the text of
every document is checked against the union of the installed fonts' character sets first.
"""

import bisect
import os
import subprocess
from functools import lru_cache
from pathlib import Path

from docgen.errors import DocgenError


@lru_cache(maxsize=4)
def _coverage(fonts_conf: Path) -> tuple[tuple[int, ...], tuple[int, ...]]:
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts_conf)}
    try:
        out = subprocess.run(
            ["fc-list", "--format", "%{charset}\n"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError) as e:
        raise DocgenError(f"cannot list the installed fonts with fc-list ({e}); run scripts/setup.sh") from e
    spans: list[tuple[int, int]] = []
    for token in out.split():
        first, _, last = token.partition("-")
        spans.append((int(first, 16), int(last or first, 16)))
    spans.sort()
    merged: list[list[int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return tuple(m[0] for m in merged), tuple(m[1] for m in merged)


def uncovered(text: str, fonts_conf: Path) -> list[str]:
    """Characters of `text` (other than whitespace) that no installed font covers, in order, once."""
    starts, ends = _coverage(fonts_conf)
    missing: list[str] = []
    for ch in text:
        if ch.isspace() or ch in missing:
            continue
        i = bisect.bisect_right(starts, ord(ch)) - 1
        if i < 0 or ord(ch) > ends[i]:
            missing.append(ch)
    return missing
