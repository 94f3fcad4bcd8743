"""The Excel form: template, round trip to the same model, and errors that name sheet, row and column."""

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from openpyxl import load_workbook

from docgen.errors import InputError
from docgen.load import load_session
from docgen.sample import write_sample
from docgen.schema import SCHEMA_PATH, schema_text
from docgen.sheets import APPLICANT_COLUMNS, APPLICANT_SHEET, CHILD_SHEETS
from docgen.xlsx import write_workbook
from tests.conftest import SAMPLE_SESSION


def test_template_has_every_sheet_header_list_and_note(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    write_workbook(path)
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == ["评审会", "申报人"] and {"学历", "业绩成果", "填表说明", "选项"} <= set(
        wb.sheetnames
    )
    ws = wb[APPLICANT_SHEET]
    assert [c.value for c in ws[1]] == [c.header for c in APPLICANT_COLUMNS]
    lists = {str(dv.sqref).split(":")[0] for dv in ws.data_validations.dataValidation}
    assert {"B2", "D2", "K2", "V2", "W2"} <= lists  # 性别, 证件类型, 申报程序, 申报级别, 申报渠道
    assert ws["E2"].number_format == "@"  # ID numbers as text, never a truncated number
    assert wb["选项"].sheet_state == "hidden"
    assert wb["填表说明"].max_row > 10


@pytest.mark.parametrize("seed", [1, 7, 2025])
def test_json_and_excel_load_to_the_same_model(tmp_path: Path, seed: int) -> None:
    write_sample(tmp_path / "s.json", 12, seed=seed)
    write_sample(tmp_path / "s.xlsx", 12, seed=seed)
    assert load_session(tmp_path / "s.json").session == load_session(tmp_path / "s.xlsx").session


def test_bundled_examples_agree() -> None:
    assert load_session(SAMPLE_SESSION).session == load_session(SAMPLE_SESSION.with_suffix(".xlsx")).session


def broken(tmp_path: Path, sheet: str, cell: str, value: object) -> list[str]:
    path = tmp_path / "session.xlsx"
    shutil.copy(SAMPLE_SESSION.with_suffix(".xlsx"), path)
    shutil.copytree(SAMPLE_SESSION.parent / "photos", tmp_path / "photos", dirs_exist_ok=True)
    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)
    with pytest.raises(InputError) as caught:
        load_session(path)
    return [p.removeprefix(f"{path}: ") for p in caught.value.problems]


def test_excel_errors_name_sheet_row_and_column(tmp_path: Path) -> None:
    found = broken(tmp_path, "申报人", "E4", "500235197208182830")
    assert "sheet 申报人 row 4 (薛伟), 证件号码: check character should be '7', found '0'" in found
    # The person's rows in the other sheets no longer match: one message per sheet, not per row.
    orphans = [
        f for f in found if "no applicant in sheet 申报人 has this ID number, found '500235197208182837'" in f
    ]
    assert len(orphans) == 5 and any(
        f.startswith("sheet 业绩成果 row ") and "(also in rows" in f for f in orphans
    )
    assert broken(tmp_path, "申报人", "D3", "身份证") == [
        "sheet 申报人 row 3 (黎军静), 证件类型: expected one of 居民身份证, 港澳台居民居住证, "
        "港澳居民来往内地通行证, 台湾居民来往大陆通行证, 外国人永久居留身份证（2023版）, "
        "外国人永久居留身份证（2017版）, 海外高层次人才居住证, 护照, found '身份证'"
    ]
    assert broken(tmp_path, "评审会", "B12", 26) == [
        "sheet 评审会 row 12, 出席评委人数: at most the 25 members can attend, found 26"
    ]


def test_excel_child_rows_are_checked_in_place(tmp_path: Path) -> None:
    wb = load_workbook(SAMPLE_SESSION.with_suffix(".xlsx"))
    ws = wb["业绩成果"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value == "黎军静")
    found = broken(tmp_path, "业绩成果", f"E{row}", dt.datetime(2010, 1, 1))
    assert found == [
        f"sheet 业绩成果 row {row} (黎军静), 时间: achievements must postdate the current title "
        f"(2018-06-01), found 2010-01-01"
    ]
    assert broken(tmp_path, "学历", "A2", "110105199001010010") == [
        "sheet 学历 row 2, 证件号码: no applicant in sheet 申报人 has this ID number, found "
        "'110105199001010010'",
        "sheet 申报人 row 2 (许思婷), education: required value is missing",
    ]


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_text("hello")
    with pytest.raises(InputError, match=r"x.xlsx: not an Excel .xlsx workbook"):
        load_session(path)


def test_published_schema_is_current_and_accepts_the_example() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), "run tools/make_schema.py"
    schema = json.loads(schema_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(SAMPLE_SESSION.read_text(encoding="utf-8")), schema)
    assert set(CHILD_SHEETS) == {"学历", "工作经历", "业绩成果", "年度考核", "继续教育"}


NUMBER_ADVICE = (
    "Excel keeps only 15 digits of a number and drops leading zeros; format the column as text "
    "(设置单元格格式 → 文本) and type the value again"
)


def test_identifiers_typed_as_numbers_are_refused_never_coerced(tmp_path: Path) -> None:
    # openpyxl writes an int as a number cell, as Excel does when the column is not text; it comes
    # back as the nearest double, another 18-digit number (shown as read, never coerced to an ID).
    found = broken(tmp_path, "申报人", "E4", 500235197208182837)
    number = re.compile(r"typed as a number, found 5002351972081\d{5}: " + re.escape(NUMBER_ADVICE))
    assert any(f.startswith("sheet 申报人 row 4 (薛伟), 证件号码: ") and number.search(f) for f in found)
    credit = broken(tmp_path, "申报人", "H2", 915000002028267761)
    assert len(credit) == 1 and credit[0].startswith(
        "sheet 申报人 row 2 (许思婷), 单位统一社会信用代码: typed as a number"
    )
    assert broken(tmp_path, "评审会", "B16", 1150000000000000.0) == [
        f"sheet 评审会 row 16, 核准机构统一社会信用代码: typed as a number, found 1150000000000000: "
        f"{NUMBER_ADVICE}"
    ]
    assert broken(tmp_path, "申报人", "J2", 2363001234) == [
        f"sheet 申报人 row 2 (许思婷), 单位联系电话: typed as a number, found 2363001234: {NUMBER_ADVICE}"
    ]


def test_template_formats_identifier_columns_as_text(tmp_path: Path) -> None:
    write_workbook(tmp_path / "t.xlsx")
    wb = load_workbook(tmp_path / "t.xlsx")
    applicants = {c.value: c.column_letter for c in wb[APPLICANT_SHEET][1]}
    for header in ("证件号码", "单位统一社会信用代码", "单位联系电话", "主管部门联系电话"):
        assert wb[APPLICANT_SHEET][f"{applicants[header]}2"].number_format == "@", header
    session = {wb["评审会"].cell(r, 1).value: r for r in range(2, wb["评审会"].max_row + 1)}
    for header in ("核准机构统一社会信用代码", "异议受理电话"):
        assert wb["评审会"].cell(session[header], 2).number_format == "@", header
    for sheet in CHILD_SHEETS:
        assert wb[sheet]["A2"].number_format == "@", sheet


def test_the_outcome_columns_have_their_formats_list_and_notes(tmp_path: Path) -> None:
    write_workbook(tmp_path / "t.xlsx")
    wb = load_workbook(tmp_path / "t.xlsx")
    ws = wb[APPLICANT_SHEET]
    column = {c.value: c.column_letter for c in ws[1]}
    for header in ("评审费缴费日期", "终止认定日期"):
        assert ws[f"{column[header]}2"].number_format == "yyyy-mm-dd", header
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    options = wb["选项"]
    letter = lists[f"{column['终止情形']}2"].split("!")[1].split(":")[0].replace("$", "")[0]
    assert [options[f"{letter}{r}"].value for r in range(2, 6)] == [
        "评审终止",
        "不予受理",
        "视为放弃申报",
        "公示异议属实",
    ]
    notes = {(r[0].value, r[1].value): r[2].value for r in wb["填表说明"].iter_rows(min_row=2)}
    assert notes[(APPLICANT_SHEET, "评审费缴费日期")] == (
        "评审费：正高级、副高级420元/人；中级240元/人；助理级、员级120元/人；未缴费的留空（未完成缴费不能参加评审）"
    )


def test_each_outcome_round_trips_through_the_workbook(tmp_path: Path) -> None:
    # The example's last three rows: 评审终止 without a vote, 不予受理 without a vote or fee, and
    # 公示异议属实 after a passing vote; read back as the JSON states them.
    shutil.copytree(SAMPLE_SESSION.parent / "photos", tmp_path / "photos")
    session = load_session(SAMPLE_SESSION).session
    write_workbook(tmp_path / "s.xlsx", session)
    ws = load_workbook(tmp_path / "s.xlsx")[APPLICANT_SHEET]
    column = {c.value: c.column_letter for c in ws[1]}
    assert [ws[f"{column['终止情形']}{r}"].value for r in (7, 8, 9)] == [
        "评审终止",
        "不予受理",
        "公示异议属实",
    ]
    assert ws[f"{column['同意票']}7"].value is None and ws[f"{column['评审费缴费日期']}8"].value is None
    again = load_session(tmp_path / "s.xlsx").session
    assert again == session
    terminated, not_accepted, objection = again.applicants[5:]
    assert terminated.vote is None and terminated.ending is not None
    assert (not_accepted.fee_paid_on, not_accepted.returns) == (None, 3)
    assert objection.vote is not None and objection.ending is not None
    assert objection.ending.decided_on == dt.date(2025, 12, 24)


def test_outcome_problems_name_the_columns_in_the_workbook(tmp_path: Path) -> None:
    assert broken(tmp_path, "申报人", "Z4", None) == [
        "sheet 申报人 row 4 (薛伟), 评审费缴费日期: 未完成缴费不能参加评审 (the notice, item 六(五)): the "
        "review fee of 420 yuan (副高级) must be paid before the review, found no payment; record the day "
        "it was paid, or the ending (评审终止, 不予受理 or 视为放弃申报) of an application that was not reviewed"
    ]
    assert broken(tmp_path, "申报人", "AE9", "异议属实") == [
        "sheet 申报人 row 9 (戴萍), 终止情形: expected one of 评审终止, 不予受理, 视为放弃申报, 公示异议属实, found "
        "'异议属实'"
    ]
    path = Path(shutil.copy(SAMPLE_SESSION.with_suffix(".xlsx"), tmp_path / "session.xlsx"))
    wb = load_workbook(path)  # the vote's three cells emptied: named together
    for cell in ("AA4", "AB4", "AC4"):
        wb[APPLICANT_SHEET][cell] = None
    wb.save(path)
    with pytest.raises(InputError) as caught:
        load_session(path)
    assert caught.value.problems == [
        f"{path}: sheet 申报人 row 4 (薛伟), 同意票、反对票、弃权票: required: the committee's vote, found none; "
        "an application that ended before the vote records its ending (评审终止, 不予受理 or 视为放弃申报) instead"
    ]
