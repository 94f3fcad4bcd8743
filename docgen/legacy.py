"""The committee office's list of titles awarded on paper before this system (CSV or Excel), read
and checked whole: every broken row is named (file, row, column, what is expected) and nothing is
returned unless every row is right, as a session file is loaded (docgen.load)."""

import csv
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from docgen.errors import LegacyInputError
from docgen.identity import ID_TYPE_LABELS, IdType, check_id
from docgen.models import Level
from docgen.text import clean_text, normalise_id

COLUMNS: dict[str, tuple[str, bool]] = {
    "certificate_no": ("证书编号", True),
    "name": ("姓名", True),
    "id_type": ("证件类型", False),
    "id_number": ("证件号码", True),
    "title": ("资格名称", True),
    "level": ("级别", True),
    "series": ("系列", False),
    "speciality": ("专业", False),
    "committee": ("评审机构", True),
    "passed_on": ("取得时间", True),
    "issued_on": ("发证时间", True),
}
"""Each field: its Chinese header and whether it is required. A header may be the Chinese or the
field's name; 证件类型 left out or blank means 居民身份证."""

_HEADERS = {h: f for f, (h, _) in COLUMNS.items()} | {f: f for f in COLUMNS}
_ID_TYPES = {label: t for t, label in ID_TYPE_LABELS.items()} | {t.value: t for t in IdType}
_LEVELS = {lv.value for lv in Level}


@dataclass(frozen=True)
class LegacyRow:
    """One paper title, checked; `row` is its line in the file (the header is row 1)."""

    row: int
    certificate_no: str
    name: str
    id_type: IdType
    id_number: str
    title: str
    level: str
    series: str
    speciality: str
    committee: str
    passed_on: dt.date
    issued_on: dt.date


@dataclass(frozen=True)
class LegacyFile:
    """A whole file's rows, and the SHA-256 of its bytes (for the audit log)."""

    rows: list[LegacyRow]
    sha256: str


def read_legacy(path: Path) -> LegacyFile:
    """Read and check the file at `path` (.csv in UTF-8, or .xlsx). Raises LegacyInputError listing every
    problem, each naming the file, row and column."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise LegacyInputError([f"{path}: file not found / 文件不存在 ({e.strerror})"]) from e
    table = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path, data)
    rows, problems = _check(path, table)
    if problems:
        raise LegacyInputError(problems)
    return LegacyFile(rows, hashlib.sha256(data).hexdigest())


def _csv_rows(path: Path, data: bytes) -> list[list[object]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise LegacyInputError([f"{path}: expected UTF-8 text / 应为 UTF-8 编码 ({e})"]) from e
    return [list(r) for r in csv.reader(text.splitlines())]


def _xlsx_rows(path: Path) -> list[list[object]]:
    try:
        wb = load_workbook(path, data_only=True, read_only=True)
    except Exception as e:  # openpyxl raises many types for a file that is not a workbook
        raise LegacyInputError([f"{path}: not an Excel workbook / 不是 Excel 工作簿 ({e})"]) from e
    try:
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def _check(path: Path, table: Sequence[Sequence[object]]) -> tuple[list[LegacyRow], list[str]]:
    if not table:
        return [], [f"{path}: the file is empty / 文件为空"]
    header = [_HEADERS.get(clean_text(str(h or "")), "") for h in table[0]]
    missing = [
        f"{COLUMNS[f][0]} ({f})" for f, (_, required) in COLUMNS.items() if required and f not in header
    ]
    if missing:
        return [], [f"{path}: row 1: missing column(s) / 缺少列: {', '.join(missing)}"]
    rows: list[LegacyRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(table[1:], start=2):
        values = {f: raw[i] for i, f in enumerate(header) if f and i < len(raw)}
        if all(v is None or not str(v).strip() for v in values.values()):
            continue
        row, found = _row(n, values)
        problems += [f"{path}: row {n}, {COLUMNS[f][0]} ({f}): {m}" for f, m in found]
        if row is not None:
            if row.certificate_no in seen:
                first = seen[row.certificate_no]
                problems.append(
                    f"{path}: row {n}, 证书编号 (certificate_no): the number of row {first} again / "
                    f"证书编号重复, found {row.certificate_no!r}"
                )
            seen.setdefault(row.certificate_no, n)
            rows.append(row)
    if not rows and not problems:
        problems.append(f"{path}: no titles below the header / 没有数据行")
    return rows, problems


def _row(n: int, values: dict[str, object]) -> tuple[LegacyRow | None, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    text = {f: _text(values.get(f)) for f in COLUMNS if f not in ("passed_on", "issued_on")}
    for f, (_, required) in COLUMNS.items():
        if required and f in text and not text[f]:
            problems.append((f, "required, found nothing / 必填"))
    if isinstance(values.get("id_number"), float):
        problems.append(
            ("id_number", "text, found a number (Excel drops digits past 15): format the column as text")
        )
    id_type = _ID_TYPES.get(text["id_type"] or ID_TYPE_LABELS[IdType.RESIDENT_ID])
    if id_type is None:
        problems.append(
            ("id_type", f"one of {'、'.join(ID_TYPE_LABELS.values())}, found {text['id_type']!r}")
        )
    number = normalise_id(text["id_number"])
    if id_type is not None and number and (problem := check_id(id_type, number)):
        problems.append(("id_number", f"{problem} / 证件号码有误"))
    if text["level"] and text["level"] not in _LEVELS:
        problems.append(("level", f"one of {'、'.join(sorted(_LEVELS))}, found {text['level']!r}"))
    dates = {f: _date(values.get(f)) for f in ("passed_on", "issued_on")}
    for f, d in dates.items():
        if isinstance(d, str):
            problems.append((f, f"a date such as 2019-12-20 / 应为日期, found {d!r}"))
    passed, issued = dates["passed_on"], dates["issued_on"]
    if isinstance(passed, dt.date) and isinstance(issued, dt.date) and issued < passed:
        problems.append(
            ("issued_on", f"on or after 取得时间 {passed}, found {issued} / 发证时间早于取得时间")
        )
    if problems or id_type is None or not isinstance(passed, dt.date) or not isinstance(issued, dt.date):
        return None, problems
    return LegacyRow(
        row=n,
        certificate_no=normalise_id(text["certificate_no"]),
        name=text["name"],
        id_type=id_type,
        id_number=number,
        title=text["title"],
        level=text["level"],
        series=text["series"],
        speciality=text["speciality"],
        committee=text["committee"],
        passed_on=passed,
        issued_on=issued,
    ), []


def _text(value: object) -> str:
    return clean_text(str(value)) if value is not None else ""


def _date(value: object) -> dt.date | str:
    """A cell's date, or what was found instead (a string; empty for nothing)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    typed = _text(value)
    for form in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(typed, form).date()  # noqa: DTZ007 - a calendar day, no time
        except ValueError:
            continue
    return typed
