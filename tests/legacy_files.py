"""Files of titles awarded on paper, as the committee office exports them, for the legacy tests."""

import csv
from pathlib import Path

from openpyxl import Workbook

from docgen.identity import gb11643_check_char

HEADER = [
    "证书编号",
    "姓名",
    "证件号码",
    "资格名称",
    "级别",
    "系列",
    "专业",
    "评审机构",
    "取得时间",
    "发证时间",
]
COMMITTEE = "重庆市工程技术高级职称评审委员会"


def id_number(seq: int) -> str:
    """A valid resident ID number of a Chongqing district (Yuzhong), born 1970-01-01."""
    first17 = f"50010319700101{seq:03d}"
    return first17 + gb11643_check_char(first17)


ROWS = [
    [
        "CQ-2008-0430",
        "张晓明",
        id_number(430),
        "高级工程师",
        "副高级",
        "工程技术",
        "土木工程",
        COMMITTEE,
        "2008-12-20",
        "2009-03-01",
    ],
    [
        "CQ-2011-0431",
        "阿依古丽·买买提",
        id_number(431),
        "工程师",
        "中级",
        "",
        "",
        COMMITTEE,
        "2011/11/05",
        "2012年1月15日",
    ],
]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    wb.save(path)
    return path
