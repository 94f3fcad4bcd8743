"""Replacements of lost printed copies, issued by the committee office with `titlecert clerk
replacements issue`, never by the web site: sealing needs the committee's and the approval
authority's keys (and, above B-B, the TSA), which the serving process does not hold.

A replacement is the stored first copy's revision before its first seal (the file up to the
`%%EOF` before the first signature: seals and time stamps are incremental updates after it, the
page codes one before it; the first copy, even for a replacement's replacement, so that no earlier
mark shows through), a white patch over each page's code and the
new label's codes stamped there, 补发 with the copy it replaces in its header and footer, sealed
like the original; it is registered (`documents`, and `paper_copies` naming the lost copy in
`replaces_id`), stored and audited in one transaction.

Exactly once per request: the PDF is made outside any transaction (sealing may wait on the TSA);
the registering transaction then takes `lock_for_replacement` and reads again whether the copy was
replaced meanwhile, so of two issuers the second finds the first one's replacement and leaves its
own PDF unregistered and unstored.
"""

import datetime as dt
import hashlib
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image
from pypdf import PdfReader, PdfWriter, Transformation

from docgen.anchors import REVIEW_FORM_SEAL_CAPTIONS, seal_boxes
from docgen.context import Copy, copy_label
from docgen.pagecodes import MM, stamp_page_codes
from registry.audit import Actor, AuditAction
from registry.db import Registry
from registry.errors import Conflict, NotFound, RegistryError
from registry.models import DocumentRecord
from registry.paper import PaperCopy
from signing.appearance import text_overlay
from signing.ltv import last_seal_sha256
from signing.pades import seal_pdf
from signing.profiles import SealPlacement
from signing.roles import Role
from titlecert.clerks.codes import code_of, parse_copy
from titlecert.kinds import DocumentKind
from titlecert.settings import Settings
from titlecert.store import DocumentStore

if TYPE_CHECKING:
    from titlecert.sealing import Sealing


@dataclass(frozen=True)
class Sealed:
    """A replacement's sealed PDF."""

    pdf: bytes
    signed_sha256: str
    """SHA-256 of the revision the last seal signed (registered beside the whole file's)."""


Reprint = Callable[[bytes, str, str, str, Mapping[str, str]], Sealed]
"""(the stored PDF of the form's first copy of that kind, form number, new label, the lost copy's
label, role -> the date its seal prints, as the form prints it beside the seal) -> the
replacement, sealed."""


@dataclass(frozen=True)
class Pending:
    """A replacement request, as the office's list shows it."""

    copy: str
    """The lost copy, `PS2026000001-U`."""
    copy_id: int
    unit_code: str
    """The form's unit (credit code)."""
    requested_by: str
    """The clerk who recorded the copy lost."""
    requested_on: dt.date
    """The day the clerk gave for the loss."""
    recorded_at: dt.datetime
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "copy": self.copy,
            "unit": self.unit_code,
            "requested_by": self.requested_by,
            "requested_on": self.requested_on.isoformat(),
            "recorded_at": self.recorded_at.isoformat(),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Issued:
    """A replacement registered and stored."""

    void: str
    """The lost copy, `PS2026000001-U`."""
    new: str
    """The replacement, `PS2026000001-U2`."""
    copy_id: int
    sha256: str


def pending_requests(registry: Registry) -> Sequence[Pending]:
    """The copies recorded lost whose replacement is not issued yet, the oldest request first."""
    with registry.transaction() as ledger:
        book = ledger.paper
        rows = []
        for request in ledger.replacements.pending():
            copy, lost = request.copy, request.lost
            form = book.form(copy.form_no)
            rows.append(
                Pending(
                    copy=f"{copy.form_no}-{copy.label}",
                    copy_id=copy.id,
                    unit_code=form.unit_code if form else "",
                    requested_by=lost.clerk,
                    requested_on=lost.happened_on,
                    recorded_at=lost.recorded_at,
                    reason=lost.note,
                )
            )
        return rows


def find_copy(registry: Registry, ref: str) -> int:
    """The id of the copy `PS2026000001-U` (or one of its page codes) names. Raises NotFound."""
    parsed = parse_copy(ref)
    with registry.transaction() as ledger:
        copy = ledger.paper.copy_by_label(*parsed) if parsed else None
        if copy is None:
            raise NotFound(f"no printed copy {ref!r}: give it as PS2026000001-U (see `clerk replacements`)")
        return copy.id


def issue(
    registry: Registry, store: DocumentStore, copy_id: int, *, reprint: Reprint, actor: Actor
) -> Issued | None:
    """Issue the replacement of the lost copy `copy_id`; None when it is replaced already (by an
    earlier or a concurrent run). Raises NotFound (no such stored copy), RegistryError (the copy is
    not recorded lost, or its stored PDF cannot be re-issued), Conflict (the copy number was taken
    meanwhile: run again), StoreError, and reprint's errors (SigningError, KeyLoadError)."""
    with registry.transaction() as ledger:
        book = ledger.paper
        old = book.copy(copy_id)
        document = ledger.certificates.document(old.document_id) if old else None
        if old is None or document is None or not document.storage_key:
            raise NotFound(f"no stored printed copy {copy_id}")
        lost = book.state(old).lost
        if lost is None:
            raise RegistryError(f"copy {old.form_no}-{old.label} is not recorded lost: nothing to replace")
        if ledger.replacements.of(old.id) is not None:
            return None
        number = 1 + sum(1 for c in book.copies(old.form_no) if c.copy == old.copy)
        form_no, kind, pages, void = old.form_no, old.copy, old.pages, old.label
        label = copy_label(Copy(kind), number)
        first = old
        while first.replaces_id is not None and (earlier := book.copy(first.replaces_id)) is not None:
            first = earlier  # a replacement's replacement starts from the first copy, unmarked
        base = ledger.certificates.document(first.document_id) if first is not old else document
        if base is None or not base.storage_key:
            raise NotFound(f"no stored printed copy {first.id}")
        certificate_no, stored_key, request = document.certificate_no, base.storage_key, lost.id
        award = ledger.certificates.by_number(certificate_no) if certificate_no else None
        # The seals are dated as the original's: by the review and the confirmation, not today.
        dates = (
            {
                Role.COMMITTEE.value: award.passed_on.isoformat(),
                Role.AUTHORITY.value: award.issued_on.isoformat(),
            }
            if award is not None
            else {}
        )
        reason, on = lost.note, lost.happened_on
    try:
        stored = store.get(stored_key)
    except KeyError as e:
        raise NotFound(f"the stored copy {stored_key} of {form_no}-{void} is missing") from e
    sealed = reprint(stored, form_no, label, void, dates)
    key = f"review-forms/{form_no}-{label}.pdf"
    at = dt.datetime.now(dt.UTC)
    with registry.transaction() as ledger:
        ledger.replacements.lock(copy_id)
        if ledger.replacements.of(copy_id) is not None:
            return None  # another run registered it while this one sealed
        book = ledger.paper
        if book.copy_by_label(form_no, label) is not None:
            raise Conflict(f"copy {form_no}-{label} exists already: run the command again")
        doc = ledger.certificates.add_document(
            DocumentRecord(
                kind=DocumentKind.REVIEW_FORM,
                number=form_no,
                copy=f"{kind}-{number}",
                certificate_no=certificate_no,
                sha256=hashlib.sha256(sealed.pdf).hexdigest(),
                signed_sha256=sealed.signed_sha256,
                storage_key=key,
                pages=pages,
                created_at=at,
            )
        )
        new = PaperCopy(
            form_no=form_no,
            copy=kind,
            label=label,
            document_id=doc.id,
            pages=pages,
            replaces_id=copy_id,
            created_at=at,
        )
        ledger.paper.add_copy(new)
        store.put(key, sealed.pdf)
        detail = {
            "void": void,
            "new": label,
            "sha256": doc.sha256,
            "request": request,
            "reason": reason,
            "on": on.isoformat(),
        }
        ledger.audit.append(actor, AuditAction.PAPER_REPLACED, f"review-form {form_no}", detail, at=at)
        return Issued(f"{form_no}-{void}", f"{form_no}-{label}", new.id, doc.sha256)


class Reprinter:
    """The production `Reprint`: seals with the issuing pipeline's keys, font and PAdES level,
    loaded on the first replacement (so listing or finding nothing to do needs no keys)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._sealing: Sealing | None = None

    def __call__(
        self, stored: bytes, form_no: str, label: str, void: str, dates: Mapping[str, str]
    ) -> Sealed:
        from titlecert.sealing import batch_sealing  # the issuing pipeline's sealing, imported when used

        if self._sealing is None:
            self._sealing = batch_sealing(self.settings)
        sealing = self._sealing
        base = unsealed_replacement(
            stored, form_no, label, void, public_url=self.settings.public_url, font=sealing.font
        )
        boxes = seal_boxes(base, dict(REVIEW_FORM_SEAL_CAPTIONS))
        pdf = seal_pdf(
            base,
            placements=[
                SealPlacement(Role(r), page, box, dates.get(r, "")) for r, (page, box) in boxes.items()
            ],
            keys=sealing.keys,
            font_path=sealing.font,
            timestamper=sealing.timestamper,
            long_term=sealing.long_term,
            sizes=sealing.sizes,
        )
        return Sealed(pdf, last_seal_sha256(pdf))


CODE_AREA_MM = (80.0, 1.5, 62.0, 21.0)
"""Right offset, bottom, width and height of the area docgen.pagecodes prints a code in (with margin)."""
MARKS_AT = ((47.0, 788.0), (47.0, 28.0))
"""Where a replacement says so (`replacement_line`): the lower left of pyHanko's text box (text 9 to
19 points above it), in the header's empty left part level with the copy's name, and just above the
footer's line, below the body's margin (the body ends 65 points up) and left of the page code."""


def replacement_line(form_no: str, label: str, void: str) -> str:
    """What a replacement prints in its header and footer, so that on paper it differs from the
    void copy it replaces."""
    return f"补发 {form_no}-{label} · 替代已作废的 {form_no}-{void}"


def unsealed_replacement(
    stored: bytes, form_no: str, label: str, void: str, *, public_url: str, font: Path
) -> bytes:
    """The replacement `label` of the copy `void`, before its seals: the first copy's unsealed
    revision with the new page codes and `replacement_line` in every page's header and footer.
    Raises RegistryError (see unsealed_revision), DocgenError."""
    unsealed = unsealed_revision(stored)
    width, height = (float(v) for v in PdfReader(io.BytesIO(unsealed)).pages[0].mediabox[2:])
    marks = text_overlay(replacement_line(form_no, label, void), font, (width, height), MARKS_AT)
    base, _ = stamp_page_codes(
        _blank(unsealed, marks),
        code_for_page=lambda page: code_of(form_no, label, page),
        url_for=lambda code: f"{public_url}/p/{code}",
    )
    return base


def unsealed_revision(pdf: bytes) -> bytes:
    """The document as it was before its first seal: the file up to the end-of-file marker before
    the first signature's revision (every seal and time stamp is an incremental update after it;
    the page codes are one before it), the whole file if it is not sealed. Raises RegistryError if
    that is not a readable, unsigned PDF with the same pages."""
    try:
        full = PdfReader(io.BytesIO(pdf))
        ranges = [
            field["/V"]["/ByteRange"]
            for field in (full.get_fields() or {}).values()
            if field.get("/FT") == "/Sig" and "/V" in field
        ]
        first_seal = min((int(r[1]) for r in ranges), default=len(pdf))
        end = pdf.rfind(b"%%EOF", 0, first_seal)
        base = pdf[: end + 5] + b"\n" if end > 0 else b""
        reader = PdfReader(io.BytesIO(base))
        fields = reader.get_fields() or {}
        ok = len(reader.pages) == len(full.pages) and not any(f.get("/FT") == "/Sig" for f in fields.values())
    except Exception:  # noqa: BLE001 - pypdf raises several types for a damaged file
        ok = False
    if not ok:
        raise RegistryError("the stored copy's unsealed revision cannot be read")
    return base


def _blank(pdf: bytes, marks: bytes) -> bytes:
    """`pdf` with a white patch over each page's code, so that a new code replaces the old, and the
    one page of `marks` merged onto each page."""
    right, bottom, width, height = CODE_AREA_MM
    patch = io.BytesIO()
    Image.new("L", (int(width * 4), int(height * 4)), 255).save(patch, format="PDF", resolution=4 * 25.4)
    overlay = PdfReader(io.BytesIO(patch.getvalue())).pages[0]
    marked = PdfReader(io.BytesIO(marks)).pages[0]
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        x = float(page.mediabox.width) - right * MM
        page.merge_transformed_page(overlay, Transformation().translate(x, bottom * MM))
        page.merge_page(marked)
    producer = reader.metadata.get("/Producer") if reader.metadata else None
    if producer is not None:
        writer.add_metadata({"/Producer": producer})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
