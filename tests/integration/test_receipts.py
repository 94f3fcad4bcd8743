"""Verification receipts end to end, on the shared instance with its DEMO PKI served: the upload
report's download form gives a one-page PDF/A sealed by the verification service and
time-stamped, which pdfsig and qpdf accept and the site itself recognises; a receipt changed
afterwards, or a seal of that key on a PDF that is no receipt, is not believed."""

import hashlib
import io
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from registry.db import Registry
from signing.fonts import find_seal_font
from signing.profiles import RECEIPT_SEALS, SealPlacement
from signing.roles import Role
from tests.conftest import GENEROUS_LIMITS, Instance, Issued, serve_pki
from titlecert.app import create_app
from titlecert.home import load_keys, load_trust
from titlecert.settings import Settings, from_env
from verify.report import VerificationReport
from verify.service import verify_pdf
from verify.statement import INFO_KEY, Statement
from verify.wording import Case


@dataclass
class Site:
    client: FlaskClient
    settings: Settings


@dataclass
class Receipt:
    certificate: bytes
    """The file uploaded."""
    pdf: bytes
    """The receipt its report page gave."""


@pytest.fixture(scope="module")
def site(instance: Instance, issued: Issued) -> Iterator[Site]:
    with serve_pki(instance):  # the receipt's time stamp
        settings = from_env({**instance.env, **GENEROUS_LIMITS})
        app = create_app(settings)
        yield Site(app.test_client(), settings)
        app.extensions["titlecert.verify"].receipts.__self__.close()  # its LibreOffice


def upload(client: FlaskClient, name: str, data: bytes) -> str:
    response = client.post(
        "/verify", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )
    assert response.status_code == 200, response.text
    return response.text


def download(client: FlaskClient, page: str) -> bytes:
    form = page.split('id="receipt-form"')[1].split("</form>")[0]
    fields = dict(re.findall(r'name="(csrf_token|statement)" value="([^"]+)"', form))
    response = client.post("/receipt", data=fields)
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/pdf"
    return response.data


def judge(site: Site, pdf: bytes) -> VerificationReport:
    return verify_pdf(
        pdf,
        name="receipt.pdf",
        trust=load_trust(site.settings),
        registry=Registry(site.settings.database_url),
    )


@pytest.fixture(scope="module")
def receipt(site: Site, issued: Issued) -> Receipt:
    certificate = issued.pdf(0)
    page = upload(site.client, "证书.pdf", certificate)
    assert "这是一份真实、有效的职称证书" in page
    return Receipt(certificate, download(site.client, page))


def test_a_receipt_is_a_sealed_one_page_pdfa_that_pdfsig_and_qpdf_accept(
    receipt: Receipt, issued: Issued, tmp_path: Path
) -> None:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(receipt.pdf)
    sig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid." in sig and "Total document signed" in sig, sig
    assert "查验服务" in sig  # the verification service's certificate, not a document role's
    assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True, check=False).returncode == 0
    assert re.search(rb'pdfaid:part(>|=")2', receipt.pdf) and re.search(
        rb'pdfaid:conformance(>|=")B', receipt.pdf
    )
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    number = str(issued.documents[0]["certificate_no"])
    for expected in (number, hashlib.sha256(receipt.certificate).hexdigest(), "查验结论", "有效", "Valid"):
        assert expected in text, expected


def test_the_site_recognises_its_receipt_and_says_what_it_states(
    site: Site, receipt: Receipt, issued: Issued, instance: Instance, tmp_path: Path
) -> None:
    report = judge(site, receipt.pdf)
    assert report.outcome is Case.RECEIPT and report.accepted
    stated = report.receipt
    assert stated is not None and stated.outcome is Case.GENUINE
    assert stated.file_sha256 == hashlib.sha256(receipt.certificate).hexdigest()
    assert stated.certificate and stated.certificate.certificate_no == issued.documents[0]["certificate_no"]
    [seal] = report.seals
    assert seal.title.zh == "印章 1：查验服务" and seal.indication.value == "PASSED"
    assert seal.proven_time.zh.endswith("北京时间（UTC+8）")  # time-stamped, not only claimed
    page = upload(site.client, "receipt.pdf", receipt.pdf)
    assert "真实的验证报告" in page and stated.number in page and 'id="receipt-states"' in page
    assert 'id="receipt-form"' not in page  # no receipt of a receipt
    path = tmp_path / "receipt.pdf"
    path.write_bytes(receipt.pdf)
    line = instance.run("verify", str(path)).stdout.strip()
    assert line == f"真实的验证报告 / genuine verification receipt — {stated.number}"


def test_a_receipt_changed_after_its_seal_is_not_believed(site: Site, receipt: Receipt) -> None:
    # What a forger would try: the statement rewritten in an update after the seal ...
    writer = IncrementalPdfFileWriter(io.BytesIO(receipt.pdf))
    ref = writer.trailer.raw_get("/Info")
    info = ref.get_object()
    info[generic.NameObject(INFO_KEY)] = generic.TextStringObject(
        str(info[INFO_KEY]).replace('"outcome":"genuine"', '"outcome":"genuine","x":1')
    )
    writer.mark_update(ref)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    updated = judge(site, out.getvalue())
    assert updated.outcome is Case.CHANGED and "未被改动" not in updated.headline.zh
    # ... or one character of the sealed bytes changed (LibreOffice's checksum: the file still parses).
    at = receipt.pdf.index(b"/DocChecksum /") + len(b"/DocChecksum /")
    flipped = receipt.pdf[:at] + (b"A" if receipt.pdf[at : at + 1] != b"A" else b"B") + receipt.pdf[at + 1 :]
    broken = judge(site, flipped)
    assert broken.outcome is Case.SEALS_FAIL
    assert [s.sub_indication.value for s in broken.seals if s.sub_indication] == ["HASH_FAILURE"]


def test_the_services_seal_on_a_pdf_that_states_nothing_is_no_receipt(site: Site, issued: Issued) -> None:
    from signing.pades import seal_pdf

    unsealed = Path(issued.documents[0]["path"]).read_bytes()
    first_revision = unsealed[: unsealed.index(b"%%EOF") + 5]  # LibreOffice's output, before the seals
    keys = load_keys(site.settings, (Role.VERIFIER,))
    sealed = seal_pdf(
        first_revision,
        placements=[SealPlacement(Role.VERIFIER, 0, (40, 40, 160, 160))],
        keys=keys,
        font_path=find_seal_font(None),
        order=RECEIPT_SEALS,
    )
    report = judge(site, sealed)
    assert report.outcome is not Case.RECEIPT and not report.accepted
    assert "receipt.statement" in report.rules
    assert Statement.from_json("not json") is None
