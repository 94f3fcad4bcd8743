"""How an application ends other than by the vote, and the review fee: each case as a session
records it, what `check` says about it (naming the value), what is issued for it and how the
situation report and the results publicity count it."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from docgen.context import report_context, results_context
from docgen.errors import InputError
from docgen.load import load_session
from docgen.models import Level, ReviewSession
from docgen.outcomes import REVIEW_FEES, Outcome, awarded, fee_note, not_issued_because, outcome, passed_vote
from docgen.workdays import WorkCalendar
from tests.conftest import SAMPLE_SESSION, sample_session_doc

XUE_WEI = 2  # row 3 of the sample: 副高级, paid, passed the vote (19 of 21)
TERMINATED, NOT_ACCEPTED, OBJECTION = 5, 6, 7  # rows 6-8 of the sample, one of each ending


def loaded(tmp_path: Path, mutate: Callable[[dict[str, Any]], None]) -> tuple[Path, ReviewSession, list[str]]:
    """The sample changed by `mutate`, loaded: its file, session and warnings (each without the file)."""
    doc = sample_session_doc()
    mutate(doc)
    path = tmp_path / "session.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = load_session(path)
    return path, result.session, [w.removeprefix(f"{path}: ") for w in result.warnings]


def problems(tmp_path: Path, mutate: Callable[[dict[str, Any]], None]) -> list[str]:
    doc = sample_session_doc()
    mutate(doc)
    path = tmp_path / "session.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_session(path)
    return [p.removeprefix(f"{path}: ") for p in caught.value.problems]


def ending(kind: str, on: str, reason: str = "经查证属实") -> dict[str, str]:
    return {"kind": kind, "decided_on": on, "reason": reason}


# ---------------------------------------------------------------- the model's rules


def test_the_fee_follows_the_level_applied_for() -> None:
    assert REVIEW_FEES == {
        Level.FULL_SENIOR: 420,
        Level.SENIOR: 420,
        Level.INTERMEDIATE: 240,
        Level.ASSISTANT: 120,
        Level.JUNIOR: 120,
    }
    assert fee_note() == "正高级、副高级420元/人；中级240元/人；助理级、员级120元/人"


def test_the_sample_holds_each_outcome_and_only_a_confirmed_pass_is_awarded() -> None:
    session = load_session(SAMPLE_SESSION).session
    assert [outcome(session, a) for a in session.applicants] == [
        Outcome.FAILED,
        *[Outcome.PASSED] * 4,
        Outcome.TERMINATED,
        Outcome.NOT_ACCEPTED,
        Outcome.OBJECTION_UPHELD,
    ]
    assert [awarded(session, a) for a in session.applicants] == [False, *[True] * 4, False, False, False]
    # The objection came after the vote: published as passed, never confirmed.
    assert [passed_vote(session, a) for a in session.applicants] == [False, *[True] * 4, False, False, True]


def test_an_ended_application_says_why_nothing_is_issued() -> None:
    session = load_session(SAMPLE_SESSION).session
    why = [not_issued_because(session, a) for a in session.applicants]
    assert why[1:5] == [None] * 4
    assert why[0] == "not passed (13 of 21 agreed, 2/3 needed)"
    assert (
        why[TERMINATED]
        == "review terminated (评审终止) on 2025-12-20: 评审过程中发现业绩材料弄虚作假，经查证属实"
    )
    assert (
        why[NOT_ACCEPTED] == "not accepted (不予受理) on 2025-10-30: 退回材料第3次提交评委会审核仍不符合要求"
    )
    assert why[OBJECTION] == (
        "objection upheld during the results publicity (公示异议属实) on 2025-12-24: "
        "结果公示期间接到实名举报，经调查核实，代表性论文存在抄袭，异议属实"
    )


# ---------------------------------------------------------------- 不予受理


def test_a_third_return_without_its_ending_is_refused_saying_what_to_record(tmp_path: Path) -> None:
    def third(doc: dict[str, Any]) -> None:
        doc["applicants"][XUE_WEI]["returns"] = 3

    assert problems(tmp_path, third) == [
        "applicants row 3 (薛伟), returns: still failing when submitted a third time after a return for "
        "correction is 不予受理 (the notice, item 四(二)3(4)): record the ending not_accepted (不予受理) "
        "with the day and the reason, found no ending"
    ]

    def neither_voted_nor_paid(doc: dict[str, Any]) -> None:  # one cause, said once
        del doc["applicants"][NOT_ACCEPTED]["ending"]

    assert [p.split(": ", 1)[0] for p in problems(tmp_path, neither_voted_nor_paid)] == [
        "applicants row 7 (赵霞婷), returns"
    ]

    def terminated_instead(doc: dict[str, Any]) -> None:
        doc["applicants"][NOT_ACCEPTED]["ending"]["kind"] = "terminated"

    assert problems(tmp_path, terminated_instead) == [
        "applicants row 7 (赵霞婷), ending.kind: still failing when submitted a third time after a return "
        "for correction is 不予受理 (the notice, item 四(二)3(4)): record the ending not_accepted "
        "(不予受理) with the day and the reason, found terminated (评审终止)"
    ]


def test_a_not_accepted_application_is_never_reviewed(tmp_path: Path) -> None:
    def voted(doc: dict[str, Any]) -> None:
        doc["applicants"][NOT_ACCEPTED]["vote"] = {"agree": 20, "disagree": 1, "abstain": 0}

    assert problems(tmp_path, voted) == [
        "applicants row 7 (赵霞婷), vote: an application not accepted (不予受理) never reaches the review, "
        "found a vote: remove it, or the ending if the committee did review the application"
    ]

    def at_the_review(doc: dict[str, Any]) -> None:
        doc["applicants"][NOT_ACCEPTED]["ending"]["decided_on"] = "2025-12-20"

    assert problems(tmp_path, at_the_review) == [
        "applicants row 7 (赵霞婷), ending.decided_on: 不予受理 is decided by the committee's acceptance "
        "audit, before the review (2025-12-20), found 2025-12-20"
    ]

    def before_it_was_sent(doc: dict[str, Any]) -> None:  # its publicity at the employer ends 10-22
        doc["applicants"][NOT_ACCEPTED]["ending"]["decided_on"] = "2025-10-20"

    assert problems(tmp_path, before_it_was_sent) == [
        "applicants row 7 (赵霞婷), ending.decided_on: the committee receives the application after the "
        "publicity at the employer (ends 2025-10-22), found 2025-10-20"
    ]


def test_not_accepted_for_another_of_the_notices_causes_needs_no_third_return(tmp_path: Path) -> None:
    # 对不符合资格条件、不属于受理范围或未按规定程序报送的，不予受理 (item 四(二)3(4)): no return at all.
    def out_of_scope(doc: dict[str, Any]) -> None:
        doc["applicants"][NOT_ACCEPTED] |= {
            "returns": 0,
            "ending": ending("not_accepted", "2025-10-30", "不属于受理范围"),
        }

    _, session, warnings = loaded(tmp_path, out_of_scope)
    assert warnings == [] and outcome(session, session.applicants[NOT_ACCEPTED]) is Outcome.NOT_ACCEPTED


# ---------------------------------------------------------------- 评审终止


def test_a_terminated_review_needs_no_vote_and_a_vote_given_anyway_is_not_counted(tmp_path: Path) -> None:
    def voted(doc: dict[str, Any]) -> None:
        doc["applicants"][TERMINATED]["vote"] = {"agree": 21, "disagree": 0, "abstain": 0}

    _, session, warnings = loaded(tmp_path, voted)
    assert warnings == [
        "applicants row 6 (曹然华), vote: the review was terminated (评审终止) on 2025-12-20: this vote is "
        "not counted and nothing is issued"
    ]
    terminated = session.applicants[TERMINATED]
    assert outcome(session, terminated) is Outcome.TERMINATED and not passed_vote(session, terminated)
    published = [p["name"] for g in results_context(session, WorkCalendar())["groups"] for p in g["people"]]
    assert terminated.name not in published


def test_a_review_is_terminated_before_or_during_the_review_only(tmp_path: Path) -> None:
    def afterwards(doc: dict[str, Any]) -> None:
        doc["applicants"][TERMINATED]["ending"]["decided_on"] = "2025-12-23"

    assert problems(tmp_path, afterwards) == [
        "applicants row 6 (曹然华), ending.decided_on: 评审终止 is decided before or during the review (ends "
        "2025-12-21), found 2025-12-23; an objection found true during the results publicity is "
        "objection_upheld (公示异议属实)"
    ]


# ---------------------------------------------------------------- 公示异议属实


def test_an_objection_upheld_is_about_a_published_pass(tmp_path: Path) -> None:
    def no_vote(doc: dict[str, Any]) -> None:
        del doc["applicants"][OBJECTION]["vote"]

    assert problems(tmp_path, no_vote) == [
        "applicants row 8 (戴萍), vote: an objection upheld during the results publicity (公示异议属实) is "
        "about an applicant who passed the vote: record the vote, found none"
    ]

    def failed(doc: dict[str, Any]) -> None:
        doc["applicants"][OBJECTION]["vote"] = {"agree": 13, "disagree": 6, "abstain": 2}

    assert problems(tmp_path, failed) == [
        "applicants row 8 (戴萍), ending.kind: an objection upheld during the results publicity "
        "(公示异议属实) is about an applicant who passed the vote and was published, found 13 of 21 "
        "agreeing (14 needed)"
    ]


def test_an_objection_is_upheld_between_the_publicity_and_the_confirmation(tmp_path: Path) -> None:
    def before(doc: dict[str, Any]) -> None:  # the results publicity runs 2025-12-22 to 12-26
        doc["applicants"][OBJECTION]["ending"]["decided_on"] = "2025-12-21"

    assert problems(tmp_path, before) == [
        "applicants row 8 (戴萍), ending.decided_on: an objection is raised during the results publicity "
        "(from 2025-12-22), found 2025-12-21"
    ]

    def after(doc: dict[str, Any]) -> None:  # confirmed 2026-01-12
        doc["applicants"][OBJECTION]["ending"]["decided_on"] = "2026-01-13"

    assert problems(tmp_path, after) == [
        "applicants row 8 (戴萍), ending.decided_on: an objection is settled before the confirmation "
        "(2026-01-12) lists who passed, found 2026-01-13; a certificate already issued is revoked "
        "(`titlecert revoke`)"
    ]


# ---------------------------------------------------------------- the vote and the fee


def test_a_reviewed_applicant_needs_a_vote(tmp_path: Path) -> None:
    def no_vote(doc: dict[str, Any]) -> None:
        del doc["applicants"][XUE_WEI]["vote"]

    assert problems(tmp_path, no_vote) == [
        "applicants row 3 (薛伟), vote: required: the committee's vote, found none; an application that "
        "ended before the vote records its ending (评审终止, 不予受理 or 视为放弃申报) instead"
    ]


def test_an_unpaid_applicant_cannot_be_reviewed(tmp_path: Path) -> None:
    def unpaid(doc: dict[str, Any]) -> None:
        del doc["applicants"][XUE_WEI]["fee_paid_on"]

    assert problems(tmp_path, unpaid) == [
        "applicants row 3 (薛伟), fee_paid_on: 未完成缴费不能参加评审 (the notice, item 六(五)): the "
        "review fee of 420 yuan (副高级) must be paid before the review, found no payment; record the day "
        "it was paid, or the ending (评审终止, 不予受理 or 视为放弃申报) of an application that was not "
        "reviewed"
    ]

    def late(doc: dict[str, Any]) -> None:
        doc["applicants"][XUE_WEI]["fee_paid_on"] = "2025-12-21"

    assert problems(tmp_path, late) == [
        "applicants row 3 (薛伟), fee_paid_on: 未完成缴费不能参加评审 (the notice, item 六(五)): the "
        "review fee is paid by the review (2025-12-20), found 2025-12-21"
    ]

    def ended_unpaid(doc: dict[str, Any]) -> None:  # terminated before the review: nothing to pay for
        doc["applicants"][TERMINATED] |= {"ending": ending("terminated", "2025-12-15", "评审前接到投诉举报")}
        del doc["applicants"][TERMINATED]["fee_paid_on"]

    assert loaded(tmp_path, ended_unpaid)[2] == []


# ---------------------------------------------------------------- the situation report


def test_the_report_counts_each_application_under_its_true_outcome() -> None:
    report = report_context(load_session(SAMPLE_SESSION).session, WorkCalendar())
    total = report["levels"][-1]
    assert total == {
        "level": "合计",
        "received": 8,
        "not_accepted": 1,  # 赵霞婷, not accepted after a third return
        "withdrawn": 0,
        "accepted": 7,
        "returned": 4,  # 3 of hers and 1 of 许思婷
        "terminated": 1,  # 曹然华 (not the third return)
        "reviewed": 6,
        "passed": 5,  # the vote's: 戴萍's objection came with the results publicity
        "failed": 1,
        "rate": "83.3%",
    }
    assert report["not_accepted_names"] == "赵霞婷（退回材料第3次提交评委会审核仍不符合要求）"
    assert report["terminated"] == "曹然华（评审过程中发现业绩材料弄虚作假，经查证属实）"
    assert [p["name"] for p in report["people"]] == ["何华", "黎军静", "薛伟", "姜伟子", "戴萍"]


def test_the_sample_generator_ends_a_few_of_each_kind_and_its_sessions_check_clean() -> None:
    from collections import Counter

    from docgen.check import Severity, check_session
    from docgen.sample import generate

    session, _ = generate(400, seed=11)
    counts = Counter(outcome(session, a) for a in session.applicants)
    for ended in (Outcome.TERMINATED, Outcome.NOT_ACCEPTED, Outcome.OBJECTION_UPHELD):
        assert 1 <= counts[ended] <= 20, (ended, counts)
    assert [f for f in check_session(session, WorkCalendar()) if f.severity is Severity.ERROR] == []
    assert generate(400, seed=11)[0] == session


# ---------------------------------------------------------------- one application a year


def test_every_route_but_the_green_channel_is_the_normal_channel_and_counts_for_the_year() -> None:
    from docgen.models import ROUTE_LABELS, Route
    from docgen.outcomes import normal_channel, review_year, uses_the_years_application

    session = load_session(SAMPLE_SESSION).session
    assert review_year(session) == 2025  # the sitting's (2025-12-20), not the approval's (2026-01-12)
    assert ROUTE_LABELS[Route.GREEN_CHANNEL] == "绿色通道"
    failed, passed = session.applicants[0], session.applicants[2]
    for route in Route:
        for a in (failed, passed):
            moved = a.model_copy(update={"route": route})
            assert normal_channel(moved) is (route is not Route.GREEN_CHANNEL)
            # A failed normal application used the year's one too; a green channel only by passing.
            assert uses_the_years_application(session, moved) is (
                route is not Route.GREEN_CHANNEL or a is passed
            )
