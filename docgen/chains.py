"""The notice's reporting chains (item 四(一)1–5): who forwards an application to the committee, in
the notice's words, and the workbook's names for them."""

from enum import StrEnum


class ReportingChain(StrEnum):
    """The notice's reporting chains (item 四(一)1–5): who forwards the application to the committee.
    Chain 3 has two cases (档案在重庆, 档案在异地), so the five chains have six values."""

    CITY = "city"
    DISTRICT = "district"
    NON_PUBLIC = "non_public"
    NON_PUBLIC_REMOTE_ARCHIVE = "non_public_remote_archive"
    FREELANCER = "freelancer"
    """自由职业者: no employer ("跟体制或者出资人不存在法律效力合作关系"); an HR agency is the first level."""
    CENTRAL_OR_EXTERNAL = "central_or_external"


REPORTING_CHAIN_LABELS: dict[ReportingChain, str] = {
    ReportingChain.CITY: "市属事业单位、国有企业人员：个人→所在单位→单位主管部门→评委会",
    ReportingChain.DISTRICT: "区县属事业单位、国有企业人员：个人→所在单位→单位主管部门→区县人力社保（职改）部门→评委会",
    ReportingChain.NON_PUBLIC: "非公单位人员、自主择业军队干部（档案在重庆的）：个人→所在单位→人事代理机构→人事代理机构所在地区县人力社保（职改）部门→评委会",
    ReportingChain.NON_PUBLIC_REMOTE_ARCHIVE: "非公单位人员、自主择业军队干部（档案在异地的）：个人（持异地查档记录）→所在单位→参保地区县人力社保（职改）部门→评委会",
    ReportingChain.FREELANCER: "自由职业者：个人→人事代理机构→人事代理机构所在地区县人力社保（职改）部门→评委会",
    ReportingChain.CENTRAL_OR_EXTERNAL: "央企或市外单位驻渝人员：个人（持具有职称评审权限的上级主管部门出具的委托评审函）→所在单位→单位驻重庆最高管理机构→评委会",
}
"""Each chain as the notice writes it (printed on the review form)."""

CHAIN_NAMES: dict[ReportingChain, str] = {
    ReportingChain.CITY: "市属事业单位、国有企业人员",
    ReportingChain.DISTRICT: "区县属事业单位、国有企业人员",
    ReportingChain.NON_PUBLIC: "非公单位人员、自主择业军队干部（档案在重庆）",
    ReportingChain.NON_PUBLIC_REMOTE_ARCHIVE: "非公单位人员、自主择业军队干部（档案在异地）",
    ReportingChain.FREELANCER: "自由职业者",
    ReportingChain.CENTRAL_OR_EXTERNAL: "央企或市外单位驻渝人员",
}
"""Who each chain is for: the workbook's drop-down."""

OLDER_CHAIN_NAMES: dict[str, ReportingChain] = {
    "市属事业单位、国有企业": ReportingChain.CITY,
    "区县属事业单位、国有企业": ReportingChain.DISTRICT,
    "非公单位（档案在重庆）": ReportingChain.NON_PUBLIC,
    "非公单位（档案在异地）": ReportingChain.NON_PUBLIC_REMOTE_ARCHIVE,
    "央企或市外单位驻渝": ReportingChain.CENTRAL_OR_EXTERNAL,
}
"""The drop-down's names before they followed the notice's words: a workbook filled in from an
older template still reads."""

NO_EMPLOYER = "无（自由职业者）"
"""Printed where a document names the employer (工作单位, 所在单位) of a freelancer, who has none."""
