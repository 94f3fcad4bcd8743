"""The facts verification judges, collected from one file by pyHanko and our own audits.

Collecting runs every validator once and keeps what it found; the rules (verify.checks) only read
these facts, so a rule never parses, validates or reads the clock, and the moment the file is
judged as of is one field.
"""

import base64
import dataclasses
import datetime as dt
from dataclasses import dataclass

from asn1crypto import x509
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus

from signing.ltv import token_time
from signing.profiles import COMMITTEE_SEALS, RECEIPT_SEALS, SIGNING_ORDER
from signing.roles import Role
from signing.trust import TrustSettings
from verify.longterm import Knowledge, Timeline
from verify.report import SignatureReport
from verify.text import Text


@dataclass(frozen=True)
class SealFacts:
    """One seal (a /Sig signature) as pyHanko validated it."""

    number: int
    """1-based, in file order."""
    report: SignatureReport
    """What the report shows of it."""
    status: PdfSignatureStatus
    """pyHanko's status object, for the rules to read."""
    docmdp: MDPPerm | None
    """Its certification permission (None: an approval signature)."""


@dataclass(frozen=True)
class FileFacts:
    """Everything the acceptance, long-term and audit rules judge of one file."""

    moment: dt.datetime
    """The moment the file is judged as of (UTC): now, or the date asked about."""
    seals: tuple[SealFacts, ...]
    """Every seal, in file order."""
    stamps_before_seals: int
    """Document time stamps that come before the last seal (issued files have none)."""
    timeline: Timeline
    """The document time stamps after the last seal, validated newest first (verify.longterm)."""
    tail: tuple[Text, ...]
    """What verify.tail found after the last seal besides validation data and document time stamps."""
    form_fields: tuple[str, ...]
    """Names of interactive form fields that are not signature fields."""
    revision_audit: tuple[Text, ...]
    """What the byte-level revision audit (verify.audit) found."""
    plan: tuple[Role, ...] = SIGNING_ORDER
    """The seals the file must carry (`expected_seals`): an issued document's, or a report's."""
    statement: str | None = None
    """A verification report's statement (verify.statement), as its document information holds it."""
    holder_copy: str | None = None
    """A holder's annotated copy's note (verify.holder_copies), sealed like a report."""


def expected_seals(seals: "tuple[SealFacts, ...] | list[SealFacts]") -> tuple[Role, ...]:
    """A file whose first seal's certificate holds the verification service's role is one of the
    site's verification reports (RECEIPT_SEALS); one whose first seal is the committee's certifying
    with no change allowed (P=1) is a document of the committee's own, sealed by it alone
    (COMMITTEE_SEALS: a certificate's or review form's committee seal allows form filling, P=2, for
    the authority's to follow, so a copy cut after it is still judged as short of that seal); every
    other file is judged as an issued document. The role comes from the certificate and the
    permission from the signed seal, so a broken report is still judged as a report."""
    if seals and seals[0].report.role == Role.VERIFIER.value:
        return RECEIPT_SEALS
    if seals and seals[0].report.role == Role.COMMITTEE.value and seals[0].docmdp is MDPPerm.NO_CHANGES:
        return COMMITTEE_SEALS
    return SIGNING_ORDER


def validate_seal(
    emb: EmbeddedPdfSignature, number: int, knowledge: Knowledge, timeline: Timeline, trust: TrustSettings
) -> SealFacts:
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
    report = dataclasses.replace(
        _report(emb, status, trust),
        validated_at=signer_moment.isoformat(),
        revocation_checked=knowledge.present and bool(status.trusted),
    )
    return SealFacts(number, report, status, emb.docmdp_level)


def from_anchor(cert: x509.Certificate, trust: TrustSettings) -> bool:
    """Whether `cert` names one of the anchors as its issuer, by name and key identifier (a
    look-alike CA copies the name, not the key)."""
    return any(
        cert.issuer == anchor.subject and cert.authority_key_identifier == anchor.key_identifier
        for anchor in trust.anchors
    )


def subject_name(cert: x509.Certificate) -> str:
    """`CN (O)`, the way a reader names a signer; the full subject when there is no CN."""
    native = cert.subject.native
    cn, org = native.get("common_name"), native.get("organization_name")
    if not cn:
        return str(cert.subject.human_friendly)
    return f"{cn} ({org})" if org else str(cn)


def _issuer(status: PdfSignatureStatus) -> x509.Certificate | None:
    """The certificate that issued the signer's: the one before the leaf, root first."""
    path = status.validation_path
    if path is None:
        return None
    certs = list(path.iter_certs(include_root=True))
    return certs[-2] if len(certs) >= 2 else None


def certificates_b64(status: PdfSignatureStatus) -> tuple[str, str | None]:
    """The signer's certificate and its issuer's, base64 DER (the issuer None when no path was built)."""
    issuer = _issuer(status)
    return (
        base64.b64encode(status.signing_cert.dump()).decode(),
        base64.b64encode(issuer.dump()).decode() if issuer is not None else None,
    )


def _report(emb: EmbeddedPdfSignature, status: PdfSignatureStatus, trust: TrustSettings) -> SignatureReport:
    cert = status.signing_cert
    role = trust.role_of(cert, _issuer(status)) if status.trusted else None
    signed_at = emb.self_reported_timestamp
    ts = status.timestamp_validity
    proven = ts.timestamp.isoformat() if ts is not None and ts.intact and ts.valid and ts.trusted else None
    return SignatureReport(
        role=role.value if role else None,
        signer=subject_name(cert),
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


__all__ = ["FileFacts", "SealFacts", "certificates_b64", "from_anchor", "subject_name", "validate_seal"]
