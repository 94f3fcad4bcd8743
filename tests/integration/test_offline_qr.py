"""`titlecert offline-qr NO` on an issued certificate, checked back by `verify-qr --offline`."""

from pathlib import Path

from tests.conftest import Instance, Issued


def test_an_issued_certificate_gets_a_signed_offline_qr(
    instance: Instance, issued: Issued, tmp_path: Path
) -> None:
    number = str(issued.documents[0]["certificate_no"])
    png = tmp_path / "offline.png"
    text = instance.run("offline-qr", number, "-o", str(png)).stdout.strip()
    assert text.startswith("TC1:")
    out = instance.run("verify-qr", str(png), "--offline").stdout
    assert f"certificate 证书编号: {number}" in out
    assert "check online for revocation" in out
    assert "*" in out.split("holder 姓名: ")[1].splitlines()[0]


def test_an_unknown_certificate_has_no_offline_qr(instance: Instance) -> None:
    proc = instance.run("offline-qr", "渝职称1999-9999", check=False)
    assert proc.returncode == 1
    assert "no certificate 渝职称1999-9999" in proc.stderr
