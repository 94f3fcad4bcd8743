"""The verification report: raw facts as fields, the verdict as a property (pyHanko's style)."""

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    """What the file is, cryptographically and structurally."""

    VALID = "valid"
    """Meets the acceptance rule: the expected seals, intact, trusted, unmodified, registered."""
    INVALID = "invalid"
    """A seal fails cryptography, coverage or trust, or the signers are not the expected ones."""
    MODIFIED = "modified"
    """The seals are intact but the file was changed after sealing in a way not permitted."""
    INDETERMINATE = "indeterminate"
    """Intact and unmodified, but the file's evidence cannot confirm it as of the validation time:
    a certificate expired with no time stamp proving the seal was made before, or revocation
    information is missing. Not proof of forgery; re-time-stamping or a later check may settle it."""
    MALFORMED = "malformed"
    """Not a PDF we can judge: rejected before or while parsing."""


class Status(StrEnum):
    """The registry's word on the certificate, separate from the file's verdict."""

    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SignatureReport:
    """One embedded signature, as found."""

    role: str | None
    """The role its certificate holds under the trust settings, or None."""
    signer: str
    """The signing certificate's subject, human-readable."""
    signed_at: str | None
    """The signing time claimed in the signature (ISO 8601), not proven without a timestamp."""
    timestamp: str | None
    """The time proven by a trusted time-stamping authority's token (PAdES B-T), if any."""
    intact: bool
    """The signed byte ranges hash to the signed digest."""
    valid: bool
    """The cryptographic signature verifies."""
    trusted: bool
    """The certificate chains to a configured trust anchor."""
    coverage: str
    """pyHanko's coverage level, e.g. ENTIRE_FILE."""
    modification_level: str | None
    """pyHanko's level of later modifications, e.g. NONE, FORM_FILLING, OTHER."""
    certification: bool
    """True if this is a certification (DocMDP) signature."""
    docmdp_ok: bool | None
    """Later modifications stay within the certification's permission."""
    validated_at: str | None = None
    """The moment the signing certificate was validated at: the proven signing time, else the
    validation time (ISO 8601)."""
    revocation_checked: bool = False
    """The certificate's revocation status was established from validation data in the file
    (PAdES B-LT/B-LTA); False for B-B/B-T files, which carry none."""


@dataclass
class VerificationReport:
    """What `verify` says about one file."""

    file: str
    """The file name as given."""
    verdict: Verdict
    """The file's verdict."""
    status: Status = Status.UNKNOWN
    """The registry status of the certificate the file is."""
    certificate_no: str | None = None
    """The certificate number found in the registry by the file's fingerprint."""
    sha256: str | None = None
    """SHA-256 of the whole file."""
    signatures: list[SignatureReport] = field(default_factory=list)
    """Every embedded signature, in file order."""
    reasons: list[str] = field(default_factory=list)
    """Plain-language reasons for anything short of valid (and notes)."""
    registry_consulted: bool = True
    """False when verified offline, with the trust anchors alone."""
    document: str | None = None
    """For a sealed document other than a certificate: its kind, number and copy."""
    document_timestamps: list[str] = field(default_factory=list)
    """Proven times of the trusted document time stamps (PAdES B-LTA), oldest first."""
    validation_time: str | None = None
    """The moment the file was judged as of: now, or the date asked for (`verify --at`)."""
    superseded_by: str | None = None
    """When the certificate was superseded: the number of the one re-issued in its place."""

    @property
    def accepted(self) -> bool:
        """The file is valid and its certificate is in force."""
        return self.verdict is Verdict.VALID and self.status is Status.VALID

    def summary(self) -> str:
        """One line, e.g. `valid:valid certificate.pdf`."""
        return f"{self.verdict.value}:{self.status.value} {self.file}"

    def to_json(self) -> dict[str, Any]:
        """The report as the JSON object of the CLI and API."""
        doc = asdict(self)
        doc["verdict"] = self.verdict.value
        doc["status"] = self.status.value
        return doc
