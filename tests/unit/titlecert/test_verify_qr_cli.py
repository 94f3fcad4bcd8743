"""`titlecert verify-qr --offline`: the facts and the "as of" caveat, or a reason and a failing exit."""

import datetime as dt
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageFilter

from docgen.qr import qr_png
from signing import offlineqr
from titlecert.cli import main

FACTS = offlineqr.OfflineFacts(
    number="渝职称2026-0441",
    holder="李*",
    id_masked="500101********5678",
    title="工程师",
    level="中级",
    series="工程技术",
    committee="重庆市工程技术中级职称评审委员会",
    passed="2026-11-20",
    issued="2026-12-01",
)


def _run(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={"TITLECERT_HOME": str(home)})
    return result.exit_code, result.output


@pytest.fixture
def signed(tmp_path: Path) -> tuple[str, Path]:
    now = dt.datetime.now(dt.UTC)
    key, cert = offlineqr.create_demo_offline_key(tmp_path / "offline", now=now)
    return offlineqr.sign_statement(FACTS, key, cert, now=now), tmp_path / "offline" / "offline-qr.pem"


def test_a_photo_of_the_qr_prints_the_facts_and_the_caveat(signed: tuple[str, Path], tmp_path: Path) -> None:
    text, trust = signed
    image = Image.open(io.BytesIO(qr_png(text))).convert("L").rotate(-10, expand=True, fillcolor=255)
    photo = tmp_path / "wechat.jpg"
    image.filter(ImageFilter.GaussianBlur(1.2)).save(photo, "JPEG", quality=30)
    code, out = _run(tmp_path, "verify-qr", str(photo), "--offline", "--trust", str(trust))
    assert code == 0, out
    assert "certificate 证书编号: 渝职称2026-0441" in out
    assert "ID 证件号码: 500101********5678" in out
    assert f"as of {dt.datetime.now(dt.UTC):%Y-%m-%d}; check online for revocation" in out


def test_altered_text_fails_with_the_reason(signed: tuple[str, Path], tmp_path: Path) -> None:
    text, trust = signed
    code, out = _run(tmp_path, "verify-qr", text[:-3] + "000", "--offline", "--trust", str(trust))
    assert code == 1
    assert "error: the offline QR" in out


def test_a_key_outside_the_trust_list_fails(signed: tuple[str, Path], tmp_path: Path) -> None:
    text, _ = signed
    offlineqr.create_demo_offline_key(tmp_path / "other", now=dt.datetime.now(dt.UTC))
    code, out = _run(
        tmp_path, "verify-qr", text, "--offline", "--trust", str(tmp_path / "other" / "offline-qr.pem")
    )
    assert code == 1
    assert "not in the trust list" in out


def test_an_image_without_an_offline_qr_fails(signed: tuple[str, Path], tmp_path: Path) -> None:
    _, trust = signed
    (tmp_path / "url.png").write_bytes(qr_png("https://verify.example/v/abc"))
    code, out = _run(tmp_path, "verify-qr", str(tmp_path / "url.png"), "--offline", "--trust", str(trust))
    assert code == 1
    assert "no offline QR (TC1:) found" in out


def test_an_instance_without_a_demo_pki_or_an_offline_key_is_told_where_to_put_one(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "offline-qr", "渝职称2026-0441")
    assert code == 2
    assert f"no offline-QR key: put the operator's ECDSA P-256 key and certificate in {tmp_path}" in out
