"""What the review form prints that only the session can supply: who presided over the review, the
unit's and the experts' opinions, the day the form was filled in. Each is optional: a document
leaves a blank to fill by hand for a value not given, never a value made up (docs/domain.md,
"What each document prints")."""

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from docgen.text import clean_text


class PresidingRole(StrEnum):
    """Who may preside (the notice, item 四(三)1): the chair or a vice-chair."""

    CHAIR = "主任委员"
    VICE_CHAIR = "副主任委员"


class Presiding(BaseModel):
    """The member who presided over the review, announced the vote and signs the result (the
    notice, item 四(三)1: "由主任委员或者主持评审会议的副主任委员宣布投票结果，并对评审结果签字确认")."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=50, description="姓名")]
    role: PresidingRole = Field(description="主任委员 or 副主任委员")


FormFilledOn = Annotated[
    dt.date | None,
    Field(description="填表日期 printed on the review form's cover; empty: a blank line to fill by hand"),
]
UnitOpinion = Annotated[
    str,
    AfterValidator(clean_text),
    Field(
        max_length=500,
        description="所在单位意见 as the unit wrote it, printed in its box on the review form; empty: the "
        "box is left blank for the unit to write in",
    ),
]
ExpertOpinion = Annotated[
    str,
    AfterValidator(clean_text),
    Field(
        max_length=200,
        description="评审专家意见 on this applicant, printed on the review form's result page (up to 200 "
        "characters: the page holds them with both e-seal boxes); empty: a blank box",
    ),
]

BLANK_DATE = "　　　　年　　月　　日"
"""A date left to fill by hand."""


def written_date(day: dt.date | None) -> str:
    """A date the Chinese way (2026年01月12日), or a blank to fill by hand."""
    return f"{day.year}年{day.month:02d}月{day.day:02d}日" if day is not None else BLANK_DATE


def presiding_line(presiding: Presiding | None) -> str:
    """The result page's line for the presiding member's name and signature."""
    if presiding is None:
        return "主持人（主任委员或副主任委员）：　　　　　　　　签名："
    return f"主持人：{presiding.name}（{presiding.role.value}）　　　　签名："
