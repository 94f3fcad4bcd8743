"""The notice's timetable (item 三) by year: when applications are made online, audited, paid for
and reviewed. The 2025 notice's is bundled; an instance adds a year, or replaces one, under
`timetables` in its calendar.json (docs/calendar.md), read with the rest of that file by
docgen.workdays. A session is held against it in warnings only (docgen.schedule): the notice's
dates guide a year's work, they are not rules whose breach makes a document false."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

STAGES: dict[str, str] = {"apply": "网上申报", "audit": "审核", "payment": "缴费", "review": "评审"}
"""The timetable's keys in calendar.json and the notice's word for each."""


@dataclass(frozen=True)
class Window:
    """A stage of the timetable, both days included."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.start} to {self.end}"


@dataclass(frozen=True)
class Timetable:
    """One year's timetable: the four stages of the notice's item 三."""

    year: int
    apply: Window
    audit: Window
    payment: Window
    review: Window
    source: str = "calendar.json"
    """Where it comes from, as a message names it."""

    def to_json(self) -> dict[str, list[str]]:
        """The timetable in calendar.json's form."""
        windows: dict[str, Window] = {k: getattr(self, k) for k in STAGES}
        return {k: [w.start.isoformat(), w.end.isoformat()] for k, w in windows.items()}


def _day(month: int, day: int) -> dt.date:
    return dt.date(2025, month, day)


BUNDLED: dict[int, Timetable] = {
    2025: Timetable(
        2025,
        apply=Window(_day(9, 8), _day(9, 22)),
        audit=Window(_day(9, 8), _day(10, 31)),
        payment=Window(_day(11, 10), _day(11, 14)),
        review=Window(_day(12, 1), _day(12, 31)),  # "评审时间：12月"
        source="the notice, item 三",
    )
}
"""The timetables the notices give: 2025's (渝大数据发〔2025〕128号, item 三; 缴费 also item 六(五))."""


def parse_timetables(raw: Any) -> tuple[tuple[Timetable, ...], list[tuple[str, str]]]:
    """The timetables of calendar.json's `timetables` object ({"2026": {"apply": [start, end], …}})
    and its errors as (where, message), e.g. ("timetables.2026.payment[1]", "expected …")."""
    errors: list[tuple[str, str]] = []
    if not isinstance(raw, dict):
        return (), [("timetables", f'expected an object {{"2026": {{...}}}}, found {type(raw).__name__}')]
    found: list[Timetable] = []
    for key, value in raw.items():
        where = f"timetables.{key}"
        year = int(key) if isinstance(key, str) and key.isdigit() and len(key) == 4 else None
        if year is None or not 1949 < year < 2200:
            errors.append((where, f'expected a year such as "2026" as the key, found {key!r}'))
            continue
        if not isinstance(value, dict):
            errors.append(
                (where, f"expected an object with {', '.join(STAGES)}, found {type(value).__name__}")
            )
            continue
        for extra in sorted(set(value) - set(STAGES)):
            errors.append((f"{where}.{extra}", f"unknown key; expected {', '.join(STAGES)}"))
        windows = [_window(value.get(k), f"{where}.{k}", errors) for k in STAGES]
        apply, audit, payment, review = windows
        if apply and audit and payment and review and not set(value) - set(STAGES):
            found.append(Timetable(year, apply, audit, payment, review))
    return tuple(sorted(found, key=lambda t: t.year)), errors


def _window(value: Any, where: str, errors: list[tuple[str, str]]) -> Window | None:
    stage = STAGES[where.rsplit(".", 1)[1]]
    if value is None:
        errors.append((where, f"required: the days of {stage}, as [first day, last day]"))
        return None
    if not isinstance(value, list) or len(value) != 2:
        errors.append((where, f"expected [first day, last day] of {stage}, found {value!r}"))
        return None
    days: list[dt.date] = []
    for i, item in enumerate(value):
        try:
            days.append(dt.date.fromisoformat(item if isinstance(item, str) and len(item) == 10 else ""))
        except ValueError:
            errors.append((f"{where}[{i}]", f"expected a date written YYYY-MM-DD, found {item!r}"))
    if len(days) != 2:
        return None
    if days[1] < days[0]:
        errors.append((f"{where}[1]", f"{stage} ends before it starts ({days[0]}), found {days[1]}"))
        return None
    return Window(days[0], days[1])
