"""The clerk's list: each form's copies and their state, the filing deadline, the Excel export."""

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook

from docgen.errors import CalendarError
from docgen.workdays import WorkCalendar, add_month, filing_deadline
from registry.paper import CopyState, PaperBook, ReviewFormRecord

COPY_NAMES = {"personnel-file": "人事档案", "unit-archive": "单位文书档案"}


@dataclass(frozen=True)
class CopyRow:
    copy_id: int
    copy: str
    label: str
    state: CopyState
    stamped: int
    boxes: int
    filed_at: str
    """Where it was filed, empty until it is."""
    replaced_by: str | None = None
    """A void copy's replacement (its label), None while the replacement is pending."""

    @property
    def pending(self) -> bool:
        """Void with its replacement not issued yet."""
        return self.state is CopyState.VOID and self.replaced_by is None


@dataclass(frozen=True)
class FormRow:
    form: ReviewFormRecord
    copies: list[CopyRow]
    deadline: dt.date
    overdue: bool
    """Past the deadline with a copy in force not filed."""
    deadline_unsure: bool = False
    """The calendar lacks the deadline's year: it is the month's date, not moved off a day off
    (shown on the list and in the export; the instance adds the year to calendar.json)."""

    def has_copy_in(self, state: str) -> bool:
        """Whether a copy in force is in `state` (awaiting-stamps, stamped, filed)."""
        return any(c.state.value == state and c.state is not CopyState.VOID for c in self.copies)


def form_rows(
    book: PaperBook,
    forms: Sequence[ReviewFormRecord],
    workdays: WorkCalendar,
    today: dt.date,
    state: str | None = None,
) -> list[FormRow]:
    """The list's rows; with `state`, only forms with a copy in force in that state."""
    rows = []
    for form in forms:
        boxes = book.boxes(form.form_no)
        copies = []
        printed = book.copies(form.form_no)
        replaced_by = {c.replaces_id: c.label for c in printed if c.replaces_id is not None}
        for copy in printed:
            derived = book.state(copy)
            copies.append(
                CopyRow(
                    copy.id,
                    copy.copy,
                    copy.label,
                    derived.state,
                    len(derived.stamps),
                    len(boxes),
                    derived.filed.body or "" if derived.filed else "",
                    replaced_by.get(copy.id),
                )
            )
        live = [c for c in copies if c.state is not CopyState.VOID]
        try:
            deadline, unsure = filing_deadline(form.confirmed_on, workdays), False
        except CalendarError:
            deadline, unsure = add_month(form.confirmed_on), True
        pending = any(c.state is not CopyState.FILED for c in live)
        row = FormRow(form, copies, deadline, today > deadline and pending, unsure)
        if not state or row.has_copy_in(state):
            rows.append(row)
    return rows


UNSURE_NOTE = "（日历未含该年，未按节假日顺延）"
"""Beside a deadline whose year the working-day calendar lacks."""

STATE_NAMES = {
    CopyState.AWAITING_STAMPS: "待盖章",
    CopyState.STAMPED: "已盖章",
    CopyState.FILED: "已归档",
    CopyState.VOID: "已作废",
}


def workbook(rows: list[FormRow]) -> bytes:
    """The rows as an .xlsx: one line per copy, in Chinese like the printed forms."""
    wb = Workbook()
    ws = wb.active
    ws.title = "评审表归档"
    ws.append(
        [
            "评审表编号",
            "姓名",
            "工作单位",
            "单位信用代码",
            "批准文号",
            "确认日期",
            "归档期限",
            "逾期未归档",
            "份别",
            "份号",
            "状态",
            "已盖章/应盖章",
            "归档于",
        ]
    )
    for row in rows:
        f = row.form
        for c in row.copies:
            ws.append(
                [
                    f.form_no,
                    f.holder_name,
                    f.unit_name,
                    f.unit_code,
                    f.session_ref,
                    f.confirmed_on,
                    f"{row.deadline}{UNSURE_NOTE}" if row.deadline_unsure else row.deadline,
                    "是" if row.overdue else "否",
                    COPY_NAMES.get(c.copy, c.copy),
                    c.label,
                    STATE_NAMES[c.state] + ("（补发待办）" if c.pending else ""),
                    f"{c.stamped}/{c.boxes}",
                    c.filed_at,
                ]
            )
    for column, width in zip(
        "ABCDEFGHIJKLM", (16, 10, 28, 20, 24, 12, 12, 10, 12, 6, 8, 12, 28), strict=True
    ):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
