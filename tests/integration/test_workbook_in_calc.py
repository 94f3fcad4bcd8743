"""The session workbook as an office really handles it: opened and saved again by LibreOffice Calc.

An office downloads the template (`titlecert template-xlsx`), fills it in Calc or Excel and hands in
what that program saved, not what openpyxl wrote. Calc rewrites every part of the file: styles,
number formats, data validations, the hidden options sheet, dates as serial numbers. These tests
put the template and filled workbooks through a real Calc save and read them back.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from docgen.convert import soffice_binary
from docgen.errors import InputError
from docgen.load import load_session
from docgen.sample import write_sample
from docgen.sheets import APPLICANT_COLUMNS, APPLICANT_SHEET
from docgen.xlsx import write_workbook
from tests.conftest import SAMPLE_SESSION

CALC_XLSX = "xlsx:Calc MS Excel 2007 XML"


def saved_by_calc(sources: list[Path], out: Path, profile: Path) -> list[Path]:
    """Open each workbook in LibreOffice Calc and save it as .xlsx again, in one soffice run."""
    out.mkdir()
    argv = [
        soffice_binary(),
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        *("--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck"),
        *("--convert-to", CALC_XLSX, "--outdir", str(out), *map(str, sources)),
    ]
    proc = subprocess.run(argv, capture_output=True, timeout=300, check=False)
    saved = [out / s.name for s in sources]
    missing = [p.name for p in saved if not p.is_file()]
    assert not missing, f"Calc saved nothing for {missing}: {proc.stderr.decode(errors='replace')}"
    return saved


@pytest.fixture(scope="module")
def calc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The blank template, the bundled example and a 40-applicant sample, each saved by Calc."""
    src = tmp_path_factory.mktemp("by-us")
    write_workbook(src / "blank.xlsx")
    shutil.copy(SAMPLE_SESSION.with_suffix(".xlsx"), src / "example.xlsx")
    write_sample(src / "sample.json", 40, seed=11)
    write_sample(src / "sample.xlsx", 40, seed=11)
    work = tmp_path_factory.mktemp("calc")
    saved = saved_by_calc(
        [src / "blank.xlsx", src / "example.xlsx", src / "sample.xlsx"], work / "out", work / "profile"
    )
    for photos in (SAMPLE_SESSION.parent / "photos", src / "photos"):  # the example's, the sample's
        shutil.copytree(photos, work / "out" / "photos", dirs_exist_ok=True)
    return {"src": src, **{p.stem: p for p in saved}}


def test_filled_workbooks_saved_by_calc_load_to_the_same_session(calc: dict[str, Path]) -> None:
    assert load_session(calc["example"]).session == load_session(SAMPLE_SESSION).session
    assert load_session(calc["sample"]).session == load_session(calc["src"] / "sample.json").session


def test_calc_keeps_the_templates_drop_downs_text_ids_and_hidden_options(calc: dict[str, Path]) -> None:
    ours, theirs = load_workbook(calc["src"] / "blank.xlsx"), load_workbook(calc["blank"])
    assert theirs.sheetnames == ours.sheetnames
    assert theirs["选项"].sheet_state == "hidden"
    ws = theirs[APPLICANT_SHEET]
    assert [c.value for c in ws[1]] == [c.header for c in APPLICANT_COLUMNS]

    def lists(wb: Workbook) -> dict[str, list[object]]:
        """Each drop-down's first cell and the options it offers, read from the sheet it names."""
        found = {}
        for dv in wb[APPLICANT_SHEET].data_validations.dataValidation:
            if dv.type == "list":
                sheet, cells = str(dv.formula1).lstrip("=").replace("$", "").split("!")
                values = [c.value for (c,) in wb[sheet.strip("'")][cells]]
                found[str(dv.sqref).split(":")[0]] = values
        return found

    # Every drop-down (性别, 证件类型, 申报程序, 级别, 渠道, …) still offers the same options.
    assert lists(theirs) == lists(ours) and len(lists(ours)) >= 5
    assert ws["E2"].number_format == "@"  # an ID number typed later stays text, never 5.0E+17


def test_a_template_saved_by_calc_then_filled_loads(calc: dict[str, Path], tmp_path: Path) -> None:
    """The office's order of events: the blank template goes through Calc before anyone types."""
    filled = tmp_path / "filled.xlsx"
    shutil.copy(calc["blank"], filled)
    shutil.copytree(SAMPLE_SESSION.parent / "photos", tmp_path / "photos")
    source, target = load_workbook(calc["example"]), load_workbook(filled)
    for ws in source.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    target[ws.title][cell.coordinate] = cell.value
    target.save(filled)
    assert load_session(filled).session == load_session(SAMPLE_SESSION).session


def test_errors_in_a_calc_saved_workbook_still_name_sheet_row_and_column(
    calc: dict[str, Path], tmp_path: Path
) -> None:
    path = tmp_path / "example.xlsx"
    shutil.copy(calc["example"], path)
    shutil.copytree(SAMPLE_SESSION.parent / "photos", tmp_path / "photos")
    wb = load_workbook(path)
    wb[APPLICANT_SHEET]["E4"] = "500235197208182830"
    wb.save(path)
    with pytest.raises(InputError) as caught:
        load_session(path)
    assert any(
        "sheet 申报人 row 4 (薛伟), 证件号码: check character should be '7', found '0'" in p
        for p in caught.value.problems
    )
