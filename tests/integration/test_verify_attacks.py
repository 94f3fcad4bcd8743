"""The acceptance rule against the known attacks on signed PDFs (docs/verification-threats.md)."""

import io
from pathlib import Path

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import SigSeedSubFilter

from registry.db import Registry
from signing.devpki import create_demo_pki
from signing.fonts import find_seal_font
from signing.keys import SealKey, load_pkcs12_signer
from signing.pades import seal_pdf
from signing.profiles import SealPlacement
from signing.roles import Role
from signing.trust import load_trust_settings
from tests.conftest import Instance, Issued
from tests.tamper import add_page_content, flip_byte_in_signed_range, unsigned_revision
from verify.report import Verdict
from verify.rules import RuleId
from verify.service import verify_pdf


@pytest.fixture(scope="module")
def context(instance: Instance, issued: Issued):  # type: ignore[no-untyped-def]
    trust = load_trust_settings(instance.home / "trust.json")
    registry = Registry(f"sqlite:///{instance.home / 'registry.sqlite3'}")
    yield trust, registry
    registry.dispose()


def check(context, data: bytes):  # type: ignore[no-untyped-def]
    trust, registry = context
    return verify_pdf(data, name="x.pdf", trust=trust, registry=registry)


def test_issued_certificate_is_valid(context, issued: Issued) -> None:  # type: ignore[no-untyped-def]
    report = check(context, issued.pdf(0))
    assert (report.verdict, report.status) == (Verdict.VALID, "valid")
    # the one finding: the DEMO committee's seal certificate was authorised when it sealed (init registers it)
    assert [(f.rule, f.verdict, f.seal) for f in report.findings] == [
        (RuleId.REGISTRY_SEAL_AUTHORISED, None, 1)
    ]
    assert [s.role for s in report.signatures] == ["committee", "authority"]
    assert report.signatures[0].certification and not report.signatures[1].certification
    # the demo seals at B-LTA: the authority's seal covers its revision, then a document time stamp all
    assert (report.signatures[1].coverage, report.signatures[1].modification_level) == (
        "ENTIRE_REVISION",
        "LTA_UPDATES",
    )
    assert len(report.document_timestamps) == 1


def test_flipped_byte_in_signed_range_is_invalid(context, issued: Issued) -> None:  # type: ignore[no-untyped-def]
    report = check(context, flip_byte_in_signed_range(issued.pdf(0)))
    assert report.verdict is Verdict.INVALID
    assert RuleId.ACCEPT_SEAL_INTACT in report.rules


def test_incremental_update_changing_page_content_is_not_valid(context, issued: Issued) -> None:  # type: ignore[no-untyped-def]
    report = check(context, add_page_content(issued.pdf(0)))
    assert report.verdict is Verdict.MODIFIED
    assert {RuleId.ACCEPT_CERTIFICATION_HOLDS, RuleId.ACCEPT_LAST_SEAL_COVERS_FILE} <= set(report.rules)


def test_bytes_after_the_last_eof_are_rejected(context, issued: Issued) -> None:  # type: ignore[no-untyped-def]
    report = check(context, issued.pdf(0) + b"1 0 obj (hidden) endobj\n")
    assert report.verdict is Verdict.MALFORMED
    assert report.rules == [RuleId.ADMIT_BYTES]


def test_third_signature_by_a_trusted_key_is_invalid(context, instance: Instance, issued: Issued) -> None:  # type: ignore[no-untyped-def]
    # pyHanko alone calls all three signatures valid (docs/verification-threats.md, "What pyHanko's
    # own validation lets through"); the rule fixes the signer set.
    pki = instance.home / "pki"
    signer = load_pkcs12_signer(pki / "committee.p12", (pki / "committee.pass").read_bytes())
    writer = IncrementalPdfFileWriter(io.BytesIO(issued.pdf(0)))
    fields.append_signature_field(writer, fields.SigFieldSpec("Extra"))
    out = io.BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="Extra", subfilter=SigSeedSubFilter.PADES), signer
    ).sign_pdf(writer, existing_fields_only=True, output=out)
    report = check(context, out.getvalue())
    assert report.verdict is Verdict.INVALID
    assert {RuleId.ACCEPT_SEAL_COUNT, RuleId.ACCEPT_SEAL_EXPECTED} <= set(report.rules)
    assert any("expected exactly 2 seals" in r for r in report.reasons)


def test_seals_from_outside_the_trust_anchors_are_invalid(context, issued: Issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A forger's PKI whose root has the genuine root's name and whose certificates carry the
    # genuine role OIDs and Chinese names: only the anchors' keys tell them apart.
    rogue = create_demo_pki(tmp_path, label="DEMO")
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
    forged = seal_pdf(
        unsigned_revision(issued.pdf(0)), placements=placements, keys=keys, font_path=find_seal_font()
    )
    report = check(context, forged)
    assert report.verdict is Verdict.INVALID
    assert len(report.signatures) == 2 and all(not s.trusted for s in report.signatures)
    assert report.rules[:2] == [RuleId.ACCEPT_SEAL_TRUSTED, RuleId.ACCEPT_SEAL_TRUSTED]
    assert [(s.indication, s.sub_indication) for s in report.seals] == [
        ("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")
    ] * 2
    assert report.outcome == "seals-fail"


def test_an_unregistered_file_is_not_valid(context, issued: Issued) -> None:  # type: ignore[no-untyped-def]
    report = check(context, unsigned_revision(issued.pdf(0)))
    assert report.verdict is Verdict.INVALID
    assert report.status == "unknown"
    assert report.rules[-1] == RuleId.REGISTRY_ISSUED


def _seal_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", (64, 64), (200, 0, 0, 255)).save(buf, format="PNG")
    return buf.getvalue()


def _sign(data: bytes, signer, field: str, *, certify: bool) -> bytes:  # type: ignore[no-untyped-def]
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    out = io.BytesIO()
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=SigSeedSubFilter.PADES, certify=certify)
    signers.PdfSigner(meta, signer, new_field_spec=fields.SigFieldSpec(field)).sign_pdf(writer, output=out)
    return out.getvalue()


def test_genuine_keys_in_the_wrong_roles_or_order_are_invalid(
    context, instance: Instance, issued: Issued
) -> None:  # type: ignore[no-untyped-def]
    pki = instance.home / "pki"
    committee, authority = (
        load_pkcs12_signer(pki / f"{r}.p12", (pki / f"{r}.pass").read_bytes())
        for r in ("committee", "authority")
    )
    base = unsigned_revision(issued.pdf(0))
    # The authority signs first and the committee approves: both trusted, wrong order.
    swapped = _sign(_sign(base, authority, "A", certify=True), committee, "B", certify=False)
    report = check(context, swapped)
    assert report.verdict is Verdict.INVALID
    assert [f.message for f in report.findings if f.rule == RuleId.ACCEPT_SEAL_ROLE] == [
        "seal 1 must be the committee's; its certificate holds authority",
        "seal 2 must be the authority's; its certificate holds committee",
    ]
    # Right order, but the committee does not certify: nothing would lock the document.
    uncertified = _sign(_sign(base, committee, "A", certify=False), authority, "B", certify=False)
    report = check(context, uncertified)
    assert report.verdict is Verdict.INVALID
    assert RuleId.ACCEPT_SEAL_TYPE in report.rules
    assert RuleId.ACCEPT_SEAL_ROLE not in report.rules
