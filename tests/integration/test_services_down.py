"""A dependency that stops answering: a TSA or OCSP responder mid-run fails the seal in the user's
words, naming the service and its URL (the run's preflight asked them before the job; this is
after); a registry that is down is one error for the CLI and a 503 for the site."""

import json
import socket
import subprocess
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
from tests.conftest import TITLECERT, Instance, free_port
from tests.integration.test_flatten import with_text_field
from titlecert.app import create_app
from titlecert.settings import from_env

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


def test_a_registry_that_does_not_answer_is_one_error_in_words_and_a_503(instance: Instance) -> None:
    """The database is down: the CLI says which registry and exits 1 without a traceback; the site
    and the API answer 503 with Retry-After instead of a stack trace or a misleading 404."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: connections are refused
        down = f"postgresql+psycopg://titlecert@127.0.0.1:{port}/test"
        env = {**instance.env, "TITLECERT_DATABASE_URL": down}
        done = subprocess.run([str(TITLECERT), "jobs", "list"], env=env, capture_output=True, text=True)
        assert done.returncode == 1, done.stderr
        assert f"the registry at {down} cannot be used just now" in done.stderr
        assert "is the database server running" in done.stderr and "Traceback" not in done.stderr
        app = create_app(from_env(env))
        client = app.test_client()
        page = client.get(f"/v/{'A' * 32}")
        assert page.status_code == 503 and page.headers["Retry-After"] == "60"
        assert "服务暂时不可用" in page.text and "psycopg" not in page.text
        api = client.get(f"/api/v1/certificates/{'A' * 32}")
        assert api.status_code == 503 and api.mimetype == "application/problem+json"
        assert api.json is not None and "registry cannot be reached" in api.json["detail"]
        assert client.get("/healthz").status_code == 503
