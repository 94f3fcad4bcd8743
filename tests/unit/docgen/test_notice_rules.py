"""Rules of the notice read in full (issue 16): the reporting chains in its words and the freelancer
without an employer, 超员配置，随机抽评, the 海外高层次人才居住证, the year's timetable as warnings, and
视为放弃申报. Each case: what check says (naming row and field), what is issued, what documents say."""

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from docgen.chains import NO_EMPLOYER, REPORTING_CHAIN_LABELS, ReportingChain
from docgen.context import Copy, publicity_context, report_context, results_context, review_form_context
from docgen.errors import InputError
from docgen.identity import IdType, check_id
from docgen.load import load_session
from docgen.outcomes import Outcome, awarded, not_issued_because, outcome, passed_vote
from docgen.rules import mask_id
from docgen.timetable import BUNDLED, Timetable, Window
from docgen.workdays import CalendarOverrides, WorkCalendar, check_overrides
from docgen.xlsx import write_workbook
from tests.conftest import SAMPLE_SESSION, review_moved, sample_session_doc

LI = 1  # row 2 of the sample: 黎军静, city chain, passes the vote
XUE_WEI = 2  # row 3: 薛伟, passes
NOT_ACCEPTED = 6  # row 7: 赵霞婷, not accepted after a third return (decided 2025-10-30)


def load(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], calendar: WorkCalendar | None = None
) -> Any:
    doc = sample_session_doc()
    mutate(doc)
    path = tmp_path / "session.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    loaded = load_session(path, calendar)
    return loaded.session, [w.removeprefix(f"{path}: ") for w in loaded.warnings]


def problems(tmp_path: Path, mutate: Callable[[dict[str, Any]], None]) -> tuple[list[str], list[str]]:
    doc = sample_session_doc()
    mutate(doc)
    path = tmp_path / "session.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_session(path)
    strip = f"{path}: "
    return [p.removeprefix(strip) for p in caught.value.problems], [
        w.removeprefix(strip) for w in caught.value.warnings
    ]


def freelancer(doc: dict[str, Any]) -> None:
    a = doc["applicants"][LI]
    del a["employer"]
    a["reporting_chain"] = "freelancer"
    a["superior"]["name"] = "重庆市人才交流服务中心"


# ---------------------------------------------------------------- reporting chains


def test_the_chains_are_written_as_the_notice_writes_them() -> None:
    assert REPORTING_CHAIN_LABELS == {
        ReportingChain.CITY: "市属事业单位、国有企业人员：个人→所在单位→单位主管部门→评委会",
        ReportingChain.DISTRICT: "区县属事业单位、国有企业人员：个人→所在单位→单位主管部门→区县人力社保（职改）部门→评委会",
        ReportingChain.NON_PUBLIC: "非公单位人员、自主择业军队干部（档案在重庆的）：个人→所在单位→人事代理机构→人事代理机构所在地区县人力社保（职改）部门→评委会",
        ReportingChain.NON_PUBLIC_REMOTE_ARCHIVE: "非公单位人员、自主择业军队干部（档案在异地的）：个人（持异地查档记录）→所在单位→参保地区县人力社保（职改）部门→评委会",
        ReportingChain.FREELANCER: "自由职业者：个人→人事代理机构→人事代理机构所在地区县人力社保（职改）部门→评委会",
        ReportingChain.CENTRAL_OR_EXTERNAL: "央企或市外单位驻渝人员：个人（持具有职称评审权限的上级主管部门出具的委托评审函）→所在单位→单位驻重庆最高管理机构→评委会",
    }


def test_a_freelancer_has_no_employer_and_every_document_says_so(tmp_path: Path) -> None:
    session, warnings = load(tmp_path, freelancer)
    assert warnings == []
    a, cal = session.applicants[LI], WorkCalendar()
    assert a.employer is None and awarded(session, a)
    table = publicity_context(session, a, cal)
    # 所在单位 is none; the HR agency is the complaint contact that remains.
    assert (table["employer"], table["employer_contact"], table["employer_phone"]) == (NO_EMPLOYER, "—", "—")
    assert table["superior"] == "重庆市人才交流服务中心" and table["superior_phone"] == a.superior.phone
    form = review_form_context(
        session, a, form_no="PS2025000001", copy=Copy.PERSONNEL_FILE, filled_on=dt.date(2026, 1, 20)
    )
    assert (form["employer"], form["employer_code"]) == (NO_EMPLOYER, "—")
    assert form["chain"] == REPORTING_CHAIN_LABELS[ReportingChain.FREELANCER]
    assert [b["title"] for b in form["opinion_boxes"]] == ["人事代理机构意见", "区县人力社保（职改）部门意见"]
    listed = [p for g in results_context(session, cal)["groups"] for p in g["people"] if p["name"] == a.name]
    assert [p["employer"] for p in listed] == [NO_EMPLOYER]


def test_a_freelancer_with_an_employer_or_anyone_else_without_one_is_refused(tmp_path: Path) -> None:
    def with_employer(doc: dict[str, Any]) -> None:
        doc["applicants"][LI]["reporting_chain"] = "freelancer"

    assert problems(tmp_path, with_employer)[0] == [
        "applicants row 2 (黎军静), employer: a freelancer (自由职业者, the notice, item 四(一)4) has no "
        "employer and reports through an HR agency: leave the employer empty, or choose the reporting "
        "chain of someone employed, found 重庆市垫江县智慧城市运行中心"
    ]

    def without(doc: dict[str, Any]) -> None:
        del doc["applicants"][XUE_WEI]["employer"]

    assert problems(tmp_path, without)[0] == [
        "applicants row 3 (薛伟), employer: required: the reporting chain 市属事业单位、国有企业人员 goes "
        "through the employer (所在单位); only a freelancer (自由职业者) has none, found none"
    ]


def test_the_workbook_leaves_a_freelancers_employer_empty_and_names_its_columns(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE_SESSION.parent / "photos", tmp_path / "photos")
    session, _ = load(tmp_path, freelancer)
    write_workbook(tmp_path / "s.xlsx", session)
    assert load_session(tmp_path / "s.xlsx").session == session
    wb = load_workbook(tmp_path / "s.xlsx")
    ws = wb["申报人"]
    column = {c.value: c.column_letter for c in ws[1]}
    assert ws[f"{column['工作单位']}3"].value is None and ws[f"{column['申报程序']}3"].value == "自由职业者"
    ws[f"{column['申报程序']}4"] = "自由职业者"  # 薛伟 keeps his employer
    ws[f"{column['申报程序']}2"] = "非公单位（档案在重庆）"  # an older template's name still reads
    wb.save(tmp_path / "s.xlsx")
    with pytest.raises(InputError) as caught:
        load_session(tmp_path / "s.xlsx")
    assert [p.split(": ", 2)[1] for p in caught.value.problems] == [
        "sheet 申报人 row 4 (薛伟), 工作单位、单位统一社会信用代码、单位联系人、单位联系电话"
    ]


# ---------------------------------------------------------------- 超员配置，随机抽评


def test_the_expert_pool_is_larger_than_the_committee_and_is_asked_for(tmp_path: Path) -> None:
    def no_larger(doc: dict[str, Any]) -> None:
        doc["sitting"]["expert_pool"] = 25

    assert problems(tmp_path, no_larger)[0] == [
        "sitting.expert_pool: 超员配置，随机抽评 (the notice, item 四(三)1): the committee's 25 members "
        "are drawn at random from a larger pool, so more than 25 experts, found 25"
    ]

    def not_given(doc: dict[str, Any]) -> None:
        del doc["sitting"]["expert_pool"]

    session, warnings = load(tmp_path, not_given)
    assert warnings == [
        "sitting.expert_pool: not given: the members are drawn at random from a larger expert pool "
        "(超员配置，随机抽评, the notice, item 四(三)1); record its size, and the situation report says so"
    ]
    assert report_context(session, WorkCalendar())["draw"] == ""


# ---------------------------------------------------------------- 海外高层次人才居住证


def test_an_overseas_talent_residence_permit_is_admitted_checked_for_form_and_masked(tmp_path: Path) -> None:
    assert check_id(IdType.OVERSEAS_TALENT_RESIDENCE, "SH2019000123") is None
    assert check_id(IdType.OVERSEAS_TALENT_RESIDENCE, "ABCDEFGH") == (
        "expected 6-20 letters or digits, with a digit, found 'ABCDEFGH'"
    )
    assert mask_id("SH2019000123") == "********0123"  # its first characters are no region code
    assert mask_id("500103199003070017") == "500103********0017"

    def permit(doc: dict[str, Any]) -> None:
        doc["applicants"][XUE_WEI] |= {"id_type": "overseas_talent_residence", "id_number": "sh-2019 000123"}

    session, warnings = load(tmp_path, permit)
    assert warnings == [] and session.applicants[XUE_WEI].id_number == "SH2019000123"
    form = review_form_context(
        session,
        session.applicants[XUE_WEI],
        form_no="PS1",
        copy=Copy.PERSONNEL_FILE,
        filled_on=dt.date(2026, 1, 20),
    )
    assert form["id_type"] == "海外高层次人才居住证"

    def too_short(doc: dict[str, Any]) -> None:
        doc["applicants"][XUE_WEI] |= {"id_type": "overseas_talent_residence", "id_number": "A1"}

    assert problems(tmp_path, too_short)[0][0] == (
        "applicants row 3 (薛伟), id_number: expected 6-20 letters or digits, with a digit, found 'A1'"
    )


def test_the_workbook_offers_the_permit_in_its_id_drop_down(tmp_path: Path) -> None:
    write_workbook(tmp_path / "t.xlsx")
    options = load_workbook(tmp_path / "t.xlsx")["选项"]
    assert "海外高层次人才居住证" in [c.value for c in options["A"]]


# ---------------------------------------------------------------- the timetable


def test_the_2025_notices_timetable_is_bundled() -> None:
    table = WorkCalendar().timetable(2025)
    assert table is BUNDLED[2025] and table.to_json() == {
        "apply": ["2025-09-08", "2025-09-22"],
        "audit": ["2025-09-08", "2025-10-31"],
        "payment": ["2025-11-10", "2025-11-14"],
        "review": ["2025-12-01", "2025-12-31"],
    }


def test_dates_outside_the_timetable_are_warnings_naming_each_field(tmp_path: Path) -> None:
    def off_schedule(doc: dict[str, Any]) -> None:
        doc["applicants"][XUE_WEI]["fee_paid_on"] = "2025-11-17"
        doc["applicants"][NOT_ACCEPTED]["ending"]["decided_on"] = "2025-11-05"
        doc["applicants"][LI]["publicity"] = {"start": "2025-09-01", "end": "2025-09-05"}

    _, warnings = load(tmp_path, off_schedule)  # warnings only: the session loads
    assert warnings == [
        "applicants row 2 (黎军静), publicity.start: the 2025 timetable (the notice, item 三) opens the "
        "applications (网上申报) on 2025-09-08, and the employer publicises an application once it is "
        "made, found 2025-09-01",
        "applicants row 3 (薛伟), fee_paid_on: the 2025 timetable (the notice, item 三) has 缴费 from "
        "2025-11-10 to 2025-11-14, found 2025-11-17",
        "applicants row 7 (赵霞婷), ending.decided_on: the 2025 timetable (the notice, item 三) has 审核 "
        "from 2025-09-08 to 2025-10-31 (when 不予受理 is decided), found 2025-11-05",
    ]


def test_a_review_outside_december_is_warned_about(tmp_path: Path) -> None:
    def november(doc: dict[str, Any]) -> None:
        review_moved(doc, "2025-11-29", "2025-11-30")
        del doc["results_publicity"], doc["report_submitted_on"]
        doc["approval"]["date"] = "2025-12-15"
        doc["applicants"][5]["ending"]["decided_on"] = "2025-11-29"  # 评审终止 at the review
        for a in doc["applicants"]:
            if "fee_paid_on" in a:
                a["fee_paid_on"] = "2025-11-14"

    _, warnings = load(tmp_path, november)
    assert [w for w in warnings if w.startswith("sitting")] == [
        "sitting.start: the 2025 timetable (the notice, item 三) has 评审 from 2025-12-01 to 2025-12-31, "
        "found 2025-11-29",
        "sitting.end: the 2025 timetable (the notice, item 三) has 评审 from 2025-12-01 to 2025-12-31, "
        "found 2025-11-30",
    ]


def test_a_year_without_a_timetable_is_one_warning_until_the_instance_adds_it(tmp_path: Path) -> None:
    session, _ = load(tmp_path, lambda doc: None)
    bundled_only = WorkCalendar()
    later = Timetable(
        2026,
        Window(dt.date(2026, 9, 7), dt.date(2026, 9, 21)),
        Window(dt.date(2026, 9, 7), dt.date(2026, 10, 30)),
        Window(dt.date(2026, 11, 9), dt.date(2026, 11, 13)),
        Window(dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
    )
    from docgen.check import Severity, check_session

    moved = session.model_copy(
        update={
            "sitting": session.sitting.model_copy(
                update={"start": dt.date(2026, 12, 18), "end": dt.date(2026, 12, 19)}
            )
        }
    )
    found = [f for f in check_session(moved, bundled_only) if "timetable" in f.message]
    assert [(f.path, f.severity) for f in found] == [(("sitting", "start"), Severity.WARNING)]
    assert found[0].message.startswith(
        "the notice's timetable for 2026 is unknown, so no date of the session is held against it; once "
        "that year's notice is out, add its timetable (item 三) to calendar.json in the instance's home"
    )
    with_2026 = WorkCalendar(CalendarOverrides(timetables=(later,)))
    fees = [
        f for f in check_session(moved, with_2026) if "timetable" in f.message and f.path[-1] == "fee_paid_on"
    ]
    # The sample's fees were paid in 2025's window: each is now outside 2026's, a warning each.
    assert len(fees) == 7 and all(f.severity is Severity.WARNING for f in fees)
    assert "the 2026 timetable (calendar.json) has 缴费 from 2026-11-09 to 2026-11-13" in fees[0].message


def test_calendar_json_adds_and_checks_timetables() -> None:
    good = {
        "2026": {
            "apply": ["2026-09-07", "2026-09-21"],
            "audit": ["2026-09-07", "2026-10-30"],
            "payment": ["2026-11-09", "2026-11-13"],
            "review": ["2026-12-01", "2026-12-31"],
        }
    }
    overrides, findings = check_overrides({"timetables": good})
    assert findings == [] and overrides is not None
    assert overrides.to_json()["timetables"] == good
    assert CalendarOverrides.from_json(overrides.to_json(), "frozen") == overrides  # a job freezes it
    assert WorkCalendar(overrides).timetable(2026) == overrides.timetables[0]
    assert WorkCalendar().then(WorkCalendar(overrides)).timetable(2026) == overrides.timetables[0]
    broken = {
        "2026": {**good["2026"], "payment": ["2026-11-13", "2026-11-09"], "review": ["2026-12"]},
        "soon": {},
    }
    overrides, findings = check_overrides({"timetables": broken})
    assert overrides is None and [str(f) for f in findings] == [
        "timetables.2026.payment[1]: 缴费 ends before it starts (2026-11-13), found 2026-11-09",
        "timetables.2026.review: expected [first day, last day] of 评审, found ['2026-12']",
        "timetables.soon: expected a year such as \"2026\" as the key, found 'soon'",
    ]


# ---------------------------------------------------------------- 视为放弃申报


def withdrawn(doc: dict[str, Any]) -> None:
    doc["applicants"][NOT_ACCEPTED] |= {
        "returns": 1,
        "ending": {"kind": "withdrawn_deemed", "decided_on": "2025-10-30", "reason": "退回补正逾期未补正"},
    }


def test_an_application_deemed_withdrawn_is_never_reviewed_nor_issued(tmp_path: Path) -> None:
    session, warnings = load(tmp_path, withdrawn)
    assert warnings == []  # no vote and no fee needed
    a = session.applicants[NOT_ACCEPTED]
    assert outcome(session, a) is Outcome.WITHDRAWN_DEEMED and not awarded(session, a)
    assert not passed_vote(session, a)
    assert (
        not_issued_because(session, a) == "deemed withdrawn (视为放弃申报) on 2025-10-30: 退回补正逾期未补正"
    )
    published = [p["name"] for g in results_context(session, WorkCalendar())["groups"] for p in g["people"]]
    assert a.name not in published


def test_the_report_counts_it_under_its_own_cause(tmp_path: Path) -> None:
    session, _ = load(tmp_path, withdrawn)
    report = report_context(session, WorkCalendar())
    total = report["levels"][-1]
    assert {
        k: total[k] for k in ("received", "not_accepted", "withdrawn", "accepted", "terminated", "reviewed")
    } == {
        "received": 8,
        "not_accepted": 0,
        "withdrawn": 1,
        "accepted": 7,
        "terminated": 1,
        "reviewed": 6,
    }
    assert total["passed"] + total["failed"] == total["reviewed"]
    assert report["withdrawn_names"] == "赵霞婷（退回补正逾期未补正）" and report["not_accepted_names"] == ""


def test_a_withdrawn_application_has_no_vote_and_ends_before_the_review(tmp_path: Path) -> None:
    def voted(doc: dict[str, Any]) -> None:
        withdrawn(doc)
        doc["applicants"][NOT_ACCEPTED]["vote"] = {"agree": 20, "disagree": 1, "abstain": 0}

    assert problems(tmp_path, voted)[0] == [
        "applicants row 7 (赵霞婷), vote: an application deemed withdrawn (视为放弃申报) never reaches the "
        "review, found a vote: remove it, or the ending if the committee did review the application"
    ]

    def at_the_review(doc: dict[str, Any]) -> None:
        withdrawn(doc)
        doc["applicants"][NOT_ACCEPTED]["ending"]["decided_on"] = "2025-12-20"

    errors, warnings = problems(tmp_path, at_the_review)
    assert errors == [
        "applicants row 7 (赵霞婷), ending.decided_on: 视为放弃申报 is decided while the application is "
        "audited, when a correction is not sent back in time, before the review (2025-12-20), found 2025-12-20"
    ]
    assert warnings == [
        "applicants row 7 (赵霞婷), ending.decided_on: the 2025 timetable (the notice, item 三) has 审核 "
        "from 2025-09-08 to 2025-10-31 (when 视为放弃申报 is decided), found 2025-12-20"
    ]

    def third_return(doc: dict[str, Any]) -> None:  # still failing a third time is 不予受理, not this
        withdrawn(doc)
        doc["applicants"][NOT_ACCEPTED]["returns"] = 3

    assert problems(tmp_path, third_return)[0][0].startswith(
        "applicants row 7 (赵霞婷), ending.kind: still failing when submitted a third time after a return "
    )
