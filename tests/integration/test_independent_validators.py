"""Validators that share no code with ours agree with us about issued files: poppler's pdfsig (NSS)
on every seal, qpdf on every document's structure (docs/independent-validators.md)."""

import re
import shutil
import subprocess
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils.generic import NameObject
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.profiles import PROFILES, SIGNING_ORDER
from tests.conftest import Instance, Issued, serve_pki

SEALED_KINDS = ("certificate", "review-form")


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run scripts/setup.sh")
    return found


@pytest.fixture(scope="module")
def nss_db(instance: Instance, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh NSS database trusting exactly what `titlecert trust --pem` prints (the DEMO root)."""
    directory = tmp_path_factory.mktemp("nss")
    db = f"sql:{directory}"
    subprocess.run([tool("certutil"), "-N", "--empty-password", "-d", db], check=True)
    anchors = re.findall(
        r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----\n",
        instance.run("trust", "--pem").stdout,
        re.DOTALL,
    )
    assert anchors
    for n, pem in enumerate(anchors):  # certutil imports one certificate per call
        path = directory / f"anchor-{n}.pem"
        path.write_text(pem, encoding="ascii")
        add = [tool("certutil"), "-A", "-d", db, "-n", f"anchor {n}", "-t", "CT,C,C", "-i", str(path)]
        subprocess.run(add, check=True)
    return db


@pytest.fixture(scope="module")
def pki_online(instance: Instance, issued: Issued) -> Iterator[None]:
    """The DEMO OCSP responder: pdfsig checks each signer online (its -no-ocsp would not make the
    check offline but fail it, and disabling checks is not the point)."""
    with serve_pki(instance):
        yield


def pdfsig(db: str, path: str) -> tuple[list[dict[str, str]], str]:
    """pdfsig's report on one file: one {field: value} per signature in file order, and its stderr."""
    proc = subprocess.run([tool("pdfsig"), "-nssdir", db, path], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    blocks = re.split(r"^Signature #\d+:\n", proc.stdout, flags=re.MULTILINE)[1:]
    return [dict(re.findall(r"^  - ([^:\n]+): (.*)$", b, re.MULTILINE)) for b in blocks], proc.stderr


def signature_kinds(path: str) -> list[tuple[str, bool]]:
    """(field name, is a document time stamp) of each signature, in file order, as pyHanko reads them."""
    reader = PdfFileReader(BytesIO(Path(path).read_bytes()), strict=False)
    return [
        (s.field_name, s.sig_object_type == NameObject("/DocTimeStamp")) for s in reader.embedded_signatures
    ]


def sealed_documents(issued: Issued) -> list[str]:
    paths = [d["path"] for kind in SEALED_KINDS for d in issued.of_kind(kind)]
    assert {kind for kind in SEALED_KINDS if issued.of_kind(kind)} == set(SEALED_KINDS)
    return paths


@pytest.mark.usefixtures("pki_online")
def test_pdfsig_finds_every_seal_valid_and_trusted(nss_db: str, issued: Issued) -> None:
    for path in sealed_documents(issued):
        report, _ = pdfsig(nss_db, path)
        seals = [s for s in report if s["Signature Type"] == "ETSI.CAdES.detached"]
        assert [s["Signature Field Name"] for s in seals] == [
            PROFILES[r].field_name for r in SIGNING_ORDER
        ], path
        for seal in seals:
            assert seal["Signature Validation"] == "Signature is Valid.", (path, seal)
            assert seal["Certificate Validation"] == "Certificate is Trusted.", (path, seal)


@pytest.mark.usefixtures("pki_online")
def test_pdfsig_lists_the_document_time_stamp_without_judging_it(nss_db: str, issued: Issued) -> None:
    """poppler (22.12, Debian 12) cannot check an ETSI.RFC3161 document time stamp: it lists it as
    type "unknown", not yet verified, and says so on stderr, rather than calling it valid or
    invalid. The B-LTA time stamp itself is checked by `titlecert verify` (and Acrobat)."""
    for path in sealed_documents(issued):
        report, stderr = pdfsig(nss_db, path)
        kinds = signature_kinds(path)
        assert [s["Signature Field Name"] for s in report] == [name for name, _ in kinds], path
        stamps = [s for s, (_, is_stamp) in zip(report, kinds, strict=True) if is_stamp]
        assert len(stamps) == 1 and report[-1] is stamps[0], path  # B-LTA closes with one
        assert stamps[0]["Signature Type"] == "unknown"
        assert stamps[0]["Signature Validation"] == "Signature has not yet been verified."
        assert "Unable to validate this type of signature" in stderr


def test_qpdf_finds_every_issued_document_sound(issued: Issued) -> None:
    assert issued.everything
    for doc in issued.everything:
        proc = subprocess.run(
            [tool("qpdf"), "--check", doc["path"]], capture_output=True, text=True, timeout=120
        )
        # Exit 0: no errors and no warnings (3 means warnings, 2 errors).
        assert proc.returncode == 0, f"{doc['path']}: {proc.stdout}{proc.stderr}"
        assert "No syntax or stream encoding errors found" in proc.stdout, doc["path"]
