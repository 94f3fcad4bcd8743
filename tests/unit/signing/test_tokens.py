"""Seal keys on a PKCS#11 token (SoftHSM2): DEMO keys generated inside it, one session per token,
signers built once, and a clear KeyLoadError for every way a token key can be missing."""

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from PIL import Image
from pkcs11 import Attribute, ObjectClass
from pkcs11.exceptions import AttributeSensitive
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfWriter

from signing.devtoken import create_demo_pki_on_token
from signing.errors import KeyLoadError
from signing.fonts import find_seal_font
from signing.keys import load_seal_keys
from signing.pades import seal_pdf
from signing.profiles import PROFILES, SIGNING_ORDER, SealPlacement
from signing.roles import ISSUING_ROLES, ROLE_POLICY_OIDS, Role
from signing.tokens import TokenPool
from tests.softhsm import USER_PIN, SoftHsm, new_softhsm

TOKEN = "unit"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[SoftHsm, Path]:
    """A token with DEMO keys, made once; each test works on its own copy."""
    folder = tmp_path_factory.mktemp("softhsm-template")
    hsm = new_softhsm(folder)
    hsm.init_token(TOKEN)
    pool = TokenPool()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOFTHSM2_CONF", str(hsm.conf))
        try:
            create_demo_pki_on_token(folder / "pki", pool, module=hsm.module, token_label=TOKEN, pin=USER_PIN)
        finally:
            pool.close()
    return hsm, folder / "pki"


@pytest.fixture
def pool(
    template: tuple[SoftHsm, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TokenPool]:
    """A pool on this test's own copy of the template token (its own SOFTHSM2_CONF)."""
    hsm = new_softhsm(tmp_path / "hsm", copy_of=template[0])
    monkeypatch.setenv("SOFTHSM2_CONF", str(hsm.conf))
    tokens = TokenPool()
    yield tokens
    tokens.close()


def write_keys(tmp_path: Path, template: tuple[SoftHsm, Path], **changes: object) -> Path:
    """A keys.json naming the template's token keys, with `changes` in the committee's entry."""
    hsm, pki = template
    png = tmp_path / "seal.png"
    Image.new("RGBA", (60, 60), (200, 16, 24, 255)).save(png)
    doc = {}
    for role in Role:
        token = {
            "module": str(hsm.module),
            "token_label": TOKEN,
            "key_label": role.value,
            "cert_label": role.value,
        }
        if role is Role.COMMITTEE:
            token.update({k: str(v) for k, v in changes.items()})
        doc[role.value] = {
            "pkcs11": token,
            "chain": str(pki / "root-ca.pem"),
            "seal_name": role.value,
            "seal_image": str(png),
        }
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_generated_private_keys_cannot_leave_the_token(
    pool: TokenPool, template: tuple[SoftHsm, Path]
) -> None:
    session = pool.session(template[0].module, TOKEN, USER_PIN)
    keys = list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}))
    assert sorted(k[Attribute.LABEL] for k in keys) == ["authority", "committee", "verifier"]
    for key in keys:
        assert key[Attribute.EXTRACTABLE] is False and key[Attribute.NEVER_EXTRACTABLE] is True
        assert key[Attribute.SENSITIVE] is True and key[Attribute.ALWAYS_SENSITIVE] is True
        assert len(key[Attribute.MODULUS]) * 8 == 3072
        with pytest.raises(AttributeSensitive):
            key[Attribute.PRIVATE_EXPONENT]


def test_the_demo_ca_certifies_token_keys_like_the_pkcs12_demo(
    pool: TokenPool, template: tuple[SoftHsm, Path]
) -> None:
    root = x509.load_pem_x509_certificate((template[1] / "root-ca.pem").read_bytes())
    session = pool.session(template[0].module, TOKEN, USER_PIN)
    for role in Role:
        [on_token] = session.get_objects(
            {Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: role.value}
        )
        cert = x509.load_der_x509_certificate(on_token[Attribute.VALUE])
        assert cert == x509.load_pem_x509_certificate((template[1] / f"{role.value}.pem").read_bytes())
        cert.verify_directly_issued_by(root)
        policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
        assert [p.policy_identifier.dotted_string for p in policies] == [ROLE_POLICY_OIDS[role]]
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        assert usage.digital_signature and usage.content_commitment
        [key] = session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: role.value})
        assert key[Attribute.ID] == on_token[Attribute.ID]
        assert int.from_bytes(key[Attribute.MODULUS], "big") == cert.public_key().public_numbers().n  # type: ignore[union-attr]


def test_both_roles_share_one_session_and_signers_are_built_once(
    pool: TokenPool, template: tuple[SoftHsm, Path], tmp_path: Path
) -> None:
    path = write_keys(tmp_path, template)
    pins = {r.value: USER_PIN for r in Role}
    first = load_seal_keys(path, pins=pins, tokens=pool)
    again = load_seal_keys(path, pins=pins, tokens=pool)
    assert set(first) == set(ISSUING_ROLES)  # the verification service's key only when asked for
    assert all(first[r].signer is again[r].signer for r in ISSUING_ROLES)
    sessions = {id(k.signer.pkcs11_session) for k in first.values()}  # type: ignore[attr-defined]
    assert sessions == {id(pool.session(template[0].module, TOKEN, USER_PIN))}


def test_a_seal_made_on_the_token_validates(
    pool: TokenPool, template: tuple[SoftHsm, Path], tmp_path: Path
) -> None:
    keys = load_seal_keys(write_keys(tmp_path, template), pins={r.value: USER_PIN for r in Role}, tokens=pool)
    writer = PdfWriter()
    writer.add_blank_page(842, 595)
    blank = io.BytesIO()
    writer.write(blank)
    placements = [
        SealPlacement(Role.COMMITTEE, 0, (100, 60, 220, 196)),
        SealPlacement(Role.AUTHORITY, 0, (400, 60, 520, 196)),
    ]
    sealed = seal_pdf(blank.getvalue(), placements=placements, keys=keys, font_path=find_seal_font(None))
    root = asn1_x509.Certificate.load(pem.unarmor((template[1] / "root-ca.pem").read_bytes())[2])
    signatures = PdfFileReader(io.BytesIO(sealed)).embedded_signatures
    assert [s.field_name for s in signatures] == [PROFILES[r].field_name for r in SIGNING_ORDER]
    for role, sig in zip(SIGNING_ORDER, signatures, strict=True):
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=[root]))
        assert status.intact and status.valid and status.trusted
        assert status.signing_cert.dump() == keys[role].signer_cert.dump()


@pytest.mark.parametrize(
    ("changes", "pins", "message"),
    [
        (
            {"module": "/nonexistent/libsofthsm2.so"},
            None,
            r"the committee key: PKCS#11 module /nonexistent/libsofthsm2.so not found; install the token's "
            r"middleware",
        ),
        (
            {"token_label": "elsewhere"},
            None,
            r"no token labelled 'elsewhere' in PKCS#11 module \S+; tokens present: 'unit'\. Insert the token",
        ),
        (
            {"key_label": "gone"},
            None,
            r"no private key labelled 'gone' on token 'unit' \(PKCS#11 module \S+\); "
            r"private key labels there: 'authority', 'committee', 'verifier'\.",
        ),
        (
            {"cert_label": "gone"},
            None,
            r"no certificate labelled 'gone' on token 'unit' \(PKCS#11 module \S+\); "
            r"certificate labels there: 'authority', 'committee', 'verifier'\.",
        ),
        (
            {"cert_label": "authority"},
            None,
            r"the certificate labelled 'authority' on token 'unit' .* is not the certificate of the "
            r"private key labelled 'committee'",
        ),
        (
            {},
            {"committee": "000000", "authority": "000000"},
            r"the committee key: wrong user PIN for token 'unit' \(PKCS#11 module \S+\); give the right one",
        ),
        (
            {},
            {"committee": USER_PIN, "authority": "000000"},
            r"the authority key: two different PINs were given for token 'unit'",
        ),
        (
            {},
            {"authority": USER_PIN},
            r"no user PIN for the committee key on token 'unit' .*; set TITLECERT_PKCS11_PIN \(or "
            r"TITLECERT_COMMITTEE_PKCS11_PIN\)",
        ),
        ({"token": "unit"}, None, r"committee\.pkcs11: unknown field\(s\) token"),
    ],
)
def test_a_token_key_that_cannot_be_used_is_a_clear_error(
    pool: TokenPool,
    template: tuple[SoftHsm, Path],
    tmp_path: Path,
    changes: dict[str, str],
    pins: dict[str, str] | None,
    message: str,
) -> None:
    path = write_keys(tmp_path, template, **changes)
    with pytest.raises(KeyLoadError, match=message):
        load_seal_keys(path, pins=pins or {r.value: USER_PIN for r in Role}, tokens=pool)


def test_a_file_that_is_not_a_pkcs11_module_is_a_clear_error(
    pool: TokenPool, template: tuple[SoftHsm, Path], tmp_path: Path
) -> None:
    junk = tmp_path / "junk.so"
    junk.write_bytes(b"not a shared library")
    with pytest.raises(KeyLoadError, match=r"cannot load \S+junk\.so as a PKCS#11 module"):
        load_seal_keys(
            write_keys(tmp_path, template, module=junk), pins={r.value: USER_PIN for r in Role}, tokens=pool
        )


def test_demo_keys_never_replace_objects_already_on_the_token(
    pool: TokenPool, template: tuple[SoftHsm, Path], tmp_path: Path
) -> None:
    with pytest.raises(KeyLoadError, match="token 'unit' already holds objects labelled 'committee'"):
        create_demo_pki_on_token(
            tmp_path / "pki", pool, module=template[0].module, token_label=TOKEN, pin=USER_PIN
        )
    session = pool.session(template[0].module, TOKEN, USER_PIN)
    assert len(list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}))) == len(Role)
    assert not (tmp_path / "pki").exists()
