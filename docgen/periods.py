"""Publicity periods (the notice, items 四(二)3(1) and 四(三)3): at least five working days, and the
make-up weekend days (调休上班日) they count, for a period given or one computed by the rule."""

import datetime as dt

from docgen.findings import Findings, Path
from docgen.models import Period, ReviewSession
from docgen.opinions import written_date
from docgen.workdays import WorkCalendar

PUBLICITY_WORKDAYS = 5


def check_publicity(period: Period, path: Path, calendar: WorkCalendar, out: Findings) -> None:
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
    while day < period.end:
        if calendar.is_makeup_weekend(day):
            out.warn(
                path,
                f"the period includes {day}, a make-up {'Saturday' if day.weekday() == 5 else 'Sunday'} "
                "counted as a working day",
            )
        day += dt.timedelta(days=1)
    if calendar.is_makeup_weekend(period.end):
        out.warn(
            (*path, "end"),
            f"公示期最后一天{written_date(period.end)}是调休上班的{_weekday(period.end)}，按工作日计入："
            "请确认公示在该日仍可查阅，否则延长公示期",
        )


def _weekday(day: dt.date) -> str:
    return "星期六" if day.weekday() == 5 else "星期日"


def computed_results_period(s: ReviewSession, calendar: WorkCalendar, out: Findings) -> None:
    """A results publicity not given: the documents leave it blank; say what the rule gives, and
    any make-up weekend day (调休上班日) it counts."""
    from docgen.context import results_period  # the rule's own period, not a copy

    p = results_period(s, calendar)
    out.warn(
        ("results_publicity",),
        f"评审结果公示期未填写，按规则推算为{written_date(p.start)}至{written_date(p.end)}（推算：评审结束后"
        f"第1个工作日起{PUBLICITY_WORKDAYS}个工作日）；评审结果公示上的公示期和落款日期留空待填写，"
        "公示期确定后请填写",
    )
    days = (p.start + dt.timedelta(days=k) for k in range((p.end - p.start).days + 1))
    for day in (d for d in days if calendar.is_makeup_weekend(d)):
        last = "最后一天是" if day == p.end else "含"
        out.warn(
            ("results_publicity",),
            f"推算的评审结果公示期{last}调休上班的{_weekday(day)}{written_date(day)}，按工作日计入："
            "请确认公示在该日可供查阅",
        )
