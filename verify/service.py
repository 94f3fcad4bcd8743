"""Verifying a file: the analysis of its seals and structure, its binding to the registry, then,
online, the seal certificates' fresh revocation status."""

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from signing.trust import RevocationSources, TrustSettings
from verify.binding import RegistryFacts, bind, in_force, offline
from verify.checks import Analyser, Analysis, analyse_pdf
from verify.holder_copies import HolderNote, copy_facts, copy_findings
from verify.report import Finding, Verdict, VerificationReport, worst
from verify.revocation import check_online
from verify.statement import Statement

if TYPE_CHECKING:  # offline verification (`titlecert verify --offline`) never loads SQLAlchemy
    from registry.db import Registry


def verify_pdf(
    data: bytes,
    *,
    name: str,
    trust: TrustSettings,
    registry: "Registry | None",
    analyser: Analyser = analyse_pdf,
    at: dt.datetime | None = None,
    revocation: RevocationSources | None = None,
) -> VerificationReport:
    """Judge one file as of `at` (default now). With `registry` None the verdict rests on
    signatures and structure alone, and nothing is fetched.

    `analyser` parses the file: in-process by default (files the operator holds), or
    verify.sandbox.IsolatedAnalyser for uploads from the public. With `revocation` and a registry,
    each trusted seal whose file carries no revocation data of its own is asked about at the
    allow-listed OCSP responders, else looked up in the allow-listed CRLs (verify.revocation), here
    in the parent: the sandbox has no network.
    """
    digest = hashlib.sha256(data).hexdigest()
    analysis = analyser(data, trust, at)
    note = HolderNote.from_json(analysis.holder_copy) if analysis.holder_copy is not None else None
    if analysis.is_receipt:  # receipts are never registered: their seal alone says they are ours
        facts = RegistryFacts(consulted=registry is not None)
        findings = analysis.findings
    elif analysis.holder_copy is not None:
        facts, copy = _holder_copy(analysis, note, registry)
        findings = (*analysis.findings, *copy)
    else:
        facts = (
            RegistryFacts.look_up(registry, digest, analysis) if registry else RegistryFacts(consulted=False)
        )
        findings = (*analysis.findings, *bind(facts, analysis))
    signatures = analysis.signatures
    # Only where the answer can change the outcome: a file already invalid, modified or malformed
    # stays so whatever the responder says, and a responder down must not reword that.
    if registry and revocation and worst(findings) in (Verdict.VALID, Verdict.INDETERMINATE):
        online, signatures = check_online(analysis, revocation)
        findings = (*findings, *online)
    return VerificationReport(
        file=name,
        findings=findings,
        certificate=facts.certificate,
        sha256=digest,
        signatures=signatures,
        registry_consulted=facts.consulted,
        document=facts.document,
        document_timestamps=analysis.document_timestamps,
        validation_time=analysis.validation_time,
        receipt=Statement.from_json(analysis.statement) if analysis.statement else None,
        annotation=note.annotation if note is not None else None,
    )


def _holder_copy(
    analysis: Analysis, note: HolderNote | None, registry: "Registry | None"
) -> tuple[RegistryFacts, tuple[Finding, ...]]:
    """A holder's annotated copy: bound to the certificate and the share link its note names
    (verify.holder_copies), then judged in force like the certificate itself. A copy whose seal
    already fails is judged on that alone."""
    if analysis.verdict not in (Verdict.VALID, Verdict.INDETERMINATE):
        return RegistryFacts(consulted=registry is not None), ()
    moment = dt.datetime.fromisoformat(analysis.validation_time or dt.datetime.now(dt.UTC).isoformat())
    copy = copy_facts(registry, note, moment) if registry is not None and note is not None else None
    facts = RegistryFacts(consulted=registry is not None, certificate=copy.certificate if copy else None)
    found = (*copy_findings(note, copy, moment), *offline(facts, analysis), *in_force(facts, analysis))
    return facts, found


__all__ = ["verify_pdf"]
