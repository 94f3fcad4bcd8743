"""A session's dates held against the notice's timetable of its year (item 三; docgen.timetable):
warnings only, never errors. The year is the review's (the sitting's first day)."""

import datetime as dt

from docgen.findings import Findings, Path
from docgen.models import EndingKind, ReviewSession
from docgen.timetable import STAGES, Timetable, Window
from docgen.workdays import WorkCalendar

HOW_TO_ADD_A_TIMETABLE = (
    "once that year's notice is out, add its timetable (item 三) to calendar.json in the instance's "
    'home: {{"timetables": {{"{year}": {{"apply": [first day, last day], "audit": [...], '
    '"payment": [...], "review": [...]}}}}}}, checked by `titlecert calendar check FILE`'
)
"""What to do about a year without a timetable; `.format(year=...)`."""

AUDITED_ENDINGS = {EndingKind.NOT_ACCEPTED: "不予受理", EndingKind.WITHDRAWN_DEEMED: "视为放弃申报"}
"""Endings decided while the application is audited (the notice, item 四(二)3)."""


def check_timetable(s: ReviewSession, calendar: WorkCalendar, out: Findings) -> None:
    """The review in the review stage, each fee in the payment window, each audit ending in the
    audit and each publicity at the employer after the applications open."""
    year = s.sitting.start.year
    table = calendar.timetable(year)
    if table is None:
        out.warn(
            ("sitting", "start"),
            f"the notice's timetable for {year} is unknown, so no date of the session is held "
            f"against it; {HOW_TO_ADD_A_TIMETABLE.format(year=year)}",
        )
        return
    for key in ("start", "end"):
        _within(table, "review", ("sitting", key), getattr(s.sitting, key), out)
    for i, a in enumerate(s.applicants):
        here: Path = ("applicants", i)
        if a.fee_paid_on is not None:
            _within(table, "payment", (*here, "fee_paid_on"), a.fee_paid_on, out)
        if a.ending is not None and a.ending.kind in AUDITED_ENDINGS:
            word = AUDITED_ENDINGS[a.ending.kind]
            _within(
                table,
                "audit",
                (*here, "ending", "decided_on"),
                a.ending.decided_on,
                out,
                f"when {word} is decided",
            )
        if a.publicity.start < table.apply.start:
            out.warn(
                (*here, "publicity", "start"),
                f"{_name(table)} opens the applications ({STAGES['apply']}) on {table.apply.start}, and "
                f"the employer publicises an application once it is made, found {a.publicity.start}",
            )


def _within(table: Timetable, stage: str, path: Path, day: dt.date, out: Findings, why: str = "") -> None:
    window: Window = getattr(table, stage)
    if day not in window:
        said = f" ({why})" if why else ""
        out.warn(path, f"{_name(table)} has {STAGES[stage]} from {window}{said}, found {day}")


def _name(table: Timetable) -> str:
    return f"the {table.year} timetable ({table.source})"
