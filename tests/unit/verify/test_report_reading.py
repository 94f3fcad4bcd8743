"""What a report tells its reader: the outcome, the headline, each seal's ETSI indication and words."""

import dataclasses
import datetime as dt

import pytest
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate

from tests.records import certificate_view, signature_report
from verify.indications import FAILURES, Indication, SubIndication
from verify.report import Finding, Verdict, VerificationReport
from verify.rules import RuleId
from verify.text import Text
from verify.wording import Case, beijing

SEAL = signature_report(signed_at="2026-01-12T02:00:00+00:00", timestamp="2026-01-12T02:00:01+00:00")
LAST = dataclasses.replace(SEAL, role="authority", coverage="ENTIRE_FILE", modification_level="NONE")


def said(sentence: str) -> Text:
    return Text(sentence, sentence)


def report(*findings: Finding, **fields: object) -> VerificationReport:
    values: dict[str, object] = {"signatures": (SEAL, LAST), "certificate": certificate_view()}
    values.update(fields)
    return VerificationReport("f.pdf", findings=findings, **values)  # type: ignore[arg-type]


def test_our_sub_indications_are_the_standards_as_pyhanko_names_them() -> None:
    failed = {e.name for e in AdESFailure}
    indeterminate = {e.name for e in AdESIndeterminate}
    for sub in SubIndication:
        assert sub.value in (failed if sub in FAILURES else indeterminate), sub


def test_a_genuine_certificate_says_whose_it_is_and_every_seal_passed() -> None:
    r = report()
    assert r.outcome is Case.GENUINE and [s.indication for s in r.seals] == [Indication.PASSED] * 2
    assert "CQZC2026000001，持证人 张*明，高级工程师（副高级）" in r.headline.zh
    assert "held by 张*明: 高级工程师 (副高级)" in r.headline.en
    assert r.seals[0].proven_time.en == "2026-01-12 10:00:01 Beijing time (UTC+8)"
    assert r.seals[0].claimed_time == Text(
        "2026-01-12 10:00:00 北京时间（UTC+8）", "2026-01-12 10:00:00 Beijing time (UTC+8)"
    )


def test_genuine_seals_on_a_file_never_issued_are_said_so_not_reassured() -> None:
    r = report(Finding(RuleId.REGISTRY_ISSUED, said("never issued"), Verdict.INVALID), certificate=None)
    assert r.outcome is Case.NOT_ISSUED and all(s.indication is Indication.PASSED for s in r.seals)
    assert r.headline.en.startswith("The seals are genuine, but this file is not the one that was issued")


def test_a_file_changed_after_its_seals_says_so_on_the_last_seals_line() -> None:
    renewed = dataclasses.replace(LAST, coverage="ENTIRE_REVISION", modification_level="LTA_UPDATES")
    r = report(
        Finding(RuleId.ACCEPT_ONLY_VALIDATION_DATA_AFTER, said("a page added"), Verdict.MODIFIED),
        signatures=(SEAL, renewed),
    )
    assert r.seals[1].coverage.en == "covers the file as sealed, but the file was changed after it"
    assert "changed after sealing" in r.headline.en


def test_a_seals_indication_is_its_first_finding_with_a_sub_indication() -> None:
    broken = Finding(
        RuleId.ACCEPT_SEAL_INTACT, said("broken"), Verdict.INVALID, 2, SubIndication.HASH_FAILURE
    )
    modified = Finding(RuleId.ACCEPT_SEAL_PASSES, said("changed"), Verdict.MODIFIED, 1)
    r = report(modified, broken)
    assert [(s.indication, s.sub_indication) for s in r.seals] == [
        (Indication.PASSED, None),
        (Indication.FAILED, SubIndication.HASH_FAILURE),
    ]
    assert r.outcome is Case.SEALS_FAIL and "not a genuine document" in r.headline.en
    untrusted = Finding(
        RuleId.ACCEPT_SEAL_TRUSTED, said("x"), Verdict.INVALID, 1, SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    )
    assert report(untrusted).seals[0].indication is Indication.INDETERMINATE


@pytest.mark.parametrize(
    ("rule", "case"),
    [
        (RuleId.REGISTRY_NOT_REVOKED, Case.REVOKED),
        (RuleId.REGISTRY_NOT_SUPERSEDED, Case.SUPERSEDED),
        (RuleId.REGISTRY_COPY_NOT_VOID, Case.VOID_COPY),
        (RuleId.LONGTERM_STAMPS_AFTER_SEALS, Case.SEALS_FAIL),
    ],
)
def test_the_registrys_word_decides_only_when_the_seals_pass(rule: RuleId, case: Case) -> None:
    assert report(Finding(rule, said("x"), Verdict.INVALID)).outcome is case


def test_revoked_and_replaced_certificates_say_what_to_do_in_beijing_dates() -> None:
    revoked = report(
        Finding(RuleId.REGISTRY_NOT_REVOKED, said("revoked"), Verdict.INVALID),
        certificate=certificate_view(
            status="revoked",
            status_reason="评审终止",
            status_changed_at=dt.datetime(2026, 12, 31, 20, 0, tzinfo=dt.UTC),  # 2027-01-01 in Beijing
        ),
    )
    assert "已于 2027-01-01 被撤销（评审终止）" in revoked.headline.zh
    replaced = report(
        Finding(RuleId.REGISTRY_NOT_SUPERSEDED, said("superseded"), Verdict.INVALID),
        certificate=certificate_view(status="superseded", superseded_by="CQZC2026000009"),
    )
    assert "replaced by certificate CQZC2026000009" in replaced.headline.en


def test_offline_unconfirmed_and_unreadable_files_are_not_called_forged() -> None:
    assert report(registry_consulted=False, certificate=None).outcome is Case.GENUINE_OFFLINE
    unsure = report(Finding(RuleId.LONGTERM_STAMP_CURRENT, said("the stamp expired"), Verdict.INDETERMINATE))
    assert unsure.outcome is Case.UNCONFIRMED
    assert "does not mean it is forged" in unsure.headline.en and "the stamp expired" in unsure.headline.en
    bad = report(Finding(RuleId.ADMIT_PARSE, said("x"), Verdict.MALFORMED), signatures=())
    assert bad.outcome is Case.UNREADABLE and bad.seals == []


def test_times_are_beijing_time_across_the_year_boundary() -> None:
    said_at = beijing("2026-12-31T16:30:00+00:00")
    assert said_at == Text(
        "2027-01-01 00:30:00 北京时间（UTC+8）", "2027-01-01 00:30:00 Beijing time (UTC+8)"
    )
    assert beijing(None) is None


def test_the_json_keeps_codes_beside_the_sentences() -> None:
    doc = report(
        Finding(RuleId.ACCEPT_SEAL_INTACT, said("x"), Verdict.INVALID, 1, SubIndication.SIG_CRYPTO_FAILURE)
    ).to_json()
    assert doc["outcome"] == "seals-fail" and set(doc["headline"]) == {"zh", "en"}
    first = doc["seals"][0]
    assert (first["indication"], first["sub_indication"]) == ("FAILED", "SIG_CRYPTO_FAILURE")
    assert set(first["meaning"]) == {"zh", "en"} and doc["findings"][0]["seal"] == 1
    assert doc["certificate"]["holder"] == "张*明" and doc["certificate_no"] == "CQZC2026000001"
