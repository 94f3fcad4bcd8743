"""Online revocation from the issuer's CRL (verify.crl), when no OCSP responder gave an answer that
verifies: which CRLs are believed, what they say of a seal, and how long one fetch serves, on CRLs
built here with cryptography and a clock the tests set."""

import base64
import datetime as dt
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from signing.trust import RevocationSources
from tests.unit.verify.test_revocation import B_B, CA, NOW, SEAL, STRANGER, Party
from verify.checks import Analysis
from verify.crl import MAX_CACHE_AGE, CrlCache, read_crl, revocation_date
from verify.fetch import Unbelieved
from verify.indications import SubIndication
from verify.report import Verdict, VerificationReport
from verify.revocation import Answer, Source, Status, ask, check_online, judge
from verify.rules import RuleId

URL = "http://crl.test/ca.crl"
SOURCES = RevocationSources(crl_urls=(URL,))
REVOKED_AT = NOW - dt.timedelta(days=2)


def crl(
    *,
    signer: Party = CA,
    issuer_name: x509.Name | None = None,
    revoked: Iterable[x509.Certificate] = (),
    this_update: dt.datetime = NOW - dt.timedelta(minutes=1),
    next_update: dt.datetime = NOW + dt.timedelta(days=7),
    extensions: Iterable[tuple[x509.ExtensionType, bool]] = (),
) -> bytes:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_name or signer.cert.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(1), critical=False)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    for cert in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(cert.serial_number)
            .revocation_date(REVOKED_AT)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
        builder = builder.add_revoked_certificate(entry)
    return builder.sign(signer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def status(der: bytes) -> dt.datetime | None:
    return revocation_date(read_crl(der, CA.cert, NOW), SEAL.cert)


def test_a_current_crl_signed_by_the_issuer_settles_the_status() -> None:
    assert status(crl()) is None
    assert status(crl(revoked=[STRANGER.cert])) is None  # another serial
    assert status(crl(revoked=[SEAL.cert])) == REVOKED_AT
    # the clocks may disagree by a few minutes
    assert status(crl(this_update=NOW + dt.timedelta(minutes=4))) is None
    last_week = NOW - dt.timedelta(days=7)
    assert status(crl(this_update=last_week, next_update=NOW - dt.timedelta(minutes=4))) is None


@pytest.mark.parametrize(
    "der",
    [
        pytest.param(
            crl(signer=STRANGER, issuer_name=CA.cert.subject), id="signed-by-another-ca-in-our-name"
        ),
        pytest.param(crl(signer=STRANGER), id="another-ca's-crl"),
        pytest.param(crl(issuer_name=STRANGER.cert.subject), id="names-another-issuer"),
        pytest.param(crl(signer=SEAL, issuer_name=CA.cert.subject), id="signed-by-the-seal-certificate"),
        pytest.param(
            crl(this_update=NOW - dt.timedelta(days=8), next_update=NOW - dt.timedelta(hours=1)),
            id="past-its-next-update",
        ),
        pytest.param(crl(this_update=NOW + dt.timedelta(hours=1)), id="from-the-future"),
        pytest.param(crl(extensions=[(x509.DeltaCRLIndicator(1), True)]), id="a-delta-crl"),
        pytest.param(
            crl(
                extensions=[
                    (x509.IssuingDistributionPoint(None, None, False, True, None, False, False), True)
                ]
            ),
            id="only-ca-certificates",
        ),
        pytest.param(
            crl(
                extensions=[
                    (
                        x509.IssuingDistributionPoint(
                            None,
                            None,
                            False,
                            False,
                            frozenset({x509.ReasonFlags.key_compromise}),
                            False,
                            False,
                        ),
                        True,
                    )
                ]
            ),
            id="only-some-reasons",
        ),
        pytest.param(
            crl(
                extensions=[
                    (
                        x509.IssuingDistributionPoint(
                            [x509.UniformResourceIdentifier("http://crl.test/part-7.crl")],
                            None,
                            False,
                            False,
                            None,
                            False,
                            False,
                        ),
                        True,
                    )
                ]
            ),
            id="another-partition",
        ),
        pytest.param(
            crl(
                extensions=[
                    (
                        x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00"),
                        True,
                    )
                ]
            ),
            id="a-critical-extension-we-do-not-know",
        ),
        pytest.param(b"<html>proxy error</html>", id="not-a-crl"),
    ],
)
def test_a_crl_that_proves_nothing_about_our_certificate_is_not_believed(der: bytes) -> None:
    with pytest.raises(Unbelieved):
        status(der)


def test_a_tampered_crl_is_not_believed() -> None:
    """nextUpdate moved a day on: still current and the CA's name, but not the CA's signature."""
    next_update = (NOW + dt.timedelta(days=7)).strftime("%y%m%d%H%M%SZ").encode()
    der = crl()
    assert der.count(next_update) == 1
    with pytest.raises(Unbelieved, match="signed"):
        status(der.replace(next_update, (NOW + dt.timedelta(days=8)).strftime("%y%m%d%H%M%SZ").encode()))


class Served:
    """What the CA publishes at URL, and how often it was fetched."""

    def __init__(self, der: bytes) -> None:
        self.der = der
        self.fetches = 0
        self.down = False

    def fetch(self, url: str, _timeout: float) -> bytes:
        assert url == URL
        self.fetches += 1
        if self.down:
            raise ConnectionRefusedError(111, "Connection refused")
        return self.der


def looked_up(served: Served, cache: CrlCache, at: dt.datetime) -> Answer:
    return ask(SEAL.cert, CA.cert, SOURCES, at, cache)


def test_one_fetch_serves_lookups_until_the_max_age_then_a_revocation_is_seen() -> None:
    served = Served(crl())
    cache = CrlCache(served.fetch)
    first = looked_up(served, cache, NOW)
    assert (first.status, first.source, first.checked_at) == (Status.GOOD, Source.CRL, NOW)
    served.der = crl(revoked=[SEAL.cert])  # the CA revokes the seal key
    almost = looked_up(served, cache, NOW + MAX_CACHE_AGE - dt.timedelta(seconds=1))
    assert (almost.status, almost.checked_at, served.fetches) == (Status.GOOD, NOW, 1)
    later = NOW + MAX_CACHE_AGE
    seen = looked_up(served, cache, later)
    assert (seen.status, seen.revoked_at, seen.checked_at, served.fetches) == (
        Status.REVOKED,
        REVOKED_AT,
        later,
        2,
    )


def test_a_crl_is_kept_no_longer_than_its_next_update() -> None:
    served = Served(crl(next_update=NOW + dt.timedelta(minutes=1)))
    cache = CrlCache(served.fetch)
    looked_up(served, cache, NOW)
    looked_up(served, cache, NOW + dt.timedelta(seconds=59))
    assert served.fetches == 1
    looked_up(served, cache, NOW + dt.timedelta(minutes=2))
    assert served.fetches == 2


def test_a_crl_not_believed_leaves_the_seal_to_try_later_and_is_not_kept() -> None:
    served = Served(crl(signer=STRANGER, issuer_name=CA.cert.subject))
    cache = CrlCache(served.fetch)
    for at in (NOW, NOW + dt.timedelta(seconds=1)):
        got = looked_up(served, cache, at)
        assert (got.status, got.source) == (Status.UNAVAILABLE, None)
    assert served.fetches == 2
    [finding] = judge(1, B_B, got)
    assert (finding.rule, finding.verdict, finding.sub_indication) == (
        RuleId.ONLINE_SEAL_STATUS_KNOWN,
        Verdict.INDETERMINATE,
        SubIndication.TRY_LATER,
    )


def test_a_crl_server_down_is_unavailable_not_good() -> None:
    served = Served(crl())
    served.down = True
    assert looked_up(served, CrlCache(served.fetch), NOW).status is Status.UNAVAILABLE


def test_concurrent_lookups_share_one_fetch() -> None:
    release = threading.Event()
    served = Served(crl())

    def slow_fetch(url: str, timeout: float) -> bytes:
        release.wait(timeout=10)
        return served.fetch(url, timeout)

    cache = CrlCache(slow_fetch)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = [pool.submit(looked_up, served, cache, NOW) for _ in range(8)]
        release.set()
        statuses = {a.result().status for a in answers}
    assert (statuses, served.fetches) == ({Status.GOOD}, 1)


def b64(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def test_a_b_b_seal_revoked_after_issue_is_reported_from_the_crl() -> None:
    analysis = Analysis(signatures=(B_B,), seal_certificates=((b64(SEAL.cert), b64(CA.cert)),))
    served = Served(crl(revoked=[SEAL.cert]))
    findings, seals = check_online(analysis, SOURCES, NOW, CrlCache(served.fetch))
    [finding] = findings
    assert (finding.rule, finding.verdict, finding.sub_indication) == (
        RuleId.ONLINE_SEAL_NOT_REVOKED,
        Verdict.INDETERMINATE,
        SubIndication.REVOKED_NO_POE,
    )
    assert "revoked on 2026-05-30 12:00:00 Beijing time (UTC+8)" in finding.text.en
    assert "certificate revocation list (CRL)" in finding.text.en and "证书吊销列表（CRL）" in finding.text.zh
    report = VerificationReport("f.pdf", findings=findings, signatures=seals)
    assert report.seals[0].revocation.en.startswith(
        "checked online with the issuer's certificate revocation list (CRL) at 2026-06-01 12:00:00"
    )
    assert report.seals[0].revocation.zh.endswith("在线查询签发机构的证书吊销列表（CRL）")
