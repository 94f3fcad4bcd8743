"""Online revocation: which OCSP answers are believed, and what each means for a seal (the decision
table of docs/verification.md), on answers built here with cryptography."""

import dataclasses
import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.records import certificate_view, signature_report
from verify.fetch import Unbelieved
from verify.indications import Indication, SubIndication
from verify.report import SignatureReport, Verdict, VerificationReport
from verify.revocation import Answer, Source, Status, judge, read_answer
from verify.rules import RuleId
from verify.wording import Case

NOW = dt.datetime(2026, 6, 1, 4, 0, tzinfo=dt.UTC)


@dataclasses.dataclass(frozen=True)
class Party:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def issue(
    name: str,
    issuer: Party | None = None,
    *,
    ca: bool = False,
    eku: list[x509.ObjectIdentifier] | None = None,
) -> Party:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=30))
        .not_valid_after(NOW + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    return Party(builder.sign(issuer.key if issuer else key, hashes.SHA256()), key)


CA = issue("DEMO root", ca=True)
SEAL = issue("DEMO committee", CA)
RESPONDER = issue("DEMO OCSP", CA, eku=[ExtendedKeyUsageOID.OCSP_SIGNING])
NOT_A_RESPONDER = issue("DEMO TSA", CA, eku=[ExtendedKeyUsageOID.TIME_STAMPING])
STRANGER = issue("look-alike root", ca=True)
STRANGER_RESPONDER = issue("look-alike OCSP", STRANGER, eku=[ExtendedKeyUsageOID.OCSP_SIGNING])


def answer(
    *,
    signer: Party = RESPONDER,
    about: x509.Certificate = SEAL.cert,
    status: ocsp.OCSPCertStatus = ocsp.OCSPCertStatus.GOOD,
    revoked_at: dt.datetime | None = None,
    this_update: dt.datetime = NOW - dt.timedelta(minutes=1),
    next_update: dt.datetime | None = NOW + dt.timedelta(days=7),
    nonce: bytes | None = None,
) -> bytes:
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=about,
        issuer=CA.cert,
        algorithm=hashes.SHA1(),  # noqa: S303 - answers in a SHA-1 CertID are common; ours asks SHA-256
        cert_status=status,
        this_update=this_update,
        next_update=next_update,
        revocation_time=revoked_at,
        revocation_reason=x509.ReasonFlags.key_compromise if revoked_at else None,
    )
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    response = (
        builder.responder_id(ocsp.OCSPResponderEncoding.HASH, signer.cert)
        .certificates([signer.cert])
        .sign(signer.key, hashes.SHA256())
    )
    return response.public_bytes(serialization.Encoding.DER)


def read(der: bytes, nonce: bytes | None = None) -> Answer:
    return read_answer(der, SEAL.cert, CA.cert, NOW, nonce)


def test_an_answer_from_the_ca_or_its_delegated_responder_is_believed() -> None:
    assert read(answer()).status is Status.GOOD
    assert read(answer(signer=CA)).status is Status.GOOD
    revoked_at = NOW - dt.timedelta(days=2)
    got = read(answer(status=ocsp.OCSPCertStatus.REVOKED, revoked_at=revoked_at))
    assert (got.status, got.revoked_at) == (Status.REVOKED, revoked_at)
    assert read(answer(status=ocsp.OCSPCertStatus.UNKNOWN)).status is Status.UNKNOWN
    assert read(answer(nonce=b"n" * 16), nonce=b"n" * 16).status is Status.GOOD


@pytest.mark.parametrize(
    "der",
    [
        pytest.param(answer(signer=STRANGER_RESPONDER), id="signed-by-a-stranger's-responder"),
        pytest.param(answer(signer=STRANGER), id="signed-by-a-stranger-ca"),
        pytest.param(answer(signer=NOT_A_RESPONDER), id="ca-issued-without-ocsp-signing"),
        pytest.param(answer(signer=SEAL), id="signed-by-the-seal-certificate-itself"),
        pytest.param(answer(about=NOT_A_RESPONDER.cert), id="about-another-certificate"),
        pytest.param(answer(next_update=NOW - dt.timedelta(hours=1)), id="stale"),
        pytest.param(
            answer(this_update=NOW - dt.timedelta(days=2), next_update=None), id="old-without-next-update"
        ),
        pytest.param(answer(this_update=NOW + dt.timedelta(hours=1)), id="from-the-future"),
        pytest.param(
            ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.TRY_LATER).public_bytes(
                serialization.Encoding.DER
            ),
            id="unsuccessful",
        ),
        pytest.param(b"<html>proxy error</html>", id="not-ocsp"),
    ],
)
def test_an_answer_that_proves_nothing_about_our_certificate_is_not_believed(der: bytes) -> None:
    with pytest.raises(Unbelieved):
        read(der)


def test_a_reply_to_another_request_is_not_believed() -> None:
    with pytest.raises(Unbelieved):
        read(answer(nonce=b"a" * 16), nonce=b"b" * 16)


def test_a_tampered_answer_is_not_believed() -> None:
    """thisUpdate moved a minute back: still a fresh answer about our certificate, but not signed."""
    this_update = (NOW - dt.timedelta(minutes=1)).strftime("%Y%m%d%H%M%SZ").encode()
    der = answer()
    assert der.count(this_update) == 1
    with pytest.raises(Unbelieved, match="signature"):
        read(der.replace(this_update, this_update.replace(b"5900Z", b"5800Z")))


B_B = signature_report(signed_at="2026-01-12T02:00:00+00:00")
PROVEN = dt.datetime(2026, 1, 12, 2, 0, 1, tzinfo=dt.UTC)
B_T = dataclasses.replace(B_B, timestamp=PROVEN.isoformat())


def decided(seal: SignatureReport, got: Answer) -> tuple[RuleId, Verdict | None, SubIndication | None]:
    [finding] = judge(1, seal, got)
    assert finding.seal == 1
    return finding.rule, finding.verdict, finding.sub_indication


def revoked(at: dt.datetime) -> Answer:
    return Answer(Status.REVOKED, NOW, at)


def test_the_decision_table() -> None:
    assert decided(B_B, Answer(Status.GOOD, NOW)) == (RuleId.ONLINE_SEAL_CHECKED, None, None)
    assert decided(B_B, revoked(PROVEN)) == (
        RuleId.ONLINE_SEAL_NOT_REVOKED,
        Verdict.INDETERMINATE,
        SubIndication.REVOKED_NO_POE,
    )
    before = PROVEN - dt.timedelta(hours=1)
    assert decided(B_T, revoked(before)) == (
        RuleId.ONLINE_SEAL_NOT_REVOKED,
        Verdict.INVALID,
        SubIndication.REVOKED,
    )
    after = PROVEN + dt.timedelta(days=3)
    assert decided(B_T, revoked(after)) == (RuleId.ONLINE_SEAL_NOT_REVOKED, None, None)
    for unsure in (Status.UNAVAILABLE, Status.UNKNOWN):
        assert decided(B_T, Answer(unsure, NOW)) == (
            RuleId.ONLINE_SEAL_STATUS_KNOWN,
            Verdict.INDETERMINATE,
            SubIndication.TRY_LATER,
        )


def test_revoked_after_a_proven_sealing_time_is_said_with_the_date_and_the_seal_passes() -> None:
    [note] = judge(1, B_T, revoked(dt.datetime(2026, 3, 1, 1, 0, tzinfo=dt.UTC)))
    assert (
        "revoked on 2026-03-01 09:00:00 Beijing time (UTC+8) "
        "(checked online with the issuer's OCSP responder), after this seal was made"
    ) in note.text.en
    assert "2026-03-01 09:00:00 北京时间（UTC+8）" in note.text.zh
    seal = dataclasses.replace(B_T, online_status="revoked", online_checked_at=NOW.isoformat())
    r = VerificationReport("f.pdf", findings=(note,), signatures=(seal,), certificate=certificate_view())
    assert r.seals[0].indication is Indication.PASSED and r.verdict is Verdict.VALID


def test_the_revocation_line_says_how_it_was_checked() -> None:
    def line(seal: SignatureReport) -> str:
        return VerificationReport("f.pdf", signatures=(seal,)).seals[0].revocation.en

    asked = NOW.isoformat()
    assert line(B_B) == "not checked: the file carries no revocation information"
    assert (
        line(dataclasses.replace(B_B, online_status="good", online_checked_at=asked))
        == "checked online with the issuer's OCSP responder at 2026-06-01 12:00:00 Beijing time (UTC+8)"
    )
    assert (
        line(dataclasses.replace(B_B, online_status="good", online_checked_at=asked, online_source="crl"))
        == "checked online with the issuer's certificate revocation list (CRL) at 2026-06-01 12:00:00 "
        "Beijing time (UTC+8)"
    )
    assert line(dataclasses.replace(B_B, online_status="unavailable", online_checked_at=asked)).startswith(
        "not checked: neither the issuer's OCSP responder nor its certificate revocation list (CRL) gave"
    )
    assert line(dataclasses.replace(B_B, revocation_checked=True)).startswith(
        "checked, from the validation data"
    )


def test_a_responder_down_leaves_the_file_unconfirmed_and_says_try_again_later() -> None:
    findings = tuple(judge(1, B_B, Answer(Status.UNAVAILABLE, NOW)))
    r = VerificationReport("f.pdf", findings=findings, signatures=(B_B,), certificate=certificate_view())
    assert (r.verdict, r.outcome) == (Verdict.INDETERMINATE, Case.UNCONFIRMED)
    assert r.seals[0].sub_indication is SubIndication.TRY_LATER
    assert "try again later" in r.headline.en and "请稍后再试" in r.headline.zh


@pytest.mark.parametrize(
    ("source", "en", "zh"),
    [
        (Source.OCSP, "checked online with the issuer's OCSP responder", "经签发机构的 OCSP 服务在线核查"),
        (
            Source.CRL,
            "checked online with the issuer's certificate revocation list (CRL)",
            "经签发机构的证书吊销列表（CRL）在线核查",
        ),
    ],
)
def test_each_finding_says_what_the_status_was_learnt_from(source: Source, en: str, zh: str) -> None:
    for seal, got in (
        (B_B, Answer(Status.GOOD, NOW, source=source)),
        (B_B, Answer(Status.REVOKED, NOW, PROVEN, source)),
        (B_T, Answer(Status.REVOKED, NOW, PROVEN - dt.timedelta(hours=1), source)),
        (B_T, Answer(Status.REVOKED, NOW, PROVEN + dt.timedelta(days=3), source)),
    ):
        [finding] = judge(1, seal, got)
        assert en in finding.text.en and zh in finding.text.zh
