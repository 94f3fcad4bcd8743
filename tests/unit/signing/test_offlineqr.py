"""The offline QR: signed facts survive a phone photo of a printout, and nothing else passes."""

import datetime as dt
import io
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageFilter

from docgen.qr import qr_png
from signing import offlineqr
from signing.offlinecodec import CodecError, Tagged, b45decode, b45encode, cbor_dumps, cbor_loads
from signing.offlineqr import OfflineFacts, OfflineQrError

NOW = dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC)
FACTS = OfflineFacts(
    number="渝职称2026-0440",
    holder=offlineqr.mask_name("张小三"),
    id_masked="500101********1234",
    title="高级工程师",
    level="副高级",
    series="工程技术",
    committee="重庆市建筑工程技术人员高级职称评审委员会",
    passed="2026-11-20",
    issued="2026-12-01",
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    directory = tmp_path_factory.mktemp("offline")
    key, cert = offlineqr.create_demo_offline_key(directory, now=NOW)
    return offlineqr.sign_statement(FACTS, key, cert, now=NOW), directory / "offline-qr.pem"


def test_round_trip_gives_the_facts_the_key_id_and_the_times(demo: tuple[str, Path]) -> None:
    text, trust = demo
    trusted = offlineqr.load_trust_list(trust)
    verified = offlineqr.verify_statement(text, trusted, now=NOW + dt.timedelta(days=400))
    assert text.startswith("TC1:")
    assert verified.facts == FACTS
    assert verified.facts.holder == "张*三"
    assert bytes.fromhex(verified.kid) in trusted and len(verified.kid) == 16
    assert verified.issued_at == NOW
    assert verified.expires.year == 2031


def test_the_key_is_stored_and_loaded_again(demo: tuple[str, Path]) -> None:
    text, trust = demo
    key, cert = offlineqr.load_offline_key(trust.parent)
    again = offlineqr.sign_statement(FACTS, key, cert, now=NOW)
    assert offlineqr.verify_statement(again, offlineqr.load_trust_list(trust), now=NOW).facts == FACTS
    assert (trust.parent / "offline-qr.key").stat().st_mode & 0o077 == 0


def _photo(png: bytes) -> bytes:
    """A WeChat-like photo of a printout: turned 12 degrees, blurred, a low-quality JPEG."""
    image = Image.open(io.BytesIO(png)).convert("L")
    image = image.rotate(12, expand=True, fillcolor=255).filter(ImageFilter.GaussianBlur(1.5))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=25)
    return out.getvalue()


def test_the_statement_verifies_from_a_degraded_photo(demo: tuple[str, Path]) -> None:
    text, trust = demo
    photo = Image.open(io.BytesIO(_photo(qr_png(text))))
    [code] = [c for c in zxingcpp.read_barcodes(photo) if c.format == zxingcpp.BarcodeFormat.QRCode]
    verified = offlineqr.verify_statement(code.text, offlineqr.load_trust_list(trust), now=NOW)
    assert verified.facts.number == "渝职称2026-0440"


def _with_payload_byte_changed(text: str) -> str:
    import zlib

    cose = cbor_loads(zlib.decompress(b45decode(text[4:])))
    assert isinstance(cose, Tagged) and isinstance(cose.value, list)
    payload = cose.value[2]
    assert isinstance(payload, bytes)
    changed = payload.replace(b"0440", b"0441")
    assert changed != payload
    cose = Tagged(cose.tag, [cose.value[0], cose.value[1], changed, cose.value[3]])
    return "TC1:" + b45encode(zlib.compress(cbor_dumps(cose)))


def test_a_one_byte_change_of_the_payload_fails_the_signature(demo: tuple[str, Path]) -> None:
    text, trust = demo
    with pytest.raises(OfflineQrError, match="signature does not match"):
        offlineqr.verify_statement(
            _with_payload_byte_changed(text), offlineqr.load_trust_list(trust), now=NOW
        )


def test_a_changed_character_of_the_text_is_damaged_or_unsigned(demo: tuple[str, Path]) -> None:
    text, trust = demo
    i = len(text) // 2
    broken = text[:i] + ("0" if text[i] != "0" else "1") + text[i + 1 :]
    with pytest.raises(OfflineQrError, match="damaged|signature does not match|not a COSE"):
        offlineqr.verify_statement(broken, offlineqr.load_trust_list(trust), now=NOW)


def test_an_expired_statement_is_reported_as_expired(demo: tuple[str, Path]) -> None:
    text, trust = demo
    with pytest.raises(OfflineQrError, match="expired on 2031-.*check the certificate online"):
        offlineqr.verify_statement(text, offlineqr.load_trust_list(trust), now=NOW.replace(year=2032))


def test_an_unknown_key_id_fails(demo: tuple[str, Path], tmp_path: Path) -> None:
    text, _ = demo
    offlineqr.create_demo_offline_key(tmp_path, now=NOW)
    with pytest.raises(OfflineQrError, match="not in the trust list"):
        offlineqr.verify_statement(text, offlineqr.load_trust_list(tmp_path / "offline-qr.pem"), now=NOW)


def test_other_text_is_not_an_offline_qr() -> None:
    with pytest.raises(OfflineQrError, match="does not start with TC1:"):
        offlineqr.verify_statement("https://verify.example/p/abc", {}, now=NOW)


def test_base45_matches_the_rfc_examples() -> None:
    assert b45encode(b"AB") == "BB8"
    assert b45encode(b"Hello!!") == "%69 VD92EX0"
    assert b45decode("QED8WEX0") == b"ietf!"
    with pytest.raises(CodecError):
        b45decode("GGW")


def test_cbor_uses_the_shortest_heads_and_refuses_floats() -> None:
    assert cbor_dumps([1, -1, 500, "a", b"\x01"]) == bytes.fromhex("850120190 1f4 6161 4101".replace(" ", ""))
    assert cbor_loads(cbor_dumps({1: {"no": "x"}, -261: [Tagged(18, b"")]})) == {
        1: {"no": "x"},
        -261: [Tagged(18, b"")],
    }
    with pytest.raises(CodecError, match="floats"):
        cbor_loads(bytes.fromhex("f93c00"))
