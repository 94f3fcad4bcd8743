"""The Excel form of a session: one sheet per table, Chinese headers, drop-down lists.

A declarative column table drives all three uses: the blank template (`titlecert template-xlsx`),
writing a session (`titlecert sample --out x.xlsx`), and reading one back into the same
JSON-shaped document the JSON loader validates.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from docgen.check import Finding
from docgen.errors import InputError
from docgen.locate import SheetLocator
from docgen.models import (
    ReviewSession,
)
from docgen.sheets import (
    APPLICANT_COLUMNS,
    APPLICANT_SHEET,
    CHILD_SHEETS,
    CHOICES,
    LINK,
    NAME,
    NOTES_SHEET,
    OLDER_CHOICES,
    OPTIONAL_GROUPS,
    OPTIONS_SHEET,
    SESSION_FIELDS,
    SESSION_SHEET,
    Column,
)
from docgen.text import normalise_id

# ---------------------------------------------------------------- writing


def write_workbook(path: Path, session: ReviewSession | None = None) -> None:
    """Write a blank template (session None) or a filled workbook."""
    wb = Workbook()
    options = _options_sheet(wb)
    ws = wb.create_sheet(SESSION_SHEET, 0)
    if "Sheet" in wb.sheetnames:  # openpyxl's default first sheet
        wb.remove(wb["Sheet"])
    doc = session.model_dump(mode="json") if session else {}
    _header(ws, ("项目", "内容", "说明"), (26, 60, 40))
    for r, col in enumerate(SESSION_FIELDS, start=2):
        ws.cell(r, 1, col.header).font = Font(bold=True)
        ws.cell(r, 2, _to_cell(col, _get(doc, col.path)))
        ws.cell(r, 3, col.note)
        _format(ws.cell(r, 2), col)
    _table_sheet(wb, APPLICANT_SHEET, APPLICANT_COLUMNS, [a for a in doc.get("applicants", [])], options)
    for sheet, (key, columns) in CHILD_SHEETS.items():
        rows = [
            {"__id__": a["id_number"], "__name__": a["name"], **item}
            for a in doc.get("applicants", [])
            for item in a.get(key, [])
        ]
        _table_sheet(wb, sheet, (LINK, NAME, *columns), rows, options)
    _notes_sheet(wb)
    wb.move_sheet(OPTIONS_SHEET, offset=len(wb.sheetnames))
    wb[OPTIONS_SHEET].sheet_state = "hidden"
    wb.save(path)


def _header(ws: Worksheet, headers: Sequence[str], widths: Sequence[int]) -> None:
    for c, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(1, c, text)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="9C1C1C")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"


def _options_sheet(wb: Workbook) -> dict[str, str]:
    ws = wb.create_sheet(OPTIONS_SHEET)
    ranges = {}
    for c, (kind, labels) in enumerate(CHOICES.items(), start=1):
        ws.cell(1, c, kind)
        for r, label in enumerate(labels.values(), start=2):
            ws.cell(r, c, label)
        letter = get_column_letter(c)
        ranges[kind] = f"'{OPTIONS_SHEET}'!${letter}$2:${letter}${len(labels) + 1}"
    return ranges


def _table_sheet(
    wb: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: list[dict[str, Any]],
    options: Mapping[str, str],
) -> None:
    ws = wb.create_sheet(title)
    _header(ws, [c.header for c in columns], [max(10, min(30, 2 * len(c.header) + 4)) for c in columns])
    for r, row in enumerate(rows, start=2):
        for c, col in enumerate(columns, start=1):
            ws.cell(r, c, _to_cell(col, _get(row, col.path)))
    last = max(len(rows) + 1, 500)
    for c, col in enumerate(columns, start=1):
        letter = get_column_letter(c)
        for r in range(2, last + 1):
            _format(ws.cell(r, c), col)
        if col.kind in options:
            dv = DataValidation(
                type="list",
                formula1=f"={options[col.kind]}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="无效选项",
                error="请从下拉列表中选择",
            )
            dv.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(dv)


def _format(cell: Any, col: Column) -> None:
    if col.kind == "date":
        cell.number_format = "yyyy-mm-dd"
    elif col.kind != "int":
        cell.number_format = "@"


def _notes_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet(NOTES_SHEET)
    _header(ws, ("工作表", "列", "说明"), (14, 26, 70))
    lines = [(SESSION_SHEET, "", "评委会、评审会议与核准信息，每项一行")]
    lines += [(SESSION_SHEET, c.header, c.note) for c in SESSION_FIELDS if c.note]
    lines += [(APPLICANT_SHEET, "", "每位申报人一行；日期格式 YYYY-MM-DD；带下拉列表的列请从列表中选择")]
    lines += [(APPLICANT_SHEET, c.header, c.note) for c in APPLICANT_COLUMNS if c.note]
    for sheet, (_, columns) in CHILD_SHEETS.items():
        lines.append((sheet, "证件号码", "每条记录一行，以证件号码对应申报人"))
        lines += [(sheet, c.header, c.note) for c in columns if c.note]
    for r, line in enumerate(lines, start=2):
        for c, text in enumerate(line, start=1):
            ws.cell(r, c, text)


def _get(doc: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return None
        doc = doc[key]
    return doc


def _to_cell(col: Column, value: Any) -> Any:
    if value is None or value == "":
        return None
    if col.kind == "date":
        return dt.date.fromisoformat(value)
    if col.kind == "levels":
        return "、".join(value)
    if col.kind in CHOICES:
        return CHOICES[col.kind].get(value, value)
    return value


# ---------------------------------------------------------------- reading


def read_workbook(path: Path) -> tuple[dict[str, Any], SheetLocator, list[Finding]]:
    """The JSON-shaped document of a workbook, its locator, and problems found while reading."""
    try:
        wb = load_workbook(path, data_only=True, read_only=True)
    except FileNotFoundError as e:
        raise InputError([f"{path}: file not found"]) from e
    except Exception as e:  # openpyxl raises many types for a file that is not a workbook
        raise InputError([f"{path}: not an Excel .xlsx workbook ({type(e).__name__})"]) from e
    locator, findings, doc = SheetLocator(), list[Finding](), dict[str, Any]()
    missing = [s for s in (SESSION_SHEET, APPLICANT_SHEET) if s not in wb.sheetnames]
    if missing:
        raise InputError(
            [f"{path}: missing sheet(s) {', '.join(missing)}; start from `titlecert template-xlsx`"]
        )
    by_header = {c.header: c for c in SESSION_FIELDS}
    for r, row in enumerate(wb[SESSION_SHEET].iter_rows(min_row=2, values_only=True), start=2):
        if not row or row[0] is None:
            continue
        col = by_header.get(str(row[0]).strip())
        if col is None:
            findings.append(
                _sheet_problem(locator, SESSION_SHEET, r, "项目", f"unknown item, found {row[0]!r}")
            )
            continue
        value = row[1] if len(row) > 1 else None
        locator.cells[col.path] = (SESSION_SHEET, r, col.header)
        _put(doc, col.path, value, col, findings)
    for col in SESSION_FIELDS:  # an empty item is reported as that item, not as a missing section
        if len(col.path) == 2 and col.path[:1] not in OPTIONAL_GROUPS:
            doc.setdefault(col.path[0], {})
    locator.sheets[("applicants",)] = APPLICANT_SHEET
    applicants = _read_table(wb[APPLICANT_SHEET], APPLICANT_COLUMNS, ("applicants",), locator, findings)
    doc["applicants"] = applicants
    index = {normalise_id(str(a.get("id_number", ""))): i for i, a in enumerate(applicants)}
    for sheet, (key, columns) in CHILD_SHEETS.items():
        if sheet in wb.sheetnames:
            _read_children(wb[sheet], sheet, key, columns, applicants, index, locator, findings)
    for group in OPTIONAL_GROUPS:
        if not _get(doc, group):
            doc.pop(group[0], None)
    wb.close()
    return doc, locator, findings


def _read_table(
    ws: Worksheet,
    columns: Sequence[Column],
    prefix: tuple[str, ...],
    locator: SheetLocator,
    findings: list[Finding],
) -> list[dict[str, Any]]:
    rows = ws.iter_rows(values_only=True)
    headers = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    by_header = {c.header: c for c in columns}
    unknown = [h for h in headers if h and h not in by_header]
    for h in unknown:
        findings.append(_sheet_problem(locator, ws.title, 1, h, f"unknown column, found {h!r}"))
    records: list[dict[str, Any]] = []
    for r, row in enumerate(rows, start=2):
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        record: dict[str, Any] = {}
        i = len(records)
        name = row[headers.index("姓名")] if "姓名" in headers else ""
        locator.rows[(*prefix, i)] = (ws.title, r, str(name or ""))
        for header, value in zip(headers, row, strict=False):
            col = by_header.get(header)
            if col is None:
                continue
            locator.cells[(*prefix, i, *col.path)] = (ws.title, r, col.header)
            if len(col.path) > 1:  # a finding about a whole object (the vote) names its columns
                group: tuple[str | int, ...] = (*prefix, i, *col.path[:-1])
                named = locator.cells.get(group)
                locator.cells[group] = (ws.title, r, f"{named[2]}、{col.header}" if named else col.header)
            _put(record, col.path, value, col, findings, (*prefix, i))
        for group in OPTIONAL_GROUPS:
            value = record.get(group[0])  # a group, not a child sheet's column of that name
            if isinstance(value, dict) and not any(v not in (None, "") for v in value.values()):
                del record[group[0]]
        records.append(record)
    return records


def _read_children(
    ws: Worksheet,
    sheet: str,
    key: str,
    columns: Sequence[Column],
    applicants: list[dict[str, Any]],
    index: dict[str, int],
    locator: SheetLocator,
    findings: list[Finding],
) -> None:
    rows = _read_table(ws, (LINK, NAME, *columns), ("__" + sheet,), locator, findings)
    orphans: dict[str, list[int]] = {}
    for k, row in enumerate(rows):
        sheet_row = locator.rows[("__" + sheet, k)][1]
        raw_id = str(row.pop("__id__", "") or "")
        row.pop("__name__", None)
        i = index.get(normalise_id(raw_id))
        if i is None and any(f.path == ("__" + sheet, k, "__id__") for f in findings):
            continue  # its ID cell was refused (typed as a number): said once, there
        if i is None:
            orphans.setdefault(raw_id, []).append(sheet_row)
            continue
        items = applicants[i].setdefault(key, [])
        path = ("applicants", i, key, len(items))
        locator.rows[path] = (sheet, sheet_row, locator.rows.get(("applicants", i), ("", 0, ""))[2])
        for col in columns:
            locator.cells[(*path, *col.path)] = (sheet, sheet_row, col.header)
        items.append(row)
    for raw_id, sheet_rows in orphans.items():  # one message per unknown ID, not one per row
        message = f"no applicant in sheet {APPLICANT_SHEET} has this ID number, found {raw_id!r}"
        if len(sheet_rows) > 1:
            message += f" (also in rows {', '.join(str(r) for r in sheet_rows[1:])})"
        findings.append(_sheet_problem(locator, sheet, sheet_rows[0], "证件号码", message))


def _sheet_problem(locator: SheetLocator, sheet: str, row: int, header: str, message: str) -> Finding:
    path = ("__sheet__", sheet, row, header)
    locator.cells[path] = (sheet, row, header)
    return Finding(path, message)


def _put(
    doc: dict[str, Any],
    path: tuple[str, ...],
    value: Any,
    col: Column,
    findings: list[Finding],
    prefix: tuple[str | int, ...] = (),
) -> None:
    value = _from_cell(col, value, findings, (*prefix, *path))
    if value is None:
        return
    target = doc
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def _from_cell(col: Column, value: Any, findings: list[Finding], path: tuple[str | int, ...]) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if col.kind == "date" else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if col.kind == "code" and isinstance(value, int | float) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: an 18-digit number is already another number, and a
        # leading 0 is gone. Turning it back into text would issue to a wrong ID without a word.
        shown = int(value) if isinstance(value, float) and value.is_integer() else value
        findings.append(
            Finding(
                path,
                f"typed as a number, found {shown}: Excel keeps only 15 digits of a "
                "number and drops leading zeros; format the column as text "
                "(设置单元格格式 → 文本) and type the value again",
            )
        )
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if col.kind == "levels":
        return [v.strip() for v in str(value).replace("，", "、").replace(",", "、").split("、") if v.strip()]
    if col.kind in CHOICES:
        labels = CHOICES[col.kind]
        text = str(value).strip()
        for code, label in labels.items():
            if text in (code, label):
                return code
        if text in OLDER_CHOICES.get(col.kind, {}):
            return OLDER_CHOICES[col.kind][text]
        findings.append(Finding(path, f"expected one of {', '.join(labels.values())}, found {text!r}"))
        return text
    if col.kind == "int":
        return value
    return str(value)
