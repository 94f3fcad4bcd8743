"""The publicity table, results list, situation report and review form templates (see make_templates)."""

from docx.enum.section import WD_SECTION
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.shared import Pt
from docx_parts import (
    BODY,
    CENTER,
    LABEL,
    RIGHT,
    TEMPLATES,
    cant_split,
    cell,
    control,
    end_mark,
    field,
    font,
    heading,
    keep_together,
    kv_table,
    loop_table,
    page_break,
    para,
    passed_people_table,
    portrait,
    seal_box,
    table,
    text,
    title,
)

# ---------------------------------------------------------------- 公示表


def publicity_table() -> None:
    doc = portrait()
    title(doc, "重庆市职称申报综合情况（公示）表")
    text(doc, "申报年度：{{ year }}　　评委会：{{ committee }}", 10, CENTER)
    w = [30, 55, 30, 55]
    kv_table(
        doc,
        [
            ("姓名", "{{ name }}", "性别", "{{ sex }}"),
            ("出生年月", "{{ birth }}", "参加工作时间", "{{ work_start }}"),
            ("工作单位", "{{ employer }}", None, None),
            ("学历学位", "{{ education }}", None, None),
            ("现职称", "{{ current_title }}", "取得时间及方式", "{{ current_obtained }}"),
            ("申报系列专业", "{{ applied_series }}", "申报资格级别", "{{ applied_title }}"),
            ("申报渠道", "{{ route }}", "任现职年限", "{{ years_in_title }}"),
            ("年度考核", "{{ assessments }}", None, None),
            ("继续教育", "{{ continuing }}", None, None),
        ],
        w,
    )
    heading(doc, "任现职以来业绩成果（{{ achievement_count }}项）")
    # Columns wide enough that a role or date takes one line: ten achievements fit one page.
    loop_table(
        doc,
        ["类别", "名称", "时间", "本人角色/排名"],
        ["a.category", "a.title", "a.date", "a.role"],
        [26, 76, 24, 44],
        "a in achievements",
    )
    heading(doc, "诚信承诺")
    text(doc, "{{ pledge }}")
    text(doc, "申报人签名：　　　　　　　　　　日期：　　　　年　　月　　日", 11, RIGHT)
    # The publicity's facts, its complaint contacts and the unit's box stay on one page.
    start = len(doc.element.body)
    heading(doc, "公示情况")
    text(
        doc,
        "公示期：{{ publicity_start }}至{{ publicity_end }}（{{ publicity_days }}个工作日，按国家法定工作日计算）",
    )
    # The notice, item 四(二)3(1): the unit's own notice board; its office platform where it can.
    text(doc, "公示地点：{{ publicity_place }}")
    # One row per complaint level: the employer and the chain's next level, or for a freelancer,
    # who has no employer, the HR agency alone (docgen.context.complaint_contacts).
    loop_table(
        doc,
        ["投诉受理", "单位", "联系人", "电话"],
        ["c.level", "c.name", "c.contact", "c.phone"],
        [34, 80, 22, 34],
        "c in contacts",
    )
    keep_together(doc, start)
    seal_box(
        doc,
        ["公示结果：□ 无异议　　□ 有异议，已核实处理", "{{ first_level }}意见："],
        "经办人：　　　　　负责人：　　　　　（盖章）",
        "　　　　年　　月　　日",
        room=1,
    )
    end_mark(doc)
    doc.save(TEMPLATES / "publicity-table.docx")
    print("wrote publicity-table.docx")


# ---------------------------------------------------------------- 评审结果公示


def results_list() -> None:
    doc = portrait()
    title(doc, "关于{{ year }}年重庆市{{ series }}{{ speciality }}专业职称评审结果的公示")
    text(doc, "{{ preamble }}")
    control(doc, "{%p for g in groups %}")
    heading(doc, "{{ g.level }}（{{ g.count }}人）")
    passed_people_table(doc, "p in g.people")
    control(doc, "{%p endfor %}")
    text(doc, "公示期：{{ start }}至{{ end }}（{{ days }}个工作日）。")
    text(
        doc,
        "公示期间，对公示对象有异议的，请以书面形式实名向{{ organiser }}反映，并写明本人真实姓名和联系方式；"
        "匿名或冒名的异议不予受理。",
    )
    text(doc, "受理地址：{{ address }}　　受理电话：{{ phone }}")
    # The notice, item 四(三)3.
    text(doc, "为便于公众查阅，评审结果公示信息报送市职改办同步公示。")
    for _ in range(2):
        text(doc, "")
    text(doc, "{{ organiser }}", 11, RIGHT)
    text(doc, "{{ published_on }}", 11, RIGHT)
    doc.save(TEMPLATES / "results-list.docx")
    print("wrote results-list.docx")


# ---------------------------------------------------------------- 评审情况报告


def review_report() -> None:
    doc = portrait()
    title(doc, "{{ committee }}")
    title(doc, "评审情况报告", 16)
    text(doc, "重庆市职称改革办公室：")
    text(doc, "　　{{ committee }}于{{ sitting_dates }}在{{ location }}召开评审会议，现将评审情况报告如下。")
    heading(doc, "一、评委组成与出席情况")
    text(
        doc,
        "　　{{ draw }}评委会人数{{ members }}人，实际出席{{ present }}人；按规定出席人数应不少于评委会人数的"
        "2/3（即不少于{{ quorum_min }}人），{{ quorum_text }}。",
    )
    heading(doc, "二、申报受理与评审结果")
    text(
        doc,
        "　　共收到申报{{ received }}人，不予受理{{ not_accepted }}人，视为放弃申报{{ withdrawn }}人，受理{{ accepted }}人；退回补正"
        "{{ returned }}人次；评审终止{{ terminated_count }}人，提交评审{{ reviewed }}人，评审通过{{ passed }}人，"
        "未通过{{ failed }}人。表决采取无记名投票，同意票达到出席评委2/3以上为通过。",
    )
    loop_table(
        doc,
        [
            "级别",
            "申报",
            "不予受理",
            "视为放弃",
            "受理",
            "退回补正",
            "评审终止",
            "评审",
            "通过",
            "未通过",
            "通过率",
        ],
        [
            "r.level",
            "r.received",
            "r.not_accepted",
            "r.withdrawn",
            "r.accepted",
            "r.returned",
            "r.terminated",
            "r.reviewed",
            "r.passed",
            "r.failed",
            "r.rate",
        ],
        [18, 12, 16, 16, 12, 16, 16, 12, 12, 14, 20],
        "r in levels",
    )
    control(doc, "{%p if not_accepted_names %}")
    text(doc, "　　不予受理人员：{{ not_accepted_names }}。")
    control(doc, "{%p endif %}")
    control(doc, "{%p if withdrawn_names %}")
    text(doc, "　　视为放弃申报人员：{{ withdrawn_names }}。")
    control(doc, "{%p endif %}")
    control(doc, "{%p if terminated %}")
    text(doc, "　　评审终止人员：{{ terminated }}。")
    control(doc, "{%p endif %}")
    heading(doc, "三、评审通过人员名单")
    passed_people_table(doc, "p in people")
    heading(doc, "四、报送时限")
    text(
        doc,
        "　　按规定，本报告应于评审结束后5个工作日内（{{ due }}前）报送；本报告报送日期：{{ submitted_on }}。",
    )
    for _ in range(2):
        text(doc, "")
    text(doc, "{{ signatory }}（签名）：　　　　　　　　", 11, RIGHT)
    text(doc, "{{ organiser }}（盖章）", 11, RIGHT)
    text(doc, "{{ submitted_on }}", 11, RIGHT)
    doc.save(TEMPLATES / "review-report.docx")
    print("wrote review-report.docx")


# ---------------------------------------------------------------- 职称评审表


def review_form() -> None:
    doc = portrait()
    sec = doc.sections[0]
    header = sec.header.paragraphs[0]
    header.alignment = RIGHT
    font(header.add_run("{{ copy_label }}"), LABEL, 12, bold=True)
    footer = sec.footer.paragraphs[0]
    font(footer.add_run("评审表编号 {{ form_no }} · {{ copy_label }} · 第 "), BODY, 9)
    field(footer, "PAGE")
    font(footer.add_run(" 页 共 "), BODY, 9)
    field(footer, "NUMPAGES")
    font(footer.add_run(" 页"), BODY, 9)

    for _ in range(4):
        text(doc, "")
    para(doc, "专业技术职称评审表", "宋体", 28, align=CENTER, bold=True)
    for _ in range(4):
        text(doc, "")
    cover = table(doc, [45, 100])
    for r, (label, value) in enumerate(
        [
            ("姓　　名", "{{ name }}"),
            ("工作单位", "{{ employer }}"),
            ("申报系列专业", "{{ applied_series }}"),
            ("申报资格级别", "{{ applied_title }}"),
            ("评审委员会", "{{ committee }}"),
            ("评审表编号", "{{ form_no }}"),
            ("填表日期", "{{ filled_on }}"),
        ]
    ):
        if r:
            cover.add_row()
        cell(cover, r, 0, label, label=True, size=12)
        cell(cover, r, 1, value, size=12)
    for _ in range(6):
        text(doc, "")
    text(doc, "重庆市职称改革办公室 制", 12, CENTER)
    page_break(doc)

    heading(doc, "一、基本情况")
    kv_table(
        doc,
        [
            ("姓名", "{{ name }}", "性别", "{{ sex }}"),
            ("出生年月", "{{ birth }}", "证件类型", "{{ id_type }}"),
            ("证件号码", "{{ id_number }}", "参加工作时间", "{{ work_start }}"),
            ("工作单位", "{{ employer }}", None, None),
            ("单位信用代码", "{{ employer_code }}", "申报渠道", "{{ route }}"),
            ("申报程序", "{{ chain }}", None, None),
            ("现职称", "{{ current_title }}", "取得时间及方式", "{{ current_obtained }}"),
            ("申报系列专业", "{{ applied_series }}", "申报资格级别", "{{ applied_title }}"),
        ],
        [30, 55, 30, 55],
    )
    heading(doc, "二、学历学位")
    loop_table(
        doc,
        ["毕业时间", "毕业院校", "专业", "学历"],
        ["e.graduated_on", "e.school", "e.major", "e.degree"],
        [28, 60, 52, 30],
        "e in education",
    )
    heading(doc, "三、工作经历")
    loop_table(
        doc,
        ["起止时间", "工作单位", "职务/岗位"],
        ["w.period", "w.employer", "w.position"],
        [50, 80, 40],
        "w in work_history",
    )
    heading(doc, "四、专业技术资格")
    text(doc, "{{ qualification }}")
    heading(doc, "五、任现职以来主要业绩成果")
    control(doc, "{%p for g in achievement_groups %}")
    para(doc, "{{ g.label }}（{{ g.count }}项）", LABEL, 11)
    loop_table(
        doc,
        ["序号", "名称", "时间", "本人角色/排名", "说明"],
        ["a.index", "a.title", "a.date", "a.role", "a.detail"],
        [12, 70, 24, 34, 30],
        "a in g.entries",
    )
    control(doc, "{%p endfor %}")
    control(doc, "{%p if not achievement_groups %}")
    text(doc, "无")
    control(doc, "{%p endif %}")
    heading(doc, "六、专业技术工作总结")
    text(doc, "{{ summary }}")
    heading(doc, "七、年度考核与继续教育")
    loop_table(
        doc,
        ["年度", "考核结果", "继续教育学时"],
        ["y.year", "y.result", "y.hours"],
        [40, 65, 65],
        "y in years",
    )
    heading(doc, "八、诚信承诺")
    text(doc, "{{ pledge }}")
    text(doc, "申报人签名：　　　　　　　　　　日期：　　　　年　　月　　日", 11, RIGHT)
    heading(doc, "九、推荐与审核意见")
    control(doc, "{%p for box in opinion_boxes %}")
    para(doc, "{{ box.title }}", LABEL, 11).paragraph_format.keep_with_next = True
    seal_box(doc, ["{{ box.text }}"], "负责人（签名）：　　　　　　（盖章）", "　　　　年　　月　　日")
    control(doc, "{%p endfor %}")
    page_break(doc)

    title(doc, "评　审　结　果", 16)
    heading(doc, "评审委员会评审意见")
    kv_table(  # one line a row: the page holds the experts' opinion and both e-seal boxes
        doc,
        [
            ("评审委员会", "{{ committee }}", None, None),
            ("评审时间", "{{ sitting_dates }}", None, None),
            ("评委会人数", "{{ members }}", "出席人数", "{{ present }}"),
            ("同意票", "{{ agree }}", "不同意票", "{{ disagree }}"),
            ("弃权票", "{{ abstain }}", "评审结论", "{{ conclusion }}"),
            ("表决规则", "{{ rule }}", None, None),
        ],
        [40, 45, 40, 45],
    )
    seal_box(
        doc,
        ["{{ committee_opinion }}", "{{ presiding }}"],
        "评委会（电子印章）",
        "{{ passed_on }}",
        electronic=True,
    )
    # The notice, item 四(三)4: the form shows "评审结果及专家意见"; a blank box when none is given.
    heading(doc, "评审专家意见")
    experts = table(doc, [170])
    cant_split(experts.rows[0])
    experts.rows[0].height, experts.rows[0].height_rule = Pt(50), WD_ROW_HEIGHT_RULE.AT_LEAST  # 3 lines
    para(experts.cell(0, 0), "{{ expert_opinion }}", BODY, 10.5, first=True, exact=False)
    heading(doc, "核准机构确认意见")
    seal_box(
        doc,
        ["{{ approval_text }}", "批准文号：{{ approval_no }}"],
        "核准机构（电子印章）",
        "{{ approved_on }}",
        electronic=True,
    )
    filing = text(
        doc, "归档：本件归入{{ copy_label }}。　经办人：　　　　　　归档日期：　　　　年　　月　　日"
    )
    filing.paragraph_format.space_before = Pt(6)
    end_mark(doc)
    doc.save(TEMPLATES / "review-form.docx")
    print("wrote review-form.docx")


__all__ = ["WD_SECTION", "publicity_table", "results_list", "review_form", "review_report"]
