"""The file rules on facts built by hand: which rule names what, and how each seal's steps stop at
the first that fails (pyHanko's status objects stand in as plain objects with the fields read)."""

import datetime as dt
from types import SimpleNamespace
from typing import Any

from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation.status import SignatureCoverageLevel

from tests.records import signature_report
from verify.checks import judge
from verify.facts import FileFacts, SealFacts
from verify.indications import SubIndication
from verify.longterm import Timeline
from verify.report import Verdict, worst
from verify.rules import RuleId
from verify.text import Text

MOMENT = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)


def status(**changes: Any) -> Any:
    values: dict[str, Any] = {
        "revoked": False,
        "revocation_details": None,
        "signing_cert": SimpleNamespace(not_valid_after=dt.datetime(2036, 1, 1, tzinfo=dt.UTC)),
        "trust_problem_indic": None,
        "timestamp_validity": None,
        "coverage": SignatureCoverageLevel.ENTIRE_REVISION,
        "bottom_line": True,
        "docmdp_ok": True,
        "modification_level": ModificationLevel.LTA_UPDATES,
        "summary": lambda: "INTACT:TRUSTED",
    }
    values.update(changes)
    return SimpleNamespace(**values)


def seal(number: int, role: str, *, trusted: bool = True, intact: bool = True, **changes: Any) -> SealFacts:
    report = signature_report(
        role=role if trusted else None,
        signer=f"DEMO {role}",
        intact=intact,
        valid=intact,
        trusted=trusted,
        modification_level="LTA_UPDATES",
        certification=number == 1,
        validated_at=MOMENT.isoformat(),
    )
    docmdp = MDPPerm.FILL_FORMS if number == 1 else None
    return SealFacts(number, report, status(**changes), docmdp)


def facts(*seals: SealFacts, **changes: Any) -> FileFacts:
    values: dict[str, Any] = {
        "moment": MOMENT,
        "seals": seals,
        "stamps_before_seals": 0,
        "timeline": Timeline(MOMENT),
        "tail": (),
        "form_fields": (),
        "revision_audit": (),
    }
    values.update(changes)
    return FileFacts(**values)


def rules(file: FileFacts) -> list[RuleId]:
    return [f.rule for f in judge(file)]


GOOD = (seal(1, "committee"), seal(2, "authority"))


def test_the_expected_seals_intact_and_trusted_raise_nothing() -> None:
    assert rules(facts(*GOOD)) == []


def test_no_seals_at_all_is_one_count_finding_and_the_audit_still_runs() -> None:
    found = list(
        judge(facts(form_fields=("Name",), revision_audit=(Text("一个对象被改动", "an object changed"),)))
    )
    assert [f.rule for f in found] == [
        RuleId.ACCEPT_SEAL_COUNT,
        RuleId.ACCEPT_NO_FORM_FIELDS,
        RuleId.AUDIT_REVISIONS,
    ]
    assert worst(found) is Verdict.INVALID


def test_a_broken_seal_is_judged_broken_only_not_also_untrusted_or_foreign() -> None:
    broken = seal(1, "committee", trusted=False, intact=False)
    [finding] = list(judge(facts(broken, GOOD[1])))
    assert (finding.rule, finding.seal, finding.sub_indication) == (
        RuleId.ACCEPT_SEAL_INTACT,
        1,
        SubIndication.HASH_FAILURE,
    )


def test_an_untrusted_seal_whose_status_is_undetermined_is_indeterminate_not_invalid() -> None:
    unsure = seal(1, "committee", trusted=False, trust_problem_indic=AdESIndeterminate.TRY_LATER)
    found = list(judge(facts(unsure, GOOD[1])))
    assert found[0].rule is RuleId.ACCEPT_SEAL_REVOCATION_KNOWN and found[0].verdict is Verdict.INDETERMINATE


def test_a_seal_timestamp_certificate_is_judged_at_the_moment_not_the_clock() -> None:
    tst = SimpleNamespace(
        intact=True,
        valid=True,
        signing_cert=SimpleNamespace(not_valid_after=dt.datetime(2027, 1, 1, tzinfo=dt.UTC)),
    )
    stamped = seal(1, "committee", timestamp_validity=tst)
    assert rules(facts(stamped, GOOD[1])) == [RuleId.ACCEPT_SEAL_TIMESTAMP_CURRENT]  # expired by MOMENT
    before = facts(stamped, GOOD[1], moment=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    assert rules(before) == [RuleId.ACCEPT_SEAL_TIMESTAMP_TRUSTED]  # current then: so not trusted


def test_changes_after_the_seals_are_modified_and_a_later_stamp_is_a_note() -> None:
    changed = facts(*GOOD, tail=(Text("第 1 页的内容被替换", "page 1's content was replaced"),))
    assert rules(changed) == [RuleId.ACCEPT_LAST_SEAL_COVERS_FILE, RuleId.ACCEPT_ONLY_VALIDATION_DATA_AFTER]
    later = Timeline(MOMENT, ignored=1)
    found = list(judge(facts(*GOOD, timeline=later)))
    assert [f.rule for f in found] == [RuleId.LONGTERM_LATER_STAMPS] and worst(found) is Verdict.VALID
