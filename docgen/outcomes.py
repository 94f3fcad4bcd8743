"""How an application ends: passed or failed by the vote, or ended otherwise (评审终止, 不予受理,
视为放弃申报, 公示异议属实); the review fee each level pays; and the notice's rules on both.

The notice, items 四(二)3(1), 四(二)3(4), 四(三)1–3 and 六(五); docs/domain.md, "How an application ends".
"""

from collections.abc import Mapping
from enum import StrEnum
from itertools import groupby
from types import MappingProxyType

from docgen.findings import Findings, Path
from docgen.models import ENDING_LABELS, Applicant, Ending, EndingKind, Level, ReviewSession, Route
from docgen.rules import vote_passes


class Outcome(StrEnum):
    """Where an application ended up; only PASSED is issued a certificate and review forms."""

    PASSED = "passed"
    """Passed the vote, and no objection was found true: confirmed."""
    FAILED = "failed"
    """Reviewed, and fewer than 2/3 of the attending members agreed."""
    TERMINATED = "terminated"
    NOT_ACCEPTED = "not_accepted"
    WITHDRAWN_DEEMED = "withdrawn_deemed"
    """视为放弃申报: a correction not sent back in time; never reviewed."""
    OBJECTION_UPHELD = "objection_upheld"
    """Passed the vote and was published, then an objection was found true."""


OUTCOME_WORDS: Mapping[Outcome, str] = MappingProxyType(
    {
        Outcome.PASSED: "passed",
        Outcome.FAILED: "failed the vote",
        Outcome.TERMINATED: "review terminated (评审终止)",
        Outcome.NOT_ACCEPTED: "not accepted (不予受理)",
        Outcome.WITHDRAWN_DEEMED: "deemed withdrawn (视为放弃申报)",
        Outcome.OBJECTION_UPHELD: "objection upheld during the results publicity (公示异议属实)",
    }
)
"""Each outcome as the command line says it."""
OUTCOME_NAMES: Mapping[Outcome, str] = MappingProxyType(
    {
        Outcome.PASSED: "评审通过",
        Outcome.FAILED: "评审未通过",
        **{Outcome(kind.value): label for kind, label in ENDING_LABELS.items()},
    }
)
"""Each outcome in Chinese, as the documents and the office's messages name it."""

REVIEW_FEES: Mapping[Level, int] = MappingProxyType(
    {
        Level.FULL_SENIOR: 420,
        Level.SENIOR: 420,
        Level.INTERMEDIATE: 240,
        Level.ASSISTANT: 120,
        Level.JUNIOR: 120,
    }
)
"""评审费 in yuan per applicant by the level applied for: 高级 (正高级, 副高级) 420, 中级 240, 初级
(助理级, 员级) 120 (the notice, item 六(五))."""

_NOT_REVIEWED = (Outcome.TERMINATED, Outcome.NOT_ACCEPTED, Outcome.WITHDRAWN_DEEMED)
_BEFORE_THE_VOTE = "评审终止, 不予受理 or 视为放弃申报"
"""The endings of an application that was not reviewed, as messages list them."""
_NEVER_REVIEWED = {
    EndingKind.NOT_ACCEPTED: "not accepted (不予受理)",
    EndingKind.WITHDRAWN_DEEMED: "deemed withdrawn (视为放弃申报)",
}
"""Endings decided while the application is audited, before the committee sees it."""


def fee_note() -> str:
    """The fee table as one line of Chinese, for the workbook's notes."""
    by_fee = groupby(REVIEW_FEES.items(), key=lambda item: item[1])
    return "；".join("、".join(lv.value for lv, _ in levels) + f"{fee}元/人" for fee, levels in by_fee)


def outcome(session: ReviewSession, a: Applicant) -> Outcome:
    """The application's true outcome. A third return without its recorded ending counts as not
    accepted (the check refuses such a session)."""
    kind = a.ending.kind if a.ending is not None else None
    if kind is EndingKind.TERMINATED:
        return Outcome.TERMINATED
    if kind is EndingKind.NOT_ACCEPTED or a.returns >= 3:
        return Outcome.NOT_ACCEPTED
    if kind is EndingKind.WITHDRAWN_DEEMED:
        return Outcome.WITHDRAWN_DEEMED
    if a.vote is None or not vote_passes(agree=a.vote.agree, present=session.sitting.present):
        return Outcome.FAILED
    return Outcome.OBJECTION_UPHELD if kind is EndingKind.OBJECTION_UPHELD else Outcome.PASSED


def passed_vote(session: ReviewSession, a: Applicant) -> bool:
    """Reviewed and passed the vote: on the results publicity and in the report's passes."""
    return outcome(session, a) in (Outcome.PASSED, Outcome.OBJECTION_UPHELD)


def awarded(session: ReviewSession, a: Applicant) -> bool:
    """Put up for the authority's confirmation and confirmed: on the draft confirmation notice, and
    a certificate and review forms are issued. A delegated review's pass is not: the entrusting
    unit confirms it (docs/domain.md, "Delegated reviews")."""
    return outcome(session, a) is Outcome.PASSED and a.delegation is None


def review_year(session: ReviewSession) -> int:
    """The year an application is counted in for "one a year": the sitting's (it starts the review)."""
    return session.sitting.start.year


def normal_channel(a: Applicant) -> bool:
    """Whether the application went through the normal channel (正常申报渠道), of which the notice
    allows one a year (item 四(二)2): every route but 绿色通道. Aid, rural revitalisation, high-skill
    bridging and qualification correspondence relax the conditions of a normal application ("仍可通过
    正常通道申报", item 二(六)); they are no channel of their own (docs/domain.md, "One application a
    year")."""
    return a.route is not Route.GREEN_CHANNEL


def uses_the_years_application(session: ReviewSession, a: Applicant) -> bool:
    """Whether this application counts against the person's one normal-channel application of the
    year: a normal-channel one whatever its outcome (a failed applicant applied too), a green-channel
    one only if it passed ("'绿色通道'评定未通过的除外")."""
    return normal_channel(a) or awarded(session, a)


def not_issued_because(session: ReviewSession, a: Applicant) -> str | None:
    """Why an applicant gets no certificate, in a few words; None when one is issued."""
    result = outcome(session, a)
    if result is Outcome.PASSED:
        if a.delegation is None:
            return None
        return (
            f"passed a delegated review (委托评审) for {a.delegation.unit}: the result letter "
            "(评审结果函复) goes to that unit, which confirms the title, so no certificate or review "
            "form is issued"
        )
    if result is Outcome.FAILED:
        agreed = a.vote.agree if a.vote is not None else 0
        return f"not passed ({agreed} of {session.sitting.present} agreed, 2/3 needed)"
    if a.ending is None:  # a third return, its ending not recorded
        return f"{OUTCOME_WORDS[result]} after a third return for correction"
    return f"{OUTCOME_WORDS[result]} on {a.ending.decided_on}: {a.ending.reason}"


def check_outcome(s: ReviewSession, here: Path, a: Applicant, out: Findings) -> None:
    """The ending, the vote and the fee of one applicant agree with each other and with the notice."""
    ending = a.ending
    kind = ending.kind if ending is not None else None
    if a.returns == 3 and kind is not EndingKind.NOT_ACCEPTED:
        found = f"found {kind.value} ({ENDING_LABELS[kind]})" if kind is not None else "found no ending"
        out.error(
            (*here, "ending", "kind") if kind is not None else (*here, "returns"),
            "still failing when submitted a third time after a return for correction is 不予受理 "
            "(the notice, item 四(二)3(4)): record the ending not_accepted (不予受理) with the day "
            f"and the reason, {found}",
        )
    _check_vote(s, here, a, out)
    if ending is not None:
        _check_ending_day(s, here, a, ending, out)
    if outcome(s, a) not in _NOT_REVIEWED:  # a third return counts, its ending said missing above
        _check_fee(s, here, a, out)


def _check_vote(s: ReviewSession, here: Path, a: Applicant, out: Findings) -> None:
    kind = a.ending.kind if a.ending is not None else None
    present = s.sitting.present
    if a.vote is None:
        if kind is EndingKind.OBJECTION_UPHELD:
            out.error(
                (*here, "vote"),
                "an objection upheld during the results publicity (公示异议属实) is about an applicant "
                "who passed the vote: record the vote, found none",
            )
        elif outcome(s, a) not in _NOT_REVIEWED:
            out.error(
                (*here, "vote"),
                "required: the committee's vote, found none; an application that ended before the "
                f"vote records its ending ({_BEFORE_THE_VOTE}) instead",
            )
    elif kind is not None and kind in _NEVER_REVIEWED:
        out.error(
            (*here, "vote"),
            f"an application {_NEVER_REVIEWED[kind]} never reaches the review, found a vote: remove "
            "it, or the ending if the committee did review the application",
        )
    elif kind is EndingKind.TERMINATED and a.ending is not None:
        out.warn(
            (*here, "vote"),
            f"the review was terminated (评审终止) on {a.ending.decided_on}: this vote is not "
            "counted and nothing is issued",
        )
    elif (
        kind is EndingKind.OBJECTION_UPHELD
        and present <= s.committee.members  # else the attendance itself is the error
        and not vote_passes(agree=a.vote.agree, present=present)
    ):
        out.error(
            (*here, "ending", "kind"),
            "an objection upheld during the results publicity (公示异议属实) is about an applicant "
            f"who passed the vote and was published, found {a.vote.agree} of {present} agreeing "
            f"({-(-2 * present // 3)} needed)",
        )


def _check_ending_day(s: ReviewSession, here: Path, a: Applicant, ending: Ending, out: Findings) -> None:
    day, sitting, rp = ending.decided_on, s.sitting, s.results_publicity
    where = (*here, "ending", "decided_on")
    if ending.kind is EndingKind.NOT_ACCEPTED:
        if day >= sitting.start:
            out.error(
                where,
                f"不予受理 is decided by the committee's acceptance audit, before the review "
                f"({sitting.start}), found {day}",
            )
        elif day <= a.publicity.end:
            out.error(
                where,
                f"the committee receives the application after the publicity at the employer "
                f"(ends {a.publicity.end}), found {day}",
            )
    elif ending.kind is EndingKind.WITHDRAWN_DEEMED:
        if day >= sitting.start:
            out.error(
                where,
                "视为放弃申报 is decided while the application is audited, when a correction is not "
                f"sent back in time, before the review ({sitting.start}), found {day}",
            )
    elif ending.kind is EndingKind.TERMINATED:
        if day > max(sitting.start, sitting.end):  # a meeting ending before it starts is its own error
            out.error(
                where,
                f"评审终止 is decided before or during the review (ends {sitting.end}), found {day}; "
                "an objection found true during the results publicity is objection_upheld (公示异议属实)",
            )
    elif rp is not None and day < rp.start:
        out.error(
            where, f"an objection is raised during the results publicity (from {rp.start}), found {day}"
        )
    elif rp is None and day <= sitting.end:
        out.error(
            where,
            f"an objection is raised during the results publicity, after the review (ends {sitting.end}), "
            f"found {day}",
        )
    elif s.approval.date >= sitting.end and day > s.approval.date:  # else the approval date is wrong
        out.error(
            where,
            f"an objection is settled before the confirmation ({s.approval.date}) lists who passed, "
            f"found {day}; a certificate already issued is revoked (`titlecert revoke`)",
        )


def _check_fee(s: ReviewSession, here: Path, a: Applicant, out: Findings) -> None:
    level = a.applied.level
    start = s.sitting.start
    if a.fee_paid_on is None:
        out.error(
            (*here, "fee_paid_on"),
            f"未完成缴费不能参加评审 (the notice, item 六(五)): the review fee of {REVIEW_FEES[level]} "
            f"yuan ({level.value}) must be paid before the review, found no payment; record the day "
            f"it was paid, or the ending ({_BEFORE_THE_VOTE}) of an application that was not reviewed",
        )
    elif a.fee_paid_on > start:
        out.error(
            (*here, "fee_paid_on"),
            f"未完成缴费不能参加评审 (the notice, item 六(五)): the review fee is paid by the review "
            f"({start}), found {a.fee_paid_on}",
        )
