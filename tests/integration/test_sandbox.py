"""Uploads are parsed in an isolated, resource-limited worker (docs/verification-threats.md,
"Untrusted uploads")."""

import datetime as dt

import pytest

from signing.trust import TrustSettings, load_trust_settings
from tests.conftest import Instance, Issued
from verify.checks import analyse_pdf
from verify.report import Verdict
from verify.sandbox import IsolatedAnalyser, Limits


@pytest.fixture(scope="module")
def trust(instance: Instance) -> TrustSettings:
    return load_trust_settings(instance.home / "trust.json")


def test_the_worker_reaches_the_same_verdict(trust: TrustSettings, issued: Issued) -> None:
    data, now = issued.pdf(0), dt.datetime.now(dt.UTC)
    isolated, direct = IsolatedAnalyser()(data, trust, now), analyse_pdf(data, trust, now)
    assert isolated == direct and isolated.verdict is Verdict.VALID
    assert isolated.validation_time == now.isoformat()


def test_trust_settings_survive_the_trip_to_the_worker(trust: TrustSettings) -> None:
    copy = TrustSettings.from_dict(trust.to_dict())
    assert [a.dump() for a in copy.anchors] == [a.dump() for a in trust.anchors] and copy.roles == trust.roles


def test_a_worker_out_of_memory_means_malformed_not_a_crash(trust: TrustSettings, issued: Issued) -> None:
    starved = IsolatedAnalyser(Limits(memory_bytes=48 * 1024 * 1024))(issued.pdf(0), trust)
    assert starved.verdict is Verdict.MALFORMED
    assert starved.reasons == ["the file could not be analysed within the service's limits"]


def test_a_slow_worker_is_killed(trust: TrustSettings, issued: Issued) -> None:
    slow = IsolatedAnalyser(Limits(wall_seconds=0.05))(issued.pdf(0), trust)
    assert (slow.verdict, slow.reasons) == (
        Verdict.MALFORMED,
        ["the file took longer than 0 s to analyse and was rejected"],
    )


def test_deep_nesting_is_malformed(trust: TrustSettings) -> None:
    bomb = (
        b"%PDF-1.7\n1 0 obj\n"
        + b"[" * 200_000
        + b"]" * 200_000
        + b"\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    assert IsolatedAnalyser()(bomb, trust).verdict is Verdict.MALFORMED
