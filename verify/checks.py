"""R-ACCEPT: the service-level acceptance rule of VERIFY.md §7, over pyHanko's per-signature facts.

pyHanko's `bottom_line` per signature is necessary but not sufficient: it stays True for an approval
signature followed by an illegal change, and for a third signature by any trusted key. So the rule
fixes the signers (exactly the committee, then the authority, recognised by certificate), demands
the certification's DocMDP holds, the last signature covers the whole file, and the byte-level
revision audit passes. Time and revocation are judged by verify.longterm, as of a moment.
"""

import dataclasses
import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from asn1crypto import x509
from pyhanko.pdf_utils.generic import NameObject
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel

from signing.ltv import signed_revision_sha256, token_time
from signing.profiles import PROFILES, SIGNING_ORDER
from signing.roles import Role
from signing.trust import TrustSettings
from verify.admission import admit, revision_problem
from verify.audit import audit_revisions
from verify.longterm import Knowledge, Timeline, document_timeline
from verify.report import SignatureReport, Verdict
from verify.tail import tail_findings

log = logging.getLogger(__name__)


class Analyser(Protocol):
    """Something that analyses a file: analyse_pdf in-process, or verify.sandbox.IsolatedAnalyser."""

    def __call__(self, data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> "Analysis": ...


@dataclass
class Analysis:
    """The signature and structure facts of one file, before the registry is asked."""

    verdict: Verdict
    signatures: list[SignatureReport] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    document_timestamps: list[str] = field(default_factory=list)
    """Proven times of the trusted document time stamps (PAdES B-LTA), oldest first."""
    signed_sha256: str | None = None
    """SHA-256 of the revision the last seal signed: what the registry binds, so validation data
    added later (re-time-stamping, a reader's "add verification information") keeps the binding.
    Set only when everything after that revision is such validation data (verify.tail)."""
    validation_time: str | None = None
    """The moment the file was judged as of (ISO 8601)."""


def analyse_pdf(data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> Analysis:
    """Judge the seals and structure of `data` as of `at` (default now), offline.

    Never raises: anything unexpected is MALFORMED.
    """
    admission = admit(data)
    if not admission.ok:
        return Analysis(Verdict.MALFORMED, reasons=[admission.reason or "rejected"])
    try:
        return _analyse(data, trust, (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC))
    except Exception as e:  # fail closed: any parser or validator failure is "malformed"
        # the type is for operators; a person reads a plain sentence, never a library's words
        log.info("verification failed closed: %s", type(e).__name__)
        return Analysis(
            Verdict.MALFORMED,
            reasons=[
                "the file's structure could not be analysed: it is damaged or was not made by the issuer"
            ],
        )


_RANK = {Verdict.VALID: 0, Verdict.INDETERMINATE: 1, Verdict.MODIFIED: 2, Verdict.INVALID: 3}


def _analyse(data: bytes, trust: TrustSettings, when: dt.datetime) -> Analysis:
    reader = PdfFileReader(io.BytesIO(data), strict=True)
    if reader.encrypted:
        return Analysis(Verdict.MALFORMED, reasons=["the file is encrypted; issued documents never are"])
    everything = reader.embedded_signatures
    embedded = [e for e in everything if e.sig_object_type == NameObject("/Sig")]
    all_stamps = [e for e in everything if e.sig_object_type == NameObject("/DocTimeStamp")]
    last_signed = embedded[-1].signed_revision if embedded else -1
    if too_many := revision_problem(reader.xrefs.total_revisions, last_signed if embedded else None):
        return Analysis(Verdict.MALFORMED, reasons=[too_many])
    doc_stamps = [s for s in all_stamps if s.signed_revision > last_signed]
    knowledge = Knowledge.of(reader)
    timeline = document_timeline(doc_stamps, knowledge, trust, when)
    claimed = [
        t for emb in embedded for t in map(token_time, extract_tst_data_iter(emb.signer_info, signed=False))
    ]
    if claimed and max(claimed) > when:
        return Analysis(
            Verdict.INVALID,
            reasons=[
                f"the seals were made on {max(claimed):%Y-%m-%d %H:%M} UTC, after "
                f"{when:%Y-%m-%d %H:%M} UTC: the document did not exist yet at the time asked about"
            ],
            validation_time=when.isoformat(),
        )
    checked = []
    for n, emb in enumerate(embedded, start=1):
        try:
            checked.append(_validate_seal(emb, knowledge, timeline, trust))
        except Exception as e:  # pyHanko may raise on a chain it cannot build (a look-alike CA)
            if _from_anchor(emb.signer_cert, trust):
                raise
            log.info("seal %d of a foreign issuer raised %s", n, type(e).__name__)
            return Analysis(
                Verdict.INVALID,
                reasons=[f"seal {n} ({_subject_name(emb.signer_cert)}) is not from a trusted issuer"],
                validation_time=when.isoformat(),
            )
    statuses = [status for status, _ in checked]
    reports = [report for _, report in checked]
    analysis = Analysis(Verdict.VALID, reports, validation_time=when.isoformat())
    analysis.document_timestamps = [t.isoformat() for t in timeline.proven]
    tail = tail_findings(reader, last_signed) if embedded else []
    if embedded and not tail:
        analysis.signed_sha256 = signed_revision_sha256(data, embedded[-1])

    def fail(verdict: Verdict, reason: str) -> None:
        analysis.reasons.append(reason)
        # INVALID outranks MODIFIED, which outranks INDETERMINATE: a broken or foreign seal is
        # worse than a later change, and both are worse than evidence that can no longer be checked.
        if _RANK[verdict] > _RANK[analysis.verdict]:
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
        # pyHanko's LTA_UPDATES lets more through (VERIFY.md §3): verify.tail checks each object.
        lta_only = (
            last.coverage is SignatureCoverageLevel.ENTIRE_REVISION
            and _level(last) <= ModificationLevel.LTA_UPDATES
            and not tail
        )
        if last.coverage is not SignatureCoverageLevel.ENTIRE_FILE and not lta_only:
            fail(Verdict.MODIFIED, "the last seal does not cover the whole file: data was added after it")
        for finding in tail:
            fail(Verdict.MODIFIED, finding)
        if len(doc_stamps) != len(all_stamps):
            fail(Verdict.INVALID, "a document time stamp comes before the seals")
        for problem in timeline.problems:
            fail(Verdict.INVALID, problem)
        for problem in timeline.expired:
            fail(Verdict.INDETERMINATE, f"{problem}: ask the issuer for the re-time-stamped copy")
        if timeline.ignored:
            analysis.reasons.append(
                f"{timeline.ignored} document time stamp(s) made after {when:%Y-%m-%d} were not considered"
            )
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
    ts = status.timestamp_validity
    if not report.intact or not report.valid:
        fail(Verdict.INVALID, f"seal {n} is broken: the signed bytes were altered or the signature is bad")
    elif status.revoked and status.revocation_details is not None:
        details = status.revocation_details
        whose = "a certificate above its certificate" if details.ca_revoked else "its certificate"
        fail(
            Verdict.INVALID,
            f"seal {n} ({report.signer}) was made after {whose} was revoked "
            f"on {details.revocation_date:%Y-%m-%d %H:%M} UTC ({details.revocation_reason.native})",
        )
    elif not report.trusted and _expired(status.signing_cert, report.validated_at):
        fail(
            Verdict.INDETERMINATE,
            f"seal {n}'s certificate expired on {status.signing_cert.not_valid_after:%Y-%m-%d} and the "
            "file carries no time stamp proving the seal was made before: it cannot be confirmed",
        )
    elif not report.trusted and status.trust_problem_indic in _UNDETERMINED:
        fail(
            Verdict.INDETERMINATE,
            f"seal {n}'s certificate status cannot be established from the file "
            f"({status.trust_problem_indic}): revocation information is missing or out of date",
        )
    elif not report.trusted:
        fail(Verdict.INVALID, f"seal {n} ({report.signer}) is not from a trusted issuer")
    elif (
        ts is not None
        and report.timestamp is None
        and ts.intact
        and ts.valid
        and ts.signing_cert is not None
        and ts.signing_cert.not_valid_after < dt.datetime.now(dt.UTC)
    ):
        fail(
            Verdict.INDETERMINATE,
            f"seal {n}'s time stamp certificate expired on {ts.signing_cert.not_valid_after:%Y-%m-%d} and "
            "no document time stamp covers it: ask the issuer for the re-time-stamped copy",
        )
    elif ts is not None and report.timestamp is None:
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


_UNDETERMINED = {
    AdESIndeterminate.TRY_LATER,
    AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.REVOKED_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.NO_POE,
}


def _expired(cert: x509.Certificate, validated_at: str | None) -> bool:
    return validated_at is not None and cert.not_valid_after < dt.datetime.fromisoformat(validated_at)


def _validate_seal(
    emb: EmbeddedPdfSignature, knowledge: Knowledge, timeline: Timeline, trust: TrustSettings
) -> tuple[PdfSignatureStatus, SignatureReport]:
    """Validate one seal: its certificate at the time its own time stamp claims (the token is
    checked at the time the oldest document time stamp proves), else at the validation time.

    The claimed time is only believed if the token validates; otherwise the seal is judged broken.
    """
    tokens = list(extract_tst_data_iter(emb.signer_info, signed=False))
    signer_moment = token_time(tokens[0]) if tokens else timeline.validation_time
    signer_moment = min(signer_moment, timeline.validation_time)
    signer_context = knowledge.context(trust, signer_moment, require_revinfo=knowledge.present)
    ts_context = knowledge.context(trust, timeline.existence_proven_at, require_revinfo=bool(timeline.proven))
    status = validate_pdf_signature(emb, signer_context, ts_validation_context=ts_context)
    report = _report(emb, status, trust)
    report = dataclasses.replace(
        report,
        validated_at=signer_moment.isoformat(),
        revocation_checked=knowledge.present and report.trusted,
    )
    return status, report


def _from_anchor(cert: x509.Certificate, trust: TrustSettings) -> bool:
    """Whether `cert` names one of the anchors as its issuer, by name and key identifier (a
    look-alike CA copies the name, not the key)."""
    return any(
        cert.issuer == anchor.subject and cert.authority_key_identifier == anchor.key_identifier
        for anchor in trust.anchors
    )


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
