"""R-ACCEPT: the service-level acceptance rule of VERIFY.md §7, over pyHanko's per-signature facts.

pyHanko's `bottom_line` per signature is necessary but not sufficient: it stays True for an approval
signature followed by an illegal change, and for a third signature by any trusted key. So the rule
fixes the signers (exactly the committee, then the authority, recognised by certificate), demands
the certification's DocMDP holds, the last signature covers the whole file, and the byte-level
revision audit passes.
"""

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from asn1crypto import x509
from pyhanko.pdf_utils.generic import NameObject
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from signing.profiles import PROFILES, SIGNING_ORDER
from signing.roles import Role
from signing.trust import TrustSettings
from verify.admission import admit
from verify.audit import audit_revisions
from verify.report import SignatureReport, Verdict

log = logging.getLogger(__name__)


@dataclass
class Analysis:
    """The signature and structure facts of one file, before the registry is asked."""

    verdict: Verdict
    signatures: list[SignatureReport] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    document_timestamps: list[str] = field(default_factory=list)
    """Proven times of the trusted document time stamps (PAdES B-LTA), oldest first."""


def analyse_pdf(data: bytes, trust: TrustSettings) -> Analysis:
    """Judge the seals and structure of `data`. Never raises: anything unexpected is MALFORMED."""
    admission = admit(data)
    if not admission.ok:
        return Analysis(Verdict.MALFORMED, reasons=[admission.reason or "rejected"])
    try:
        return _analyse(data, trust)
    except Exception as e:  # fail closed: any parser or validator failure is "malformed"
        log.info("verification failed closed: %s", type(e).__name__)
        return Analysis(Verdict.MALFORMED, reasons=[f"the PDF could not be analysed ({type(e).__name__})"])


def _analyse(data: bytes, trust: TrustSettings) -> Analysis:
    reader = PdfFileReader(io.BytesIO(data), strict=True)
    if reader.encrypted:
        return Analysis(Verdict.MALFORMED, reasons=["the file is encrypted; issued documents never are"])
    everything = reader.embedded_signatures
    embedded = [e for e in everything if e.sig_object_type == NameObject("/Sig")]
    doc_stamps = [e for e in everything if e.sig_object_type == NameObject("/DocTimeStamp")]
    context = ValidationContext(trust_roots=list(trust.anchors), allow_fetching=False)
    statuses = [validate_pdf_signature(emb, context) for emb in embedded]
    reports = [_report(emb, status, trust) for emb, status in zip(embedded, statuses, strict=True)]
    analysis = Analysis(Verdict.VALID, reports)

    def fail(verdict: Verdict, reason: str) -> None:
        analysis.reasons.append(reason)
        # INVALID outranks MODIFIED: a broken or foreign seal is worse than a later change.
        if analysis.verdict is Verdict.VALID or verdict is Verdict.INVALID:
            analysis.verdict = verdict

    expected = list(SIGNING_ORDER)
    if len(embedded) != len(expected):
        fail(
            Verdict.INVALID,
            f"expected exactly {len(expected)} seals (committee, then authority), found {len(embedded)}",
        )
    for index, (emb, report, status) in enumerate(zip(embedded, reports, statuses, strict=True)):
        _judge_signature(index, report, status, emb.docmdp_level, expected, fail)
    if reports and statuses:
        first, last = statuses[0], statuses[-1]
        if first.docmdp_ok is not True or _level(first) > ModificationLevel.FORM_FILLING:
            fail(
                Verdict.MODIFIED,
                "the document was changed after the committee certified it, "
                "beyond what its certification allows",
            )
        # After the last seal only long-term validation material may follow: the document security
        # store and document time stamps (PAdES B-LT/B-LTA, or a reader's "add verification info").
        lta_only = (
            last.coverage is SignatureCoverageLevel.ENTIRE_REVISION
            and _level(last) <= ModificationLevel.LTA_UPDATES
        )
        if last.coverage is not SignatureCoverageLevel.ENTIRE_FILE and not lta_only:
            fail(Verdict.MODIFIED, "the last seal does not cover the whole file: data was added after it")
        last_signed = embedded[-1].signed_revision
        for n, stamp in enumerate(doc_stamps, start=1):
            if stamp.signed_revision < last_signed:
                fail(Verdict.INVALID, f"document time stamp {n} comes before the seals")
                continue
            ts = validate_pdf_timestamp(stamp, context)
            if not (ts.intact and ts.valid and ts.trusted):
                fail(
                    Verdict.INVALID,
                    f"document time stamp {n} is broken or not from a trusted time-stamping authority",
                )
            else:
                analysis.document_timestamps.append(ts.timestamp.isoformat())
    extra_fields = _non_signature_fields(reader)
    if extra_fields:
        fail(Verdict.MODIFIED, f"the document has interactive form fields: {', '.join(extra_fields)}")
    for finding in audit_revisions(data, reader):
        fail(Verdict.MODIFIED, f"revision audit: {finding}")
    return analysis


def _judge_signature(
    index: int,
    report: SignatureReport,
    status: PdfSignatureStatus,
    docmdp: MDPPerm | None,
    expected: list[Role],
    fail: Callable[[Verdict, str], None],
) -> None:
    n = index + 1
    if not report.intact or not report.valid:
        fail(Verdict.INVALID, f"seal {n} is broken: the signed bytes were altered or the signature is bad")
    elif not report.trusted:
        fail(Verdict.INVALID, f"seal {n} ({report.signer}) is not from a trusted issuer")
    elif status.timestamp_validity is not None and report.timestamp is None:
        fail(
            Verdict.INVALID, f"seal {n}'s time stamp is broken or not from a trusted time-stamping authority"
        )
    elif status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        fail(Verdict.INVALID, f"seal {n} does not cover a whole revision of the document")
    elif not status.bottom_line:
        fail(Verdict.MODIFIED, f"seal {n} does not pass validation ({status.summary()})")
    if index < len(expected):
        want = expected[index]
        if report.role != want.value:
            fail(
                Verdict.INVALID,
                f"seal {n} must be the {want.value}'s; its certificate holds "
                f"{'no recognised role' if report.role is None else report.role}",
            )
        if docmdp != PROFILES[want].docmdp:
            fail(
                Verdict.INVALID,
                f"seal {n} has the wrong signature type: the committee's must certify the document "
                "allowing only form filling and signing (DocMDP P=2), the authority's must not certify",
            )
    else:
        fail(Verdict.INVALID, f"seal {n} ({report.signer}) is unexpected")


def _level(status: PdfSignatureStatus) -> ModificationLevel:
    return status.modification_level if status.modification_level is not None else ModificationLevel.OTHER


def _issuer(status: PdfSignatureStatus) -> x509.Certificate | None:
    """The certificate that issued the signer's: the one before the leaf, root first."""
    path = status.validation_path
    if path is None:
        return None
    certs = list(path.iter_certs(include_root=True))
    return certs[-2] if len(certs) >= 2 else None


def _report(emb: EmbeddedPdfSignature, status: PdfSignatureStatus, trust: TrustSettings) -> SignatureReport:
    cert = status.signing_cert
    role = trust.role_of(cert, _issuer(status)) if status.trusted else None
    signed_at = emb.self_reported_timestamp
    ts = status.timestamp_validity
    proven = ts.timestamp.isoformat() if ts is not None and ts.intact and ts.valid and ts.trusted else None
    return SignatureReport(
        role=role.value if role else None,
        signer=_subject_name(cert),
        signed_at=signed_at.isoformat() if signed_at else None,
        timestamp=proven,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        coverage=status.coverage.name if status.coverage else "UNCLEAR",
        modification_level=status.modification_level.name if status.modification_level else None,
        certification=emb.docmdp_level is not None,
        docmdp_ok=status.docmdp_ok,
    )


def _subject_name(cert: x509.Certificate) -> str:
    """`CN (O)`, the way a reader names a signer; the full subject when there is no CN."""
    native = cert.subject.native
    cn, org = native.get("common_name"), native.get("organization_name")
    if not cn:
        return str(cert.subject.human_friendly)
    return f"{cn} ({org})" if org else str(cn)


def _non_signature_fields(reader: PdfFileReader) -> list[str]:
    acroform = reader.root.get("/AcroForm")
    if acroform is None:
        return []
    names = []
    for ref in acroform.get_object().get("/Fields", []):
        fld = ref.get_object()
        if fld.get("/FT") != NameObject("/Sig"):
            names.append(str(fld.get("/T", "?")))
    return names
