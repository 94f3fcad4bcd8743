"""The registry binding's rules on the facts the registry gives: what each finding says, which
rule says it, and what it does to the verdict."""

import datetime as dt

from tests.records import certificate_view, signature_report
from verify.binding import RegistryFacts, SealAuthority, bind
from verify.checks import Analysis
from verify.registered import CertificateView, Status
from verify.report import Finding, Verdict, worst
from verify.rules import RuleId
from verify.text import Text


def said(sentence: str) -> Text:
    return Text(sentence, sentence)


SEAL = signature_report(coverage="ENTIRE_FILE", modification_level="NONE")
SOUND = Analysis(signatures=(SEAL,), signed_sha256="ab" * 32)
CHANGED = Analysis(
    (
        Finding(
            RuleId.AUDIT_REVISIONS,
            said("revision audit: a page changed"),
            Verdict.MODIFIED,
        ),
    )
)


def view(status: Status, **changes: object) -> CertificateView:
    return certificate_view(status=status.value, **changes)


def judged(facts: RegistryFacts, analysis: Analysis = SOUND) -> tuple[Verdict, list[str]]:
    findings = [*analysis.findings, *bind(facts, analysis)]
    return worst(findings), [f.rule for f in findings]


def test_offline_the_status_is_unknown_and_missing_revocation_checks_are_said() -> None:
    verdict, rules = judged(RegistryFacts(consulted=False))
    assert (verdict, rules) == (
        Verdict.VALID,
        [RuleId.REGISTRY_OFFLINE, RuleId.REGISTRY_REVOCATION_UNCHECKED],
    )


def test_a_sound_file_the_registry_does_not_know_is_invalid() -> None:
    assert judged(RegistryFacts(consulted=True)) == (Verdict.INVALID, [RuleId.REGISTRY_ISSUED])


def test_a_modified_unknown_file_stays_modified_and_is_told_it_was_never_issued() -> None:
    verdict, rules = judged(RegistryFacts(consulted=True), CHANGED)
    assert (verdict, rules) == (Verdict.MODIFIED, [RuleId.AUDIT_REVISIONS, RuleId.REGISTRY_ISSUED])


def test_a_malformed_file_gets_no_registry_finding() -> None:
    malformed = Analysis.refused(RuleId.ADMIT_PARSE, "damaged")
    assert judged(RegistryFacts(consulted=True), malformed) == (Verdict.MALFORMED, [RuleId.ADMIT_PARSE])


def test_a_renewed_copy_bound_by_its_sealed_revision_is_valid_with_a_note() -> None:
    facts = RegistryFacts(consulted=True, certificate=view(Status.VALID), by_sealed_revision=True)
    assert judged(facts) == (Verdict.VALID, [RuleId.REGISTRY_SEALED_REVISION])


def test_revoked_superseded_and_void_each_name_their_rule() -> None:
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    revoked = RegistryFacts(True, view(Status.REVOKED, status_reason="评审终止", status_changed_at=at))
    assert judged(revoked) == (Verdict.INVALID, [RuleId.REGISTRY_NOT_REVOKED])
    [finding] = bind(revoked, SOUND)
    assert finding.message == "certificate CQZC2026000001 was revoked on 2026-03-01: 评审终止"
    superseded = RegistryFacts(True, view(Status.SUPERSEDED, superseded_by="CQZC2026000002"))
    [finding] = bind(superseded, SOUND)
    assert (
        finding.rule is RuleId.REGISTRY_NOT_SUPERSEDED
        and "verify certificate CQZC2026000002" in finding.message
    )
    void = RegistryFacts(
        True, view(Status.VALID), document="review-form PS2026000001 (personnel-file)", void=True
    )
    assert judged(void) == (Verdict.INVALID, [RuleId.REGISTRY_COPY_NOT_VOID])


def test_a_revocation_on_new_years_eve_is_dated_in_beijing_in_both_languages() -> None:
    at = dt.datetime(2026, 12, 31, 20, 0, tzinfo=dt.UTC)  # 04:00 on 1 January 2027 in Beijing
    revoked = RegistryFacts(True, view(Status.REVOKED, status_reason="评审终止", status_changed_at=at))
    [finding] = bind(revoked, SOUND)
    assert "已于 2027-01-01 被撤销" in finding.text.zh
    assert finding.text.en == "certificate CQZC2026000001 was revoked on 2027-01-01: 评审终止"


def authority(
    start: dt.datetime, end: dt.datetime, term_end: dt.date = dt.date(2028, 12, 31)
) -> SealAuthority:
    return SealAuthority("评委会", start, end, (("渝人社备〔2024〕1号", dt.date(2024, 1, 1), term_end),))


SEALED = Analysis(
    signatures=(signature_report(timestamp="2026-03-01T02:00:00+00:00"),), signed_sha256="ab" * 32
)
KNOWN = {"certificate": view(Status.VALID)}


def test_a_seal_within_its_certificates_period_and_the_mandate_is_said_to_be_authorised() -> None:
    period = authority(dt.datetime(2024, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 6, 30, tzinfo=dt.UTC))
    facts = RegistryFacts(consulted=True, seals=(period,), **KNOWN)
    assert judged(facts, SEALED) == (Verdict.VALID, [RuleId.REGISTRY_SEAL_AUTHORISED])


def test_a_seal_after_its_certificates_period_or_the_mandate_ended_is_invalid() -> None:
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    expired = authority(start, dt.datetime(2026, 1, 31, tzinfo=dt.UTC))
    retired = authority(start, dt.datetime(2028, 1, 1, tzinfo=dt.UTC), term_end=dt.date(2026, 2, 28))
    for seal in (expired, retired):
        facts = RegistryFacts(consulted=True, seals=(seal,), **KNOWN)
        assert judged(facts, SEALED) == (Verdict.INVALID, [RuleId.REGISTRY_SEAL_AUTHORISED])
    [finding] = bind(RegistryFacts(consulted=True, seals=(expired,), **KNOWN), SEALED)
    assert finding.seal == 1
    assert finding.text.en.startswith("seal 1 was made on 2026-03-01, outside the period")


def test_the_mandates_term_is_counted_in_china_time() -> None:
    """Sealed at 16:30 UTC on 31 December: 1 January in Beijing, a day after the term."""
    late = Analysis(
        signatures=(signature_report(timestamp="2026-12-31T16:30:00+00:00"),), signed_sha256="ab" * 32
    )
    seal = authority(
        dt.datetime(2024, 1, 1, tzinfo=dt.UTC), dt.datetime(2028, 1, 1, tzinfo=dt.UTC), dt.date(2026, 12, 31)
    )
    facts = RegistryFacts(consulted=True, seals=(seal,), **KNOWN)
    assert judged(facts, late)[0] is Verdict.INVALID


def test_a_seal_the_registry_does_not_hold_is_not_judged() -> None:
    facts = RegistryFacts(consulted=True, seals=(None,), **KNOWN)
    assert judged(facts, SEALED) == (Verdict.VALID, [])
