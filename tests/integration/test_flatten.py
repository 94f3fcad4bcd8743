"""Form fields are flattened before the first seal: the sealed document has no field to fill in."""

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from signing.devpki import create_demo_pki
from signing.flatten import flatten_form_fields, form_field_names
from signing.fonts import find_seal_font
from signing.keys import load_seal_keys
from signing.pades import seal_pdf
from signing.profiles import SealPlacement
from signing.roles import ROLE_POLICY_OIDS, Role
from signing.sealimage import draw_seal
from signing.trust import RolePolicy, TrustSettings, load_certificates, sha256_fingerprint
from verify.checks import analyse_pdf
from verify.report import Verdict

N = NameObject


def box(*values: float) -> ArrayObject:
    return ArrayObject([FloatObject(v) for v in values])


def helvetica() -> DictionaryObject:
    return DictionaryObject(
        {N("/Type"): N("/Font"), N("/Subtype"): N("/Type1"), N("/BaseFont"): N("/Helvetica")}
    )


def with_text_field(value: str) -> bytes:
    """A one-page PDF with a filled text field, as a form-enabled template would give."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    resources = DictionaryObject({N("/Font"): DictionaryObject({N("/Helv"): helvetica()})})
    appearance = DecodedStreamObject()
    appearance.set_data(f"BT /Helv 10 Tf 2 6 Td ({value}) Tj ET".encode())
    appearance.update(
        {
            N("/Type"): N("/XObject"),
            N("/Subtype"): N("/Form"),
            N("/BBox"): box(0, 0, 200, 20),
            N("/Resources"): resources,
        }
    )
    field = writer._add_object(
        DictionaryObject(
            {
                N("/Type"): N("/Annot"),
                N("/Subtype"): N("/Widget"),
                N("/FT"): N("/Tx"),
                N("/T"): TextStringObject("remark"),
                N("/V"): TextStringObject(value),
                N("/F"): NumberObject(4),
                N("/DA"): TextStringObject("/Helv 10 Tf 0 g"),
                N("/Rect"): box(50, 700, 250, 720),
                N("/AP"): DictionaryObject({N("/N"): writer._add_object(appearance)}),
                N("/P"): page.indirect_reference,
            }
        )
    )
    page[N("/Annots")] = ArrayObject([field])
    writer.root_object[N("/AcroForm")] = DictionaryObject(
        {
            N("/Fields"): ArrayObject([field]),
            N("/DA"): TextStringObject("/Helv 10 Tf 0 g"),
            N("/DR"): resources,
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_filled_field_is_drawn_into_the_page_and_removed() -> None:
    pdf = with_text_field("HAND-FILLED")
    assert form_field_names(pdf) == ["remark"]
    flat = flatten_form_fields(pdf)
    assert form_field_names(flat) == []
    page = PdfReader(io.BytesIO(flat)).pages[0]
    assert "HAND-FILLED" in page.extract_text()
    assert "/Annots" not in page or not page["/Annots"]
    assert flatten_form_fields(flat) is flat  # nothing left to do: the same bytes


@pytest.fixture(scope="module")
def sealing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TrustSettings]:
    """A DEMO PKI's key settings file and the trust that recognises its roles."""
    home = tmp_path_factory.mktemp("keys")
    pki = create_demo_pki(home / "pki")
    (home / "seal.png").write_bytes(draw_seal("演示", font_path=find_seal_font(None)))
    keys = {
        role.value: {
            "pkcs12": f"pki/{s.pkcs12_path.name}",
            "seal_image": "seal.png",
            "passphrase_file": f"pki/{s.passphrase_path.name}",
            "seal_name": s.display_name,
        }
        for role, s in pki.signers.items()
    }
    (home / "keys.json").write_text(json.dumps(keys, ensure_ascii=False), encoding="utf-8")
    root = load_certificates(pki.root_cert_path.read_bytes())[0]
    roles = {
        r: RolePolicy(frozenset({sha256_fingerprint(root)}), frozenset({ROLE_POLICY_OIDS[r]})) for r in Role
    }
    return home / "keys.json", TrustSettings((root,), roles)


def test_a_sealed_template_with_a_field_verifies_with_no_field_left(
    sealing: tuple[Path, TrustSettings],
) -> None:
    keys_file, trust = sealing
    placements = [
        SealPlacement(Role.COMMITTEE, 0, (100, 60, 220, 196)),
        SealPlacement(Role.AUTHORITY, 0, (400, 60, 520, 196)),
    ]
    sealed = seal_pdf(
        with_text_field("HAND-FILLED"),
        placements=placements,
        keys=load_seal_keys(keys_file),
        font_path=find_seal_font(None),
    )
    assert form_field_names(sealed) == []
    analysis = analyse_pdf(sealed, trust)
    assert analysis.verdict is Verdict.VALID, analysis.reasons
    assert "HAND-FILLED" in PdfReader(io.BytesIO(sealed)).pages[0].extract_text()
