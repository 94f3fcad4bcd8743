"""Verification receipts: a statement (verify.statement) made into the one-page PDF/A an employer
files, sealed by the verification service's key (Role.VERIFIER) and time-stamped.

A receipt is made the way every document is (docxtpl, LibreOffice to PDF/A-2b, pyHanko), so its
template (templates/receipt.docx) is edited in Word like the others. The site starts without
LibreOffice: the first receipt a process makes starts one, kept for the next. The statement goes
into the PDF's document information, in the revision the seal covers, so the site can say what a
genuine receipt states (verify.checks reads it back).
"""

import datetime as dt
import io
import json
import logging
import os
import threading
from contextlib import ExitStack

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from docgen.anchors import seal_boxes
from docgen.convert import check_pdf
from docgen.errors import ConversionError, DocgenError
from docgen.officepool import OfficePool
from docgen.render import render_docx
from registry.chinatime import china_date
from signing.errors import SigningError
from signing.pades import seal_pdf
from signing.profiles import RECEIPT_SEALS, SealPlacement
from signing.roles import Role
from templates import FONTS_CONF, TEMPLATES_DIR
from titlecert.jobs.convert import ChunkConverter, Converter
from titlecert.sealing import Sealing, batch_sealing
from titlecert.settings import Settings
from verify.errors import ReceiptUnavailable
from verify.registered import CertificateView, Status
from verify.statement import INFO_KEY, VIA_WORDS, SealLine, Statement, Via, statement_info
from verify.text import Text
from verify.wording import STATUS_WORDS

log = logging.getLogger(__name__)

TEMPLATE = TEMPLATES_DIR / "receipt.docx"
SEAL_CAPTION = "查验服务（电子印章）"
"""The caption the template prints where the seal goes (tools/make_receipt.py)."""


def receipts_configured(settings: Settings) -> bool:
    """Whether the instance has the verification service's key (`titlecert init` makes a DEMO one;
    an operator configures it, or the site offers no receipts)."""
    try:
        keys = json.loads(settings.keys_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(keys, dict) and Role.VERIFIER.value in keys


def receipt_level(configured: str) -> str:
    """Receipts are always time-stamped (B-T); with long-term data (B-LT) where the instance seals
    so. Not B-LTA: a receipt proves a past moment and is not renewed."""
    return "B-LT" if configured in ("B-LT", "B-LTA") else "B-T"


class ReceiptDesk:
    """Makes receipts for one process; safe to call from several threads. `close()` stops its
    LibreOffice."""

    def __init__(self, settings: Settings, *, domain: str) -> None:
        self.settings = settings
        self.domain = domain
        self._lock = threading.Lock()
        self._stack = ExitStack()
        self._converter: Converter | None = None
        self._sealing: Sealing | None = None

    def make(self, statement: Statement) -> bytes:
        """The sealed receipt of `statement`. Raises ReceiptUnavailable."""
        converter, sealing = self._parts()
        key = sealing.keys[Role.VERIFIER]
        name = f"receipt-{statement.number}.docx"
        try:
            docx = render_docx(
                TEMPLATE,
                receipt_context(statement, key.seal_name, self.domain),
                must_contain=(statement.number,),
            )
            pdf = converter.convert(name, docx)
            check_pdf(name, pdf, pages=1)
            pdf = with_statement(pdf, statement)
            page, box = seal_boxes(pdf, {Role.VERIFIER.value: SEAL_CAPTION})[Role.VERIFIER.value]
        except (ConversionError, DocgenError) as e:
            raise ReceiptUnavailable(f"the receipt could not be rendered: {e}") from e
        try:
            dated = china_date(statement.verified_at).isoformat()  # the day the receipt states
            return seal_receipt(pdf, sealing, SealPlacement(Role.VERIFIER, page, box, dated))
        except SigningError as e:
            raise ReceiptUnavailable(f"the receipt could not be sealed: {e}") from e

    def sealing(self) -> Sealing:
        """The verification service's sealing, loaded on first use and shared with whatever else
        this process seals with that key (titlecert.holder_copies)."""
        with self._lock:
            if self._sealing is None:
                level = receipt_level(self.settings.signature_level)
                try:
                    self._sealing = batch_sealing(self.settings, roles=(Role.VERIFIER,), level=level)
                except SigningError as e:
                    raise ReceiptUnavailable(f"the verification service's key: {e}") from e
            return self._sealing

    def _parts(self) -> tuple[Converter, Sealing]:
        sealing = self.sealing()
        with self._lock:
            if self._converter is None:
                self._converter = self._start_converter()
            return self._converter, sealing

    def _start_converter(self) -> Converter:
        # One LibreOffice per process, its profile its own: gunicorn's workers each make receipts.
        root = self.settings.home / "receipts-office" / str(os.getpid())
        try:
            return self._stack.enter_context(OfficePool(size=1, profile_root=root, fonts_conf=FONTS_CONF))
        except ConversionError as e:
            log.warning("%s; receipts are converted with one soffice run each instead", e)
            return self._stack.enter_context(
                ChunkConverter(profile_dir=root / "batch", fonts_conf=FONTS_CONF)
            )

    def close(self) -> None:
        with self._lock:
            self._stack.close()
            self._converter = None


def seal_receipt(pdf: bytes, sealing: Sealing, place: SealPlacement) -> bytes:
    """The verification service's certification seal on `pdf` (no change allowed after it)."""
    return seal_pdf(
        pdf,
        placements=[place],
        keys={Role.VERIFIER: sealing.keys[Role.VERIFIER]},
        font_path=sealing.font,
        timestamper=sealing.timestamper,
        long_term=sealing.long_term,
        order=RECEIPT_SEALS,
        sizes=sealing.sizes,
    )


def with_statement(pdf: bytes, statement: Statement) -> bytes:
    """`pdf` with the statement in its document information, as an incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    ref = writer.trailer.raw_get("/Info")
    info = ref.get_object()
    info[generic.NameObject(INFO_KEY)] = generic.TextStringObject(statement_info(statement))
    writer.mark_update(ref)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]  # untyped in pyHanko
    return out.getvalue()


def sample_statement() -> Statement:
    """A statement with every part a receipt prints (a registered certificate, an uploaded file
    and its two seals): what `titlecert templates check` renders the template with."""
    view = CertificateView(
        "CQZC2026000001", Status.VALID, None, None, "张*明", "500101********1234", "高级工程师", "副高级",
        "工程技术", "大数据智能化", "评委会", "核准机构", "渝职改办〔2026〕1号",
        dt.date(2026, 12, 1), dt.date(2026, 12, 2), "0" * 64,
    )  # fmt: skip
    seal = SealLine(
        title=Text("印章 1", "Seal 1"), indication="PASSED", meaning=Text("", ""), proven_time=Text("", "")
    )
    return Statement.of_lookup(view).model_copy(
        update={"via": Via.UPLOAD, "file_name": "证书.pdf", "file_sha256": "0" * 64, "seals": (seal, seal)}
    )


def _date(statement: Statement) -> str:
    return f"{china_date(statement.verified_at):%Y年%m月%d日}"


def receipt_context(statement: Statement, service: str, domain: str) -> dict[str, object]:
    """What the receipt template prints of `statement`."""
    c = statement.certificate
    registered: list[dict[str, str]] = []
    if c is not None:
        status = STATUS_WORDS[c.status]
        pairs = [
            ("证书编号 Certificate no.", c.certificate_no),
            ("登记状态 Status", f"{status.zh} {status.en}"),
            ("持证人 Holder", c.holder),
            ("证件号码 ID number", c.holder_id),
            ("资格名称 Title", f"{c.title}（{c.level}）"),
            ("系列 / 专业 Series", f"{c.series} / {c.speciality}"),
            ("评审机构 Committee", c.committee),
            ("核准机构 Authority", c.authority),
            ("批准文号 Approval no.", c.approval_no),
            ("取得时间 Passed on", c.passed_on.isoformat()),
            ("发证时间 Issued on", c.issued_on.isoformat()),
        ]
        pairs += [("", "")] * (len(pairs) % 2)
        registered = [
            {"label": a[0], "value": a[1], "label2": b[0], "value2": b[1]}
            for a, b in zip(pairs[::2], pairs[1::2], strict=True)
        ]
    file_rows = []
    if statement.file_sha256:
        file_rows = [
            {"label": "文件名 File name", "value": statement.file_name or "—"},
            {"label": "SHA-256", "value": statement.file_sha256},
        ]
        if statement.document:
            file_rows.append({"label": "文件 Document", "value": statement.document})
    via = VIA_WORDS[statement.via]
    return {
        "number": statement.number,
        "when_zh": statement.when.zh,
        "when_en": statement.when.en,
        "via_zh": via.zh,
        "via_en": via.en,
        "outcome_zh": statement.outcome_words.zh,
        "outcome_en": statement.outcome_words.en,
        "headline_zh": statement.headline.zh,
        "headline_en": statement.headline.en,
        "registered": registered,
        "file_rows": file_rows,
        "seals": [
            {
                "title": f"{s.title.zh} {s.title.en}",
                "indication": s.indication,
                "proven_time": s.proven_time.zh,
            }
            for s in statement.seals
        ],
        "about_zh": (
            f"本报告由{service}出具，记载查验时登记库和所查验文件的情况，并加盖查验服务的电子印章（PAdES，带时间戳）。"
            f"它只证明查验时的结果。将本报告上传到 {domain} 可核验其真伪；证书现在的状态，请扫描证书二维码"
            "或输入证书编号和验证码再查。"
        ),
        "about_en": (
            "This receipt was issued and sealed (PAdES, time-stamped) by the verification service; it "
            "states what the registry and the file showed at the time of verification, no more. "
            f"Upload it at {domain} to check that it is genuine; to learn the certificate's status today, "
            "verify it again."
        ),
        "service": service,
        "issued_on": _date(statement),
    }


__all__ = ["ReceiptDesk", "sample_statement", "receipt_context", "receipts_configured", "seal_receipt"]
