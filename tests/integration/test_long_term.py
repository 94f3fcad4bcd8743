"""PAdES B-LT and B-LTA: validation data embedded, a closing document time stamp, and a verifier that
accepts exactly that after the seals, and nothing else."""

import dataclasses
import datetime as dt
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from asn1crypto import ocsp as asn1_ocsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import Signer
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pypdf import PdfWriter

from signing.batch import SignatureSizes
from signing.keys import load_pkcs12_signer
from signing.ltv import last_seal_sha256, signed_revision_sha256
from signing.pades import seal_pdf
from signing.profiles import SealPlacement
from signing.roles import Role
from tests.conftest import (
    Instance,
    as_another_session,
    free_port,
    make_instance,
    running,
    sample_session_doc,
    serve_pki,
)
from tests.tamper import add_page_content
from titlecert.home import load_trust
from titlecert.sealing import batch_sealing
from titlecert.settings import from_env
from verify.checks import analyse_pdf
from verify.report import Verdict


@pytest.fixture(scope="module")
def lt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    inst = make_instance(tmp_path_factory.mktemp("lt") / "home")
    inst.run("init")
    with serve_pki(inst):
        yield inst


def issue(inst: Instance, tmp_path: Path, level: str, document_no: str) -> dict[str, str]:
    doc = sample_session_doc()
    doc["applicants"] = doc["applicants"][1:2]
    as_another_session(doc, document_no)  # and an applicant of its own: one application a year
    session = tmp_path / f"{level}.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    env = {**inst.env, "TITLECERT_SIGNATURE_LEVEL": level}
    run = Instance(inst.home, env, inst.public_url, inst.pki_url).run
    result = json.loads(run("issue", str(session), "--out", str(tmp_path / level), "--json").stdout)
    return next(d for d in result["documents"] if d["kind"] == "certificate")


def verify(inst: Instance, path: str | Path, *, offline: bool = False) -> dict:
    args = ["verify", "--json", *(["--offline"] if offline else []), str(path)]
    return json.loads(inst.run(*args, check=False).stdout)[0]


def test_b_lta_certificate_is_valid_with_a_document_time_stamp(lt: Instance, tmp_path: Path) -> None:
    certificate = issue(lt, tmp_path, "B-LTA", "渝职改办〔2026〕41号")
    data = Path(certificate["path"]).read_bytes()
    assert b"/DSS" in data and b"/DocTimeStamp" in data
    report = verify(lt, certificate["path"])
    assert (report["verdict"], report["status"]) == ("valid", "valid")
    assert len(report["document_timestamps"]) == 1
    assert [s["modification_level"] for s in report["signatures"]] == ["FORM_FILLING", "LTA_UPDATES"]
    assert all(s["timestamp"] for s in report["signatures"])
    assert verify(lt, certificate["path"], offline=True)["verdict"] == "valid"
    # What issuing records as the sealed revision (read from the last seal's field alone) is what a
    # full read of every signature says.
    seals = [e for e in PdfFileReader(io.BytesIO(data)).embedded_signatures if e.sig_object_type == "/Sig"]
    assert last_seal_sha256(data) == signed_revision_sha256(data, seals[-1])


def test_a_change_after_the_document_time_stamp_is_caught(lt: Instance, tmp_path: Path) -> None:
    certificate = issue(lt, tmp_path, "B-LTA", "渝职改办〔2026〕42号")
    edited = tmp_path / "edited.pdf"
    edited.write_bytes(add_page_content(Path(certificate["path"]).read_bytes()))
    report = verify(lt, edited, offline=True)
    assert report["verdict"] == "modified"


def test_b_lt_embeds_validation_data_without_a_document_time_stamp(lt: Instance, tmp_path: Path) -> None:
    certificate = issue(lt, tmp_path, "B-LT", "渝职改办〔2026〕43号")
    data = Path(certificate["path"]).read_bytes()
    assert b"/DSS" in data and b"/DocTimeStamp" not in data
    report = verify(lt, certificate["path"])
    assert report["verdict"] == "valid" and report["document_timestamps"] == []


def test_validation_data_added_by_a_reader_keeps_the_registry_binding(lt: Instance, tmp_path: Path) -> None:
    certificate = issue(lt, tmp_path, "B-LTA", "渝职改办〔2026〕46号")
    out = io.BytesIO(Path(certificate["path"]).read_bytes())
    seal = PdfFileReader(out).embedded_signatures[1]
    DocumentSecurityStore.add_dss(
        out, seal.pkcs7_content, ocsps=ocsp_answers(lt, ["committee"]), force_write=True
    )
    updated = tmp_path / "updated.pdf"
    updated.write_bytes(out.getvalue())
    report = verify(lt, updated)
    assert (report["verdict"], report["status"]) == ("valid", "valid")
    assert report["certificate_no"] == certificate["certificate_no"]
    assert any("added after issue" in r for r in report["reasons"])


def test_archive_retimestamp_upgrades_a_b_b_document_to_b_lta(lt: Instance, tmp_path: Path) -> None:
    certificate = issue(lt, tmp_path, "B-B", "渝职改办〔2026〕47号")
    stored = lt.home / "archive" / "certificates" / Path(certificate["path"]).name
    before = verify(lt, stored, offline=True)
    assert before["verdict"] == "valid" and before["document_timestamps"] == []
    run = lt.run("archive", "retimestamp")
    # The certificate, its 2 review forms and the session's draft notice.
    assert "4 renewed" in run.stdout and "0 failed" in run.stdout, run.stdout
    after = verify(lt, stored, offline=True)
    assert after["verdict"] == "valid" and len(after["document_timestamps"]) == 1
    assert all(s["revocation_checked"] for s in after["signatures"])
    registered = verify(lt, stored)
    assert (registered["verdict"], registered["status"]) == ("valid", "valid")
    # the holder's copy, as issued, still verifies against the registry
    assert verify(lt, certificate["path"])["status"] == "valid"
    assert "0 renewed" in lt.run("archive", "retimestamp").stdout


def test_a_revoked_signing_certificate_cannot_seal_long_term(lt: Instance, tmp_path: Path) -> None:
    lt.run("pki", "revoke", "authority")
    doc = sample_session_doc()
    doc["applicants"] = doc["applicants"][1:2]
    as_another_session(doc, "渝职改办〔2026〕44号")
    session = tmp_path / "s.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    env = {**lt.env, "TITLECERT_SIGNATURE_LEVEL": "B-LTA"}
    run = Instance(lt.home, env, lt.public_url, lt.pki_url).run
    proc = run("issue", str(session), "--out", str(tmp_path / "o"), check=False)
    assert proc.returncode == 1
    # Asked before the job: no number is taken, no document written.
    assert (
        f"the authority seal certificate is revoked according to the OCSP responder at {lt.pki_url}/ocsp"
        in proc.stderr
    )
    assert "nothing was issued" in proc.stderr and not (tmp_path / "o").exists()


def ocsp_answers(inst: Instance, holders: list[str]) -> list[asn1_ocsp.OCSPResponse]:
    """Fresh answers from the instance's OCSP responder for the named holders' certificates."""
    pki = inst.home / "pki"
    root = x509.load_pem_x509_certificate((pki / "root-ca.pem").read_bytes())
    answers = []
    for holder in holders:
        signer = load_pkcs12_signer(pki / f"{holder}.p12", (pki / f"{holder}.pass").read_bytes())
        assert signer.signing_cert is not None
        cert = x509.load_der_x509_certificate(signer.signing_cert.dump())
        request = ocsp.OCSPRequestBuilder().add_certificate(cert, root, hashes.SHA256()).build()
        body = request.public_bytes(serialization.Encoding.DER)
        reply = requests.post(f"{inst.pki_url}/ocsp", data=body, timeout=10)
        answers.append(asn1_ocsp.OCSPResponse.load(reply.content))
    return answers


def test_a_seal_made_after_its_certificate_was_revoked_is_invalid(lt: Instance, tmp_path: Path) -> None:
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    lt.run("pki", "revoke", "committee", "--at", an_hour_ago.isoformat())
    # Sealing at B-T consults no revocation service: this is what a holder of a stolen key can make.
    certificate = issue(lt, tmp_path, "B-T", "渝职改办〔2026〕45号")
    data = Path(certificate["path"]).read_bytes()

    blind = verify(lt, certificate["path"], offline=True)
    assert blind["verdict"] == "valid" and not any(s["revocation_checked"] for s in blind["signatures"])
    assert any("revocation was not checked" in r for r in blind["reasons"])

    # With the responder's answers in the file (what Acrobat's "add verification information" adds),
    # the seal is judged at its proven time against them.
    out = io.BytesIO(data)
    seal = PdfFileReader(out).embedded_signatures[0]
    DocumentSecurityStore.add_dss(out, seal.pkcs7_content, ocsps=ocsp_answers(lt, ["committee", "authority"]))
    informed = tmp_path / "with-revocation-data.pdf"
    informed.write_bytes(out.getvalue())
    report = verify(lt, informed, offline=True)
    assert report["verdict"] == "invalid"
    assert any("seal 1" in r and "was made after its certificate was revoked" in r for r in report["reasons"])


def test_no_revocation_answer_no_long_term_seal(tmp_path: Path) -> None:
    """The TSA answers but the OCSP responder and CRL the certificates name do not: B-LTA must not
    seal without the validation data it promises."""
    inst = make_instance(tmp_path / "home", TITLECERT_SIGNATURE_LEVEL="B-LTA")
    inst.run("init")
    elsewhere = free_port()  # the certificates name inst.pki_url, where nothing answers
    inst.env["TITLECERT_TSA_URL"] = f"http://127.0.0.1:{elsewhere}/tsa"
    doc = sample_session_doc()
    doc["applicants"] = doc["applicants"][1:2]
    session = tmp_path / "s.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    probe = f"http://127.0.0.1:{elsewhere}/healthz"
    with running(
        inst, ["pki", "serve", "--port", str(elsewhere)], probe_url=probe, log_name="pki.log", timeout=20
    ):
        proc = inst.run("issue", str(session), "--out", str(tmp_path / "out"), check=False)
    assert proc.returncode == 1
    # refused before a job exists, naming the responder the certificates name
    assert "cannot seal at B-LTA; nothing was issued" in proc.stderr
    assert f"the OCSP responder at {inst.pki_url}/ocsp does not answer" in proc.stderr
    assert not (tmp_path / "out").exists()
    registry = sqlite3.connect(inst.home / "registry.sqlite3")
    assert registry.execute("select count(*) from certificates").fetchone() == (0,)
    registry.close()


class Undersized(SignatureSizes):
    """A batch's estimate too small for any signature, as if the TSA's tokens had outgrown it."""

    def reserve(self, signer: Signer, timestamper: TimeStamper | None) -> int:
        return 64 if not self.forgotten else super().reserve(signer, timestamper)

    forgotten = False

    def forget(self) -> None:
        self.forgotten = True
        super().forget()


def _blank_page() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(842, 595)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_batch_seals_in_four_revisions_and_remeasures_a_signature_that_outgrows_its_room(
    tmp_path: Path,
) -> None:
    # An instance of its own: the module's `lt` has a seal key revoked by another test.
    inst = make_instance(tmp_path / "home")
    inst.run("init")
    with serve_pki(inst):
        _seal_a_blank_page_in_four_revisions(inst)


def _seal_a_blank_page_in_four_revisions(inst: Instance) -> None:
    settings = dataclasses.replace(from_env(inst.env), signature_level="B-LTA")
    sealing = batch_sealing(settings)
    placements = [
        SealPlacement(Role.COMMITTEE, 0, (100, 60, 220, 196), "2026-01-12"),
        SealPlacement(Role.AUTHORITY, 0, (400, 60, 520, 196), "2026-01-20"),
    ]
    sizes = Undersized()
    blank = _blank_page()
    sealed = seal_pdf(
        blank,
        placements=placements,
        keys=sealing.keys,
        font_path=sealing.font,
        timestamper=sealing.timestamper,
        long_term=sealing.long_term,
        sizes=sizes,
    )
    assert sizes.forgotten  # the seal was made again with measured sizes, not refused
    analysis = analyse_pdf(sealed, load_trust(settings))  # not registered: the seals alone
    assert analysis.verdict is Verdict.VALID, analysis.reasons
    # Committee seal with its own validation data, authority seal, DSS with the document time
    # stamp, the time stamp's own validation data: four revisions after the original.
    assert sealed.count(b"%%EOF") - blank.count(b"%%EOF") == 4
    committee = PdfFileReader(io.BytesIO(sealed)).embedded_signatures[0]
    signed_end = committee.byte_range[2] + committee.byte_range[3]
    assert b"/DSS" in sealed[:signed_end]
