"""Documents state only facts: a value the session does not give is a blank to fill by hand, and
check says what the rules would compute (the rendered PDFs: tests/integration/test_document_facts.py)."""

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from docgen.context import Copy, report_context, results_context, review_form_context
from docgen.errors import InputError
from docgen.load import load_session
from docgen.models import ReviewSession
from docgen.opinions import BLANK_DATE
from docgen.workdays import WorkCalendar
from docgen.xlsx import read_workbook, write_workbook
from tests.conftest import review_moved, sample_session_doc
from titlecert.cli import main

CAL = WorkCalendar()
LI = 1
"""黎军静, who passes; the bundled sample gives her every optional review-form value."""
JIANG = 4
"""姜伟子, who passes with none of them."""


def session_of(tmp_path: Path, doc: dict[str, Any], name: str = "s.json") -> ReviewSession:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return load_session(path, CAL).session


def computed_period_doc() -> dict[str, Any]:
    """The sample reviewed 24–25 Dec 2025 with no results publicity given: the rule's period runs
    from Friday 26 Dec to the make-up Sunday 4 Jan 2026 (1–3 Jan off)."""
    doc = review_moved(sample_session_doc(), "2025-12-24", "2025-12-25")
    del doc["results_publicity"]
    doc["approval"]["date"] = "2026-01-20"
    return doc


def test_the_report_without_its_sending_day_leaves_a_blank_not_its_due_date(tmp_path: Path) -> None:
    doc = sample_session_doc()
    given = report_context(session_of(tmp_path, doc), CAL)
    assert given["submitted_on"] == "2025年12月24日" and given["due"] == "2025年12月26日"
    del doc["report_submitted_on"]
    blank = report_context(session_of(tmp_path, doc), CAL)
    assert blank["submitted_on"] == BLANK_DATE and blank["due"] == "2025年12月26日"


def test_a_computed_results_publicity_is_left_blank_on_the_list(tmp_path: Path) -> None:
    given = results_context(session_of(tmp_path, sample_session_doc()), CAL)
    assert (given["start"], given["end"], given["days"]) == ("2025年12月22日", "2025年12月26日", 5)
    assert given["published_on"] == "2025年12月22日"
    blank = results_context(session_of(tmp_path, computed_period_doc()), CAL)
    assert (blank["start"], blank["end"], blank["published_on"]) == (BLANK_DATE,) * 3
    assert blank["days"] == "不少于5"


def test_check_prints_a_computed_period_as_computed_and_warns_of_its_make_up_sunday(tmp_path: Path) -> None:
    path = tmp_path / "computed.json"
    path.write_text(json.dumps(computed_period_doc(), ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)], env={"TITLECERT_HOME": str(tmp_path / "home")})
    assert result.exit_code == 0, result.output
    assert "; 2 warning(s)\n" in result.stdout
    assert result.stderr.splitlines() == [
        f"warning: {path}: results_publicity: 评审结果公示期未填写，按规则推算为2025年12月26日至"
        "2026年01月04日（推算：评审结束后第1个工作日起5个工作日）；评审结果公示上的公示期和落款日期留空待填写，公示期确定后请填写",
        f"warning: {path}: results_publicity: 推算的评审结果公示期最后一天是调休上班的星期日2026年01月04日，"
        "按工作日计入：请确认公示在该日可供查阅",
    ]


def test_a_given_period_ending_on_a_make_up_day_is_warned_about(tmp_path: Path) -> None:
    doc = computed_period_doc()
    doc["results_publicity"] = {"start": "2025-12-26", "end": "2026-01-04"}
    path = tmp_path / "given.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    warnings = load_session(path, CAL).warnings
    assert warnings == (
        f"{path}: results_publicity.end: 公示期最后一天2026年01月04日是调休上班的星期日，按工作日计入："
        "请确认公示在该日仍可查阅，否则延长公示期",
    )


def form(session: ReviewSession, row: int) -> dict[str, Any]:
    return review_form_context(
        session, session.applicants[row], form_no="PS2026000001", copy=Copy.UNIT_ARCHIVE
    )


def test_the_review_form_prints_what_the_session_gives_and_blanks_for_the_rest(tmp_path: Path) -> None:
    s = session_of(tmp_path, sample_session_doc())
    li, jiang = form(s, LI), form(s, JIANG)
    assert li["filled_on"] == "2025年10月20日" and jiang["filled_on"] == BLANK_DATE
    unit = li["opinion_boxes"][0]
    assert unit["title"] == "所在单位意见" and unit["text"] == s.applicants[LI].unit_opinion
    assert jiang["opinion_boxes"][0] == {"title": "所在单位意见", "text": ""}  # nothing made up
    assert all(box["text"] == "审核意见：" for box in jiang["opinion_boxes"][1:])
    assert li["expert_opinion"].startswith("该同志长期从事") and jiang["expert_opinion"] == ""
    assert li["presiding"] == jiang["presiding"] == "主持人：王建国（副主任委员）　　　　签名："
    doc = sample_session_doc()
    del doc["sitting"]["presiding"]
    assert form(session_of(tmp_path, doc), LI)["presiding"] == (
        "主持人（主任委员或副主任委员）：　　　　　　　　签名："
    )


def test_form_values_are_checked(tmp_path: Path) -> None:
    doc = sample_session_doc()
    doc["applicants"][LI]["form_filled_on"] = "2025-12-20"
    freelancer = doc["applicants"][JIANG]
    freelancer["reporting_chain"] = "freelancer"
    del freelancer["employer"]
    freelancer["unit_opinion"] = "同意推荐。"
    doc["sitting"]["presiding"]["role"] = "秘书长"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError) as caught:  # a role the notice does not name
        load_session(path, CAL)
    assert caught.value.problems == [
        f"{path}: sitting.presiding.role: input should be '主任委员' or '副主任委员', found '秘书长'"
    ]
    doc["sitting"]["presiding"]["role"] = "主任委员"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    warnings = [w.split(": ", 1)[1] for w in load_session(path, CAL).warnings]
    assert (
        "applicants row 2 (黎军静), form_filled_on: 评审表在申报时填写，填表日期应早于评审"
        "（2025年12月20日），填写的是2025年12月20日" in warnings
    )
    assert (
        "applicants row 5 (姜伟子), unit_opinion: 自由职业者的申报程序没有所在单位意见栏："
        "所在单位意见不会打印" in warnings
    )


def test_the_workbook_carries_the_new_values_both_ways(tmp_path: Path) -> None:
    s = session_of(tmp_path, sample_session_doc())
    write_workbook(tmp_path / "s.xlsx", s)
    doc, _, findings = read_workbook(tmp_path / "s.xlsx")
    assert findings == []
    again = ReviewSession.model_validate(doc)
    assert again.sitting.presiding == s.sitting.presiding
    for before, after in zip(s.applicants, again.applicants, strict=True):
        assert (after.form_filled_on, after.unit_opinion, after.expert_opinion) == (
            before.form_filled_on,
            before.unit_opinion,
            before.expert_opinion,
        )


def test_the_report_is_signed_by_who_presided_and_leaves_an_unknown_place_blank(tmp_path: Path) -> None:
    doc = sample_session_doc()
    name = doc["sitting"]["presiding"]["name"]
    doc["sitting"]["presiding"]["role"] = "副主任委员"
    report = report_context(session_of(tmp_path, doc), CAL)
    assert report["signatory"] == f"主持评审会议的评委会副主任委员{name}"
    doc["sitting"]["presiding"]["role"] = "主任委员"
    assert report_context(session_of(tmp_path, doc), CAL)["signatory"] == f"评委会主任委员{name}"
    del doc["sitting"]["presiding"], doc["sitting"]["location"]
    unknown = report_context(session_of(tmp_path, doc), CAL)
    assert unknown["signatory"] == "评委会主任委员（或主持评审会议的副主任委员）"
    assert unknown["location"].strip("　") == ""  # a blank to write in, not a made-up 评审会场
