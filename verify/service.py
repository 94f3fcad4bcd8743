"""Verifying a file: the analysis of its seals and structure, then its binding to the registry."""

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from signing.trust import TrustSettings
from verify.binding import RegistryFacts, bind
from verify.checks import Analyser, analyse_pdf
from verify.report import VerificationReport

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
) -> VerificationReport:
    """Judge one file as of `at` (default now). With `registry` None the verdict rests on
    signatures and structure alone.

    `analyser` parses the file: in-process by default (files the operator holds), or
    verify.sandbox.IsolatedAnalyser for uploads from the public.
    """
    digest = hashlib.sha256(data).hexdigest()
    analysis = analyser(data, trust, at)
    facts = RegistryFacts.look_up(registry, digest, analysis) if registry else RegistryFacts(consulted=False)
    return VerificationReport(
        file=name,
        findings=(*analysis.findings, *bind(facts, analysis)),
        certificate=facts.certificate,
        sha256=digest,
        signatures=analysis.signatures,
        registry_consulted=facts.consulted,
        document=facts.document,
        document_timestamps=analysis.document_timestamps,
        validation_time=analysis.validation_time,
    )


__all__ = ["verify_pdf"]
