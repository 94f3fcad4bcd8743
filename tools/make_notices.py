"""The draft confirmation notice and result letter templates (see make_templates): letters of the
committee's own in the 公文 layout (title, 主送机关, body, list, signature with the one e-seal)."""

from docx_parts import (
    CENTER,
    RIGHT,
    TEMPLATES,
    control,
    heading,
    loop_table,
    para,
    passed_people_table,
    portrait,
    text,
    title,
)

COMMITTEE_CAPTION = "评委会（电子印章）"
"""docgen.anchors.COMMITTEE_SEAL_CAPTIONS: where the committee's seal goes."""


def _signature(doc, date: str) -> None:  # type: ignore[no-untyped-def]
    """The caption the seal is centred on, then the committee and the date it covers."""
    for _ in range(2):
        text(doc, "")
    para(doc, COMMITTEE_CAPTION + "　" * 8, "宋体", 11, align=RIGHT)
    para(doc, "", "仿宋", 11)
    para(doc, "{{ committee }}" + "　" * 2, "仿宋", 12, align=RIGHT)
    para(doc, date + "　" * 5, "仿宋", 12, align=RIGHT)
    for _ in range(3):  # room for the lower half of the seal
        para(doc, "", "仿宋", 11)


def draft_notice() -> None:
    doc = portrait()
    text(doc, "代拟稿", 12, RIGHT)
    title(doc, "{{ title }}", 16)
    text(doc, "")
    text(doc, "{{ authority }}：", 12)
    text(doc, "{{ body }}", 12)
    control(doc, "{%p if delegated_note %}")
    text(doc, "{{ delegated_note }}", 12)
    control(doc, "{%p endif %}")
    text(doc, "　　按规定，代拟确认通知应于评审结果公示结束后15个工作日内{{ due }}报送。", 12)
    heading(doc, "附件：评审通过人员名单（{{ count }}人）")
    control(doc, "{%p for g in groups %}")
    para(doc, "{{ g.level }}（{{ g.count }}人）", "黑体", 11, align=CENTER)
    passed_people_table(doc, "p in g.people", "资格名称")
    control(doc, "{%p endfor %}")
    _signature(doc, "报送日期：{{ submitted_on }}")
    doc.core_properties.title = "代拟职称资格确认通知"
    doc.core_properties.author = "titlecert"
    doc.save(TEMPLATES / "draft-notice.docx")
    print("wrote draft-notice.docx")


def result_letter() -> None:
    doc = portrait()
    title(doc, "{{ title }}", 16)
    text(doc, "")
    text(doc, "{{ unit }}：", 12)
    text(doc, "{{ body }}", 12)
    loop_table(
        doc,
        ["序号", "姓名", "工作单位", "委托评审函", "申报资格", "评审结果"],
        ["p.index", "p.name", "p.employer", "p.letter", "p.title", "p.result"],
        [10, 18, 40, 46, 30, 26],
        "p in people",
    )
    control(doc, "{%p if closing %}")
    text(doc, "{{ closing }}", 12)
    control(doc, "{%p endif %}")
    text(doc, "　　特此函复。", 12)
    _signature(doc, "{{ sent_on }}")
    doc.core_properties.title = "评审结果函复"
    doc.core_properties.author = "titlecert"
    doc.save(TEMPLATES / "result-letter.docx")
    print("wrote result-letter.docx")


__all__ = ["draft_notice", "result_letter"]
