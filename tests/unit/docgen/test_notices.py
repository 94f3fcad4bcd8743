"""The draft confirmation notice, the result letters of delegated reviews and their rules (the
notice, items 四(一)5 and 四(三)3)."""

import json
from pathlib import Path
from typing import Any

import pytest

from docgen.errors import InputError
from docgen.load import load_session
from docgen.models import ReviewSession
from docgen.notices import (
    RESULT_WORDS,
    delegation_rows,
    draft_notice_context,
    result_letter_context,
)
from docgen.opinions import BLANK_DATE
from docgen.outcomes import Outcome, awarded, not_issued_because
from docgen.workdays import WorkCalendar
from docgen.xlsx import write_workbook
from tests.conftest import SAMPLE_SESSION, passed_applicants, sample_session_doc

CALENDAR = WorkCalendar()
UNIT = "中国建筑集团有限公司"


def delegated(doc: dict[str, Any], row: int, letter: str = "中建人函〔2025〕18号") -> dict[str, Any]:
    """Applicant `row` of `doc` as a central enterprise's employee holding a 委托评审函."""
    a = doc["applicants"][row]
    a["reporting_chain"] = "central_or_external"
    a["delegation"] = {"unit": UNIT, "letter_no": letter, "letter_date": "2025-09-01"}
    return doc


def crafted() -> dict[str, Any]:
    """The sample with two applicants delegated by one unit: 黎军静 passes, 许思婷 fails."""
    return delegated(delegated(sample_session_doc(), 1), 0, "中建人函〔2025〕19号")


def write(tmp_path: Path, doc: dict[str, Any], name: str = "session.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def problems(tmp_path: Path, doc: dict[str, Any]) -> list[str]:
    path = write(tmp_path, doc)
    with pytest.raises(InputError) as caught:
        load_session(path, CALENDAR)
    return [p.removeprefix(f"{path}: ") for p in caught.value.problems]


def test_a_chain_5_applicant_without_a_delegation_is_named_by_row_and_field(tmp_path: Path) -> None:
    doc = crafted()
    del doc["applicants"][1]["delegation"]
    [found] = problems(tmp_path, doc)
    assert found.startswith("applicants row 2 (黎军静), delegation.unit: 央企或市外单位驻渝人员")
    assert "委托评审函" in found and "item 四(一)5" in found and found.endswith("found none")
    book = tmp_path / "session.xlsx"
    write_workbook(book, ReviewSession.model_validate(doc))  # valid as a model; the check refuses it
    with pytest.raises(InputError) as caught:
        load_session(book, CALENDAR)
    [in_book] = caught.value.problems
    assert "sheet 申报人 row 3 (黎军静), 委托单位: 央企或市外单位驻渝人员" in in_book


def test_a_delegation_off_chain_5_is_refused(tmp_path: Path) -> None:
    doc = crafted()
    doc["applicants"][1]["reporting_chain"] = "city"
    [found] = problems(tmp_path, doc)
    assert found.startswith("applicants row 2 (黎军静), delegation.unit: a 委托评审函 comes with reporting")
    assert "found one with reporting chain city" in found


def test_a_letter_dated_after_the_review_is_refused(tmp_path: Path) -> None:
    doc = crafted()
    doc["applicants"][1]["delegation"]["letter_date"] = "2025-12-21"
    assert problems(tmp_path, doc) == [
        "applicants row 2 (黎军静), delegation.letter_date: the 委托评审函 is held when applying, before "
        "the review (2025-12-20), found 2025-12-21"
    ]


def test_a_delegated_pass_gets_a_result_letter_no_confirmation_line_no_certificate(tmp_path: Path) -> None:
    session = load_session(write(tmp_path, crafted()), CALENDAR).session
    lead = session.applicants[1]
    assert not awarded(session, lead)
    assert "delegated review (委托评审) for 中国建筑集团有限公司" in (not_issued_because(session, lead) or "")
    notice = draft_notice_context(session, CALENDAR)
    listed = [p["name"] for g in notice["groups"] for p in g["people"]]
    assert sorted(listed) == sorted(a["name"] for a in passed_applicants() if a["name"] != "黎军静")
    assert notice["count"] == len(listed) == 3
    assert notice["delegated_note"] == "　　另有委托评审通过人员1名，评审结果已函复委托单位，不列入本通知。"
    assert (
        notice["title"] == f"关于确认{listed[0]}等3名同志具备工程技术大数据智能化专业职称资格的通知（代拟稿）"
    )  # noqa: E501
    assert notice["authority"] == "重庆市职称改革办公室"
    assert "2025年12月22日至2025年12月26日公示（5个工作日）" in notice["body"]
    assert delegation_rows(session) == [0]  # one unit, planned under its first row
    letter = result_letter_context(session, 0, CALENDAR)
    assert letter["unit"] == UNIT and letter["title"] == f"关于{UNIT}委托评审人员职称评审结果的函"
    assert [(p["name"], p["letter"], p["result"]) for p in letter["people"]] == [
        ("许思婷", "中建人函〔2025〕19号", "评审未通过"),
        ("黎军静", "中建人函〔2025〕18号", "评审通过"),
    ]
    assert "（中建人函〔2025〕19号、中建人函〔2025〕18号）收悉" in letter["body"]
    assert "许思婷等2名同志" in letter["body"] and "请你单位按职称管理权限予以确认" in letter["closing"]
    with pytest.raises(ValueError, match="row 3 has no delegation"):
        result_letter_context(session, 2, CALENDAR)


def test_the_draft_notice_lists_exactly_the_confirmed_passes() -> None:
    session = load_session(SAMPLE_SESSION, CALENDAR).session
    notice = draft_notice_context(session, CALENDAR)
    # by level, as the results list; the objection upheld (戴萍) and the failed are not on it
    listed = [p["name"] for g in notice["groups"] for p in g["people"]]
    assert sorted(listed) == sorted(a["name"] for a in passed_applicants())
    assert "戴萍" not in listed and notice["delegated_note"] == ""
    assert notice["submitted_on"] == BLANK_DATE  # not given: a line to fill by hand, not a default
    assert notice["due"] == "（2026年01月19日前）"


def test_a_late_draft_notice_is_refused_with_its_dates(tmp_path: Path) -> None:
    doc = crafted()
    doc["draft_notice_submitted_on"] = "2026-01-20"
    doc["approval"]["date"] = "2026-01-22"
    assert problems(tmp_path, doc) == [
        "draft_notice_submitted_on: 公示结束后15个工作日内 (the notice, item 四(三)3): the draft "
        "confirmation notice is due within 15 working days after the results publicity (the results "
        "publicity ends 2025-12-26), by 2026-01-19, found 2026-01-20"
    ]


def test_a_draft_notice_on_time_is_accepted_and_printed(tmp_path: Path) -> None:
    doc = crafted()
    doc["draft_notice_submitted_on"] = "2026-01-09"
    session = load_session(write(tmp_path, doc), CALENDAR).session
    assert draft_notice_context(session, CALENDAR)["submitted_on"] == "2026年01月09日"
    assert result_letter_context(session, 0, CALENDAR)["sent_on"] == "2026年01月09日"


def test_the_approval_is_no_longer_bound_by_the_15_days_but_follows_the_submission(tmp_path: Path) -> None:
    doc = crafted()
    doc["approval"]["date"] = "2026-02-10"  # the authority's own pace: not the notice's 15 days
    load_session(write(tmp_path, doc), CALENDAR)
    doc["draft_notice_submitted_on"] = "2026-01-16"
    doc["approval"]["date"] = "2026-01-15"
    assert problems(tmp_path, doc) == [
        "approval.date: the authority confirms the draft confirmation notice submitted on 2026-01-16: the "
        "confirmation cannot precede it, found 2026-01-15"
    ]


def test_the_rule_counts_from_the_computed_publicity_when_none_is_given(tmp_path: Path) -> None:
    doc = crafted()
    del doc["results_publicity"]  # computed: 2025-12-22 to 2025-12-26, the 5 working days after the review
    doc["draft_notice_submitted_on"] = "2025-12-26"
    assert problems(tmp_path, doc) == [
        "draft_notice_submitted_on: the draft confirmation notice goes to the authority after the results "
        "publicity (the results publicity is not given: the computed one, 2025-12-22 to 2025-12-26, "
        "counts), found 2025-12-26"
    ]
    doc["draft_notice_submitted_on"] = "2026-01-20"
    doc["approval"]["date"] = "2026-01-21"
    [late] = problems(tmp_path, doc)
    assert "the computed one, 2025-12-22 to 2025-12-26, counts), by 2026-01-19, found 2026-01-20" in late


def test_a_publicity_not_given_is_counted_but_not_printed(tmp_path: Path) -> None:
    doc = crafted()
    del doc["results_publicity"]
    doc["draft_notice_submitted_on"] = "2026-01-09"  # within 15 working days of the computed 12-26
    session = load_session(write(tmp_path, doc), CALENDAR).session
    notice = draft_notice_context(session, CALENDAR)
    assert f"评审结果于{BLANK_DATE}至{BLANK_DATE}公示（不少于5个工作日）。" in notice["body"]
    assert notice["due"] == ""  # no due date made from a period nobody gave
    letter = result_letter_context(session, 0, CALENDAR)
    assert f"{BLANK_DATE}至{BLANK_DATE}公示（不少于5个工作日）" in letter["body"]


def test_a_result_letter_reports_every_ending_a_delegated_application_can_have(tmp_path: Path) -> None:
    """A delegated application deemed withdrawn (视为放弃申报) is answered too, with its reason."""
    doc = crafted()
    gone = doc["applicants"][0]  # 许思婷, delegated by the same unit
    del gone["vote"]
    gone["ending"] = {"kind": "withdrawn_deemed", "decided_on": "2025-10-30", "reason": "退回补正逾期未补正"}
    session = load_session(write(tmp_path, doc), CALENDAR).session
    letter = result_letter_context(session, 0, CALENDAR)
    assert [(p["name"], p["result"]) for p in letter["people"]] == [
        ("许思婷", "视为放弃申报（退回补正逾期未补正）"),
        ("黎军静", "评审通过"),
    ]
    assert set(RESULT_WORDS) == set(Outcome)  # each outcome has its words in the letter
