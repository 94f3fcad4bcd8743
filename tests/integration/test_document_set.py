"""The five documents of the notice, as issued for the bundled session."""

import io
import re
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from docgen.chains import CHAIN_LEVELS
from docgen.convert import unembedded_fonts
from docgen.models import ReportingChain
from docgen.pagecodes import page_code
from registry.db import Registry
from signing.trust import load_trust_settings
from tests.conftest import Instance, Issued, ended_applicants, passed_applicants, sample_session_doc
from titlecert.clerks.replacements import unsealed_revision
from titlecert.documents import template_of
from titlecert.kinds import DocumentKind
from verify.report import Verdict
from verify.service import verify_pdf

PUBLICITY_TABLE_DOCX = template_of(DocumentKind.PUBLICITY_TABLE)
RESULTS_LIST_DOCX = template_of(DocumentKind.RESULTS_LIST)
REVIEW_FORM_DOCX = template_of(DocumentKind.REVIEW_FORM)
REVIEW_REPORT_DOCX = template_of(DocumentKind.REVIEW_REPORT)


def text_of(path: str) -> str:
    return "".join(p.extract_text() for p in PdfReader(path).pages).replace(" ", "").replace("\n", "")


def test_issue_lists_every_kind(issued: Issued) -> None:
    kinds = Counter(d["kind"] for d in issued.everything)
    passed = len(passed_applicants())
    assert kinds == {
        "certificate": passed,
        "review-form": 2 * passed,
        "publicity-table": len(sample_session_doc()["applicants"]),  # ended applications too
        "results-list": 1,
        "review-report": 1,
        "draft-notice": 1,  # the sample delegates no review: no result letter
    }
    copies = Counter(d["copy"] for d in issued.of_kind("review-form"))
    assert copies == {"personnel-file": passed, "unit-archive": passed}


def test_every_document_is_pdf_a_2b_with_every_font_embedded(issued: Issued) -> None:
    for doc in issued.everything:
        reader = PdfReader(doc["path"])
        xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
        # as elements (LibreOffice) or attributes (after pyHanko updated the packet when sealing)
        assert re.search(rb'pdfaid:part(>|=")2', xmp) and re.search(rb'pdfaid:conformance(>|=")B', xmp), doc
        assert unembedded_fonts(reader) == set(), doc["path"]


def ink(png: Path) -> float:
    img = Image.open(png).convert("L")
    dark = sum(img.histogram()[:128])
    return dark / (img.width * img.height)


def test_every_page_renders_with_chinese_text(issued: Issued, tmp_path: Path) -> None:
    for n, doc in enumerate(issued.everything):
        prefix = tmp_path / f"d{n}"
        subprocess.run(["pdftoppm", "-r", "20", "-png", doc["path"], str(prefix)], check=True)
        pages = sorted(tmp_path.glob(f"d{n}-*.png"))
        assert len(pages) == len(PdfReader(doc["path"]).pages)
        for page in pages:
            assert ink(page) > 0.003, f"{doc['path']} {page.name} is blank"
        assert re.search(r"[\u4e00-\u9fff]{4}", text_of(doc["path"])), doc["path"]


def test_review_form_copies_footer_page_codes_and_seal_boxes(
    issued: Issued, instance: Instance, tmp_path: Path
) -> None:
    forms = issued.of_kind("review-form")
    first = forms[0]
    reader = PdfReader(first["path"])
    n = len(reader.pages)
    assert first["pages"] == n and 4 <= n <= 40
    for i, page in enumerate(reader.pages, start=1):
        text = page.extract_text().replace(" ", "")
        assert "人事档案" in text and f"评审表编号{first['form_no']}" in text and f"第{i}页共{n}页" in text
    whole = text_of(first["path"])
    chain = ReportingChain(passed_applicants()[0]["reporting_chain"])
    assert whole.count("（盖章）") == len(CHAIN_LEVELS[chain])  # one wet stamp per level of the chain
    assert "评委会（电子印章）" in whole and "核准机构（电子印章）" in whole
    assert "单位文书档案" in text_of(forms[1]["path"]) and "人事档案" not in text_of(
        forms[1]["path"]
    ).replace("单位文书档案", "")
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-f", "2", "-l", "2", first["path"], str(tmp_path / "p")],
        check=True,
    )
    [png] = tmp_path.glob("p-*.png")
    scan = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True, check=True)
    assert scan.stdout.split() == [f"{instance.public_url}/p/{page_code(first['form_no'], 'P', 2)}"]


def test_review_form_is_sealed_on_the_result_page_and_verifies(issued: Issued, instance: Instance) -> None:
    form = issued.of_kind("review-form")[0]
    data = Path(form["path"]).read_bytes()
    registry = Registry(f"sqlite:///{instance.home / 'registry.sqlite3'}")
    try:
        report = verify_pdf(
            data, name="form.pdf", trust=load_trust_settings(instance.home / "trust.json"), registry=registry
        )
    finally:
        registry.dispose()
    assert (report.verdict, report.status) == (Verdict.VALID, "valid")
    assert report.document == f"review-form {form['form_no']} (personnel-file)"
    assert report.certificate_no == form["certificate_no"]
    last = len(PdfReader(form["path"]).pages) - 1
    annots = [
        (i, a.get_object()) for i, p in enumerate(PdfReader(form["path"]).pages) for a in p.get("/Annots", [])
    ]
    # signature fields holding a signature, not the B-LTA /DocTimeStamp
    sig_pages = [i for i, a in annots if a.get("/FT") == "/Sig" and a["/V"]["/Type"] == "/Sig"]
    assert sig_pages == [last, last]


def test_results_list_and_publicity_tables_disclose_no_id_numbers(issued: Issued) -> None:
    doc = sample_session_doc()
    results = text_of(issued.of_kind("results-list")[0]["path"])
    for a in passed_applicants() + ended_applicants("objection_upheld"):  # as posted, before the objection
        assert a["name"] in results
    for a in ended_applicants("terminated") + ended_applicants("not_accepted"):
        assert a["name"] not in results
    for a in doc["applicants"]:
        assert (
            a["id_number"] not in results and a["birth_date"][:4] + "年" + a["birth_date"][5:7] not in results
        )
    for table, a in zip(issued.of_kind("publicity-table"), doc["applicants"], strict=True):
        text = text_of(table["path"])
        assert a["id_number"] not in text and a["name"] in text
        assert a["employer"]["phone"] in text and a["superior"]["phone"] in text  # both complaint levels


def test_report_states_quorum_counts_and_due_date(issued: Issued) -> None:
    text = text_of(issued.of_kind("review-report")[0]["path"])
    assert "评委会人数25人，实际出席21人" in text and "不少于17人" in text
    assert (
        "共收到申报8人，不予受理1人，视为放弃申报0人，受理7人；退回补正4人次；评审终止1人，提交评审6人，评审通过5人，未通过1人"
        in text
    )
    assert "不予受理人员：赵霞婷（退回材料第3次提交评委会审核仍不符合要求）" in text
    assert "评审终止人员：曹然华（评审过程中发现业绩材料弄虚作假，经查证属实）" in text
    assert "2025年12月26日前" in text


@pytest.mark.parametrize(
    "template", [PUBLICITY_TABLE_DOCX, RESULTS_LIST_DOCX, REVIEW_REPORT_DOCX, REVIEW_FORM_DOCX]
)
def test_tables_print_in_black_and_white(template: Path) -> None:
    xml = zipfile.ZipFile(template).read("word/document.xml").decode()
    fills = set(re.findall(r'w:fill="([0-9A-Fa-f]{6}|auto)"', xml)) - {"auto", "FFFFFF"}
    colours = set(re.findall(r'w:color w:val="([0-9A-Fa-f]{6}|auto)"', xml)) - {"auto", "000000"}
    assert fills == set() and colours == set()


def test_bad_bytes_stay_out_of_the_manifest(issued: Issued) -> None:
    manifest = (issued.out / "manifest.json").read_text(encoding="utf-8")
    assert io.StringIO(manifest).read().count('"kind": "review-form"') == len(issued.of_kind("review-form"))


def test_the_page_codes_are_under_the_seals_where_a_replacement_starts(issued: Issued) -> None:
    form = issued.of_kind("review-form")[0]
    data = Path(form["path"]).read_bytes()
    before_seals = unsealed_revision(data)
    pages = len(PdfReader(io.BytesIO(before_seals)).pages)
    for page in range(1, pages + 1):  # each page's code image, in the revision the seals cover
        assert f"/PageCode-{page_code(form['form_no'], 'P', page)}".encode() in before_seals
    as_converted = data[: data.index(b"%%EOF") + 5]
    assert b"/PageCode-" not in as_converted  # LibreOffice's revision stays as it was written
    assert data.startswith(before_seals.rstrip(b"\n"))
