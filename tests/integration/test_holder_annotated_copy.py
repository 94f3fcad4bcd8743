"""The holder's annotated copy end to end, on the shared instance with its DEMO PKI served: the
holder downloads, for a share link in force, a PDF of the certificate with the annotation printed
on it, sealed by the verification service, the issued file attached byte for byte; pdfsig and
qpdf accept it; the verifier and the site call it a genuine annotated copy, and an invalid one
once the holder withdraws the link, the certificate is suspended, the copy is changed, or its
seal names a certificate it is not of (docs/holder-control.md)."""

import datetime as dt
import io
import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from registry.db import Registry
from signing.roles import Role
from tests.conftest import GENEROUS_LIMITS, Instance, as_another_session, sample_session_doc, serve_pki
from titlecert.app import create_app
from titlecert.holder_copies import annotated_copy
from titlecert.home import load_trust
from titlecert.settings import Settings, from_env
from verify.report import VerificationReport
from verify.rules import RuleId
from verify.service import verify_pdf
from verify.transparency import holder_view
from verify.wording import Case

PURPOSE = "仅供重庆某某科技有限公司招聘使用"


@dataclass
class Holder:
    client: FlaskClient
    settings: Settings
    instance: Instance
    certificate_no: str
    secret: str
    issued: bytes
    """The certificate as issued."""


@pytest.fixture(scope="module")
def holder(instance: Instance, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Holder]:
    """A certificate of a session of its own (no other test reissues or revokes it), and the site."""
    doc = sample_session_doc()
    doc["applicants"] = doc["applicants"][1:2]
    as_another_session(doc, "渝职改办〔2026〕489号")
    tmp = tmp_path_factory.mktemp("annotated")
    session = tmp / "session.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = json.loads(instance.run("issue", str(session), "--out", str(tmp / "out"), "--json").stdout)
    document = next(d for d in result["documents"] if d["kind"] == "certificate")
    with serve_pki(instance):  # the copies' time stamps
        settings = from_env({**instance.env, **GENEROUS_LIMITS})
        app = create_app(settings)
        yield Holder(
            app.test_client(),
            settings,
            instance,
            document["certificate_no"],
            str(document["holder_url"]).rsplit("/", 1)[1],
            Path(document["path"]).read_bytes(),
        )


def make_link(holder: Holder, purpose: str = PURPOSE) -> int:
    r = holder.client.post(f"/h/{holder.secret}/shares", data={"purpose": purpose, "days": "30"})
    assert r.status_code == 200, r.text
    view = holder_view(Registry(holder.settings.database_url), holder.secret)
    assert view is not None
    return next(s.id for s in view.shares if s.purpose == purpose)


def download_copy(holder: Holder, share_id: int) -> bytes:
    page = holder.client.get(f"/h/{holder.secret}")
    href = f"/h/{holder.secret}/shares/{share_id}/copy.pdf"
    assert f'href="{href}"' in page.text
    r = holder.client.get(href)
    assert r.status_code == 200, r.text
    assert r.mimetype == "application/pdf"
    assert f'filename="{holder.certificate_no}-{share_id}.pdf"' in r.headers["Content-Disposition"]
    return r.data


def judge(holder: Holder, pdf: bytes) -> VerificationReport:
    return verify_pdf(
        pdf,
        name="copy.pdf",
        trust=load_trust(holder.settings),
        registry=Registry(holder.settings.database_url),
    )


@pytest.fixture(scope="module")
def copy(holder: Holder) -> bytes:
    return download_copy(holder, make_link(holder))


def test_the_copy_prints_the_annotation_carries_the_issued_file_and_tools_accept_it(
    holder: Holder, copy: bytes, tmp_path: Path
) -> None:
    reader = PdfReader(io.BytesIO(copy))
    page = reader.pages[0].extract_text()
    assert "持证人加注副本" in page and PURPOSE in page.replace("\n", "")
    assert holder.certificate_no in page  # the certificate's own text, and the block naming it
    assert reader.attachments == {f"{holder.certificate_no}.pdf": [holder.issued]}
    assert re.search(rb'pdfaid:part(>|=")2', copy)
    path = tmp_path / "copy.pdf"
    path.write_bytes(copy)
    sig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert sig.count("Signature #") == 1 and "Signature is Valid." in sig and "Total document signed" in sig
    assert "查验服务" in sig, sig
    [seal] = PdfFileReader(io.BytesIO(copy)).embedded_signatures
    assert PURPOSE in str(seal.sig_object["/Reason"])  # what Acrobat's signature panel shows
    assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True, check=False).returncode == 0


def test_the_verifier_calls_it_a_genuine_annotated_copy_and_the_attachment_a_genuine_certificate(
    holder: Holder, copy: bytes
) -> None:
    report = judge(holder, copy)
    assert report.outcome is Case.GENUINE and report.accepted, report.reasons_zh
    assert report.certificate is not None and report.certificate.certificate_no == holder.certificate_no
    assert "持证人加注副本" in report.headline.zh and PURPOSE in report.headline.zh
    assert RuleId.HOLDER_COPY_NOTE in report.rules
    assert [s.role for s in report.signatures] == [Role.VERIFIER.value]
    [attached] = PdfReader(io.BytesIO(copy)).attachments.values()
    original = judge(holder, attached[0])
    assert original.outcome is Case.GENUINE and original.certificate_no == holder.certificate_no
    # Encoded here, in memory: the test client spools a body this size (676 KB) to a temporary
    # file that it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(copy), "副本.pdf")})
    uploaded = holder.client.post(
        "/verify", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert uploaded.status_code == 200 and "持证人加注副本" in uploaded.text and PURPOSE in uploaded.text


def test_a_changed_copy_and_a_copy_naming_another_certificate_are_not_believed(
    holder: Holder, copy: bytes
) -> None:
    at = copy.index(b"/TitlecertHolderCopy") + 40  # one byte of the note the seal covers
    changed = copy[:at] + bytes([copy[at] ^ 1]) + copy[at + 1 :]
    assert judge(holder, changed).outcome is Case.SEALS_FAIL
    view = holder_view(Registry(holder.settings.database_url), holder.secret)
    assert view is not None
    desk = holder.client.application.extensions["titlecert.verify"].holder_copies.__self__
    forged = annotated_copy(  # the service's own key, on a copy of a certificate it does not name
        holder.issued,
        "CQZC2026999999",
        view.shares[0],
        desk.sealing(),
        domain="x",
        at=dt.datetime.now(dt.UTC),
    )
    report = judge(holder, forged)
    assert report.outcome is Case.NOT_ISSUED and RuleId.HOLDER_COPY_ORIGINAL in report.rules


def test_a_withdrawn_link_voids_its_copy_and_makes_no_more(holder: Holder) -> None:
    share_id = make_link(holder, "仅供某某医院人事处使用")
    copy = download_copy(holder, share_id)
    assert judge(holder, copy).outcome is Case.GENUINE
    r = holder.client.post(f"/h/{holder.secret}/shares/{share_id}/withdraw")
    assert r.status_code == 303
    report = judge(holder, copy)
    assert report.outcome is Case.COPY_LAPSED and not report.accepted
    assert any("撤回" in f.text.zh for f in report.findings if f.rule is RuleId.HOLDER_COPY_IN_FORCE)
    unknown = holder.client.get(f"/v/{'A' * 32}")
    again = holder.client.get(f"/h/{holder.secret}/shares/{share_id}/copy.pdf")
    assert again.status_code == 404 and again.data == unknown.data


def test_a_copy_of_a_suspended_certificate_says_so(holder: Holder, copy: bytes) -> None:
    holder.instance.run("suspend", holder.certificate_no, "--reason", "收到举报，调查中")
    try:
        report = judge(holder, copy)
        assert report.outcome is Case.SUSPENDED and not report.accepted
    finally:
        holder.instance.run("reinstate", holder.certificate_no, "--reason", "调查结束")
    assert judge(holder, copy).outcome is Case.GENUINE
