"""A TSA or OCSP responder that stops answering mid-run: the seal fails in the user's words, naming
the service and its URL (the run's preflight asked them before the job; this is after)."""

import json
from pathlib import Path

import pytest

from signing.batch import BatchTimeStamper, BatchValidation
from signing.devpki import create_demo_pki
from signing.errors import SigningError
from signing.fonts import find_seal_font
from signing.keys import SealKey, load_seal_keys
from signing.pades import LongTerm, seal_pdf
from signing.profiles import SealPlacement
from signing.roles import Role
from signing.sealimage import draw_seal
from signing.services import PkiServices
from signing.trust import load_certificates
from tests.conftest import free_port
from tests.integration.test_flatten import with_text_field

PLACEMENTS = [
    SealPlacement(Role.COMMITTEE, 0, (100, 60, 220, 196)),
    SealPlacement(Role.AUTHORITY, 0, (400, 60, 520, 196)),
]


def demo_keys(home: Path, services_url: str) -> tuple[dict[Role, SealKey], Path]:
    pki = create_demo_pki(home / "pki", services_url=services_url)
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
    return load_seal_keys(home / "keys.json"), pki.root_cert_path


def test_a_tsa_that_does_not_answer_is_named_by_its_url(tmp_path: Path) -> None:
    keys, _ = demo_keys(tmp_path, "http://127.0.0.1:1")
    dead = f"http://127.0.0.1:{free_port()}/tsa"
    with pytest.raises(SigningError) as caught:
        seal_pdf(
            with_text_field("x"),
            placements=PLACEMENTS,
            keys=keys,
            font_path=find_seal_font(None),
            timestamper=BatchTimeStamper(dead),
        )
    assert str(caught.value) == f"the time-stamping authority at {dead} does not answer; nothing was sealed"


def test_an_ocsp_responder_that_does_not_answer_is_named_by_its_url(tmp_path: Path) -> None:
    named = f"http://127.0.0.1:{free_port()}"  # what the certificates' AIA names: nothing listens
    keys, root = demo_keys(tmp_path, named)
    anchors = load_certificates(root.read_bytes())
    port = free_port()  # the TSA answers elsewhere
    services = PkiServices(tmp_path / "pki", services_url=named)
    with services.running("127.0.0.1", port), pytest.raises(SigningError) as caught:
        seal_pdf(
            with_text_field("x"),
            placements=PLACEMENTS,
            keys=keys,
            font_path=find_seal_font(None),
            timestamper=BatchTimeStamper(f"http://127.0.0.1:{port}/tsa"),
            long_term=LongTerm(anchors, validation_contexts=BatchValidation(anchors)),
        )
    assert str(caught.value) == f"the OCSP responder at {named}/ocsp does not answer; nothing was sealed"
