"""The committee's documents after the results publicity, and their rules (the notice, item 四(三)3):
the draft confirmation notice (代拟职称资格确认通知) it sends 市职改办 for the confirmed passes, and
the result letter (评审结果函复) it sends each unit that delegated a review (委托评审, item 四(一)5).

"公示结束后15个工作日内，对经公示无异议或查无实据的评审通过人员，将代拟的职称资格确认通知报市职改办确认印发。
属委托评审的，向委托单位出具评审结果通知或函复评审结果。" A delegated pass is therefore not on the draft
notice: the entrusting unit, not the authority, confirms it (docs/domain.md, "Delegated reviews").
"""

import datetime as dt
from typing import Any

from docgen.context import cn_date, date_span, level_groups, results_period
from docgen.findings import Findings
from docgen.models import Applicant, Level, ReportingChain, ReviewSession
from docgen.opinions import written_date
from docgen.outcomes import OUTCOME_NAMES, Outcome, awarded, outcome
from docgen.workdays import WorkCalendar

DRAFT_NOTICE_DUE_WORKDAYS = 15
"""公示结束后15个工作日内: the draft notice goes to the authority within these working days."""


RESULT_WORDS: dict[Outcome, str] = {
    **OUTCOME_NAMES,
    Outcome.OBJECTION_UPHELD: "评审通过，结果公示期间异议经查属实",  # the unit hears the pass, then why not
}
"""Each outcome as a result letter reports it to the entrusting unit."""


def _who(people: list[Applicant]) -> str:
    """`张三同志`, `张三等4名同志`."""
    if not people:
        return "0名同志"
    return f"{people[0].name}等{len(people)}名同志" if len(people) > 1 else f"{people[0].name}同志"


def confirmed(session: ReviewSession) -> list[Applicant]:
    """Who the draft notice lists, by level as it lists them: passed, no objection upheld, not a
    delegated review."""
    return [
        a for level in Level for a in session.applicants if a.applied.level is level and awarded(session, a)
    ]


def delegated_passes(session: ReviewSession) -> int:
    """How many passed as delegated reviews: answered by a result letter, not on the draft notice."""
    return sum(
        1 for a in session.applicants if a.delegation is not None and outcome(session, a) is Outcome.PASSED
    )


def delegation_rows(session: ReviewSession) -> list[int]:
    """The row (from 0) of the first delegated applicant of each entrusting unit, in order: one
    result letter per unit, planned under that row."""
    seen: dict[str, int] = {}
    for i, a in enumerate(session.applicants):
        if a.delegation is not None:
            seen.setdefault(a.delegation.unit, i)
    return list(seen.values())


def signed_on(session: ReviewSession) -> str:
    """The day the draft notice is submitted (and the result letters sent, the same step of item
    四(三)3), or a blank line to fill by hand: never a default dressed as fact."""
    return written_date(session.draft_notice_submitted_on)


def _publicity(session: ReviewSession, calendar: WorkCalendar) -> str:
    """The results publicity as the results list prints it: as given, else blank dates to fill
    (the 15 working days are still counted from the computed one by `check_notices`)."""
    given = session.results_publicity
    if given is None:
        return f"{written_date(None)}至{written_date(None)}公示（不少于5个工作日）"
    days = calendar.workdays_between(given.start, given.end)
    return f"{cn_date(given.start)}至{cn_date(given.end)}公示（{days}个工作日）"


def draft_notice_context(session: ReviewSession, calendar: WorkCalendar) -> dict[str, Any]:
    """代拟职称资格确认通知: the confirmed passes by level, submitted to the authority for confirmation."""
    c, s = session.committee, session.sitting
    people = confirmed(session)
    delegated = delegated_passes(session)
    who = _who(people)
    return {
        "title": f"关于确认{who}具备{c.series}{c.speciality}专业职称资格的通知（代拟稿）",
        "authority": session.approval.authority,
        "committee": c.name,
        "body": (
            f"　　{c.name}于{date_span(s.start, s.end)}召开评审会议，"
            f"评审结果于{_publicity(session, calendar)}。"
            f"经公示无异议或查无实据，{who}评审通过相应专业技术职称资格（名单附后）。"
            "现将代拟的职称资格确认通知报上，请予确认印发。"
        ),
        "count": len(people),
        "groups": level_groups(session, people),
        "delegated_note": (
            f"　　另有委托评审通过人员{delegated}名，评审结果已函复委托单位，不列入本通知。"
            if delegated
            else ""
        ),
        "due": f"（{cn_date(due_date(session, calendar))}前）" if session.results_publicity else "",
        "submitted_on": signed_on(session),
    }


def result_letter_context(session: ReviewSession, row: int, calendar: WorkCalendar) -> dict[str, Any]:
    """评审结果函复 to the entrusting unit of the delegated applicant in `row` (from 0): the result of
    every applicant that unit delegated, passed or not, since the letter answers its 委托评审函."""
    lead = session.applicants[row].delegation
    if lead is None:
        raise ValueError(f"applicants row {row + 1} has no delegation: a result letter answers one")
    c, s = session.committee, session.sitting
    people = [a for a in session.applicants if a.delegation is not None and a.delegation.unit == lead.unit]
    letters = list(dict.fromkeys(f"{a.delegation.letter_no}" for a in people if a.delegation))
    results = [outcome(session, a) for a in people]
    passed = results.count(Outcome.PASSED)
    rows = []
    for i, (a, result) in enumerate(zip(people, results, strict=True), start=1):
        why = f"（{a.ending.reason}）" if a.ending is not None and result is not Outcome.PASSED else ""
        rows.append(
            {
                "index": i,
                "name": a.name,
                "employer": a.employer_name,
                "letter": a.delegation.letter_no if a.delegation else "",
                "title": f"{a.applied.title}（{a.applied.level.value}）",
                "result": RESULT_WORDS[result] + why,
            }
        )
    return {
        "title": f"关于{lead.unit}委托评审人员职称评审结果的函",
        "unit": lead.unit,
        "committee": c.name,
        "body": (
            f"　　你单位《委托评审函》（{'、'.join(letters)}）收悉。受你单位委托，{c.name}于"
            f"{date_span(s.start, s.end)}对{_who(people)}"
            f"进行了{c.series}{c.speciality}专业职称评审，评审结果于{_publicity(session, calendar)}。"
            "现将评审结果函复如下："
        ),
        "people": rows,
        "closing": "　　评审通过人员的职称资格，请你单位按职称管理权限予以确认。" if passed else "",
        "sent_on": signed_on(session),
    }


def check_notices(session: ReviewSession, calendar: WorkCalendar, out: Findings) -> None:
    """Every chain-5 applicant holds a 委托评审函 and no other does; the draft notice goes within 15
    working days after the results publicity (as given, or as computed), and before the approval."""
    start = session.sitting.start
    for i, a in enumerate(session.applicants):
        here = ("applicants", i, "delegation")
        central = a.reporting_chain is ReportingChain.CENTRAL_OR_EXTERNAL
        if central and a.delegation is None:
            out.error(
                (*here, "unit"),
                "央企或市外单位驻渝人员 apply holding a 委托评审函 from a superior with title-review "
                "authority (the notice, item 四(一)5): record the delegation (委托单位, 委托评审函文号, "
                "委托评审函日期), found none",
            )
        elif not central and a.delegation is not None:
            out.error(
                (*here, "unit"),
                "a 委托评审函 comes with reporting chain central_or_external (央企或市外单位驻渝, the "
                f"notice, item 四(一)5), found one with reporting chain {a.reporting_chain.value}: "
                "remove the delegation, or correct the reporting chain",
            )
        if a.delegation is not None and a.delegation.letter_date > start:
            out.error(
                (*here, "letter_date"),
                f"the 委托评审函 is held when applying, before the review ({start}), found "
                f"{a.delegation.letter_date}",
            )
    _check_draft_notice(session, calendar, out)


def _check_draft_notice(session: ReviewSession, calendar: WorkCalendar, out: Findings) -> None:
    day = session.draft_notice_submitted_on
    if day is None:
        return
    period = results_period(session, calendar)
    given = session.results_publicity is not None
    which = (
        f"the results publicity ends {period.end}"
        if given
        else f"the results publicity is not given: the computed one, {period.start} to {period.end}, counts"
    )
    due = due_date(session, calendar)
    if day <= period.end:
        out.error(
            ("draft_notice_submitted_on",),
            f"the draft confirmation notice goes to the authority after the results publicity ({which}), "
            f"found {day}",
        )
    elif day > due:
        out.error(
            ("draft_notice_submitted_on",),
            f"公示结束后{DRAFT_NOTICE_DUE_WORKDAYS}个工作日内 (the notice, item 四(三)3): the draft "
            f"confirmation notice is due within {DRAFT_NOTICE_DUE_WORKDAYS} working days after the results "
            f"publicity ({which}), by {due}, found {day}",
        )
    if session.approval.date < day:
        out.error(
            ("approval", "date"),
            f"the authority confirms the draft confirmation notice submitted on {day}: the confirmation "
            f"cannot precede it, found {session.approval.date}",
        )


def due_date(session: ReviewSession, calendar: WorkCalendar) -> dt.date:
    """The last day the draft notice may be submitted."""
    return calendar.nth_workday(
        results_period(session, calendar).end, DRAFT_NOTICE_DUE_WORKDAYS, inclusive=False
    )
