"""What each template prints: plain dicts built from the session, one function per document.

Values are text (dates written the Chinese way), so templates need no logic beyond loops.
"""

import datetime as dt
from enum import StrEnum
from typing import Any

from docgen.chains import CHAIN_LEVELS
from docgen.identity import ID_TYPE_LABELS
from docgen.models import (
    ACHIEVEMENT_LABELS,
    REPORTING_CHAIN_LABELS,
    ROUTE_LABELS,
    AchievementCategory,
    Applicant,
    Level,
    Period,
    ReviewSession,
)
from docgen.opinions import BLANK_PLACE, presiding_line, report_signatory, written_date
from docgen.outcomes import Outcome, outcome, passed_vote
from docgen.rules import quorum_met
from docgen.workdays import WorkCalendar

PLEDGE = (
    "本人承诺：所填报的各项信息及提供的业绩成果等材料真实、准确、完整，均为本人取得现职称以来的成果；"
    "如有弄虚作假，自愿承担相应责任，接受取消评审资格、已取得职称予以撤销等处理。"
)


class Copy(StrEnum):
    """The two printed copies of a review form."""

    PERSONNEL_FILE = "personnel-file"
    UNIT_ARCHIVE = "unit-archive"


COPY_LABELS = {Copy.PERSONNEL_FILE: "人事档案", Copy.UNIT_ARCHIVE: "单位文书档案"}
COPY_LETTERS = {Copy.PERSONNEL_FILE: "P", Copy.UNIT_ARCHIVE: "U"}


def copy_label(copy: Copy, number: int) -> str:
    """P or U for the first copy; P2, U3… for replacements."""
    return COPY_LETTERS[copy] + (str(number) if number > 1 else "")


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def cn_month(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月"


def ceil_two_thirds(n: int) -> int:
    return -(-2 * n // 3)


def results_period(session: ReviewSession, calendar: WorkCalendar) -> Period:
    """The results publicity as given, or the earliest lawful one: 5 working days after the review."""
    if session.results_publicity is not None:
        return session.results_publicity
    start = calendar.nth_workday(session.sitting.end, 1, inclusive=False)
    return Period(start=start, end=calendar.nth_workday(start, 5, inclusive=True))


def _common(session: ReviewSession, a: Applicant) -> dict[str, Any]:
    edu = max(a.education, key=lambda e: e.graduated_on)
    title = a.current_title
    return {
        "year": session.sitting.start.year,
        "committee": session.committee.name,
        "name": a.name,
        "sex": a.sex.value,
        "birth": cn_month(a.birth_date),
        "work_start": cn_month(min(w.start for w in a.work_history)),
        "employer": a.employer_name,
        "education": f"{cn_month(edu.graduated_on)}毕业于{edu.school}{edu.major}专业，{edu.degree}",
        "current_title": f"{title.name}（{title.level.value}）" if title else "无",
        "current_obtained": f"{cn_month(title.obtained_on)}，{title.obtained_by}" if title else "—",
        "applied_series": f"{a.applied.series}／{a.applied.speciality}",
        "applied_title": f"{a.applied.title}（{a.applied.level.value}）",
        "route": ROUTE_LABELS[a.route],
        "pledge": PLEDGE,
    }


def _achievements(a: Applicant) -> list[Any]:
    order = list(AchievementCategory)
    return sorted(a.achievements, key=lambda x: (order.index(x.category), x.date))


def publicity_context(session: ReviewSession, a: Applicant, calendar: WorkCalendar) -> dict[str, Any]:
    """《重庆市职称申报综合情况（公示）表》: no ID number, phone of the applicant or address."""
    title = a.current_title
    in_title = round((session.cutoff_date - title.obtained_on).days / 365.25, 1) if title else None
    return {
        **_common(session, a),
        "years_in_title": f"{in_title}年（计算至{cn_date(session.cutoff_date)}）"
        if in_title is not None
        else "—",
        "assessments": "；".join(
            f"{x.year}年{x.result.value}" for x in sorted(a.assessments, key=lambda x: x.year)
        )
        or "—",
        "continuing": "；".join(
            f"{x.year}年{x.hours}学时" for x in sorted(a.continuing_education, key=lambda x: x.year)
        )
        or "—",
        "achievement_count": len(a.achievements),
        "achievements": [
            {
                "category": ACHIEVEMENT_LABELS[x.category],
                "title": x.title,
                "date": cn_month(x.date),
                "role": x.role,
            }
            for x in _achievements(a)
        ],
        "publicity_start": cn_date(a.publicity.start),
        "publicity_end": cn_date(a.publicity.end),
        "publicity_days": calendar.workdays_between(a.publicity.start, a.publicity.end),
        **_publicity_at(a),
    }


# The notice, item 四(二)3(1): the unit's own notice board; its office platform where it can.
UNIT_PUBLICITY_PLACE = "本单位公开场所集中公示；有条件的还应同时在单位办公平台公示。"
AGENCY_PUBLICITY_PLACE = "人事代理机构公开场所集中公示。"


def _publicity_at(a: Applicant) -> dict[str, Any]:
    """Where the publicity is posted and who takes complaints: the employer, then the chain's next
    level; a freelancer has no employer, so the HR agency (the first level) posts it and answers."""
    levels = CHAIN_LEVELS[a.reporting_chain]
    superior = {
        "name": a.superior.name,
        "contact": a.superior.contact,
        "phone": a.superior.phone,
    }
    if a.employer is None:
        contacts = [{"level": levels[0], **superior}]
        place = AGENCY_PUBLICITY_PLACE
    else:
        employer = {"name": a.employer.name, "contact": a.employer.contact, "phone": a.employer.phone}
        contacts = [{"level": levels[0], **employer}, {"level": levels[1], **superior}]
        place = UNIT_PUBLICITY_PLACE
    return {"contacts": contacts, "publicity_place": place, "first_level": levels[0]}


def _passed_rows(session: ReviewSession, applicants: list[Applicant]) -> list[dict[str, Any]]:
    return [
        {
            "index": i,
            "name": a.name,
            "employer": a.employer_name,
            "speciality": a.applied.speciality,
            "title": a.applied.title,
            "level": a.applied.level.value,
        }
        for i, a in enumerate(applicants, start=1)
    ]


def _passed_by_level(session: ReviewSession) -> list[tuple[Level, list[Applicant]]]:
    return _by_level([a for a in session.applicants if passed_vote(session, a)])


def _by_level(people: list[Applicant]) -> list[tuple[Level, list[Applicant]]]:
    groups = ((level, [a for a in people if a.applied.level is level]) for level in Level)
    return [(level, group) for level, group in groups if group]


def level_groups(session: ReviewSession, people: list[Applicant]) -> list[dict[str, Any]]:
    """`people` by level, top level first, as the lists print them: level, count and rows."""
    return [
        {"level": level.value, "count": len(group), "people": _passed_rows(session, group)}
        for level, group in _by_level(people)
    ]


def results_context(session: ReviewSession, calendar: WorkCalendar) -> dict[str, Any]:
    """评审结果公示: names, employers and titles only; no ID numbers or birth dates. It lists whoever
    passed the vote, as it was posted: an objection upheld during it does not unpublish anyone. A
    period not given is left blank to fill (check says what it would be), never printed as fact."""
    given = session.results_publicity
    start, end = (given.start, given.end) if given else (None, None)
    groups = _passed_by_level(session)
    everyone = [a for _, people in groups for a in people]
    c = session.committee
    levels = "、".join(level.value for level, _ in groups)
    preamble = (
        f"　　根据重庆市职称评审工作有关规定，经{c.name}评审，{everyone[0].name if everyone else ''}等"
        f"{len(everyone)}名同志通过{levels}职称评审，现将评审结果予以公示。"
    )
    return {
        "year": session.sitting.start.year,
        "series": c.series,
        "speciality": c.speciality,
        "preamble": preamble,
        "groups": level_groups(session, everyone),
        "start": written_date(start),
        "end": written_date(end),
        "days": calendar.workdays_between(given.start, given.end) if given else "不少于5",
        "organiser": c.organiser,
        "address": c.address,
        "phone": c.phone,
        "published_on": written_date(start),
    }


def report_context(session: ReviewSession, calendar: WorkCalendar) -> dict[str, Any]:
    """《评审情况报告》, due within 5 working days of the review: each application counted under its
    true outcome. 受理 leaves out the not accepted and those deemed withdrawn (视为放弃申报); a pass is
    the vote's (an objection upheld during the results publicity comes after the review it reports on)."""
    c, s = session.committee, session.sitting
    due = calendar.nth_workday(s.end, 5, inclusive=False)
    outcomes = [outcome(session, a) for a in session.applicants]
    levels: list[dict[str, Any]] = []
    for level in c.levels:
        group = [o for a, o in zip(session.applicants, outcomes, strict=True) if a.applied.level is level]
        not_accepted = group.count(Outcome.NOT_ACCEPTED)
        withdrawn = group.count(Outcome.WITHDRAWN_DEEMED)  # neither refused nor accepted
        terminated = group.count(Outcome.TERMINATED)
        reviewed = len(group) - not_accepted - withdrawn - terminated
        passed = group.count(Outcome.PASSED) + group.count(Outcome.OBJECTION_UPHELD)
        levels.append(
            {
                "level": level.value,
                "received": len(group),
                "not_accepted": not_accepted,
                "withdrawn": withdrawn,
                "accepted": len(group) - not_accepted - withdrawn,
                "returned": sum(a.returns for a in session.applicants if a.applied.level is level),
                "terminated": terminated,
                "reviewed": reviewed,
                "passed": passed,
                "failed": reviewed - passed,
                "rate": f"{100 * passed / reviewed:.1f}%" if reviewed else "—",
            }
        )
    totals = {
        k: sum(int(r[k]) for r in levels)
        for k in (
            "received",
            "not_accepted",
            "withdrawn",
            "accepted",
            "returned",
            "terminated",
            "reviewed",
            "passed",
            "failed",
        )
    }
    levels.append(
        {
            "level": "合计",
            **totals,
            "rate": f"{100 * totals['passed'] / totals['reviewed']:.1f}%" if totals["reviewed"] else "—",
        }
    )
    passed_people = [a for _, people in _passed_by_level(session) for a in people]
    draw = f"按照超员配置、随机抽评的原则，从{s.expert_pool}名专家中随机抽取评委。" if s.expert_pool else ""
    return {
        "committee": c.name,
        "sitting_dates": date_span(s.start, s.end),
        "location": s.location or BLANK_PLACE,
        "draw": draw,
        "members": c.members,
        "present": s.present,
        "quorum_min": ceil_two_thirds(c.members),
        "quorum_text": "符合规定" if quorum_met(members=c.members, present=s.present) else "不符合规定",
        **totals,
        "terminated_count": totals["terminated"],
        "levels": levels,
        "terminated": _ended(session, outcomes, Outcome.TERMINATED),
        "not_accepted_names": _ended(session, outcomes, Outcome.NOT_ACCEPTED),
        "withdrawn_names": _ended(session, outcomes, Outcome.WITHDRAWN_DEEMED),
        "people": _passed_rows(session, passed_people),
        "due": cn_date(due),
        "submitted_on": written_date(session.report_submitted_on),
        "organiser": c.organiser,
        "signatory": report_signatory(s.presiding),
    }


def _ended(session: ReviewSession, outcomes: list[Outcome], which: Outcome) -> str:
    """The names of the applications that ended so, each with its recorded reason."""
    return "、".join(
        a.name + (f"（{a.ending.reason}）" if a.ending is not None else "")
        for a, o in zip(session.applicants, outcomes, strict=True)
        if o is which
    )


def date_span(start: dt.date, end: dt.date) -> str:
    return cn_date(start) if start == end else f"{cn_date(start)}至{cn_date(end)}"


def review_form_context(session: ReviewSession, a: Applicant, *, form_no: str, copy: Copy) -> dict[str, Any]:
    """职称评审表: every section, the opinion boxes of the reporting chain, and the result page. What
    the session does not say (the unit's opinion, the experts', the day it was filled in, who
    presided) is left blank to fill by hand."""
    c, s, ap = session.committee, session.sitting, session.approval
    title = a.current_title
    groups = []
    for category in AchievementCategory:
        items = [x for x in _achievements(a) if x.category is category]
        if items:
            groups.append(
                {
                    "label": ACHIEVEMENT_LABELS[category],
                    "count": len(items),
                    "entries": [
                        {
                            "index": i,
                            "title": x.title,
                            "date": cn_month(x.date),
                            "role": x.role,
                            "detail": x.detail,
                        }
                        for i, x in enumerate(items, start=1)
                    ],
                }
            )
    assessments = {x.year: x.result.value for x in a.assessments}
    hours = {x.year: x.hours for x in a.continuing_education}
    boxes = [
        {"title": f"{level}意见", "text": a.unit_opinion if level == "所在单位" else "审核意见："}
        for level in CHAIN_LEVELS[a.reporting_chain]
    ]
    if a.vote is None:
        raise ValueError(f"{a.name} has no vote: a review form is made for a reviewed applicant")
    vote, passed = a.vote, passed_vote(session, a)
    return {
        **_common(session, a),
        "form_no": form_no,
        "copy_label": COPY_LABELS[copy],
        "filled_on": written_date(a.form_filled_on),
        "id_type": ID_TYPE_LABELS[a.id_type],
        "id_number": a.id_number,
        "employer_code": a.employer.credit_code if a.employer else "—",
        "chain": REPORTING_CHAIN_LABELS[a.reporting_chain],
        "education": [
            {
                "graduated_on": cn_month(e.graduated_on),
                "school": e.school,
                "major": e.major,
                "degree": e.degree,
            }
            for e in sorted(a.education, key=lambda e: e.graduated_on)
        ],
        "work_history": [
            {
                "period": f"{cn_month(w.start)}—{cn_month(w.end) if w.end else '至今'}",
                "employer": w.employer,
                "position": w.position,
            }
            for w in sorted(a.work_history, key=lambda w: w.start)
        ],
        "qualification": (
            f"现职称：{title.name}（{title.level.value}），{cn_date(title.obtained_on)}通过{title.obtained_by}取得。"
            if title
            else "未取得专业技术职称。"
        ),
        "achievement_groups": groups,
        "summary": a.summary or "（未填写）",
        "years": [
            {"year": y, "result": assessments.get(y, "—"), "hours": hours.get(y, "—")}
            for y in sorted(set(assessments) | set(hours))
        ],
        "opinion_boxes": boxes,
        "sitting_dates": date_span(s.start, s.end),
        "members": c.members,
        "present": s.present,
        "agree": vote.agree,
        "disagree": vote.disagree,
        "abstain": vote.abstain,
        "rule": f"出席不少于{ceil_two_thirds(c.members)}人；同意不少于{ceil_two_thirds(s.present)}票",
        "conclusion": "通过" if passed else "未通过",
        "committee_opinion": (
            f"本次评审应到评委{c.members}人，实到{s.present}人，符合出席人数不少于2/3的规定；"
            f"经无记名投票，同意{vote.agree}票，不同意{vote.disagree}票，弃权{vote.abstain}票，"
            + (
                f"同意票达到出席评委的2/3以上，评审通过{a.applied.title}资格。"
                if passed
                else "同意票未达到出席评委的2/3，评审未通过。"
            )
        ),
        "expert_opinion": a.expert_opinion,
        "presiding": presiding_line(s.presiding),
        "passed_on": cn_date(s.end),
        "approval_text": f"经审核，确认{a.name}同志具备{a.applied.title}（{a.applied.level.value}）资格。",
        "approval_no": ap.document_no,
        "approved_on": cn_date(ap.date),
    }
