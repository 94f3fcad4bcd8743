"""The verification report: raw facts as fields, the verdict as a property (pyHanko's style)."""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from pydantic import TypeAdapter, computed_field

from verify.indications import (
    INDICATION_WORDS,
    MEANING,
    PASSED_MEANS,
    Indication,
    SubIndication,
    indication_of,
)
from verify.registered import CertificateView, Status
from verify.rules import RuleId
from verify.statement import SealLine, Statement, Via, new_number, receipt_headline
from verify.text import Text
from verify.wording import (
    CASE_WORDS,
    UNPROVEN,
    Case,
    beijing,
    coverage_words,
    headline,
    revocation_words,
    seal_title,
)


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
    online_status: str | None = None
    """What online verification learnt from the issuer's OCSP responder or CRL
    (verify.revocation.Status: good, revoked, unknown, unavailable); None when nobody was asked."""
    online_checked_at: str | None = None
    """When the responder was asked or the CRL fetched (ISO 8601)."""
    online_source: str | None = None
    """What the status was learnt from (verify.revocation.Source: ocsp, crl); None when nothing
    gave an answer that verifies."""


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
    seal: int | None = None
    """The seal (1-based, in file order) this finding is about; None for the file as a whole."""
    sub_indication: SubIndication | None = None
    """For a finding about a seal: why that seal is short of PASSED (ETSI EN 319 102-1)."""

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
class SealOutcome:
    """One seal as a person reads it: its ETSI EN 319 102-1 indication, and its facts in words."""

    seal: int
    """The seal's number, 1-based in file order."""
    title: Text
    """`Seal 1: Review committee`: its number and the role its certificate holds."""
    indication: Indication
    sub_indication: SubIndication | None
    """Why the seal is not PASSED; None when it is."""
    coverage: Text
    """What the seal covers and what was done to the file after it."""
    proven_time: Text
    """When a time stamp proves the seal was made (Beijing time), or that nothing proves it."""
    claimed_time: Text | None
    """The signing time the seal claims for itself, proving nothing on its own."""
    revocation: Text
    """Whether and how its certificate's revocation was checked."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def indication_words(self) -> Text:
        return INDICATION_WORDS[self.indication]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def meaning(self) -> Text:
        """The indication in a sentence for the person checking."""
        return MEANING[self.sub_indication] if self.sub_indication else PASSED_MEANS


@dataclass(frozen=True)
class VerificationReport:
    """What `verify` says about one file: the facts found, and the verdict they add up to."""

    file: str
    """The file name as given."""
    findings: tuple[Finding, ...] = ()
    """What the rules found, in the order they ran."""
    certificate: CertificateView | None = None
    """The registered certificate the file is bound to (the holder masked, as on the scan page);
    None when the registry was not consulted or does not know the file."""
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
    receipt: Statement | None = None
    """When the file is one of the site's verification receipts: what it states (believed only
    when the verdict is valid)."""
    annotation: Text | None = None
    """When the file is a holder's annotated copy (verify.holder_copies): its annotation."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verdict(self) -> Verdict:
        """The file's verdict, from the findings (verify.report.worst)."""
        return worst(self.findings)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> Status:
        """The registry's word on the certificate (UNKNOWN when it has none)."""
        return self.certificate.status if self.certificate else Status.UNKNOWN

    @computed_field  # type: ignore[prop-decorator]
    @property
    def certificate_no(self) -> str | None:
        """The number of the certificate found in the registry by the file's fingerprint."""
        return self.certificate.certificate_no if self.certificate else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def superseded_by(self) -> str | None:
        """When the certificate was superseded: the number of the one re-issued in its place."""
        return self.certificate.superseded_by if self.certificate else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def seals(self) -> list[SealOutcome]:
        """Each seal's ETSI indication, in file order: its first finding with a sub-indication."""
        return [self.outcome_of(n) for n in range(1, len(self.signatures) + 1)]

    def outcome_of(self, seal: int) -> SealOutcome:
        """Seal `seal` (1-based): its first finding with a sub-indication decides its indication."""
        sub = next((f.sub_indication for f in self.findings if f.seal == seal and f.sub_indication), None)
        facts = self.signatures[seal - 1]
        coverage = coverage_words(
            facts.coverage,
            facts.modification_level,
            intact=facts.intact and facts.valid,
            last=seal == len(self.signatures),
            changed_after=any(f.verdict is Verdict.MODIFIED for f in self.findings),
        )
        return SealOutcome(
            seal,
            seal_title(seal, facts.role),
            indication_of(sub),
            sub,
            coverage,
            beijing(facts.timestamp) or UNPROVEN,
            beijing(facts.signed_at),
            revocation_words(
                facts.revocation_checked, facts.online_status, facts.online_checked_at, facts.online_source
            ),
        )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def outcome(self) -> Case:
        """What the reader faces (verify.wording.Case): the verdict and the registry's word, with
        which finding decided them."""
        verdict = self.verdict
        if verdict is Verdict.MALFORMED:
            return Case.UNREADABLE
        if verdict is Verdict.INDETERMINATE:
            return Case.UNCONFIRMED
        if verdict is Verdict.MODIFIED:
            return Case.CHANGED
        if verdict is Verdict.VALID:
            if self.receipt is not None:
                return Case.RECEIPT
            return Case.GENUINE if self.registry_consulted else Case.GENUINE_OFFLINE
        decided = {f.rule for f in self.findings if f.verdict is Verdict.INVALID}
        if (
            any(s.indication is not Indication.PASSED for s in self.seals)
            or not decided <= _REGISTRY_CASES.keys()
        ):
            return Case.SEALS_FAIL
        return next(case for rule, case in _REGISTRY_CASES.items() if rule in decided)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def outcome_words(self) -> Text:
        """The outcome in a few words (the page's headline word, the CLI's short line)."""
        return CASE_WORDS[self.outcome]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def headline(self) -> Text:
        """The report in plain sentences: what the file is and what the reader should do."""
        if self.outcome is Case.RECEIPT and self.receipt is not None:
            return receipt_headline(self.receipt)
        first = next((f.text for f in self.findings if f.verdict is self.verdict), None)
        return headline(self.outcome, self.certificate, self.document, first, self.annotation)

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
        """The file is valid and its certificate is in force, or it is a genuine receipt, or a
        registered document of no award (the committee's own: it has no certificate to be in force)."""
        own = self.certificate is None and self.document is not None and self.outcome is Case.GENUINE
        return self.verdict is Verdict.VALID and (
            self.status is Status.VALID or self.outcome is Case.RECEIPT or own
        )

    def as_statement(self) -> Statement:
        """What this report's page says, for a receipt (verify.statement)."""
        return Statement(
            number=new_number(),
            verified_at=dt.datetime.fromisoformat(self.validation_time)
            if self.validation_time
            else dt.datetime.now(dt.UTC),
            via=Via.UPLOAD,
            outcome=self.outcome,
            headline=self.headline,
            certificate=self.certificate,
            document=self.document,
            file_name=self.file[:120],
            file_sha256=self.sha256,
            seals=tuple(
                SealLine(
                    title=s.title,
                    indication=s.indication.value
                    + (f" / {s.sub_indication.value}" if s.sub_indication else ""),
                    meaning=s.meaning,
                    proven_time=s.proven_time,
                )
                for s in self.seals
            ),
        )

    def to_json(self) -> dict[str, Any]:
        """The report as the JSON object of the CLI and the API (one serialisation for both)."""
        doc: dict[str, Any] = _report_json().dump_python(self, mode="json")
        return doc


_REGISTRY_CASES: dict[RuleId, Case] = {
    RuleId.REGISTRY_COPY_NOT_VOID: Case.VOID_COPY,
    RuleId.REGISTRY_NOT_REVOKED: Case.REVOKED,
    RuleId.REGISTRY_NOT_SUSPENDED: Case.SUSPENDED,
    RuleId.REGISTRY_NOT_SUPERSEDED: Case.SUPERSEDED,
    RuleId.REGISTRY_IN_FORCE: Case.REVOKED,
    RuleId.HOLDER_COPY_IN_FORCE: Case.COPY_LAPSED,
    RuleId.REGISTRY_ISSUED: Case.NOT_ISSUED,
    RuleId.HOLDER_COPY_ORIGINAL: Case.NOT_ISSUED,
    RuleId.HOLDER_COPY_NOTE: Case.NOT_ISSUED,
}
"""The registry's findings that decide an INVALID file whose seals all pass, in precedence order."""


@cache
def _report_json() -> TypeAdapter[VerificationReport]:
    """The report's serialiser, built on first use: it takes tens of milliseconds to build, which
    a command printing one line per file need not spend."""
    return TypeAdapter(VerificationReport)
