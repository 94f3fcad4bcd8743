"""The rendered documents state only facts and hold their layout: a blank stands for a value the
session does not give; what the notice promises is printed; the publicity table and the review
form's seal boxes hold on the page (checked on the rendered pages, not only their text)."""

import dataclasses
import datetime as dt
import io
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import time_machine
from PIL import Image
from pypdf import PdfReader

from docgen.context import publicity_context, report_context, results_context
from docgen.convert import convert_to_pdf
from docgen.load import load_session
from docgen.models import LoadedSession
from docgen.render import render_docx
from docgen.workdays import WorkCalendar
from templates import FONTS_CONF
from tests.conftest import Instance, review_moved, sample_session_doc
from titlecert.documents import Award, Job, award_jobs, template_of
from titlecert.jobs.plan import certificate_data
from titlecert.kinds import DocumentKind
from titlecert.sealing import FinishSpec, batch_sealing, finish
from titlecert.settings import from_env

CAL = WorkCalendar()
COPY = "人事档案"
"""The copy's name, in each page's header."""
LI, JIANG = 1, 4
"""Rows of the sample: 黎军静 has every optional review-form value, 姜伟子 none."""
PRAISE = "专业基础扎实，业绩成果突出，解决复杂工程问题能力较强，"
LONG_OPINION = ("该同志" + PRAISE * 8)[:190] + "达到高级工程师水平。"
"""An experts' opinion of the 200 characters a session may give."""


def loaded(tmp_path: Path, name: str, doc: dict[str, Any]) -> LoadedSession:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return load_session(path, CAL)


def with_achievements(n: int) -> dict[str, Any]:
    """The sample with 何华 (row 3) given `n` achievements, each of a realistic length."""
    doc = sample_session_doc()
    base = doc["applicants"][3]["achievements"]
    doc["applicants"][3]["achievements"] = [base[k % len(base)] for k in range(n)]
    return doc


def award_of(session: LoadedSession, row: int, number: int) -> Award:
    a = session.session.applicants[row]
    data = certificate_data(session, a, f"CQZC202600{number:04d}", "T" * 32, from_env({}))
    return Award(row, a, data, "T" * 32, "k" * 64, f"PS202600{number:04d}", "H" * 43)


@dataclasses.dataclass
class Rendered:
    pdfs: dict[str, bytes]
    jobs: dict[str, Job]
    """The review forms and certificate made as issuing makes them, by name."""

    def text(self, name: str, page: int | None = None) -> str:
        """A document's (or one page's) text, without spaces and line breaks, so that a line a
        layout wrapped still reads whole."""
        pages = PdfReader(io.BytesIO(self.pdfs[name])).pages
        chosen = pages if page is None else [pages[page]]
        return re.sub(r"[\s\u3000]", "", "".join(p.extract_text() for p in chosen))

    def pages(self, name: str) -> int:
        return len(PdfReader(io.BytesIO(self.pdfs[name])).pages)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """Every crafted document, converted in one LibreOffice run."""
    tmp = tmp_path_factory.mktemp("facts")
    sample = loaded(tmp, "sample", sample_session_doc())
    unsent = sample_session_doc()
    del unsent["report_submitted_on"]
    computed = review_moved(sample_session_doc(), "2025-12-24", "2025-12-25")
    del computed["results_publicity"]
    computed["approval"]["date"] = "2026-01-20"
    bare = sample_session_doc()
    del bare["sitting"]["presiding"]
    long = sample_session_doc()
    long["applicants"][LI] |= {"expert_opinion": LONG_OPINION, "unit_opinion": (PRAISE * 20)[:500]}

    s = sample.session
    docs = [
        ("report-sent", render_docx(template_of(DocumentKind.REVIEW_REPORT), report_context(s, CAL))),
        ("report-unsent", render_docx(template_of(DocumentKind.REVIEW_REPORT), unsent_report(tmp, unsent))),
        ("results-given", render_docx(template_of(DocumentKind.RESULTS_LIST), results_context(s, CAL))),
        (
            "results-computed",
            render_docx(
                template_of(DocumentKind.RESULTS_LIST),
                results_context(loaded(tmp, "c", computed).session, CAL),
            ),
        ),
    ]
    for n in (5, 8, 10, 12):
        t = loaded(tmp, f"a{n}", with_achievements(n)).session
        docs.append(
            (
                f"publicity-{n}",
                render_docx(
                    template_of(DocumentKind.PUBLICITY_TABLE), publicity_context(t, t.applicants[3], CAL)
                ),
            )
        )
    jobs: dict[str, Job] = {}
    for name, session, row, number in (
        ("li", sample, LI, 1),
        ("jiang", loaded(tmp, "bare", bare), JIANG, 2),
        ("long", loaded(tmp, "long", long), LI, 3),
    ):
        certificate, form, _ = award_jobs(session, award_of(session, row, number), today=dt.date(2026, 2, 1))
        jobs[name] = form
        if name == "li":
            jobs["certificate"] = certificate
    for name, job in jobs.items():
        docs.append(
            (name, render_docx(job.template, job.context, images=job.images, must_contain=job.must_contain))
        )
    return Rendered(convert_to_pdf(docs, profile_dir=tmp / "profile", fonts_conf=FONTS_CONF), jobs)


def unsent_report(tmp: Path, doc: dict[str, Any]) -> dict[str, Any]:
    return report_context(loaded(tmp, "unsent", doc).session, CAL)


# ---------------------------------------------------------------- facts


def test_the_report_prints_a_blank_sending_day_not_its_due_date(rendered: Rendered) -> None:
    sent, unsent = rendered.text("report-sent"), rendered.text("report-unsent")
    assert "本报告应于评审结束后5个工作日内（2025年12月26日前）报送；本报告报送日期：2025年12月24日。" in sent
    assert "（2025年12月26日前）报送；本报告报送日期：年月日。" in unsent
    assert unsent.endswith("重庆市大数据应用发展管理局（盖章）年月日")  # signed and dated by hand
    assert unsent.count("2025年12月26日") == 1  # the due date, only as the due date


def test_the_results_list_has_its_full_title_the_offices_publicity_and_no_computed_period(
    rendered: Rendered,
) -> None:
    given, computed = rendered.text("results-given"), rendered.text("results-computed")
    for text in (given, computed):
        assert text.startswith("关于2025年重庆市工程技术大数据智能化专业职称评审结果的公示")
        assert "为便于公众查阅，评审结果公示信息报送市职改办同步公示。" in text
    assert "公示期：2025年12月22日至2025年12月26日（5个工作日）。" in given
    assert "公示期：年月日至年月日（不少于5个工作日）。" in computed
    assert "2025年12月26日" not in computed and "2026年01月04日" not in computed
    assert computed.endswith("重庆市大数据应用发展管理局年月日")


def test_the_publicity_table_says_what_the_notice_says_of_the_office_platform(rendered: Rendered) -> None:
    text = rendered.text("publicity-5")
    assert "公示地点：本单位公开场所集中公示；有条件的还应同时在单位办公平台公示。" in text
    assert "同步公示" not in text


def test_the_review_form_prints_the_given_values_and_blanks_for_the_others(rendered: Rendered) -> None:
    li, jiang = rendered.text("li"), rendered.text("jiang")
    assert "填表日期2025年10月20日" in rendered.text("li", 0)
    assert "填表日期年月日" in rendered.text("jiang", 0)
    unit = rendered.jobs["li"].context["opinion_boxes"][0]["text"]
    assert f"所在单位意见{unit}负责人（签名）：（盖章）" in li
    assert "所在单位意见负责人（签名）：（盖章）" in jiang and "无异议" not in jiang  # nothing pre-written
    result_li, result_jiang = rendered.text("li", -1), rendered.text("jiang", -1)
    assert "主持人：王建国（副主任委员）签名：" in result_li
    assert "主持人（主任委员或副主任委员）：签名：" in result_jiang
    expert = rendered.jobs["li"].context["expert_opinion"]
    assert f"评审专家意见{expert}核准机构确认意见" in result_li
    assert "评审专家意见核准机构确认意见" in result_jiang  # a blank box


# ---------------------------------------------------------------- layout


def ink(png: Path) -> float:
    img = Image.open(png).convert("L")
    return sum(img.histogram()[:128]) / (img.width * img.height)


@pytest.mark.parametrize("n", [5, 8, 10])
def test_the_publicity_table_holds_ten_achievements_on_one_page(
    rendered: Rendered, tmp_path: Path, n: int
) -> None:
    name = f"publicity-{n}"
    assert rendered.pages(name) == 1
    text = rendered.text(name)
    assert f"任现职以来业绩成果（{n}项）" in text and text.endswith("经办人：负责人：（盖章）年月日")


def test_a_longer_publicity_table_moves_its_publicity_section_whole_to_the_next_page(
    rendered: Rendered, tmp_path: Path
) -> None:
    assert rendered.pages("publicity-12") == 2
    second = rendered.text("publicity-12", 1)
    assert second.startswith("公示情况公示期：") and second.endswith(
        "单位意见：经办人：负责人：（盖章）年月日"
    )
    path = tmp_path / "p.pdf"
    path.write_bytes(rendered.pdfs["publicity-12"])
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(path), str(tmp_path / "p")], check=True)
    assert all(ink(page) > 0.003 for page in sorted(tmp_path.glob("p-*.png")))


def test_a_long_opinion_keeps_the_result_page_whole(rendered: Rendered) -> None:
    pages = rendered.pages("long")
    last = rendered.text("long", -1)
    assert (
        last.startswith(f"{COPY}评审结果") and "评委会（电子印章）" in last and "核准机构（电子印章）" in last
    )
    assert LONG_OPINION in last and pages == rendered.pages("li")


# ---------------------------------------------------------------- seals

SEALING_AT = dt.datetime(2026, 1, 11, 17, 0, tzinfo=dt.UTC)
"""The evening before the confirmation's day, UTC: already 12 January in Beijing, still the 11th
as a UTC date (what pyHanko's own stamp date printed)."""


@pytest.fixture(scope="module")
def sealed(rendered: Rendered, instance: Instance) -> dict[str, bytes]:
    """黎军静's review form and certificate, finished as issuing finishes them (B-B), the clock set to
    SEALING_AT."""
    settings = from_env(instance.env)
    sealing = batch_sealing(settings, level="B-B")
    out = {}
    with time_machine.travel(SEALING_AT, tick=False):
        for name in ("li", "certificate"):
            spec = FinishSpec.of(rendered.jobs[name], settings.public_url)
            out[name], _ = finish(spec, rendered.pdfs[name], sealing)
    return out


@dataclasses.dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    """From the page's top, in points (pdftotext -bbox)."""


def words(pdf: bytes, page: int, tmp_path: Path) -> list[Word]:
    """Every word drawn on the page, the seals' appearances included."""
    path = tmp_path / "w.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [Word(t, float(a), float(b), float(c), float(d)) for a, b, c, d, t in re.findall(pattern, html)]


def test_each_seal_prints_the_date_its_document_prints_beside_it_not_the_sealing_day(
    sealed: dict[str, bytes], tmp_path: Path
) -> None:
    for name, page in (("li", 4), ("certificate", 1)):
        texts = [w.text for w in words(sealed[name], page, tmp_path)]
        # the committee's seal on the day of the review (取得时间), the authority's on the
        # confirmation's (发证时间), as the captions under them print
        assert texts.count("2025-12-21") == 1 and texts.count("2026-01-12") == 1, name
        assert "2026-01-11" not in texts, name


def box_lines(pdf: bytes, page: int, tmp_path: Path) -> tuple[list[float], list[float]]:
    """The page's table borders, from its pixels: the rows (from the top) and the columns (from the
    left), in points, of the horizontal and vertical dark lines spanning most of a box."""
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "144", "-png", "-f", str(page), "-l", str(page), str(path), str(tmp_path / "b")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("b-*.png"))).convert("RGB")
    scale, px = 2.0, image.load()
    assert px is not None

    def dark(x: int, y: int) -> bool:
        return max(px[x, y]) < 110  # black or grey; the seals' red is not

    rows = [
        y / scale
        for y in range(image.height)
        if sum(dark(x, y) for x in range(0, image.width, 2)) > 0.35 * image.width
    ]
    columns = [
        x / scale
        for x in range(image.width)
        if sum(dark(x, y) for y in range(0, image.height, 2)) > 0.05 * image.height
    ]
    return rows, columns


def test_the_review_forms_seals_and_their_captions_stay_inside_their_boxes(
    sealed: dict[str, bytes], tmp_path: Path
) -> None:
    pdf = sealed["li"]
    reader = PdfReader(io.BytesIO(pdf))
    height = float(reader.pages[3].mediabox.height)
    rects = {
        str(a.get_object()["/T"]): [float(v) for v in a.get_object()["/Rect"]]
        for a in reader.pages[3]["/Annots"]
    }
    on_page = words(pdf, 4, tmp_path)
    rows, columns = box_lines(pdf, 4, tmp_path)
    left, right = min(columns), max(columns)
    for field, date, next_heading in (
        ("CommitteeSeal", "2025-12-21", "评审专家意见"),
        ("AuthoritySeal", "2026-01-12", "归档："),
    ):
        caption = next(w for w in on_page if w.text == date)  # the seal's own name and date lines
        name = next(w for w in on_page if w.y1 <= caption.y0 + 0.5 and abs(w.x0 - caption.x0) < 1)
        x1, y1, x2, y2 = rects[field]
        seal = Word(field, x1, height - y2, x2, height - y1)
        top = max(r for r in rows if r < seal.y0 + 60)  # the box's top border, above the seal's centre
        bottom = min(r for r in rows if r > seal.y0 + 60)
        heading = next(w for w in on_page if w.text.startswith(next_heading))
        for part in (seal, name, caption):
            assert left < part.x0 and part.x1 < right, (field, part)
            assert top < part.y0 and part.y1 < bottom, (field, part, top, bottom)
        assert bottom < heading.y0, (field, bottom, heading)
