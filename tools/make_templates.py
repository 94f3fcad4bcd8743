"""Builds the Word templates in templates/: the certificate, the publicity table, the results list,
the situation report, the review form, the draft confirmation notice, the result letter and the
verification receipt.

Run when a layout changes (`.venv/bin/python tools/make_templates.py`); after that a clerk may edit
the .docx files in Word, keeping the {{ placeholders }} (`titlecert templates check` lists any that
no longer match the data) and the e-seal captions that tell the signing step where seals go.
"""

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, RGBColor
from docx_parts import TEMPLATES, grid, no_borders, para
from make_documents import publicity_table, results_list, review_form, review_report
from make_notices import draft_notice, result_letter
from make_receipt import receipt

OUT = TEMPLATES / "certificate.docx"


def certificate() -> None:
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Mm(18))
    sec.top_margin, sec.bottom_margin = Mm(12), Mm(10)
    red = RGBColor(0xA0, 0x10, 0x10)

    para(doc, "职称电子证书", "黑体", 26, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, color=red, first=True)
    para(doc, "Professional Title Certificate · 重庆市", "楷体", 10, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "", "宋体", 4)

    rows = [
        ("姓名", "{{ name }}", "性别", "{{ sex }}"),
        ("出生年月", "{{ birth }}", "证件类型", "{{ id_type }}"),
        ("证件号码", "{{ id_number }}", "工作单位", "{{ employer }}"),
        ("系列", "{{ series }}", "专业", "{{ speciality }}"),
        ("资格名称", "{{ title }}", "级别", "{{ level }}"),
        ("取得方式", "{{ obtained_by }}", "取得时间", "{{ passed_on }}"),
        ("评审机构", "{{ committee }}", None, None),
        ("批准文号", "{{ approval_no }}", "发证时间", "{{ issued_on }}"),
        ("核准机构", "{{ authority }}", "证书编号", "{{ certificate_no }}"),
        ("电子证照标识", "{{ licence_id }}", None, None),
    ]
    widths = [40, 26, 74, 26, 95]
    table = doc.add_table(rows=len(rows), cols=5)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid(table, widths)
    photo = table.cell(0, 0).merge(table.cell(5, 0))
    photo.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    para(photo, "{{ photo }}", "宋体", 10, align=WD_ALIGN_PARAGRAPH.CENTER, first=True, exact=False)
    for r, (l1, v1, l2, v2) in enumerate(rows):
        row = table.rows[r]
        row.height = Mm(10.5)
        start = 0 if r >= 6 else 1
        if r >= 6:
            table.cell(r, 0).merge(table.cell(r, 1))
        label = table.cell(r, start)
        label.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        para(label, l1, "黑体", 11, align=WD_ALIGN_PARAGRAPH.CENTER, first=True)
        if l2 is None:
            value = table.cell(r, 2).merge(table.cell(r, 4))
        else:
            value = table.cell(r, 2)
            lab2 = table.cell(r, 3)
            lab2.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            para(lab2, l2, "黑体", 11, align=WD_ALIGN_PARAGRAPH.CENTER, first=True)
            val2 = table.cell(r, 4)
            val2.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            para(val2, v2, "仿宋", 12, first=True)
        value.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        para(value, v1, "仿宋", 12 if r != 9 else 9, first=True)

    para(doc, "", "宋体", 10)
    bottom = doc.add_table(rows=1, cols=3)
    no_borders(bottom)
    bottom.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid(bottom, [95, 95, 71])
    left, mid, right = bottom.rows[0].cells
    for cell, caption, name, date in (
        (left, "评审机构（盖章）", "{{ committee }}", "{{ passed_on }}"),
        (mid, "核准机构（盖章）", "{{ authority }}", "{{ issued_on }}"),
    ):
        para(cell, caption, "宋体", 10, align=WD_ALIGN_PARAGRAPH.CENTER, first=True)
        para(cell, "", "宋体", 10)
        para(cell, "", "宋体", 10)
        para(cell, name, "宋体", 10.5, align=WD_ALIGN_PARAGRAPH.CENTER)
        para(cell, date, "宋体", 10.5, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(right, "{{ qr }}", "宋体", 10, align=WD_ALIGN_PARAGRAPH.CENTER, first=True, exact=False)
    para(right, "扫码或登录 {{ verify_domain }} 查验", "宋体", 9, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(right, "在线验证码 / Verification code", "黑体", 9, align=WD_ALIGN_PARAGRAPH.CENTER)
    code = para(right, "{{ verification_code }}", "黑体", 10.5, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    code.paragraph_format.line_spacing = None  # two lines (render.certificate_context breaks it)
    code.runs[0].font.name = "Courier New"  # fixed width: each group of four lines up
    para(right, "本证书为电子证书，打印件与电子文件具有同等效力", "楷体", 8, align=WD_ALIGN_PARAGRAPH.CENTER)
    doc.core_properties.title = "职称电子证书"
    doc.core_properties.author = "titlecert"
    doc.save(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    certificate()
    publicity_table()
    results_list()
    review_report()
    review_form()
    draft_notice()
    result_letter()
    receipt()
