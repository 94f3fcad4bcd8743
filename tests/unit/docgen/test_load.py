"""Loading sessions: every problem at once, each naming file, path or row, field, found and expected."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from docgen.errors import InputError
from docgen.identity import gb11643_check_char
from docgen.load import load_session
from docgen.text import clean_text
from tests.conftest import SAMPLE_SESSION, sample_session_doc


def write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "session.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def problems(tmp_path: Path, mutate: Callable[[dict[str, Any]], None]) -> list[str]:
    doc = sample_session_doc()
    mutate(doc)
    path = write(tmp_path, doc)
    with pytest.raises(InputError) as caught:
        load_session(path)
    return [p.removeprefix(f"{path}: ") for p in caught.value.problems]


def test_sample_session_loads_without_warnings() -> None:
    loaded = load_session(SAMPLE_SESSION)
    assert len(loaded.session.applicants) == 8 and loaded.warnings == ()


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        target = doc
        keys = [int(k) if k.isdigit() else k for k in path.split(".")]
        for key in keys[:-1]:
            target = target[key]
        if value is KeyError:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value

    return mutate


def _dup(doc: dict[str, Any]) -> None:
    doc["applicants"].append(dict(doc["applicants"][2]))


# A corpus of broken sessions: one mistake each and the exact message it must produce.
BROKEN = [
    (
        "applicants.2.id_number",
        "500235197208182830",
        "applicants row 3 (薛伟), id_number: check character should be '7', found '0'",
    ),
    (
        "applicants.1.id_number",
        "51010419880813053" + gb11643_check_char("51010419880813053"),
        "applicants row 2 (黎军静), id_number: a residence permit number starts with 81, 82 or 83, found '51'",
    ),
    (
        "applicants.2.id_number",
        "50023519721318283" + gb11643_check_char("50023519721318283"),
        "applicants row 3 (薛伟), id_number: digits 7-14 must be a real birth date, found '19721318'",
    ),
    ("applicants.2.sex", "女", "applicants row 3 (薛伟), sex: the ID number says 男, found 女"),
    (
        "applicants.2.birth_date",
        "1972-08-19",
        "applicants row 3 (薛伟), birth_date: the ID number says 1972-08-18, found 1972-08-19",
    ),
    (
        "applicants.2.employer.credit_code",
        "12500000ABCDEFGHI1",
        "applicants row 3 (薛伟), employer.credit_code: expected 18 characters from 0-9 and A-Y without I, O, S, V, Z, found '12500000ABCDEFGHI1'",
    ),
    (
        "applicants.2.employer.credit_code",
        "12500000ABCDEFGHJ1",
        "applicants row 3 (薛伟), employer.credit_code: check character should be 'B', found '1'",
    ),
    (
        "committee.members",
        33,
        "sitting.present: quorum not met: at least 22 of 33 members must attend (2/3), found 21",
    ),
    ("sitting.present", 26, "sitting.present: at most the 25 members can attend, found 26"),
    (
        "applicants.0.vote.abstain",
        5,
        "applicants row 1 (许思婷), vote: at most 21 votes (one per attending member, no proxies), found 22",
    ),
    (
        "applicants.0.vote.agree",
        -1,
        "applicants row 1 (许思婷), vote.agree: input should be greater than or equal to 0, found -1",
    ),
    (
        "applicants.0.vote.agree",
        12.5,
        "applicants row 1 (许思婷), vote.agree: input should be a valid integer, got a number with a fractional part, found 12.5",
    ),
    (
        "applicants.1.applied.level",
        "中级",
        "applicants row 2 (黎军静), applied.level: the committee awards 正高级, 副高级, found 中级",
    ),
    (
        "applicants.1.achievements.0.date",
        "2010-01-01",
        "applicants row 2 (黎军静), achievements[0].date: achievements must postdate the current title (2018-06-01), found 2010-01-01",
    ),
    (
        "applicants.1.publicity.end",
        "2025-11-05",
        "applicants row 2 (黎军静), publicity.end: publicity must last at least 5 working days (until 2025-11-06 or later), found 2025-11-05 (4 working days)",
    ),
    (
        "applicants.1.publicity.end",
        "2025-10-20",
        "applicants row 2 (黎军静), publicity.end: the period ends before it starts (2025-10-31), found 2025-10-20",
    ),
    (
        "results_publicity.end",
        "2025-12-25",
        "results_publicity.end: publicity must last at least 5 working days (until 2025-12-26 or later), found 2025-12-25 (4 working days)",
    ),
    (
        "report_submitted_on",
        "2025-12-30",
        "report_submitted_on: the situation report is due within 5 working days of the review, by 2025-12-26, found 2025-12-30",
    ),
    (
        "draft_notice_submitted_on",
        "2026-02-10",
        [
            "draft_notice_submitted_on: 公示结束后15个工作日内 (the notice, item 四(三)3): the draft confirmation notice is due within 15 working days after the results publicity (the results publicity ends 2025-12-26), by 2026-01-19, found 2026-02-10",
            "approval.date: the authority confirms the draft confirmation notice submitted on 2026-02-10: the confirmation cannot precede it, found 2026-01-12",
        ],
    ),
    (
        "applicants.1.id_type",
        "identity_card",
        "applicants row 2 (黎军静), id_type: input should be 'resident_id', 'hmt_residence_permit', 'hm_home_visit_permit', 'taiwan_compatriot_permit', 'foreign_permanent_resident_2023', 'foreign_permanent_resident_2017', 'overseas_talent_residence' or 'passport', found 'identity_card'",
    ),
    ("applicants.3.name", KeyError, "applicants row 4, name: required value is missing"),
    (
        "applicants.3.nickname",
        "华仔",
        "applicants row 4 (何华), nickname: unknown field (check the spelling), found '华仔'",
    ),
    ("applicants.3.photo", "photos/none.png", None),
    (
        "approval.date",
        "2025-12-20",
        [
            "approval.date: confirmation cannot precede the review (2025-12-21), found 2025-12-20",
            "approval.date: confirmation follows the results publicity (ends 2025-12-26), found 2025-12-20",
        ],
    ),
    (
        "results_publicity.start",
        "2025-12-21",
        "results_publicity.start: results publicity starts after the review (2025-12-21), found 2025-12-21",
    ),
    (
        "sitting.end",
        "2025-12-19",
        "sitting.end: the meeting ends before it starts (2025-12-20), found 2025-12-19",
    ),
    (
        "applicants.2.applied.series",
        "经济",
        "applicants row 3 (薛伟), applied.series: the committee reviews 工程技术, found 经济",
    ),
    (
        "applicants.2.current_title.obtained_on",
        "2026-03-01",
        {
            "applicants row 3 (薛伟), current_title.obtained_on: on or before the cut-off 2025-12-31, found 2026-03-01"
        },
    ),
    (
        "applicants.2.work_history.0.start",
        "2026-02-01",
        "applicants row 3 (薛伟), work_history[0].start: work time is counted to 2025-12-31, found 2026-02-01",
    ),
    (
        "applicants.2.work_history.0.end",
        "1990-01-01",
        "applicants row 3 (薛伟), work_history[0].end: not before the start (1994-08-01), found 1990-01-01",
    ),
    (
        "applicants.2.education.0.graduated_on",
        "1970-01-01",
        "applicants row 3 (薛伟), education[0].graduated_on: after the birth date, found 1970-01-01",
    ),
    (
        "applicants.2.publicity",
        {"start": "2025-12-15", "end": "2025-12-22"},
        "applicants row 3 (薛伟), publicity.end: publicity at the employer ends before the review (2025-12-20), found 2025-12-22",
    ),
    (
        "applicants.2.returns",
        4,
        "applicants row 3 (薛伟), returns: input should be less than or equal to 3, found 4",
    ),
    ("committee.levels", [], "committee.levels: at least 1 entry expected, found 0"),
    (
        "approval.date",
        "2026/01/16",
        "approval.date: input should be a valid date or datetime, invalid date separator, expected `-`, found '2026/01/16'",
    ),
]


@pytest.mark.parametrize(("path", "value", "message"), BROKEN, ids=[f"{b[0]}={b[1]!r}" for b in BROKEN])
def test_broken_session_gives_its_precise_message(
    tmp_path: Path, path: str, value: Any, message: str | None
) -> None:
    found = problems(tmp_path, _set(path, value))
    if message is None:  # a path that depends on tmp_path: check its shape
        assert len(found) == 1 and found[0].startswith(
            "applicants row 4 (何华), photo: expected an image file"
        )
    elif isinstance(message, set):  # this mistake has consequences elsewhere too: check it is among them
        assert message <= set(found)
    else:
        assert found == (message if isinstance(message, list) else [message])


def test_the_same_person_twice(tmp_path: Path) -> None:
    assert problems(tmp_path, _dup) == [
        "applicants row 9 (薛伟), id_number: the same person appears in applicants row 3; one application per "
        "person per year, found '500235197208182837' again"
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    def many(doc: dict[str, Any]) -> None:
        doc["applicants"][2]["sex"] = "女"
        doc["applicants"][4]["id_number"] = "420102197605115330"
        doc["committee"]["members"] = 40

    found = problems(tmp_path, many)
    assert len(found) == 3
    assert found[0].startswith("sitting.present: quorum not met")
    assert found[1].startswith("applicants row 3 (薛伟), sex:")
    assert found[2].startswith("applicants row 5 (姜伟子), id_number: check character should be '6'")


def test_warnings_do_not_block(tmp_path: Path) -> None:
    doc = sample_session_doc()
    doc["applicants"][2]["publicity"] = {"start": "2025-09-26", "end": "2025-10-09"}  # includes Sun 09-28
    doc["applicants"][4]["id_number"] = "420102197605115336".replace("420102", "500199")[:17]
    from docgen.identity import gb11643_check_char

    doc["applicants"][4]["id_number"] += gb11643_check_char(doc["applicants"][4]["id_number"])
    loaded = load_session(write(tmp_path, doc))
    assert any(
        "applicants row 3 (薛伟), publicity: the period includes 2025-09-28, a make-up Sunday" in w
        for w in loaded.warnings
    )
    assert any(
        "applicants row 5 (姜伟子), id_number: address code 500199 is not a current Chongqing district" in w
        for w in loaded.warnings
    )


def test_a_year_without_a_calendar_fails_loudly(tmp_path: Path) -> None:
    def later(doc: dict[str, Any]) -> None:
        doc["results_publicity"] = {"start": "2027-01-04", "end": "2027-01-08"}
        doc["approval"]["date"] = "2027-01-20"

    found = problems(tmp_path, later)
    assert any(
        "results_publicity" in p
        and "reaches 2027, a year the working-day calendar does not cover" in p
        and "calendar.json" in p
        for p in found
    )


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text("{nope", encoding="utf-8")
    with pytest.raises(InputError, match=r"s.json: not valid UTF-8 JSON"):
        load_session(path)


def test_control_characters_never_reach_a_template() -> None:
    # \f would become a page break and \a a paragraph in docxtpl (docs/conversion.md, "Escaping and
    # control characters")
    assert clean_text("重庆\f数智\a科技\x00有限\u2028公司  ") == "重庆 数智 科技 有限 公司"


def test_id_numbers_are_normalised(tmp_path: Path) -> None:
    doc = sample_session_doc()
    doc["applicants"][3]["id_number"] = "820000 1986-1014-161x"
    assert load_session(write(tmp_path, doc)).session.applicants[3].id_number == "82000019861014161X"


def test_work_years_count_to_the_cutoff() -> None:
    from docgen.check import years_of_work

    loaded = load_session(SAMPLE_SESSION)
    applicant = loaded.session.applicants[2]  # worked since 1994-08-01, still employed
    assert years_of_work(applicant, loaded.session.cutoff_date) == 31.4
