"""The notice's rules over a whole session, checked before anything is issued.

Each finding carries the path of the value it is about (as in the JSON document), so the loader
can name the sheet or JSON path, the row and the field.
"""

import datetime as dt
import itertools
from collections.abc import Callable
from pathlib import Path as FsPath

from docgen.chains import CHAIN_NAMES
from docgen.errors import CalendarError
from docgen.findings import Finding, Path, Severity
from docgen.findings import Findings as _Findings
from docgen.glyphs import uncovered
from docgen.identity import address_code_warning, id_birth_and_sex
from docgen.models import Applicant, ReportingChain, ReviewSession
from docgen.notices import DRAFT_NOTICE_DUE_WORKDAYS, check_notices, due_date
from docgen.opinions import written_date
from docgen.outcomes import check_outcome
from docgen.periods import check_publicity, computed_results_period
from docgen.rules import quorum_met
from docgen.schedule import check_timetable
from docgen.workdays import HOW_TO_ADD_A_YEAR, WorkCalendar, filing_deadline

__all__ = ["Finding", "Severity", "check_glyphs", "check_session", "years_of_work"]

REPORT_DUE_WORKDAYS = 5
CALENDAR_MARGIN_DAYS = 60
"""A session whose dates come this close to a year the calendar lacks is warned about."""


def check_session(session: ReviewSession, calendar: WorkCalendar) -> list[Finding]:
    """Every rule of the notice that the data can break, in document order."""
    out = _Findings()
    covered = _check_calendar(session, calendar, out)
    # Where the calendar ends, the day-counting rules stop; _check_calendar said which field.
    try:
        _check_session_level(session, calendar, out)
        check_notices(session, calendar, out)  # the delegations and the draft notice's 15 working days
    except CalendarError as e:
        if covered:
            out.error((), str(e))
    check_timetable(session, calendar, out)
    seen: dict[tuple[str, str], int] = {}
    for index, applicant in enumerate(session.applicants):
        try:
            _check_applicant(session, index, applicant, calendar, seen, out)
        except CalendarError as e:
            if covered:
                out.error(("applicants", index), str(e))
    return out


def _check_calendar(s: ReviewSession, calendar: WorkCalendar, out: _Findings) -> bool:
    """Every date the documents print or count from, computed defaults included, lies in a year
    the working-day calendar covers; a warning when the latest comes within CALENDAR_MARGIN_DAYS
    of a year it does not. Returns whether all are covered."""
    from docgen.context import results_period  # the documents' own default, not a copy

    sit, ap, rp = s.sitting, s.approval, s.results_publicity
    reached: list[tuple[Path, str, dt.date]] = []
    covered = True

    def reach(
        path: Path, what: str, start: dt.date, dates: Callable[[], tuple[dt.date, ...]] | tuple[dt.date, ...]
    ) -> None:
        """`dates` (given, or counted in working days from `start` onwards): record them, or report
        the first year on the way that the calendar lacks."""
        nonlocal covered
        try:
            found = dates if isinstance(dates, tuple) else dates()
            missing = next(
                (y for y in range(start.year, max(found).year + 1) if not calendar.covers(y)), None
            )
        except CalendarError:
            missing = next(y for y in itertools.count(start.year) if not calendar.covers(y))
        if missing is None:
            reached.append((path, what, max(found)))
            return
        covered = False
        out.error(
            path,
            f"{what} reaches {missing}, a year the working-day calendar does not cover; "
            f"{HOW_TO_ADD_A_YEAR.format(year=missing)}",
        )

    review = f"the review ending {sit.end}"
    reach(
        ("sitting",), f"the review {sit.start} to {sit.end} (given)", sit.start, lambda: (sit.start, sit.end)
    )
    reach(
        ("report_submitted_on",),
        "the situation report's due date (a computed default: "
        f"{REPORT_DUE_WORKDAYS} working days after {review})",
        sit.end,
        lambda: (calendar.nth_workday(sit.end, REPORT_DUE_WORKDAYS, inclusive=False),),
    )
    if rp is None:
        what = f"the results publicity (not given, so a computed default: 5 working days after {review})"
    else:
        what = f"the results publicity {rp.start} to {rp.end} (given)"
    first = min(sit.end, rp.start) if rp is not None else sit.end
    reach(("results_publicity",), what, first, lambda: (results_period(s, calendar).end,))
    reach(
        ("draft_notice_submitted_on",),
        f"the draft confirmation notice's due date (a computed default: {DRAFT_NOTICE_DUE_WORKDAYS} "
        "working days after the results publicity ends)",
        sit.end,
        lambda: (due_date(s, calendar),),
    )
    reach(
        ("approval", "date"),
        "the review forms' filing deadline (a computed default: one month after the confirmation "
        f"on {ap.date})",
        ap.date,
        lambda: (filing_deadline(ap.date, calendar),),
    )
    for i, a in enumerate(s.applicants):
        p = a.publicity
        reach(
            ("applicants", i, "publicity"),
            f"the publicity {p.start} to {p.end} (given)",
            p.start,
            (p.start, p.end),
        )
    if covered and reached:
        path, what, latest = max(reached, key=lambda r: r[2])
        horizon = latest + dt.timedelta(days=CALENDAR_MARGIN_DAYS)
        near = next((y for y in range(latest.year + 1, horizon.year + 1) if not calendar.covers(y)), None)
        if near is not None:
            out.warn(
                path,
                f"{what} is {latest}, within {CALENDAR_MARGIN_DAYS} days of {near}, a year the "
                f"working-day calendar does not cover yet: once {near}'s holidays are announced, "
                f"{HOW_TO_ADD_A_YEAR.format(year=near)}",
            )
    return covered


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
    if sit.expert_pool is None:
        out.warn(
            ("sitting", "expert_pool"),
            "not given: the members are drawn at random from a larger expert pool (超员配置，随机抽评, "
            "the notice, item 四(三)1); record its size, and the situation report says so",
        )
    elif sit.expert_pool <= c.members:
        out.error(
            ("sitting", "expert_pool"),
            f"超员配置，随机抽评 (the notice, item 四(三)1): the committee's {c.members} members are "
            f"drawn at random from a larger pool, so more than {c.members} experts, found {sit.expert_pool}",
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
    if s.results_publicity is None:
        computed_results_period(s, calendar, out)
    else:
        rp = s.results_publicity
        if rp.start <= sit.end:
            out.error(
                ("results_publicity", "start"),
                f"results publicity starts after the review ({sit.end}), found {rp.start}",
            )
        check_publicity(rp, ("results_publicity",), calendar, out)
        if ap.date <= rp.end:
            out.error(
                ("approval", "date"),
                f"confirmation follows the results publicity (ends {rp.end}), found {ap.date}",
            )


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
    _check_employer(here, a, out)
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
    cast = a.vote.agree + a.vote.disagree + a.vote.abstain if a.vote is not None else 0
    if cast > s.sitting.present:
        out.error(
            (*here, "vote"),
            f"at most {s.sitting.present} votes (one per attending member, no proxies), found {cast}",
        )
    check_outcome(s, here, a, out)
    if a.unit_opinion and a.reporting_chain is ReportingChain.FREELANCER:
        out.warn((*here, "unit_opinion"), "自由职业者的申报程序没有所在单位意见栏：所在单位意见不会打印")
    if a.form_filled_on is not None and a.form_filled_on >= s.sitting.start:
        out.warn(
            (*here, "form_filled_on"),
            f"评审表在申报时填写，填表日期应早于评审（{written_date(s.sitting.start)}），"
            f"填写的是{written_date(a.form_filled_on)}",
        )
    _check_dates(s, here, a, cutoff, out)
    check_publicity(a.publicity, (*here, "publicity"), calendar, out)
    if a.publicity.end >= s.sitting.start:
        out.error(
            (*here, "publicity", "end"),
            f"publicity at the employer ends before the review ({s.sitting.start}), found {a.publicity.end}",
        )


def _check_employer(here: Path, a: Applicant, out: _Findings) -> None:
    """A freelancer has no employer (the notice, item 四(一)4); everyone else has one."""
    freelancer = a.reporting_chain is ReportingChain.FREELANCER
    if freelancer and a.employer is not None:
        out.error(
            (*here, "employer"),
            "a freelancer (自由职业者, the notice, item 四(一)4) has no employer and reports through an "
            "HR agency: leave the employer empty, or choose the reporting chain of someone employed, "
            f"found {a.employer.name}",
        )
    elif not freelancer and a.employer is None:
        out.error(
            (*here, "employer"),
            f"required: the reporting chain {CHAIN_NAMES[a.reporting_chain]} goes through the employer "
            "(所在单位); only a freelancer (自由职业者) has none, found none",
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
