"""R-ACCEPT 5 through every channel: after the last seal only validation data and document time
stamps may follow (docs/verification-threats.md, "The acceptance rule and the revision audit"). Each
kind of post-seal change is made on a certificate and a review form, sealed at B-B and at B-LTA by
the product itself, and judged by `titlecert verify`, `titlecert verify --offline` and the upload
API of the running server."""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.timestamps import HTTPTimeStamper

from signing.keys import load_pkcs12_signer
from signing.ltv import retimestamp
from signing.trust import load_trust_settings
from tests import tamper
from tests.conftest import Instance, Issued, as_another_session, sample_session_doc, serve_pki
from verify.rules import RuleId

Change = Callable[[bytes, Instance], bytes]


def _third_signature(data: bytes, inst: Instance) -> bytes:
    pki = inst.home / "pki"
    signer = load_pkcs12_signer(pki / "committee.p12", (pki / "committee.pass").read_bytes())
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    fields.append_signature_field(writer, fields.SigFieldSpec("Extra"))
    out = io.BytesIO()
    meta = signers.PdfSignatureMetadata(field_name="Extra", subfilter=SigSeedSubFilter.PADES)
    signers.PdfSigner(meta, signer).sign_pdf(writer, existing_fields_only=True, output=out)
    return out.getvalue()


# kind: (the change, the verdict every channel must give, a reason it must name)
CASES: dict[str, tuple[Change, str, str]] = {
    "info-title": (
        lambda d, _: tamper.set_info_title(d),
        "modified",
        "the document information (Title) was changed after the last seal",
    ),
    "info-moddate-only": (lambda d, _: tamper.set_info_moddate(d), "valid", ""),
    "xmp-replaced": (
        lambda d, _: tamper.replace_xmp(d),
        "modified",
        "the XMP metadata was replaced after the last seal",
    ),
    "need-appearances": (
        lambda d, _: tamper.set_acroform_entry(d, "/NeedAppearances"),
        "modified",
        "the form dictionary (AcroForm /NeedAppearances) was changed after the last seal",
    ),
    "acroform-da": (
        lambda d, _: tamper.set_acroform_entry(d, "/DA"),
        "modified",
        "the form dictionary (AcroForm /DA) was changed after the last seal",
    ),
    "acroform-dr": (
        lambda d, _: tamper.set_acroform_entry(d, "/DR"),
        "modified",
        "the form dictionary (AcroForm /DR) was changed after the last seal",
    ),
    "invisible-sig-field": (
        lambda d, _: tamper.add_invisible_signature_field(d),
        "modified",
        "a new signature field (Extra) was added after the last seal",
    ),
    "third-signature": (_third_signature, "invalid", "expected exactly 2 seals"),
    "form-field-value": (
        lambda d, _: tamper.add_text_field(d),
        "modified",
        "a form field (Remark) was added after the last seal",
    ),
    "annotation": (
        lambda d, _: tamper.add_annotation(d),
        "modified",
        "an annotation was added to page 1 after the last seal",
    ),
    "trailing-bytes": (
        lambda d, _: d + b"1 0 obj (hidden) endobj\n",
        "malformed",
        "data follows the final %%EOF",
    ),
    "duplicate-object": (lambda d, _: tamper.duplicate_object_definition(d), "modified", "is defined twice"),
}


@dataclass
class Sample:
    """One judged file: which original, which change, what must come back."""

    name: str
    path: Path
    verdict: str
    reason: str


@pytest.fixture(scope="session")
def samples(instance: Instance, issued: Issued, tmp_path_factory: pytest.TempPathFactory) -> list[Sample]:
    """Every change on a certificate and a review form at B-LTA (the demo's) and B-B, plus the
    genuine files and the genuine files a reader added validation data and a time stamp to."""
    base = tmp_path_factory.mktemp("tail")
    doc = sample_session_doc()
    doc["applicants"] = doc["applicants"][1:2]
    as_another_session(doc, "渝职改办〔2026〕61号")  # the shared instance: an applicant of its own
    session = base / "b-b.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    bb = Instance(
        instance.home,
        {**instance.env, "TITLECERT_SIGNATURE_LEVEL": "B-B"},
        instance.public_url,
        instance.pki_url,
    )
    result = json.loads(bb.run("issue", str(session), "--out", str(base / "bb"), "--json").stdout)[
        "documents"
    ]
    originals = {
        "b-lta-certificate": Path(issued.documents[0]["path"]),
        "b-lta-review-form": Path(issued.of_kind("review-form")[0]["path"]),
        "b-b-certificate": Path(next(d for d in result if d["kind"] == "certificate")["path"]),
        "b-b-review-form": Path(next(d for d in result if d["kind"] == "review-form")["path"]),
    }
    anchors = list(load_trust_settings(instance.home / "trust.json").anchors)
    out: list[Sample] = []
    with serve_pki(instance):
        timestamper = HTTPTimeStamper(f"{instance.pki_url}/tsa")
        for label, path in originals.items():
            data = path.read_bytes()
            out.append(Sample(f"{label}-genuine", path, "valid", ""))
            renewed = base / f"{label}-reader-added-validation-data.pdf"
            renewed.write_bytes(retimestamp(data, timestamper=timestamper, trust_roots=anchors))
            out.append(Sample(renewed.stem, renewed, "valid", ""))
            for kind, (change, verdict, reason) in CASES.items():
                target = base / f"{label}-{kind}.pdf"
                target.write_bytes(change(data, instance))
                out.append(Sample(target.stem, target, verdict, reason))
    return out


def _check(sample: Sample, report: dict[str, Any], *, registry: bool) -> None:
    assert report["verdict"] == sample.verdict, (sample.name, report["reasons"])
    assert not sample.reason or any(sample.reason in r for r in report["reasons"]), (
        sample.name,
        report["reasons"],
    )
    if registry and sample.verdict == "valid":
        assert report["status"] == "valid", sample.name
    if sample.verdict != "valid":
        # the registry must not vouch for a changed file through the revision the seal signed
        assert not any("added after issue" in r for r in report["reasons"]), (sample.name, report["reasons"])
    for reason in report["reasons"]:
        assert "Error" not in reason and "Exception" not in reason, (sample.name, reason)


@pytest.mark.parametrize("offline", [False, True], ids=["verify", "verify-offline"])
def test_the_command_line_accepts_only_validation_data_after_the_last_seal(
    instance: Instance, samples: list[Sample], offline: bool
) -> None:
    args = ["verify", "--json", *(["--offline"] if offline else []), *(str(s.path) for s in samples)]
    reports = json.loads(instance.run(*args, check=False, timeout=900).stdout)
    assert len(reports) == len(samples)
    for sample, report in zip(samples, reports, strict=True):
        _check(sample, report, registry=not offline)


def test_the_upload_api_accepts_only_validation_data_after_the_last_seal(
    server: str, samples: list[Sample]
) -> None:
    for sample in samples:
        files = {"file": (sample.path.name, sample.path.read_bytes(), "application/pdf")}
        reply = requests.post(f"{server}/api/v1/verify", files=files, timeout=120)
        assert reply.status_code == 200, sample.name
        _check(sample, reply.json(), registry=True)


def _raise(*_: object, **__: object) -> None:
    raise AssertionError("internal pyHanko detail")


def test_a_look_alike_seal_that_makes_validation_raise_is_not_trusted(
    instance: Instance, issued: Issued, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from signing.devpki import create_demo_pki
    from signing.fonts import find_seal_font
    from signing.keys import SealKey
    from signing.pades import seal_pdf
    from signing.profiles import SealPlacement
    from signing.roles import Role
    from tests.integration.test_verify_attacks import _seal_png
    from verify import checks, facts

    trust = load_trust_settings(instance.home / "trust.json")
    rogue = create_demo_pki(tmp_path, label="DEMO")  # the genuine names, another key
    keys = {
        role: SealKey(
            role,
            load_pkcs12_signer(s.pkcs12_path, s.passphrase_path.read_bytes()),
            s.display_name,
            _seal_png(),
        )
        for role, s in rogue.signers.items()
    }
    placements = [
        SealPlacement(Role.COMMITTEE, 0, (80, 60, 200, 180)),
        SealPlacement(Role.AUTHORITY, 0, (300, 60, 420, 180)),
    ]
    genuine = issued.pdf(0)
    forged = seal_pdf(
        tamper.unsigned_revision(genuine), placements=placements, keys=keys, font_path=find_seal_font()
    )
    monkeypatch.setattr(facts, "validate_pdf_signature", _raise)
    analysis = checks.analyse_pdf(forged, trust)
    assert (analysis.verdict.value, analysis.rules) == ("invalid", [RuleId.ACCEPT_KNOWN_ISSUER])
    assert "seal 1" in analysis.reasons[0] and "is not from a trusted issuer" in analysis.reasons[0]
    # the genuine seals raising the same way fail closed, in words and without the exception's name
    analysis = checks.analyse_pdf(genuine, trust)
    assert (analysis.verdict.value, analysis.rules) == ("malformed", [RuleId.ADMIT_PARSE])
    assert all("AssertionError" not in r and "pyHanko" not in r for r in analysis.reasons), analysis.reasons
