"""The issuing flows with the seal keys on a PKCS#11 token (SoftHSM2, in this module's own token
folder): DEMO keys generated on the token, an operator's keys found on it by label, sealing at B-B
and B-LTA, and the failures that must leave nothing registered."""

import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import (
    Instance,
    as_another_session,
    free_port,
    make_instance,
    sample_session_doc,
    serve_pki,
)
from tests.softhsm import USER_PIN, SoftHsm, new_softhsm

TOKEN = "titlecert"


@pytest.fixture(scope="module")
def hsm(tmp_path_factory: pytest.TempPathFactory) -> SoftHsm:
    softhsm = new_softhsm(tmp_path_factory.mktemp("softhsm"))
    softhsm.init_token(TOKEN)
    return softhsm


@pytest.fixture(scope="module")
def on_token(hsm: SoftHsm, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """A DEMO instance whose committee and authority keys were generated on the token."""
    inst = make_instance(tmp_path_factory.mktemp("p11") / "home", **hsm.env, TITLECERT_PKCS11_PIN=USER_PIN)
    out = inst.run("init", "--pkcs11-module", str(hsm.module), "--pkcs11-token", TOKEN).stdout
    assert f"keys     demo (PKCS#11 token '{TOKEN}')" in out
    with serve_pki(inst):
        yield inst


def with_env(inst: Instance, **env: str) -> Instance:
    return Instance(inst.home, {**inst.env, **env}, inst.public_url, inst.pki_url)


def session_file(tmp_path: Path, document_no: str) -> Path:
    doc = sample_session_doc()
    doc["applicants"] = doc["applicants"][1:2]  # one who passed
    as_another_session(doc, document_no)  # and an applicant of its own: one application a year
    path = tmp_path / f"{document_no}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def issue(inst: Instance, tmp_path: Path, document_no: str, level: str = "B-B") -> str:
    run = with_env(inst, TITLECERT_SIGNATURE_LEVEL=level).run
    out = tmp_path / level
    result = json.loads(
        run("issue", str(session_file(tmp_path, document_no)), "--out", str(out), "--json").stdout
    )
    return str(next(d["path"] for d in result["documents"] if d["kind"] == "certificate"))


def verify(inst: Instance, path: str, *, offline: bool = False) -> dict:  # type: ignore[type-arg]
    args = ["verify", "--json", *(["--offline"] if offline else []), path]
    return json.loads(inst.run(*args, check=False).stdout)[0]  # type: ignore[no-any-return]


def registered(home: Path) -> int:
    with closing(sqlite3.connect(home / "registry.sqlite3")) as db:
        return int(db.execute("SELECT count(*) FROM certificates").fetchone()[0])


def test_init_keeps_the_demo_keys_on_the_token(on_token: Instance, hsm: SoftHsm) -> None:
    keys = json.loads((on_token.home / "keys.json").read_text(encoding="utf-8"))
    for role in ("committee", "authority"):
        assert keys[role]["pkcs11"] == {
            "module": str(hsm.module),
            "token_label": TOKEN,
            "key_label": role,
            "cert_label": role,
            "pin_file": "pki/token.pin",
        }
        assert (on_token.home / "pki" / f"{role}.pem").exists()
        assert not (on_token.home / "pki" / f"{role}.p12").exists()
    assert "keys     existing" in on_token.run("init").stdout
    other = on_token.run("init", "--pkcs11-module", str(hsm.module), "--pkcs11-token", "other", check=False)
    assert other.returncode == 1 and "already configures keys that are not on token 'other'" in other.stderr
    half = on_token.run("init", "--key-label", "committee=committee", check=False)
    assert half.returncode == 2 and "a PKCS#11 token needs both its module" in half.stderr
    rotate = on_token.run("pki", "rotate", "committee", check=False)
    assert rotate.returncode == 1 and "the committee key is on a PKCS#11 token" in rotate.stderr
    assert not (on_token.home / "pki" / "committee.p12").exists()


def test_seals_made_on_the_token_verify_at_b_b_and_b_lta(on_token: Instance, tmp_path: Path) -> None:
    basic = verify(on_token, issue(on_token, tmp_path, "渝职改办〔2026〕61号"))
    assert (basic["verdict"], basic["status"]) == ("valid", "valid")
    assert all(s["intact"] and s["trusted"] and s["timestamp"] is None for s in basic["signatures"])
    archived = issue(on_token, tmp_path, "渝职改办〔2026〕62号", level="B-LTA")
    report = verify(on_token, archived)
    assert (report["verdict"], report["status"]) == ("valid", "valid")
    assert len(report["document_timestamps"]) == 1
    assert [s["modification_level"] for s in report["signatures"]] == ["FORM_FILLING", "LTA_UPDATES"]
    assert verify(on_token, archived, offline=True)["verdict"] == "valid"


def test_a_wrong_pin_registers_nothing(on_token: Instance, tmp_path: Path) -> None:
    before = registered(on_token.home)
    run = with_env(on_token, TITLECERT_PKCS11_PIN="000000").run
    proc = run(
        "issue",
        str(session_file(tmp_path, "渝职改办〔2026〕63号")),
        "--out",
        str(tmp_path / "o"),
        check=False,
    )
    assert proc.returncode == 1
    assert f"the committee key: wrong user PIN for token '{TOKEN}' (PKCS#11 module " in proc.stderr
    assert registered(on_token.home) == before and not (tmp_path / "o").exists()


def test_a_key_label_not_on_the_token_registers_nothing(on_token: Instance, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(on_token.home, home, ignore=shutil.ignore_patterns("soffice-profile", "*.log"))
    keys = json.loads((home / "keys.json").read_text(encoding="utf-8"))
    keys["authority"]["pkcs11"]["key_label"] = "approval-2027"
    (home / "keys.json").write_text(json.dumps(keys, ensure_ascii=False), encoding="utf-8")
    copy = Instance(
        home, {**on_token.env, "TITLECERT_HOME": str(home)}, on_token.public_url, on_token.pki_url
    )
    before = registered(home)
    session = session_file(tmp_path, "渝职改办〔2026〕64号")
    proc = copy.run("issue", str(session), "--out", str(tmp_path / "o"), check=False)
    assert proc.returncode == 1
    assert (
        f"the authority key: no private key labelled 'approval-2027' on token '{TOKEN}' (PKCS#11 module "
        in proc.stderr
    )
    assert "private key labels there: 'authority', 'committee'" in proc.stderr
    assert registered(home) == before and not (tmp_path / "o").exists()


def test_an_operators_keys_already_on_the_token_are_found_by_label(
    on_token: Instance, hsm: SoftHsm, tmp_path: Path
) -> None:
    env = {
        "TITLECERT_PKCS11_MODULE": str(hsm.module),
        "TITLECERT_PKCS11_TOKEN": TOKEN,
        "TITLECERT_TRUST_ANCHORS": str(on_token.home / "pki" / "root-ca.pem"),
    }
    office = make_instance(tmp_path / "office", **hsm.env, **env)
    labels = ["--key-label", "committee=committee", "--key-label", "authority=authority"]
    no_pin = office.run("init", *labels, check=False)
    assert (
        no_pin.returncode == 1
        and f"give the user PIN of token '{TOKEN}' in TITLECERT_PKCS11_PIN" in no_pin.stderr
    )
    office = with_env(office, TITLECERT_PKCS11_PIN=USER_PIN)
    assert f"keys     configured (PKCS#11 token '{TOKEN}')" in office.run("init", *labels).stdout
    keys = json.loads((office.home / "keys.json").read_text(encoding="utf-8"))
    assert all(
        "pin_file" not in keys[r]["pkcs11"] for r in ("committee", "authority")
    )  # the PIN stays in env
    trust = json.loads((office.home / "trust.json").read_text(encoding="utf-8"))
    assert all(len(trust["roles"][r]["signer_sha256"]) == 1 for r in ("committee", "authority"))
    report = verify(office, issue(office, tmp_path, "渝职改办〔2026〕65号"))
    assert (report["verdict"], report["status"]) == ("valid", "valid")


def test_the_tsa_down_registers_no_sealed_document(on_token: Instance, tmp_path: Path) -> None:
    before = registered(on_token.home)
    run = with_env(
        on_token, TITLECERT_SIGNATURE_LEVEL="B-T", TITLECERT_TSA_URL=f"http://127.0.0.1:{free_port()}/tsa"
    ).run
    out = tmp_path / "o"
    proc = run("issue", str(session_file(tmp_path, "渝职改办〔2026〕66号")), "--out", str(out), check=False)
    assert proc.returncode == 1 and "nothing was issued" in proc.stderr
    assert "time-stamping authority at http://127.0.0.1:" in proc.stderr and "does not answer" in proc.stderr
    assert registered(on_token.home) == before and not out.exists()  # refused before the job


def test_a_revoked_certificate_of_a_token_key_cannot_seal_long_term(
    on_token: Instance, tmp_path: Path
) -> None:
    """Last in the module: the committee's certificate stays revoked."""
    before = registered(on_token.home)
    on_token.run("pki", "revoke", "committee")
    run = with_env(on_token, TITLECERT_SIGNATURE_LEVEL="B-LTA").run
    proc = run(
        "issue",
        str(session_file(tmp_path, "渝职改办〔2026〕67号")),
        "--out",
        str(tmp_path / "o"),
        check=False,
    )
    assert proc.returncode == 1
    assert "the committee seal certificate is revoked according to the OCSP responder" in proc.stderr
    assert "nothing was issued" in proc.stderr and registered(on_token.home) == before
