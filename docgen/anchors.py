"""Finds where the template prints its seal captions, so seals go where a clerk put them in Word."""

import io
from dataclasses import dataclass

from pypdf import PdfReader

from docgen.errors import DocgenError

CERTIFICATE_SEAL_CAPTIONS = {"committee": "评审机构（盖章）", "authority": "核准机构（盖章）"}
"""The caption above each seal on the certificate template, by signing role."""

REVIEW_FORM_SEAL_CAPTIONS = {"committee": "评委会（电子印章）", "authority": "核准机构（电子印章）"}
"""The captions of the two e-seals on the review form's result page; every other seal box says
（盖章） and is left for a wet stamp."""

COMMITTEE_SEAL_CAPTIONS = {"committee": "评委会（电子印章）"}
"""The caption of the one e-seal on a document of the committee's own (the draft confirmation
notice, a result letter): no authority approves it."""

SEAL_DIAMETER = 120.0
"""Points (about 42 mm): the size of a round official seal."""


@dataclass(frozen=True)
class Anchor:
    """A caption's position."""

    page: int
    """Zero-based page index."""
    x: float
    """Left edge of the caption's first glyph, in points from the page's left."""
    y: float
    """Baseline, in points from the page's bottom."""
    width: float
    """Width of the caption (full-width characters at its font size)."""


def find_captions(pdf: bytes, captions: list[str]) -> dict[str, Anchor]:
    """Locate each caption (the first text run that starts it, on the last page that prints it);
    missing ones are left out.

    The pages are read from the last: a document's seals close it (a review form's result page,
    a notice's signature), so usually one page's text is extracted, not every page's.
    """
    reader = PdfReader(io.BytesIO(pdf))
    found: dict[str, Anchor] = {}
    for index in reversed(range(len(reader.pages))):
        if len(found) == len(captions):
            break
        page = reader.pages[index]
        runs: list[tuple[str, float, float, float]] = []

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            _font: object,
            size: float,
            runs: list[tuple[str, float, float, float]] = runs,
        ) -> None:
            if text.strip():
                # text space -> user space: the text matrix's translation through the CTM
                x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
                y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
                runs.append((text, x, y, size * abs(tm[0] or 1) * abs(cm[0] or 1)))

        page.extract_text(visitor_text=visit)
        for caption in captions:
            if caption in found:
                continue
            for i, (text, x, y, size) in enumerate(runs):
                joined = "".join(r[0] for r in runs[i : i + len(caption)]).replace("\n", "")
                if text.strip() and joined.strip().startswith(caption):
                    found[caption] = Anchor(index, x, y, len(caption) * size)
                    break
    return found


def seal_boxes(pdf: bytes, captions: dict[str, str]) -> dict[str, tuple[int, tuple[int, int, int, int]]]:
    """For each role's caption, the page and box of its seal: centred on the caption, over the
    two lines (name and date) printed under it, with room for the signer's name below the image.

    Raises DocgenError naming a caption the document does not print.
    """
    anchors = find_captions(pdf, list(captions.values()))
    boxes = {}
    for role, caption in captions.items():
        anchor = anchors.get(caption)
        if anchor is None:
            raise DocgenError(f"the template does not print the seal caption {caption!r} for the {role}")
        cx = anchor.x + anchor.width / 2
        cy = anchor.y - 40
        r = SEAL_DIAMETER / 2
        boxes[role] = (anchor.page, (round(cx - r), round(cy - r - 16), round(cx + r), round(cy + r)))
    return boxes
