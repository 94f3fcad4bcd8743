"""The holder's annotated copy (持证人加注副本): the certificate's page with one share link's
annotation printed on it, the issued certificate attached, sealed by the verification service.

The certificate's own seals cannot carry the annotation (its certification allows form filling
and signing only, and a visible field added later voids it: docs/signing.md), so the copy is a
document of the verification service's, certified by it alone with no change allowed, like a
verification receipt. What it is a copy of goes into its document information (verify.holder_copies),
which the seal covers; the issued file rides along as an attachment (PDF/A-2 allows embedding a
PDF/A file), so a reader with Acrobat can open it and check the committee's and authority's seals.
Nothing here needs LibreOffice: the page is the issued one, its seals drawn flat into it.
"""

import datetime as dt
import io
from collections.abc import Callable

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import ContentStream, DictionaryObject, NameObject

from registry.chinatime import china_date
from signing.appearance import text_overlay
from signing.errors import SigningError
from signing.ltv import last_seal_sha256
from signing.pades import seal_pdf
from signing.profiles import RECEIPT_SEALS, SealPlacement
from signing.roles import Role
from titlecert.sealing import Sealing
from verify.errors import ReceiptUnavailable
from verify.holder_copies import INFO_KEY, HolderNote
from verify.shares import ShareSeen

FONT_SIZE, LEADING = 7, 11
"""Points (pyHanko's text boxes take whole points)."""
NOTE_AT = (26.0, 14.0, 30)
"""The annotation's block: points from the page's left and top edges, and characters a line
holds (the certificate leaves the corner left of its heading blank)."""
ABOUT_AT = (492.0, 14.0, 24)
"""The block saying what the copy is: points from the left and top edges, characters a line."""
SEAL_BOX = (100.0, 86.0, 28.0, 14.0)
"""The service's seal: its box's left, bottom, right and top edges in points from the page's
right and top edges (the top-right corner, right of the second block)."""


def _width(c: str) -> float:
    return 0.6 if c.isascii() else 1.0  # Latin letters and digits take about 0.6 of a CJK square


_LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-"


def _wrapped(lines: list[str], width: int) -> list[str]:
    """`lines` broken to `width` CJK squares a line, never inside a run of Latin letters or digits
    (a certificate number or the domain stays whole)."""
    out: list[str] = []
    for line in lines:
        current, used = "", 0.0
        for c in line:
            if used + _width(c) > width and current:
                keep = len(current.rstrip(_LATIN))
                if c.isascii() and c.isalnum() and 0 < keep < len(current):
                    current, carried = current[:keep], current[keep:]
                else:
                    carried = ""
                out.append(current.rstrip())
                current = carried.lstrip()
                used = sum(map(_width, current))
            current += c
            used += _width(c)
        out.append(current)
    return out


def copy_blocks(note: HolderNote, service: str, domain: str) -> tuple[list[str], list[str]]:
    """What the copy prints above the certificate: the annotation, and what the copy is."""
    made = china_date(note.made_at)
    annotation = _wrapped(["持证人加注副本  Holder's annotated copy", note.annotation.zh], NOTE_AT[2])
    about = _wrapped(
        [
            f"{service}于 {made:%Y年%m月%d日} 据证书 {note.certificate_no} 制作并盖章；",
            "原证书（印章完整）附在本文件中。",
            "加注过期或持证人撤回后本副本失效。",
            f"核验：上传本文件至 {domain}",
        ],
        ABOUT_AT[2],
    )
    return annotation, about


def printable_copy(
    original: bytes, note: HolderNote, blocks: tuple[list[str], list[str]], sealing: Sealing
) -> bytes:
    """The issued certificate's pages with its seals drawn flat, `blocks` printed on the first
    page, the original attached and `note` in the document information; not yet sealed."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original)))
    for page in writer.pages:
        _draw_widgets_flat(writer, page)
    writer.remove_annotations(subtypes="/Widget")
    for key in ("/AcroForm", "/Perms", "/DSS"):  # the certificate's seals live on in the attachment
        writer.root_object.pop(NameObject(key), None)
    first = writer.pages[0]
    size = (float(first.mediabox.width), float(first.mediabox.height))
    for lines, (x, from_top, _) in zip(blocks, (NOTE_AT, ABOUT_AT), strict=True):
        box = 20 + (len(lines) - 1) * LEADING + FONT_SIZE  # pyHanko's text box: 10-point margins
        at = [(x, size[1] - from_top - box)]
        overlay = text_overlay("\n".join(lines), sealing.font, size, at, FONT_SIZE, LEADING)
        first.merge_page(PdfReader(io.BytesIO(overlay)).pages[0])
    writer.add_attachment(f"{note.certificate_no}.pdf", original)
    writer.add_metadata({INFO_KEY: note.to_json()})
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _draw_widgets_flat(writer: PdfWriter, page: PageObject) -> None:
    """Draw each visible widget's normal appearance into the page's content (a seal's image and
    name, as a printout shows them)."""
    drawn: list[bytes] = []
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else DictionaryObject()
    xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject()).get_object()
    for i, ref in enumerate(page.get("/Annots") or []):
        annot = ref.get_object()
        ap = annot.get("/AP")
        normal = ap.get_object().get("/N") if ap is not None else None
        if annot.get("/Subtype") != "/Widget" or normal is None:
            continue
        x1, y1, x2, y2 = _normalised(annot["/Rect"])
        bx1, by1, bx2, by2 = _normalised(normal.get_object()["/BBox"])
        if min(x2 - x1, y2 - y1, bx2 - bx1, by2 - by1) <= 0:
            continue  # an invisible field
        sx, sy = (x2 - x1) / (bx2 - bx1), (y2 - y1) / (by2 - by1)
        name = f"/TcFlat{i}"
        xobjects[NameObject(name)] = ap.get_object().raw_get("/N")  # a stream: always by reference
        drawn.append(
            f"q {sx:.4f} 0 0 {sy:.4f} {x1 - bx1 * sx:.3f} {y1 - by1 * sy:.3f} cm {name} Do Q".encode()
        )
    if not drawn:
        return
    page[NameObject("/Resources")] = resources
    stream = ContentStream(None, writer)
    before = page.get_contents()
    stream.set_data(
        b"q\n" + (before.get_data() if before is not None else b"") + b"\nQ\n" + b"\n".join(drawn) + b"\n"
    )
    page.replace_contents(stream)


def _normalised(rect: list[object]) -> tuple[float, float, float, float]:
    """A rectangle as lower-left and upper-right corners (pyHanko writes a seal's BBox top down)."""
    x1, y1, x2, y2 = (float(v) for v in rect)  # type: ignore[arg-type]
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def annotated_copy(
    original: bytes, certificate_no: str, share: ShareSeen, sealing: Sealing, *, domain: str, at: dt.datetime
) -> bytes:
    """The sealed annotated copy of `original` (certificate `certificate_no`) for `share`."""
    key = sealing.keys[Role.VERIFIER]
    note = HolderNote(
        certificate_no, share.id, share.purpose, share.valid_until, at, last_seal_sha256(original)
    )
    pdf = printable_copy(original, note, copy_blocks(note, key.seal_name, domain), sealing)
    width, height = (float(v) for v in PdfReader(io.BytesIO(pdf)).pages[0].mediabox[2:4])
    left, bottom, right, top = SEAL_BOX
    box = (int(width - left), int(height - bottom), int(width - right), int(height - top))
    place = SealPlacement(Role.VERIFIER, 0, box, china_date(at).isoformat())
    return seal_pdf(
        pdf,
        placements=[place],
        keys={Role.VERIFIER: key},
        font_path=sealing.font,
        timestamper=sealing.timestamper,
        long_term=sealing.long_term,
        order=RECEIPT_SEALS,
        sizes=sealing.sizes,
        reason=note.annotation.zh,
    )


class CopyDesk:
    """Makes annotated copies for one process with the verification service's sealing, which it
    shares with the process's receipts (titlecert.receipts.ReceiptDesk.sealing)."""

    def __init__(self, read: Callable[[str], bytes], sealing: Callable[[], Sealing], *, domain: str) -> None:
        self.read = read
        self.sealing = sealing
        """The sealing, loaded on first use; raises ReceiptUnavailable without the key."""
        self.domain = domain

    def make(self, certificate_no: str, share: ShareSeen, at: dt.datetime) -> bytes:
        """Raises KeyError when the store holds no copy of the certificate, ReceiptUnavailable
        when the copy cannot be sealed."""
        original = self.read(certificate_no)
        try:
            return annotated_copy(original, certificate_no, share, self.sealing(), domain=self.domain, at=at)
        except SigningError as e:
            raise ReceiptUnavailable(f"the annotated copy could not be sealed: {e}") from e


__all__ = ["CopyDesk", "annotated_copy", "copy_blocks", "printable_copy"]
