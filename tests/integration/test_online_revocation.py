"""Online verification asks the DEMO PKI's OCSP responder, over real HTTP on loopback, about seals
whose file carries no revocation data (B-B, B-T), and when no responder gives an answer that
verifies, fetches its CRL; `--offline` asks nobody.

The tests run in file order: the good answers before this module's revocations."""

import datetime as dt
import http.server
import io
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from signing.services import PkiServices
from tests.conftest import Instance, free_port, make_instance, serve_pki
from tests.integration.test_pki_services import cert_of, one_applicant_session, root_of, with_env


@dataclass
class Office:
    inst: Instance
    b_b: Path
    """A certificate sealed at B-B: no time stamp, no revocation data."""
    b_t: Path
    """The same at B-T: each seal's time is proven by the TSA."""


def issue(inst: Instance, tmp: Path, number: int, level: str) -> Path:
    tmp.mkdir()
    session = one_applicant_session(tmp, f"渝职改办〔2026〕{number}号")
    out = tmp / f"out-{number}"
    leveled = with_env(inst, TITLECERT_SIGNATURE_LEVEL=level)
    result = json.loads(leveled.run("issue", str(session), "--out", str(out), "--json").stdout)
    [certificate] = [d for d in result["documents"] if d["kind"] == "certificate"]
    return Path(certificate["path"])


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    """Its own instance (revocations here must not touch the shared one) asking its DEMO PKI's
    responder, with `pki serve` running."""
    tmp = tmp_path_factory.mktemp("online")
    inst = make_instance(tmp / "home")
    inst = with_env(inst, TITLECERT_OCSP_URLS=f"{inst.pki_url}/ocsp")
    inst.run("init")
    with serve_pki(inst):
        yield Office(inst, issue(inst, tmp / "bb", 160, "B-B"), issue(inst, tmp / "bt", 161, "B-T"))


def verify(inst: Instance, path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    proc = inst.run("verify", "--json", *args, str(path), check=False)
    [report] = json.loads(proc.stdout)
    return proc.returncode, report


def crl_down(inst: Instance) -> Instance:
    """OCSP down: every answer must come from the DEMO PKI's CRL."""
    return with_env(
        inst,
        TITLECERT_OCSP_URLS=f"http://127.0.0.1:{free_port()}/ocsp",
        TITLECERT_CRL_URLS=f"{inst.pki_url}/crl",
    )


@dataclass
class Recorder:
    """A loopback HTTP server that notes every request (a GET's as b"") and answers with `reply`."""

    url: str
    reply: bytes = b""
    requests: list[bytes] = field(default_factory=list)


@contextmanager
def recording(reply: bytes = b"", path: str = "/ocsp") -> Iterator[Recorder]:
    port = free_port()
    recorder = Recorder(f"http://127.0.0.1:{port}{path}", reply)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            recorder.requests.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.answer()

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            recorder.requests.append(b"")
            self.answer()

        def answer(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            self.wfile.write(recorder.reply)

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def stranger_says_good(inst: Instance, holder: str) -> bytes:
    """A well-formed answer "good" about `holder`'s certificate (our CA's CertID), signed by a
    responder certificate of a stranger's CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "look-alike OCSP")])
    now = dt.datetime.now(dt.UTC)
    responder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(root_of(inst).subject)  # claims our CA's name; its key is not our CA's
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=False)
        .sign(key, hashes.SHA256())
    )
    response = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=cert_of(inst, holder),
            issuer=root_of(inst),
            algorithm=hashes.SHA256(),
            cert_status=ocsp.OCSPCertStatus.GOOD,
            this_update=now,
            next_update=now + dt.timedelta(days=1),
            revocation_time=None,
            revocation_reason=None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, responder)
        .certificates([responder])
        .sign(key, hashes.SHA256())
    )
    return response.public_bytes(serialization.Encoding.DER)


def stranger_crl(inst: Instance) -> bytes:
    """A current, empty CRL in our CA's name, signed by a stranger's key."""
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root_of(inst).subject)
        .last_update(now)
        .next_update(now + dt.timedelta(days=1))
        .sign(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256())
        .public_bytes(serialization.Encoding.DER)
    )


def stale_crl(inst: Instance) -> bytes:
    """Our CA's own CRL of a fortnight ago, a week past its nextUpdate."""
    return PkiServices(inst.home / "pki").crl(now=dt.datetime.now(dt.UTC) - dt.timedelta(days=14))


ONLINE_LINE = "checked online with the issuer's OCSP responder at "
CRL_LINE = "checked online with the issuer's certificate revocation list (CRL) at "


def test_a_good_answer_is_said_on_each_seals_revocation_line(office: Office) -> None:
    code, report = verify(office.inst, office.b_b)
    assert (code, report["verdict"], report["outcome"]) == (0, "valid", "genuine")
    for seal in report["seals"]:
        assert seal["revocation"]["en"].startswith(ONLINE_LINE)
        assert seal["revocation"]["en"].endswith("Beijing time (UTC+8)")
        assert seal["revocation"]["zh"].endswith("在线查询签发机构的 OCSP 服务")
    checked = [f for f in report["findings"] if f["rule"] == "online.seal-checked"]
    assert [(f["seal"], f["verdict"]) for f in checked] == [(1, None), (2, None)]


def test_the_crl_is_not_fetched_when_the_responder_answers(office: Office) -> None:
    with recording(path="/crl") as crl:
        code, report = verify(with_env(office.inst, TITLECERT_CRL_URLS=crl.url), office.b_b)
    assert (code, report["verdict"], crl.requests) == (0, "valid", [])


@pytest.mark.parametrize("ocsp", ["none", "down"])
def test_without_an_answering_responder_the_crl_says_not_revoked(office: Office, ocsp: str) -> None:
    inst = crl_down(office.inst)
    if ocsp == "none":
        inst = with_env(inst, TITLECERT_OCSP_URLS="none")
    code, report = verify(inst, office.b_b)
    assert (code, report["verdict"], report["outcome"]) == (0, "valid", "genuine")
    for seal in report["seals"]:
        assert seal["revocation"]["en"].startswith(CRL_LINE)
        assert seal["revocation"]["zh"].endswith("在线查询签发机构的证书吊销列表（CRL）")
    checked = [f for f in report["findings"] if f["rule"] == "online.seal-checked"]
    assert [f["seal"] for f in checked] == [1, 2]
    assert all("certificate revocation list (CRL): not revoked" in f["text"]["en"] for f in checked)


@pytest.mark.parametrize("crl", [stranger_crl, stale_crl], ids=["signed-by-another-key", "past-next-update"])
def test_a_crl_that_proves_nothing_is_not_believed(office: Office, crl: Callable[[Instance], bytes]) -> None:
    with recording(crl(office.inst), path="/crl") as served:
        inst = with_env(office.inst, TITLECERT_OCSP_URLS="none", TITLECERT_CRL_URLS=served.url)
        code, report = verify(inst, office.b_b)
    assert served.requests  # it was fetched, and not believed
    assert (code, report["verdict"], report["outcome"]) == (1, "indeterminate", "unconfirmed")
    assert [s["sub_indication"] for s in report["seals"]] == ["TRY_LATER"] * 2


def test_the_site_and_its_api_ask_the_configured_responder(office: Office) -> None:
    from titlecert.app import create_app
    from titlecert.settings import from_env

    with recording() as recorder:
        # The site's responders come from the settings: a recorder first (its empty answer is not
        # believed), then the DEMO PKI's.
        urls = f"{recorder.url} {office.inst.pki_url}/ocsp"
        web = create_app(from_env({**office.inst.env, "TITLECERT_OCSP_URLS": urls})).test_client()
        data = office.b_b.read_bytes()
        api = web.post("/api/v1/verify", data={"file": (io.BytesIO(data), "c.pdf")})
        page = web.post(
            "/verify", data={"file": (io.BytesIO(data), "c.pdf")}, headers={"Accept-Language": "en"}
        )
    assert len(recorder.requests) == 4  # two seals, twice
    report = api.get_json()
    assert api.status_code == 200 and report["verdict"] == "valid"
    assert [s["revocation"]["en"][: len(ONLINE_LINE)] for s in report["seals"]] == [ONLINE_LINE] * 2
    assert page.status_code == 200 and page.text.count(ONLINE_LINE.replace("'", "&#39;")) == 2


def test_offline_fetches_nothing(office: Office) -> None:
    with recording() as recorder:
        watched = with_env(office.inst, TITLECERT_OCSP_URLS=recorder.url)
        code, report = verify(watched, office.b_b, "--offline")
        assert recorder.requests == []
        assert (code, report["verdict"]) == (0, "valid")
        assert report["seals"][0]["revocation"]["en"].startswith("not checked")
        verify(watched, office.b_b)  # the same instance online does ask (the test can fail)
        assert len(recorder.requests) == 2


def test_a_responder_and_crl_down_leave_the_file_unconfirmed(office: Office) -> None:
    down = with_env(
        office.inst,
        TITLECERT_OCSP_URLS=f"http://127.0.0.1:{free_port()}/ocsp",
        TITLECERT_CRL_URLS=f"http://127.0.0.1:{free_port()}/crl",
    )
    code, report = verify(down, office.b_b)
    assert (code, report["verdict"], report["outcome"]) == (1, "indeterminate", "unconfirmed")
    assert [(s["indication"], s["sub_indication"]) for s in report["seals"]] == [
        ("INDETERMINATE", "TRY_LATER")
    ] * 2
    assert "try again later" in report["headline"]["en"]
    assert report["seals"][0]["revocation"]["en"].startswith(
        "not checked: neither the issuer's OCSP responder nor its certificate revocation list (CRL)"
    )


def test_a_committee_key_revoked_after_issue_is_reported(office: Office) -> None:
    office.inst.run("pki", "revoke", "committee")
    code, report = verify(office.inst, office.b_b)
    assert code == 1 and report["verdict"] == "indeterminate" and report["outcome"] == "unconfirmed"
    committee, authority = report["seals"]
    assert (committee["indication"], committee["sub_indication"]) == ("INDETERMINATE", "REVOKED_NO_POE")
    assert committee["revocation"]["en"].startswith(ONLINE_LINE)
    assert authority["indication"] == "PASSED"
    assert "revoked on" in report["headline"]["en"]
    # short line: the CLI's plain words
    short = office.inst.run("verify", str(office.b_b), check=False).stdout
    assert short == f"无法确认 / not confirmed — {report['certificate_no']}\n"


def test_the_crl_reports_the_revocation_with_the_responder_down(office: Office) -> None:
    code, report = verify(crl_down(office.inst), office.b_b)
    assert (code, report["verdict"], report["outcome"]) == (1, "indeterminate", "unconfirmed")
    committee, authority = report["seals"]
    assert (committee["indication"], committee["sub_indication"]) == ("INDETERMINATE", "REVOKED_NO_POE")
    assert committee["revocation"]["en"].startswith(CRL_LINE)
    assert authority["indication"] == "PASSED" and authority["revocation"]["en"].startswith(CRL_LINE)
    [revoked] = [f for f in report["findings"] if f["rule"] == "online.seal-not-revoked"]
    assert "revoked on" in revoked["text"]["en"] and "证书吊销列表（CRL）" in revoked["text"]["zh"]
    assert "revoked on" in report["headline"]["en"]


def test_a_stranger_saying_good_is_not_believed(office: Office) -> None:
    with recording(stranger_says_good(office.inst, "committee")) as stranger:
        code, report = verify(with_env(office.inst, TITLECERT_OCSP_URLS=stranger.url), office.b_b)
    assert len(stranger.requests) == 2
    assert (code, report["verdict"]) == (1, "indeterminate")
    assert report["seals"][0]["sub_indication"] == "TRY_LATER"


def test_revoked_after_the_proven_sealing_time_the_seal_stands(office: Office) -> None:
    _, before = verify(office.inst, office.b_t)
    proven = dt.datetime.fromisoformat(before["signatures"][0]["timestamp"])
    office.inst.run("pki", "revoke", "committee", "--at", (proven + dt.timedelta(seconds=5)).isoformat())
    code, report = verify(office.inst, office.b_t)
    assert (code, report["verdict"], report["outcome"]) == (0, "valid", "genuine")
    assert report["seals"][0]["indication"] == "PASSED"
    [note] = [f for f in report["findings"] if f["rule"] == "online.seal-not-revoked"]
    assert note["verdict"] is None and "after this seal was made" in note["text"]["en"]


def test_a_seal_proven_made_after_the_revocation_fails(office: Office) -> None:
    _, before = verify(office.inst, office.b_t)
    proven = dt.datetime.fromisoformat(before["signatures"][0]["timestamp"])
    office.inst.run("pki", "revoke", "committee", "--at", (proven - dt.timedelta(hours=1)).isoformat())
    code, report = verify(office.inst, office.b_t)
    assert (code, report["verdict"], report["outcome"]) == (1, "invalid", "seals-fail")
    assert (report["seals"][0]["indication"], report["seals"][0]["sub_indication"]) == ("FAILED", "REVOKED")
