"""Clerks' records on printed copies (each also in the audit log), and the re-issue of a lost copy."""

import datetime as dt
import hashlib
import io

from PIL import Image
from pypdf import PdfReader, PdfWriter, Transformation

from docgen.anchors import REVIEW_FORM_SEAL_CAPTIONS, seal_boxes
from docgen.context import Copy
from docgen.pagecodes import MM, stamp_page_codes
from registry.audit import Actor, AuditAction, AuditLog
from registry.db import Registry
from registry.errors import NotFound, RegistryError
from registry.models import DocumentRecord
from registry.paper import EventKind, PaperBook, PaperCopy, PaperEvent
from signing.ltv import last_seal_sha256
from signing.pades import seal_pdf
from signing.profiles import SealPlacement
from signing.roles import Role
from titlecert.clerks.codes import code_of, copy_label
from titlecert.settings import Settings
from titlecert.store import DocumentStore


def record(
    registry: Registry,
    copy_id: int,
    kind: EventKind,
    *,
    actor: Actor,
    on: dt.date,
    box: int | None = None,
    body: str | None = None,
    corrects: int | None = None,
    note: str = "",
) -> PaperEvent:
    """Add one record and its audit entry in one transaction. Raises NotFound, RegistryError."""
    with registry.transaction() as repo:
        book = PaperBook(repo.session)
        copy = book.copy(copy_id)
        if copy is None:
            raise NotFound(f"no printed copy {copy_id}")
        at = dt.datetime.now(dt.UTC)
        event = book.record(
            copy, kind, clerk=actor.name, on=on, at=at, box=box, body=body, corrects=corrects, note=note
        )
        detail = {
            "event": event.id,
            "kind": kind.value,
            "copy": f"{copy.form_no}-{copy.label}",
            "on": on.isoformat(),
            "box": box,
            "body": body,
            "corrects": corrects,
            "note": note,
        }
        AuditLog(repo.session).append(
            actor, AuditAction.PAPER_RECORDED, f"review-form {copy.form_no}", detail, at=at
        )
        return event


CODE_AREA_MM = (37.0, 1.5, 18.0, 21.0)
"""Right offset, bottom, width and height of the area docgen.pagecodes prints a code in (with margin)."""


def unsealed_revision(pdf: bytes) -> bytes:
    """The document as it was before its first seal: the file up to its first end-of-file marker
    (every seal and time stamp is an incremental update after it). Raises RegistryError if that is
    not a readable, unsigned PDF with the same pages."""
    end = pdf.find(b"%%EOF")
    base = pdf[: end + 5] + b"\n" if end > 0 else b""
    try:
        reader, full = PdfReader(io.BytesIO(base)), PdfReader(io.BytesIO(pdf))
        fields = reader.get_fields() or {}
        ok = len(reader.pages) == len(full.pages) and not any(f.get("/FT") == "/Sig" for f in fields.values())
    except Exception:  # noqa: BLE001 - pypdf raises several types for a damaged file
        ok = False
    if not ok:
        raise RegistryError("the stored copy's unsealed revision cannot be read")
    return base


def _blank(pdf: bytes) -> bytes:
    """`pdf` with a white patch over each page's code, so that a new code replaces the old."""
    right, bottom, width, height = CODE_AREA_MM
    patch = io.BytesIO()
    Image.new("L", (int(width * 4), int(height * 4)), 255).save(patch, format="PDF", resolution=4 * 25.4)
    overlay = PdfReader(io.BytesIO(patch.getvalue())).pages[0]
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        x = float(page.mediabox.width) - right * MM
        page.merge_transformed_page(overlay, Transformation().translate(x, bottom * MM))
    producer = reader.metadata.get("/Producer") if reader.metadata else None
    if producer is not None:
        writer.add_metadata({"/Producer": producer})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def replace_copy(
    settings: Settings,
    registry: Registry,
    store: DocumentStore,
    copy_id: int,
    *,
    actor: Actor,
    on: dt.date,
    reason: str,
) -> PaperCopy:
    """Re-issue a lost copy under the next copy number (its own page codes, sealed like the original)
    and record the lost one void, in one transaction. Raises NotFound, RegistryError."""
    from titlecert.issuing import batch_sealing  # the issuing pipeline's sealing, imported when used

    with registry.transaction() as repo:
        book = PaperBook(repo.session)
        old = book.copy(copy_id)
        document = repo.session.get(DocumentRecord, old.document_id) if old else None
        if old is None or document is None or not document.storage_key:
            raise NotFound(f"no stored printed copy {copy_id}")
        number = 1 + sum(1 for c in book.copies(old.form_no) if c.copy == old.copy)
        label, form_no, kind = copy_label(Copy(old.copy), number), old.form_no, old.copy
        stored = store.get(document.storage_key)
        if book.state(old).lost is not None:
            raise RegistryError(f"copy {form_no}-{old.label} is void already")
    base, _ = stamp_page_codes(
        _blank(unsealed_revision(stored)),
        code_for_page=lambda page: code_of(form_no, label, page),
        url_for=lambda code: f"{settings.public_url}/p/{code}",
    )
    sealing = batch_sealing(settings)
    boxes = seal_boxes(base, dict(REVIEW_FORM_SEAL_CAPTIONS))
    pdf = seal_pdf(
        base,
        placements=[SealPlacement(Role(r), page, box) for r, (page, box) in boxes.items()],
        keys=sealing.keys,
        font_path=sealing.font,
        timestamper=sealing.timestamper,
        long_term=sealing.long_term,
    )
    key = f"review-forms/{form_no}-{label}.pdf"
    at = dt.datetime.now(dt.UTC)
    with registry.transaction() as repo:
        book = PaperBook(repo.session)
        old = book.copy(copy_id)
        assert old is not None  # noqa: S101 - read in the transaction above; copies are never deleted
        book.record(old, EventKind.LOST, clerk=actor.name, on=on, at=at, body=label, note=reason)
        doc = repo.add_document(
            DocumentRecord(
                kind="review-form",
                number=form_no,
                copy=f"{kind}-{number}",
                certificate_no=document.certificate_no,
                sha256=hashlib.sha256(pdf).hexdigest(),
                signed_sha256=last_seal_sha256(pdf),
                storage_key=key,
                pages=old.pages,
                created_at=at,
            )
        )
        new = PaperCopy(
            form_no=form_no,
            copy=kind,
            label=label,
            document_id=doc.id,
            pages=old.pages,
            replaces_id=old.id,
            created_at=at,
        )
        repo.session.add(new)
        repo.session.flush()
        store.put(key, pdf)
        AuditLog(repo.session).append(
            actor,
            AuditAction.PAPER_REPLACED,
            f"review-form {form_no}",
            {"void": old.label, "new": label, "sha256": doc.sha256, "reason": reason, "on": on.isoformat()},
            at=at,
        )
        return new
