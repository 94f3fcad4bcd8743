"""The verification receipt's template (see make_templates): one A4 page, Chinese with English."""

from docx.shared import Mm
from docx_parts import (
    CENTER,
    RIGHT,
    TEMPLATES,
    cell,
    control,
    heading,
    loop_table,
    para,
    portrait,
    table,
    text,
    title,
)

RECEIPT_SEAL_CAPTION = "查验服务（电子印章）"
"""Where the verification service's seal goes (titlecert.receipts reads the same caption)."""


def receipt() -> None:
    doc = portrait()
    section = doc.sections[0]
    section.top_margin = section.bottom_margin = Mm(14)
    title(doc, "职称电子证书查验报告", 17)
    text(doc, "Verification receipt of a professional title certificate", 10, CENTER)
    t = table(doc, [38, 132], rows=4)
    rows = [
        ("报告编号\nReceipt no.", "{{ number }}"),
        ("查验时间\nVerified at", "{{ when_zh }}\n{{ when_en }}"),
        ("查验方式\nHow", "{{ via_zh }}\n{{ via_en }}"),
        ("查验结论\nOutcome", "{{ outcome_zh }}　{{ outcome_en }}"),
    ]
    for r, (label, value) in enumerate(rows):
        cell(t, r, 0, label, label=True, size=9.5)
        cell(t, r, 1, value, size=10)
    text(doc, "{{ headline_zh }}", 10.5)
    text(doc, "{{ headline_en }}", 9)
    control(doc, "{%p if registered %}")
    heading(doc, "登记内容（已按公开规则遮挡） Registered certificate (masked)")
    loop_table(
        doc,
        ["项目 Item", "内容 Value", "项目 Item", "内容 Value"],
        ["r.label", "r.value", "r.label2", "r.value2"],
        [30, 55, 30, 55],
        "r in registered",
        size=9,
    )
    control(doc, "{%p endif %}")
    control(doc, "{%p if file_rows %}")
    heading(doc, "所查验的文件 File verified")
    loop_table(doc, ["项目 Item", "内容 Value"], ["f.label", "f.value"], [30, 140], "f in file_rows", size=9)
    control(doc, "{%p endif %}")
    control(doc, "{%p if seals %}")
    loop_table(
        doc,
        ["印章 Seal", "结果 Indication", "时间戳证明的时间 Proven time"],
        ["s.title", "s.indication", "s.proven_time"],
        [60, 50, 60],
        "s in seals",
        size=9,
    )
    control(doc, "{%p endif %}")
    heading(doc, "说明 About this receipt")
    text(doc, "{{ about_zh }}", 9.5)
    text(doc, "{{ about_en }}", 8.5)
    para(doc, "{{ service }}", "仿宋", 11, align=RIGHT)
    para(doc, RECEIPT_SEAL_CAPTION + "　" * 6, "宋体", 11, align=RIGHT)
    para(doc, "{{ issued_on }}" + "　" * 5, "仿宋", 11, align=RIGHT)
    for _ in range(2):  # room for the lower half of the seal
        para(doc, "", "仿宋", 10)
    doc.save(TEMPLATES / "receipt.docx")
    print("wrote receipt.docx")


__all__ = ["RECEIPT_SEAL_CAPTION", "receipt"]
