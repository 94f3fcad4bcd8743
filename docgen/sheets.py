"""The columns of the session workbook: which sheet holds which table, each column's Chinese
header, the JSON field it fills, its kind and its drop-down choices. `docgen.xlsx` writes and
reads workbooks from this table alone."""

from dataclasses import dataclass

from docgen.chains import CHAIN_NAMES, OLDER_CHAIN_NAMES
from docgen.identity import ID_TYPE_LABELS
from docgen.models import ACHIEVEMENT_LABELS, ENDING_LABELS, ROUTE_LABELS, AssessmentResult, Level, Sex
from docgen.opinions import PresidingRole
from docgen.outcomes import fee_note

CHOICES: dict[str, dict[str, str]] = {
    "id_type": {k.value: v for k, v in ID_TYPE_LABELS.items()},
    "sex": {s.value: s.value for s in Sex},
    "level": {lv.value: lv.value for lv in Level},
    "chain": {k.value: v for k, v in CHAIN_NAMES.items()},
    "route": {k.value: v for k, v in ROUTE_LABELS.items()},
    "category": {k.value: v for k, v in ACHIEVEMENT_LABELS.items()},
    "assessment": {r.value: r.value for r in AssessmentResult},
    "ending": {k.value: v for k, v in ENDING_LABELS.items()},
    "presiding": {r.value: r.value for r in PresidingRole},
}
OLDER_CHOICES: dict[str, dict[str, str]] = {"chain": {k: v.value for k, v in OLDER_CHAIN_NAMES.items()}}
"""Labels older templates offered, still read: {kind: {label: value}}."""


@dataclass(frozen=True)
class Column:
    """One cell kind: its Chinese header, where its value goes, and how it is typed."""

    header: str
    path: tuple[str, ...]
    kind: str = "text"
    """text, code (an identifier or phone number: text, never a number), date, int, levels, or a
    key of CHOICES."""
    note: str = ""


SESSION_SHEET = "评审会"
SESSION_FIELDS = (
    Column("评委会名称", ("committee", "name")),
    Column("评审系列", ("committee", "series")),
    Column("评审专业", ("committee", "speciality")),
    Column("可评审级别", ("committee", "levels"), "levels", "用顿号分隔，如：正高级、副高级"),
    Column("评委会人数", ("committee", "members"), "int"),
    Column("组建单位", ("committee", "organiser")),
    Column("异议受理地址", ("committee", "address")),
    Column("异议受理电话", ("committee", "phone"), "code"),
    Column("评审开始日期", ("sitting", "start"), "date"),
    Column("评审结束日期", ("sitting", "end"), "date", "即取得时间"),
    Column("出席评委人数", ("sitting", "present"), "int", "须不少于评委会人数的2/3"),
    Column("评审地点", ("sitting", "location")),
    Column(
        "专家库人数",
        ("sitting", "expert_pool"),
        "int",
        "超员配置，随机抽评：须多于评委会人数；未填的给出提示",
    ),
    Column("核准机构", ("approval", "authority")),
    Column("核准机构统一社会信用代码", ("approval", "authority_credit_code"), "code", "请以文本格式填写"),
    Column("批准文号", ("approval", "document_no")),
    Column("发证日期", ("approval", "date"), "date", "职称资格确认通知印发日期"),
    Column("计算截止日期", ("cutoff",), "date", "工作时间、任职时间计算截止日，默认评审当年12月31日"),
    Column("结果公示开始日期", ("results_publicity", "start"), "date"),
    Column("结果公示结束日期", ("results_publicity", "end"), "date", "不少于5个工作日"),
    Column("评审情况报告报送日期", ("report_submitted_on",), "date", "评审结束后5个工作日内"),
    Column(
        "代拟确认通知报送日期",
        ("draft_notice_submitted_on",),
        "date",
        "结果公示结束后15个工作日内，且不晚于发证日期；留空则通知上的日期留待手填",
    ),
    Column("评审会议主持人", ("sitting", "presiding", "name"), "text", "评审表结果页打印；留空则留待手写"),
    Column("主持人职务", ("sitting", "presiding", "role"), "presiding", "主任委员或副主任委员"),
)

APPLICANT_SHEET = "申报人"
APPLICANT_COLUMNS = (
    Column("姓名", ("name",)),
    Column("性别", ("sex",), "sex"),
    Column("出生日期", ("birth_date",), "date"),
    Column("证件类型", ("id_type",), "id_type"),
    Column("证件号码", ("id_number",), "code", "请以文本格式填写，避免Excel截断18位号码"),
    Column("照片文件", ("photo",), "text", "相对于本工作簿所在文件夹的路径"),
    Column("工作单位", ("employer", "name"), "text", "自由职业者无工作单位，本列及以下三列留空"),
    Column("单位统一社会信用代码", ("employer", "credit_code"), "code", "请以文本格式填写"),
    Column("单位联系人", ("employer", "contact")),
    Column("单位联系电话", ("employer", "phone"), "code"),
    Column("申报程序", ("reporting_chain",), "chain"),
    Column("主管部门（人事代理机构）", ("superior", "name")),
    Column("主管部门联系人", ("superior", "contact")),
    Column("主管部门联系电话", ("superior", "phone"), "code"),
    Column("现职称", ("current_title", "name"), "text", "未取得职称的留空"),
    Column("现职称级别", ("current_title", "level"), "level"),
    Column("现职称取得时间", ("current_title", "obtained_on"), "date"),
    Column("现职称取得方式", ("current_title", "obtained_by")),
    Column("申报系列", ("applied", "series")),
    Column("申报专业", ("applied", "speciality")),
    Column("申报资格名称", ("applied", "title")),
    Column("申报级别", ("applied", "level"), "level"),
    Column("申报渠道", ("route",), "route"),
    Column("单位公示开始日期", ("publicity", "start"), "date"),
    Column("单位公示结束日期", ("publicity", "end"), "date", "不少于5个工作日"),
    Column(
        "评审费缴费日期",
        ("fee_paid_on",),
        "date",
        f"评审费：{fee_note()}；未缴费的留空（未完成缴费不能参加评审）",
    ),
    Column("同意票", ("vote", "agree"), "int", "评审终止、不予受理、视为放弃申报的留空"),
    Column("反对票", ("vote", "disagree"), "int"),
    Column("弃权票", ("vote", "abstain"), "int"),
    Column(
        "退回补正次数", ("returns",), "int", "退回材料第3次提交仍不符合要求的，不予受理（须填写终止情形）"
    ),
    Column(
        "终止情形",
        ("ending", "kind"),
        "ending",
        "评审终止、不予受理、视为放弃申报或公示异议属实；正常评审的留空",
    ),
    Column("终止认定日期", ("ending", "decided_on"), "date"),
    Column("终止原因", ("ending", "reason"), "text", "如：评审过程中发现业绩材料弄虚作假，经查证属实"),
    Column(
        "委托单位",
        ("delegation", "unit"),
        "text",
        "央企或市外单位驻渝人员必填：出具委托评审函、具有职称评审权限的上级主管部门；其他人员留空",
    ),
    Column("委托评审函文号", ("delegation", "letter_no")),
    Column("委托评审函日期", ("delegation", "letter_date"), "date"),
    Column("专业技术工作总结", ("summary",), "text", "不超过5000字"),
    Column("评审表填表日期", ("form_filled_on",), "date", "印在评审表封面；留空则留待手写"),
    Column("所在单位意见", ("unit_opinion",), "text", "单位填写的推荐意见；留空则评审表该栏留空"),
    Column("评审专家意见", ("expert_opinion",), "text", "印在评审表结果页；留空则留空白栏"),
)
OPTIONAL_GROUPS = (
    ("current_title",),
    ("results_publicity",),
    ("vote",),
    ("ending",),
    ("employer",),
    ("delegation",),
)
"""Objects that are absent when every one of their cells is empty."""

LINK = Column("证件号码", ("__id__",), "code", "对应申报人表中的证件号码")
NAME = Column("姓名", ("__name__",), "text", "仅供核对，不参与匹配")
CHILD_SHEETS: dict[str, tuple[str, tuple[Column, ...]]] = {
    "学历": (
        "education",
        (
            Column("毕业院校", ("school",)),
            Column("专业", ("major",)),
            Column("学历", ("degree",)),
            Column("毕业时间", ("graduated_on",), "date"),
        ),
    ),
    "工作经历": (
        "work_history",
        (
            Column("开始时间", ("start",), "date"),
            Column("结束时间", ("end",), "date", "至今的留空"),
            Column("工作单位", ("employer",)),
            Column("职务/岗位", ("position",)),
        ),
    ),
    "业绩成果": (
        "achievements",
        (
            Column("类别", ("category",), "category"),
            Column("名称", ("title",)),
            Column("时间", ("date",), "date", "须在取得现职称之后"),
            Column("本人角色/排名", ("role",)),
            Column("说明", ("detail",)),
        ),
    ),
    "年度考核": (
        "assessments",
        (Column("年度", ("year",), "int"), Column("考核结果", ("result",), "assessment")),
    ),
    "继续教育": (
        "continuing_education",
        (Column("年度", ("year",), "int"), Column("学时", ("hours",), "int")),
    ),
}
OPTIONS_SHEET = "选项"
NOTES_SHEET = "填表说明"
