"""A sealed sample certificate judged against the committee seals a registry holds (verify.binding
`seal_authorised`, docs/committees.md): sealed after its certificate's authorised period ended, it
is not valid and the report says why; sealed within the period of a certificate since rotated (a
new certificate for the same committee registered after it), its seal is said to be authorised.

The registry here is this module's own (the shared instance's registry is left as it is): the
file is unknown to it, so `registry.issued` is said too; only the seal's finding is asserted."""

import datetime as dt

from registry.db import Registry
from registry.models import CommitteeMandate, CommitteeSeal
from signing.keys import load_pkcs12_signer
from signing.trust import load_trust_settings, sha256_fingerprint
from tests.conftest import Instance, Issued
from verify.report import Finding, Verdict
from verify.rules import RuleId
from verify.service import verify_pdf

COMMITTEE = "重庆市工程技术大数据智能化专业高级职称评审委员会"
NOW = dt.datetime.now(dt.UTC)


def committee_fingerprint(instance: Instance) -> str:
    """The DEMO committee seal certificate's fingerprint."""
    pki = instance.home / "pki"
    signer = load_pkcs12_signer(pki / "committee.p12", (pki / "committee.pass").read_bytes().strip())
    return sha256_fingerprint(signer.signing_cert)


def register(registry: Registry, fingerprint: str, start: dt.datetime, end: dt.datetime) -> None:
    with registry.transaction() as ledger:
        ledger.mandates.add_mandate(
            CommitteeMandate(
                committee=COMMITTEE,
                series="工程技术",
                speciality="大数据智能化",
                highest_level="正高级",
                document_no="渝人社备〔2024〕1号",
                valid_from=dt.date(2024, 1, 1),
                valid_to=dt.date(2028, 12, 31),
                created_at=NOW,
            )
        )
        ledger.mandates.add_seal(
            CommitteeSeal(
                committee=COMMITTEE,
                sha256=fingerprint,
                subject="DEMO",
                valid_from=start,
                valid_to=end,
                created_at=NOW,
            )
        )


def seal_findings(instance: Instance, issued: Issued, registry: Registry) -> list[Finding]:
    trust = load_trust_settings(instance.home / "trust.json")
    report = verify_pdf(issued.pdf(0), name="certificate.pdf", trust=trust, registry=registry)
    return [f for f in report.findings if f.rule is RuleId.REGISTRY_SEAL_AUTHORISED]


def test_a_seal_made_after_its_certificates_period_ended_is_not_valid(
    instance: Instance, issued: Issued, registry: Registry
) -> None:
    ended = NOW - dt.timedelta(days=400)
    register(registry, committee_fingerprint(instance), ended - dt.timedelta(days=365), ended)
    [finding] = seal_findings(instance, issued, registry)
    assert finding.verdict is Verdict.INVALID
    assert finding.seal == 1
    assert "it is not valid" in finding.text.en and "该印章无效" in finding.text.zh


def test_a_rotated_certificate_keeps_the_seals_made_in_its_period_authorised(
    instance: Instance, issued: Issued, registry: Registry
) -> None:
    rotated = NOW + dt.timedelta(days=1)  # after the shared session was sealed, whenever this run made it
    register(registry, committee_fingerprint(instance), NOW - dt.timedelta(days=30), rotated)
    with registry.transaction() as ledger:
        ledger.mandates.add_seal(
            CommitteeSeal(
                committee=COMMITTEE,
                sha256="0" * 64,
                subject="DEMO renewed",
                valid_from=rotated,
                valid_to=rotated + dt.timedelta(days=365),
                created_at=NOW,
            )
        )
    [finding] = seal_findings(instance, issued, registry)
    assert finding.verdict is None
    assert "was authorised for" in finding.text.en


def test_a_seal_the_registry_does_not_hold_is_not_judged(
    instance: Instance, issued: Issued, registry: Registry
) -> None:
    assert seal_findings(instance, issued, registry) == []
