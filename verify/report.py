"""The verification report: raw facts as fields, the verdict as a property (pyHanko's style)."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, computed_field

from verify.rules import RuleId
from verify.text import Text


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


_SEVERITY = {
    Verdict.VALID: 0,
    Verdict.INDETERMINATE: 1,
    Verdict.MODIFIED: 2,
    Verdict.INVALID: 3,
    Verdict.MALFORMED: 4,
}
"""How bad each verdict is: a file that cannot be judged at all outranks a broken or foreign seal,
which outranks a later change, which outranks evidence that can no longer be checked."""


@dataclass(frozen=True)
class Finding:
    """What one rule found (docs/verification.md lists the rules and their ids)."""

    rule: RuleId
    """The rule's id, e.g. `accept.seal-count`: what a program acts on."""
    text: Text
    """One plain sentence for the person checking the file, in Chinese and English."""
    verdict: Verdict | None = None
    """The worst verdict this finding allows the file; None for a note that changes nothing."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def message(self) -> str:
        """The sentence in English."""
        return self.text.en


def worst(findings: "tuple[Finding, ...] | list[Finding]") -> Verdict:
    """The file's verdict: the most severe any finding sets, VALID when none sets one."""
    verdicts = [f.verdict for f in findings if f.verdict is not None]
    return max(verdicts, key=_SEVERITY.__getitem__, default=Verdict.VALID)


@dataclass(frozen=True)
class VerificationReport:
    """What `verify` says about one file: the facts found, and the verdict they add up to."""

    file: str
    """The file name as given."""
    findings: tuple[Finding, ...] = ()
    """What the rules found, in the order they ran."""
    certificate_status: Annotated[Status | None, Field(exclude=True)] = None
    """The registry's status of the certificate the file is bound to; None when the registry was
    not consulted or does not know the file (sent as `status`)."""
    certificate_no: str | None = None
    """The certificate number found in the registry by the file's fingerprint."""
    sha256: str | None = None
    """SHA-256 of the whole file."""
    signatures: tuple[SignatureReport, ...] = ()
    """Every embedded signature, in file order."""
    registry_consulted: bool = True
    """False when verified offline, with the trust anchors alone."""
    document: str | None = None
    """For a sealed document other than a certificate: its kind, number and copy."""
    document_timestamps: tuple[str, ...] = ()
    """Proven times of the trusted document time stamps (PAdES B-LTA), oldest first."""
    validation_time: str | None = None
    """The moment the file was judged as of: now, or the date asked for (`verify --at`)."""
    superseded_by: str | None = None
    """When the certificate was superseded: the number of the one re-issued in its place."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verdict(self) -> Verdict:
        """The file's verdict, from the findings (verify.report.worst)."""
        return worst(self.findings)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> Status:
        """The registry's word on the certificate (UNKNOWN when it has none)."""
        return self.certificate_status or Status.UNKNOWN

    @computed_field  # type: ignore[prop-decorator]
    @property
    def reasons(self) -> list[str]:
        """Every finding's sentence in English, in order: why the file is short of valid, and notes."""
        return self.reasons_in("en")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def reasons_zh(self) -> list[str]:
        """The same sentences in Chinese."""
        return self.reasons_in("zh")

    def reasons_in(self, language: str) -> list[str]:
        """Every finding's sentence in `language` ("zh" or "en")."""
        return [f.text.in_language(language) for f in self.findings]

    @property
    def rules(self) -> list[RuleId]:
        """The ids of the rules that found something, in order."""
        return [f.rule for f in self.findings]

    @property
    def accepted(self) -> bool:
        """The file is valid and its certificate is in force."""
        return self.verdict is Verdict.VALID and self.status is Status.VALID

    def summary(self) -> str:
        """One line, e.g. `valid:valid certificate.pdf`."""
        return f"{self.verdict.value}:{self.status.value} {self.file}"

    def to_json(self) -> dict[str, Any]:
        """The report as the JSON object of the CLI and the API (one serialisation for both)."""
        doc: dict[str, Any] = _REPORT_JSON.dump_python(self, mode="json")
        return doc


_REPORT_JSON: TypeAdapter[VerificationReport] = TypeAdapter(VerificationReport)
