"""The declaration routes (申报渠道) and their labels; which of them is the normal channel for the
one-application-a-year rule is docgen.outcomes' (docs/domain.md, "One application a year")."""

from enum import StrEnum


class Route(StrEnum):
    """The declaration route (申报渠道)."""

    NORMAL = "normal"
    AID = "aid"
    RURAL = "rural_revitalisation"
    HIGH_SKILL = "high_skill_bridging"
    QUALIFICATION = "qualification_correspondence"
    GREEN_CHANNEL = (
        "green_channel"  # not the normal channel (正常申报渠道): docs/domain.md, "One application a year"
    )


ROUTE_LABELS: dict[Route, str] = {
    Route.NORMAL: "正常申报",
    Route.AID: "援派（援外、援藏、援疆、援青）",
    Route.RURAL: "乡村振兴",
    Route.HIGH_SKILL: "高技能人才贯通",
    Route.QUALIFICATION: "职业资格对应",
    Route.GREEN_CHANNEL: "绿色通道",
}
