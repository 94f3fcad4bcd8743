"""`titlecert offline-qr` and `titlecert verify-qr --offline`: the offline QR (docs/offline-qr.md).

The signed statement travels as a separate QR image beside the printout (a photo of both is what a
reader without a network receives); the certificate template does not print it yet."""

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
    from cryptography.x509 import Certificate

from titlecert.errors import ApplicationError, ConfigError
from titlecert.settings import Settings

CAVEAT = "check online for revocation: an offline statement cannot know of one after it was signed"


def _offline_dir(settings: Settings) -> Path:
    return settings.pki_dir / "offline"


@click.command("offline-qr")
@click.argument("certificate_no")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the QR as PNG.")
@click.pass_obj
def offline_qr(settings: Settings, certificate_no: str, output: Path | None) -> None:
    """Print a certificate's signed offline statement (TC1:…); with -o, also its QR image."""
    from docgen.qr import qr_png
    from signing import offlineqr
    from titlecert.bootstrap import transaction

    now = dt.datetime.now(dt.UTC)
    key, cert = _signing_key(settings, now)
    with transaction(settings) as ledger:
        record = ledger.certificates.by_number(certificate_no)
        if record is None:
            raise ApplicationError(f"no certificate {certificate_no} in the registry")
        if record.status != "valid":
            raise ApplicationError(f"certificate {certificate_no} is {record.status}: no offline statement")
        facts = offlineqr.OfflineFacts(
            number=record.certificate_no,
            holder=offlineqr.mask_name(record.holder_name),
            id_masked=record.holder_id_masked,
            title=record.title,
            level=record.level,
            series=record.series,
            committee=record.committee,
            passed=record.passed_on.isoformat(),
            issued=record.issued_on.isoformat(),
        )
    text = offlineqr.sign_statement(facts, key, cert, now=now)
    if output is not None:
        output.write_bytes(qr_png(text, box_size=4))
    click.echo(text)


def _signing_key(settings: Settings, now: dt.datetime) -> "tuple[EllipticCurvePrivateKey, Certificate]":
    """The instance's offline-QR key; on a DEMO PKI instance made at first use, like its other keys."""
    from signing import offlineqr

    directory = _offline_dir(settings)
    if (directory / "offline-qr.key").exists():
        return offlineqr.load_offline_key(directory)
    if not (settings.pki_dir / "root-ca.key").exists():
        raise ConfigError(
            f"no offline-QR key: put the operator's ECDSA P-256 key and certificate in {directory} "
            "as offline-qr.key and offline-qr.pem (docs/offline-qr.md)"
        )
    return offlineqr.create_demo_offline_key(directory, now=now)


def _text_of(source: str) -> str:
    """The payload text itself, or the text of the one offline QR in the image file `source`."""
    path = Path(source)
    if source.strip().startswith("TC1:") or not path.is_file():
        return source
    import zxingcpp  # imported here: the other commands need no barcode reader
    from PIL import Image

    try:
        image = Image.open(path)
        image.load()
    except OSError as exc:
        raise ApplicationError(f"{path}: not an image ({exc})") from None
    texts = [c.text for c in zxingcpp.read_barcodes(image) if c.text.startswith("TC1:")]
    if not texts:
        raise ApplicationError(f"{path}: no offline QR (TC1:) found; photograph it straight and sharp")
    return texts[0]


@click.command("verify-qr")
@click.argument("source")
@click.option("--offline", is_flag=True, required=True, help="Check the signed offline statement.")
@click.option(
    "--trust",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="PEM file of trusted offline-QR certificates [default: the instance's].",
)
@click.pass_obj
def verify_qr(settings: Settings, source: str, offline: bool, trust: Path | None) -> None:
    """Check an offline QR, an IMAGE file or its TEXT, without the network."""
    from signing import offlineqr

    trusted = offlineqr.load_trust_list(trust or _offline_dir(settings) / "offline-qr.pem")
    now = dt.datetime.now(dt.UTC)
    verified = offlineqr.verify_statement(_text_of(source), trusted, now=now)
    facts = verified.facts
    for label, value in (
        ("certificate 证书编号", facts.number),
        ("holder 姓名", facts.holder),
        ("ID 证件号码", facts.id_masked),
        ("title 资格名称", facts.title),
        ("level 级别", facts.level),
        ("series 系列", facts.series),
        ("committee 评审委员会", facts.committee),
        ("passed 评审通过", facts.passed),
        ("issued 发证日期", facts.issued),
    ):
        click.echo(f"{label}: {value}")
    click.echo(f"signed by offline key {verified.kid}; statement valid until {verified.expires:%Y-%m-%d}")
    click.echo(f"as of {verified.issued_at:%Y-%m-%d}; {CAVEAT}")


@click.command("offline-page")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--trust",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="PEM file of trusted offline-QR certificates [default: the instance's].",
)
@click.pass_obj
def offline_page(settings: Settings, output: Path, trust: Path | None) -> None:
    """Write the offline check page (one HTML file, no network) with the trusted keys in it."""
    import json

    import verify.web
    from signing import offlineqr

    trusted = offlineqr.load_trust_list(trust or _offline_dir(settings) / "offline-qr.pem")
    page = (Path(verify.web.__file__).parent / "static" / "offline.html").read_text(encoding="utf-8")
    keys = json.dumps(offlineqr.trusted_jwks(trusted)).replace("<", "\\u003c")
    marker = '<script id="offline-keys" type="application/json">{}</script>'
    output.write_text(page.replace(marker, marker.replace("{}", keys)), encoding="utf-8")
    click.echo(f"wrote {output}: {len(trusted)} trusted offline key(s)")
