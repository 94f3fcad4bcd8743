"""The rule catalogue, its documentation and the verdict arithmetic agree."""

import re
from pathlib import Path

from tests.records import certificate_view
from verify.report import Finding, Verdict, VerificationReport, worst
from verify.rules import RuleId
from verify.text import Text


def said(sentence: str) -> Text:
    return Text(sentence, sentence)


ROOT = Path(__file__).resolve().parents[3]


def test_docs_verification_lists_exactly_the_rules_the_code_names() -> None:
    page = (ROOT / "docs" / "verification.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z]+\.[a-z-]+)` \|", page, flags=re.MULTILINE))
    assert documented == {r.value for r in RuleId}


def test_every_rule_is_raised_somewhere_in_verify() -> None:
    code = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "verify").rglob("*.py") if p.name != "rules.py"
    )
    unused = [r.name for r in RuleId if f"RuleId.{r.name}" not in code]
    assert not unused, f"rules no code raises: {unused}"


def test_the_verdict_is_the_most_severe_finding_whatever_the_order() -> None:
    modified = Finding(RuleId.AUDIT_REVISIONS, said("a change"), Verdict.MODIFIED)
    invalid = Finding(RuleId.ACCEPT_SEAL_TRUSTED, said("a stranger's seal"), Verdict.INVALID)
    unsure = Finding(RuleId.LONGTERM_STAMP_CURRENT, said("expired"), Verdict.INDETERMINATE)
    note = Finding(RuleId.LONGTERM_LATER_STAMPS, said("a later stamp"))
    assert worst([]) is Verdict.VALID
    assert worst([note]) is Verdict.VALID
    assert worst([unsure, modified]) is worst([modified, unsure]) is Verdict.MODIFIED
    assert worst([modified, invalid, unsure]) is worst([invalid, unsure, modified]) is Verdict.INVALID
    assert (
        worst([invalid, Finding(RuleId.ADMIT_LIMITS, said("timed out"), Verdict.MALFORMED)])
        is Verdict.MALFORMED
    )


def test_a_report_computes_verdict_status_reasons_and_acceptance_from_its_facts() -> None:
    sound = VerificationReport("a.pdf", findings=(Finding(RuleId.REGISTRY_SEALED_REVISION, said("renewed")),))
    assert (sound.verdict, sound.status, sound.accepted) == (Verdict.VALID, "unknown", False)
    registered = VerificationReport("a.pdf", certificate=certificate_view())
    assert registered.accepted and registered.reasons == []
    assert registered.outcome == "genuine" and "CQZC2026000001，持证人 张*明" in registered.headline.zh
    doc = VerificationReport(
        "b.pdf", findings=(Finding(RuleId.REGISTRY_NOT_REVOKED, said("revoked"), Verdict.INVALID),)
    ).to_json()
    assert (doc["verdict"], doc["status"], doc["reasons"]) == ("invalid", "unknown", ["revoked"])
    assert doc["findings"] == [
        {
            "rule": "registry.not-revoked",
            "text": {"zh": "revoked", "en": "revoked"},
            "verdict": "invalid",
            "seal": None,
            "sub_indication": None,
            "message": "revoked",
        }
    ]
    assert doc["reasons_zh"] == ["revoked"]
