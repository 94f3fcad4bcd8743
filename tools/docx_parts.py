"""The python-docx building blocks the template scripts share: fonts, paragraphs, tables, fields
and the e-seal boxes whose captions tell the signing step where seals go."""

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CENTER = WD_ALIGN_PARAGRAPH.CENTER
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
BODY = "仿宋"
LABEL = "黑体"


def font(run, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), name)
    if color:
        run.font.color.rgb = color


def para(
    cell_or_doc,
    text: str,
    name: str,
    size: float,
    *,
    align=WD_ALIGN_PARAGRAPH.LEFT,
    bold: bool = False,
    color: RGBColor | None = None,
    first: bool = False,
    exact: bool = True,
):
    p = cell_or_doc.paragraphs[0] if first and cell_or_doc.paragraphs else cell_or_doc.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if exact:  # fixed line height keeps the layout stable across fonts; images need "single"
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(size * 1.5)
    font(p.add_run(text), name, size, bold=bold, color=color)
    return p


def grid(table, widths_mm: list[float]) -> None:
    """Write tblGrid, fixed layout and cell widths: LibreOffice lays out from gridCol."""
    tbl = table._tbl
    tbl_grid = tbl.tblGrid
    for col in list(tbl_grid):
        tbl_grid.remove(col)
    for w in widths_mm:
        col = OxmlElement("w:gridCol")
        col.set(qn("w:w"), str(int(Mm(w).twips)))
        tbl_grid.append(col)
    tbl_pr = tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    for row in table.rows:
        for idx, cell in enumerate(row.cells):
            cell.width = Mm(widths_mm[min(idx, len(widths_mm) - 1)])


def no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def portrait():  # type: ignore[no-untyped-def]
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin = sec.right_margin = Mm(20)
    sec.top_margin, sec.bottom_margin = Mm(18), Mm(22)
    sec.footer_distance = Mm(8)
    style = doc.styles["Normal"]
    style.font.size = Pt(11)
    return doc


def title(doc, text: str, size: float = 18) -> None:  # type: ignore[no-untyped-def]
    para(doc, text, "宋体", size, align=CENTER, bold=True)


def heading(doc, text: str) -> None:  # type: ignore[no-untyped-def]
    """A section heading, kept on the page of what follows it."""
    p = para(doc, text, LABEL, 12, bold=True)
    p.paragraph_format.space_before = Pt(8)
    p.paragraph_format.space_after = Pt(3)
    p.paragraph_format.keep_with_next = True


def text(doc, value: str, size: float = 11, align=WD_ALIGN_PARAGRAPH.LEFT):  # type: ignore[no-untyped-def]
    p = para(doc, value, BODY, size, align=align, exact=False)
    p.paragraph_format.space_after = Pt(2)
    return p


def keep_together(doc, start: int) -> None:  # type: ignore[no-untyped-def]
    """Keep the body's paragraphs and table rows from index `start` (of `doc.element.body`) on one
    page with what follows them."""
    for block in list(doc.element.body)[start:]:
        for p in block.iter(qn("w:p")):
            Paragraph(p, None).paragraph_format.keep_with_next = True


def control(doc, tag: str) -> None:  # type: ignore[no-untyped-def]
    """A docxtpl paragraph tag ({%p … %}) in a paragraph of its own."""
    para(doc, tag, BODY, 8, exact=False)


def table(doc, widths: list[float], rows: int = 1):  # type: ignore[no-untyped-def]
    t = doc.add_table(rows=rows, cols=len(widths))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid(t, widths)
    return t


def cell(t, r: int, c: int, value: str, *, label: bool = False, size: float = 10.5, align=None):  # type: ignore[no-untyped-def]
    target = t.cell(r, c)
    para(
        target,
        value,
        LABEL if label else BODY,
        size,
        align=align or (CENTER if label else WD_ALIGN_PARAGRAPH.LEFT),
        first=True,
        exact=False,
    )
    return target


def repeat_header(row) -> None:  # type: ignore[no-untyped-def]
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def loop_table(
    doc, headers: list[str], fields: list[str], widths: list[float], loop: str, *, size: float = 10
):  # type: ignore[no-untyped-def]
    """A table with a repeated header row and one row per item of `loop` (`x in items`)."""
    t = table(doc, widths, rows=4)
    for c, h in enumerate(headers):
        cell(t, 0, c, h, label=True, size=size)
    repeat_header(t.rows[0])
    cell(t, 1, 0, f"{{%tr for {loop} %}}", size=8)
    for c, f in enumerate(fields):
        cell(t, 2, c, f"{{{{ {f} }}}}", size=size)
    cell(t, 3, 0, "{%tr endfor %}", size=8)
    return t


def passed_people_table(doc, loop: str, title_header: str = "评审通过资格"):  # type: ignore[no-untyped-def]
    """The passed applicants' list, as the results list, the report and the draft notice print it."""
    return loop_table(
        doc,
        ["序号", "姓名", "工作单位", "专业", title_header, "级别"],
        ["p.index", "p.name", "p.employer", "p.speciality", "p.title", "p.level"],
        [14, 24, 62, 28, 26, 16],
        loop,
    )


def kv_table(doc, rows: list[tuple[str, str, str | None, str | None]], widths: list[float]):  # type: ignore[no-untyped-def]
    """Label/value pairs, two per row; a row with one pair spans the full width."""
    t = table(doc, widths, rows=len(rows))
    for r, (l1, v1, l2, v2) in enumerate(rows):
        cell(t, r, 0, l1, label=True)
        if l2 is None:
            merged = t.cell(r, 1).merge(t.cell(r, 3))
            para(merged, v1, BODY, 10.5, first=True, exact=False)
        else:
            cell(t, r, 1, v1)
            cell(t, r, 2, l2, label=True)
            cell(t, r, 3, v2 or "")
    return t


def page_break(doc) -> None:  # type: ignore[no-untyped-def]
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def field(paragraph, instr: str) -> None:  # type: ignore[no-untyped-def]
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    run.append(t)
    fld.append(run)
    paragraph._p.append(fld)


def cant_split(row) -> None:  # type: ignore[no-untyped-def]
    """Keep a table row on one page: a box is never cut, leaving an empty bordered part behind."""
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


SEAL_INDENT = Mm(14)
"""How far the caption and date of a seal box end from its right edge: a 42 mm seal centred on the
caption stays inside the box. (A right indent, not trailing spaces: LibreOffice hangs a
right-aligned line's trailing spaces past the margin.)"""


def seal_box(  # type: ignore[no-untyped-def]
    doc, lines: list[str], caption: str, date: str, *, electronic: bool = False, room: int = 2
):
    """An opinion box: text, then the caption where a seal goes (wet or electronic) and a date.

    The box is one row that is never split across pages. An e-seal's box keeps 8 lines (132 pt)
    below the caption: the seal is centred 40 pt below the caption's baseline and, with the name
    and date its appearance prints under the image, reaches 116 pt below it
    (docgen.anchors.seal_boxes); a wet seal's box keeps `room` empty lines above the caption, below
    it and below the date."""
    t = table(doc, [170])
    cant_split(t.rows[0])
    c = t.cell(0, 0)
    first = True
    for line in lines:
        para(c, line, BODY, 11, first=first, exact=False)
        first = False
    above, between, below = (1, 1, 6) if electronic else (room, room, room)
    for _ in range(above):
        para(c, "", BODY, 11)
    para(c, caption, "宋体", 11, align=RIGHT).paragraph_format.right_indent = SEAL_INDENT
    for _ in range(between):
        para(c, "", BODY, 11)
    para(c, date, BODY, 11, align=RIGHT).paragraph_format.right_indent = SEAL_INDENT
    for _ in range(below):
        para(c, "", BODY, 11)


def end_mark(doc) -> None:  # type: ignore[no-untyped-def]
    """A 1-point last paragraph after a closing table: the paragraph a document must end with would
    otherwise take a full line, and a box ending at the foot of a page pushes it onto a page of
    its own."""
    p = para(doc, "", BODY, 1)
    p.paragraph_format.line_spacing = Pt(1)
