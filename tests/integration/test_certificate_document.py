"""The certificate as LibreOffice renders it: PDF/A-2b, fonts embedded, values exactly as given."""

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from docgen.anchors import CERTIFICATE_SEAL_CAPTIONS, seal_boxes
from docgen.convert import check_pdf, convert_to_pdf, unembedded_fonts
from docgen.errors import ConversionError
from docgen.models import CertificateData
from docgen.qr import qr_png
from docgen.render import render_certificate
from docgen.text import clean_text
from templates import FONTS_CONF
from tests.conftest import Issued
from titlecert.documents import template_of
from titlecert.kinds import DocumentKind

CERTIFICATE_DOCX = template_of(DocumentKind.CERTIFICATE)

DATA = CertificateData(
    certificate_no="CQZC2026000099",
    licence_id="1.2.156.3005.2.11100000000013338W999.11500000MB1234567A.CQZC2026000099.001.X",
    name="欧阳娜娜",
    sex="女",
    birth="1992年02月",
    id_type="居民身份证",
    id_number="500103199202290026",
    employer=clean_text("研发&测试中心 <A<B> 公司\f第二页"),
    series="工程技术",
    speciality="大数据智能化",
    title="高级工程师",
    level="副高级",
    obtained_by="评审",
    passed_on=dt.date(2025, 12, 21),
    committee="重庆市工程技术大数据智能化专业高级职称评审委员会",
    approval_no="渝职改办〔2026〕12号",
    issued_on=dt.date(2026, 1, 20),
    authority="重庆市职称改革办公室",
    verify_url="http://127.0.0.1:8080/v/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    verification_code="ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567",
    verify_domain="127.0.0.1:8080",
)


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    docx = render_certificate(CERTIFICATE_DOCX, DATA, qr_png=qr_png(DATA.verify_url))
    profile = tmp_path_factory.mktemp("soffice")
    return convert_to_pdf([("c", docx)], profile_dir=profile, fonts_conf=FONTS_CONF)["c"]


def test_one_page_pdf_a_2b_with_every_font_embedded(pdf: bytes) -> None:
    check_pdf("c.pdf", pdf, pages=1)
    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"<pdfaid:part>2</pdfaid:part>" in xmp and b"<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert unembedded_fonts(reader) == set()
    fonts = {str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("NotoSerifCJK" in f for f in fonts) and any("NotoSansCJK" in f for f in fonts)


def test_values_are_printed_literally(pdf: bytes) -> None:
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace(" ", "")
    for value in (
        "欧阳娜娜",
        "500103199202290026",
        "研发&测试中心<A<B>公司第二页",
        "CQZC2026000099",
        "渝职改办〔2026〕12号",
        "127.0.0.1:8080",
        "2025年12月21日",
        "在线验证码/Verificationcode",
        "ABCD-EFGH-IJKL-MNOP",  # to be typed on the home page: two lines of four groups
        "QRST-UVWX-YZ23-4567",
    ):
        assert value in text


def test_seal_boxes_sit_on_the_captions(pdf: bytes) -> None:
    boxes = seal_boxes(pdf, CERTIFICATE_SEAL_CAPTIONS)
    (p1, committee), (p2, authority) = boxes["committee"], boxes["authority"]
    assert p1 == p2 == 0
    assert committee[2] < authority[0]  # side by side, not overlapping
    assert 40 < committee[1] < 200 and committee[3] - committee[1] > 100


def test_libreoffice_output_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match=r"broken.docx: LibreOffice wrote no PDF"):
        convert_to_pdf(
            [("broken", b"PK\x03\x04truncated")], profile_dir=tmp_path / "p", fonts_conf=FONTS_CONF
        )


def test_issued_certificate_shows_both_seals(issued: Issued) -> None:
    reader = PdfReader(io.BytesIO(issued.pdf(0)))
    annots = [a.get_object() for a in reader.pages[0]["/Annots"]]
    # signature fields holding a signature, not the B-LTA /DocTimeStamp
    seals = [a for a in annots if a.get("/FT") == "/Sig" and a["/V"]["/Type"] == "/Sig"]
    assert sorted(str(a["/T"]) for a in seals) == ["AuthoritySeal", "CommitteeSeal"]
    assert all("/AP" in a and float(a["/Rect"][2]) - float(a["/Rect"][0]) > 100 for a in seals)


def test_qr_code_scans_to_the_verify_url(issued: Issued, tmp_path: Path) -> None:
    # What an employer's phone does: render the page and decode the QR code (zbar).
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", issued.documents[0]["path"], str(tmp_path / "page")],
        check=True,
    )
    scan = subprocess.run(
        ["zbarimg", "-q", "--raw", str(tmp_path / "page.png")], capture_output=True, text=True, check=True
    )
    assert scan.stdout.strip() == issued.documents[0]["verify_url"]


def test_issued_certificate_carries_the_photo_and_the_qr_code(issued: Issued) -> None:
    page = PdfReader(io.BytesIO(issued.pdf(0))).pages[0]
    xobjects = page["/Resources"]["/XObject"]
    images = [x.get_object() for x in xobjects.values() if x.get_object()["/Subtype"] == "/Image"]
    sizes = sorted((int(i["/Width"]), int(i["/Height"])) for i in images)
    assert (260, 360) in sizes  # the applicant's photo, at its own resolution
    assert any(w == h for w, h in sizes)  # the square QR code
