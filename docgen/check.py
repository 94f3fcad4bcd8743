"""The notice's rules over a whole session, checked before anything is issued.

Each finding carries the path of the value it is about (as in the JSON document), so the loader
can name the sheet or JSON path, the row and the field.
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path as FsPath

from docgen.errors import CalendarError
from docgen.glyphs import uncovered
from docgen.identity import address_code_warning, id_birth_and_sex
from docgen.models import Applicant, Period, ReviewSession
from docgen.rules import quorum_met
from docgen.workdays import WorkCalendar

Path = tuple[str | int, ...]
PUBLICITY_WORKDAYS = 5
REPORT_DUE_WORKDAYS = 5
CONFIRMATION_DUE_WORKDAYS = 15


class Severity(StrEnum):
    ERROR = "error"
    """Blocks issuing."""
    WARNING = "warning"
    """Shown, does not block."""


@dataclass(frozen=True)
class Finding:
    """One problem found in a session."""

    path: Path
    """Where, as a JSON path: ("applicants", 6, "id_number")."""
    message: str
    """What was found and what is expected."""
    severity: Severity = Severity.ERROR


class _Findings(list[Finding]):
    def error(self, path: Path, message: str) -> None:
        self.append(Finding(path, message))

    def warn(self, path: Path, message: str) -> None:
        self.append(Finding(path, message, Severity.WARNING))


def check_session(session: ReviewSession, calendar: WorkCalendar) -> list[Finding]:
    """Every rule of the notice that the data can break, in document order."""
    out = _Findings()
    try:
        _check_session_level(session, calendar, out)
        seen: dict[tuple[str, str], int] = {}
        for index, applicant in enumerate(session.applicants):
            _check_applicant(session, index, applicant, calendar, seen, out)
    except CalendarError as e:
        out.error((), str(e))
    return out


def _check_session_level(s: ReviewSession, calendar: WorkCalendar, out: _Findings) -> None:
    c, sit, ap = s.committee, s.sitting, s.approval
    if sit.end < sit.start:
        out.error(("sitting", "end"), f"the meeting ends before it starts ({sit.start}), found {sit.end}")
    if sit.present > c.members:
        out.error(("sitting", "present"), f"at most the {c.members} members can attend, found {sit.present}")
    elif not quorum_met(members=c.members, present=sit.present):
        need = -(-2 * c.members // 3)
        out.error(
            ("sitting", "present"),
            f"quorum not met: at least {need} of {c.members} members must attend (2/3), found {sit.present}",
        )
    if ap.date < sit.end:
        out.error(
            ("approval", "date"), f"confirmation cannot precede the review ({sit.end}), found {ap.date}"
        )
    if s.report_submitted_on is not None:
        due = calendar.nth_workday(sit.end, REPORT_DUE_WORKDAYS, inclusive=False)
        if s.report_submitted_on > due:
            out.error(
                ("report_submitted_on",),
                f"the situation report is due within {REPORT_DUE_WORKDAYS} "
                f"working days of the review, by {due}, found {s.report_submitted_on}",
            )
    if s.results_publicity is not None:
        rp = s.results_publicity
        if rp.start <= sit.end:
            out.error(
                ("results_publicity", "start"),
                f"results publicity starts after the review ({sit.end}), found {rp.start}",
            )
        _check_publicity(rp, ("results_publicity",), calendar, out)
        due = calendar.nth_workday(rp.end, CONFIRMATION_DUE_WORKDAYS, inclusive=False)
        if ap.date > due:
            out.error(
                ("approval", "date"),
                f"confirmation is due within {CONFIRMATION_DUE_WORKDAYS} working days "
                f"of the end of results publicity, by {due}, found {ap.date}",
            )
        elif ap.date <= rp.end:
            out.error(
                ("approval", "date"),
                f"confirmation follows the results publicity (ends {rp.end}), found {ap.date}",
            )


def _check_publicity(period: Period, path: Path, calendar: WorkCalendar, out: _Findings) -> None:
    if period.end < period.start:
        out.error((*path, "end"), f"the period ends before it starts ({period.start}), found {period.end}")
        return
    days = calendar.workdays_between(period.start, period.end)
    if days < PUBLICITY_WORKDAYS:
        earliest = calendar.nth_workday(period.start, PUBLICITY_WORKDAYS, inclusive=True)
        out.error(
            (*path, "end"),
            f"publicity must last at least {PUBLICITY_WORKDAYS} working days (until "
            f"{earliest} or later), found {period.end} ({days} working days)",
        )
    day = period.start
    while day <= period.end:
        if calendar.is_makeup_weekend(day):
            out.warn(
                path,
                f"the period includes {day}, a make-up {'Saturday' if day.weekday() == 5 else 'Sunday'} "
                "counted as a working day",
            )
        day += dt.timedelta(days=1)


def _check_applicant(
    s: ReviewSession,
    i: int,
    a: Applicant,
    calendar: WorkCalendar,
    seen: dict[tuple[str, str], int],
    out: _Findings,
) -> None:
    here: Path = ("applicants", i)
    cutoff = s.cutoff_date
    key = (a.id_type.value, a.id_number)
    if key in seen:
        out.error(
            (*here, "id_number"),
            f"the same person appears in applicants row {seen[key] + 1}; one "
            f"application per person per year, found {a.id_number!r} again",
        )
    seen.setdefault(key, i)
    # ID and credit-code check characters are checked by the models (docgen.models).
    if encoded := id_birth_and_sex(a.id_type, a.id_number):
        if encoded[0] != a.birth_date:
            out.error((*here, "birth_date"), f"the ID number says {encoded[0]}, found {a.birth_date}")
        if encoded[1] != a.sex.value:
            out.error((*here, "sex"), f"the ID number says {encoded[1]}, found {a.sex.value}")
    if warning := address_code_warning(a.id_type, a.id_number):
        out.warn((*here, "id_number"), warning)
    if a.applied.level not in s.committee.levels:
        allowed = ", ".join(lv.value for lv in s.committee.levels)
        out.error(
            (*here, "applied", "level"), f"the committee awards {allowed}, found {a.applied.level.value}"
        )
    if a.applied.series != s.committee.series:
        out.error(
            (*here, "applied", "series"),
            f"the committee reviews {s.committee.series}, found {a.applied.series}",
        )
    cast = a.vote.agree + a.vote.disagree + a.vote.abstain
    if cast > s.sitting.present:
        out.error(
            (*here, "vote"),
            f"at most {s.sitting.present} votes (one per attending member, no proxies), found {cast}",
        )
    if a.returns == 3:
        out.warn(
            (*here, "returns"),
            "returned for correction a third time: the application has ended and will not be issued",
        )
    _check_dates(s, here, a, cutoff, out)
    _check_publicity(a.publicity, (*here, "publicity"), calendar, out)
    if a.publicity.end >= s.sitting.start:
        out.error(
            (*here, "publicity", "end"),
            f"publicity at the employer ends before the review ({s.sitting.start}), found {a.publicity.end}",
        )


def _check_dates(s: ReviewSession, here: Path, a: Applicant, cutoff: dt.date, out: _Findings) -> None:
    title = a.current_title
    if title is not None and title.obtained_on > cutoff:
        out.error(
            (*here, "current_title", "obtained_on"),
            f"on or before the cut-off {cutoff}, found {title.obtained_on}",
        )
    for k, ach in enumerate(a.achievements):
        if title is not None and ach.date < title.obtained_on:
            out.error(
                (*here, "achievements", k, "date"),
                f"achievements must postdate the current title ({title.obtained_on}), found {ach.date}",
            )
        if ach.date > cutoff:
            out.error(
                (*here, "achievements", k, "date"), f"on or before the cut-off {cutoff}, found {ach.date}"
            )
    for k, w in enumerate(a.work_history):
        if w.start > cutoff:
            out.error(
                (*here, "work_history", k, "start"), f"work time is counted to {cutoff}, found {w.start}"
            )
        if w.end is not None and w.end < w.start:
            out.error((*here, "work_history", k, "end"), f"not before the start ({w.start}), found {w.end}")
    for k, e in enumerate(a.education):
        if e.graduated_on <= a.birth_date:
            out.error(
                (*here, "education", k, "graduated_on"), f"after the birth date, found {e.graduated_on}"
            )


def check_glyphs(session: ReviewSession, fonts_conf: "FsPath") -> list[Finding]:
    """Every character of every text value must be printable by an installed font."""
    out = _Findings()

    def walk(value: object, path: Path) -> None:
        if isinstance(value, str):
            missing = uncovered(value, fonts_conf)
            if missing:
                shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in missing)
                out.error(
                    path,
                    f"no installed font can print {shown}: it would vanish from the documents; "
                    "install a font that covers it (see templates/fonts.conf)",
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, key))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                walk(item, (*path, index))

    walk(session.model_dump(mode="json"), ())
    return out


def years_of_work(applicant: Applicant, cutoff: dt.date) -> float:
    """Years worked up to `cutoff` (overlapping records counted once)."""
    spans = sorted(
        (w.start, min(w.end or cutoff, cutoff)) for w in applicant.work_history if w.start <= cutoff
    )
    total, reach = 0, dt.date.min
    for start, end in spans:
        start = max(start, reach)
        if end > start:
            total += (end - start).days
            reach = end
    return round(total / 365.25, 1)
