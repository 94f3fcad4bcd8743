"""Isolated analysis of untrusted uploads (docs/verification-threats.md, "Untrusted uploads").

Each upload is parsed in a fresh child forked from a zygote that has imported the analysis once
(verify.sandbox_pool), with resource limits applied before the child reads a byte of the file
(address space, CPU time, open files, no file writes) and a wall-clock timeout after which the
parent kills it. Only a small JSON verdict comes back. Whatever happens in the child (a
decompression bomb, runaway recursion, a crash) the answer is "malformed", never a dead server.
"""

import atexit
import datetime as dt
import importlib
import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from signing.trust import TrustSettings
from verify.checks import Analyser, Analysis, analyse_pdf
from verify.indications import SubIndication
from verify.report import Finding, SignatureReport, Verdict
from verify.rules import RuleId
from verify.sandbox_pool import Limits, Pool, ZygoteUnavailable
from verify.text import Text

log = logging.getLogger(__name__)

OVER_LIMITS = Text(
    "文件无法在服务的资源限制内完成分析",
    "the file could not be analysed within the service's limits",
)
UNANALYSABLE = Text("无法分析该文件", "the file could not be analysed")

_shared: tuple[int, Pool] | None = None
_shared_lock = threading.Lock()


def shared_pool() -> Pool:
    """This process's zygote pool (a forked process, such as a gunicorn worker, gets its own)."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared[0] != os.getpid():
            _shared = (os.getpid(), Pool())
            atexit.register(_shared[1].close)
        return _shared[1]


class IsolatedAnalyser:
    """A drop-in for analyse_pdf that runs it in a limited, short-lived child of the zygote.

    `analyse` is what the child runs on the file (a module-level function, named to the child by
    its module and name); `pool` the zygote, by default the process's shared one."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        pool: Pool | None = None,
        analyse: Callable[[bytes, TrustSettings, dt.datetime | None], Analysis] = analyse_pdf,
    ) -> None:
        self.limits = limits or Limits()
        self.pool = pool
        self.analyse = f"{analyse.__module__}:{analyse.__qualname__}"

    def __call__(self, data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> Analysis:
        request = {"trust": trust.to_dict(), "at": at.isoformat() if at else None, "analyse": self.analyse}
        payload = json.dumps(request).encode() + b"\n" + data
        try:
            outcome = (self.pool or shared_pool()).run(f"{__name__}:_job", payload, self.limits)
        except (ZygoteUnavailable, OSError) as e:
            log.error("sandboxed analysis could not run: %s", e)
            return Analysis.refused(RuleId.ADMIT_LIMITS, OVER_LIMITS)
        if outcome.timed_out:
            seconds = f"{self.limits.wall_seconds:.0f}"
            reason = Text(
                f"文件分析超过 {seconds} 秒，已拒绝",
                f"the file took longer than {seconds} s to analyse and was rejected",
            )
            return Analysis.refused(RuleId.ADMIT_LIMITS, reason)
        if outcome.exit_code != 0:
            log.info("sandboxed analysis refused: exit status %s", outcome.exit_code)
            return Analysis.refused(RuleId.ADMIT_LIMITS, OVER_LIMITS)
        try:
            return _analysis_from_json(json.loads(outcome.output))
        except (ValueError, KeyError, TypeError):
            return Analysis.refused(RuleId.ADMIT_LIMITS, UNANALYSABLE)


def _analysis_from_json(doc: dict[str, Any]) -> Analysis:
    findings = tuple(
        Finding(
            RuleId(f["rule"]),
            Text(**f["text"]),
            Verdict(f["verdict"]) if f["verdict"] else None,
            f["seal"],
            SubIndication(f["sub_indication"]) if f["sub_indication"] else None,
        )
        for f in doc["findings"]
    )
    return Analysis(
        findings=findings,
        signatures=tuple(SignatureReport(**s) for s in doc["signatures"]),
        document_timestamps=tuple(doc["document_timestamps"]),
        signed_sha256=doc["signed_sha256"],
        validation_time=doc["validation_time"],
        seal_certificates=tuple((signer, issuer) for signer, issuer in doc["seal_certificates"]),
        is_receipt=bool(doc["is_receipt"]),
        statement=doc["statement"] if isinstance(doc["statement"], str) else None,
        holder_copy=doc["holder_copy"] if isinstance(doc["holder_copy"], str) else None,
    )


def _job(raw: bytes) -> bytes:
    """What the child runs, under its limits: the request's header line, then the file."""
    header, _, data = raw.partition(b"\n")
    request = json.loads(header)
    module, _, name = request["analyse"].partition(":")
    analyse: Analyser = getattr(importlib.import_module(module), name)
    at = dt.datetime.fromisoformat(request["at"]) if request["at"] else None
    analysis = analyse(data, TrustSettings.from_dict(request["trust"]), at)
    return json.dumps(asdict(analysis)).encode()


__all__ = ["IsolatedAnalyser", "Limits", "shared_pool"]
