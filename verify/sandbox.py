"""Isolated analysis of untrusted uploads (docs/verification-threats.md, "Untrusted uploads").

Each upload is parsed in a fresh Python process with resource limits set before the interpreter
starts (address space, CPU time, open files, no file writes) and a wall-clock timeout after which
the parent kills it. Only a small JSON verdict comes back. Whatever happens in the child (a
decompression bomb, runaway recursion, a crash) the answer is "malformed", never a dead server.
"""

import datetime as dt
import json
import os
import resource
import subprocess
import sys
from dataclasses import asdict, dataclass
from typing import Any

from signing.trust import TrustSettings
from verify.checks import Analysis, analyse_pdf
from verify.indications import SubIndication
from verify.report import Finding, SignatureReport, Verdict
from verify.rules import RuleId
from verify.text import Text


@dataclass(frozen=True)
class Limits:
    """What one analysis may use."""

    memory_bytes: int = 1536 * 1024 * 1024
    """RLIMIT_AS of the worker."""
    cpu_seconds: int = 20
    """RLIMIT_CPU of the worker: the kernel stops it after this much CPU."""
    wall_seconds: float = 30.0
    """The parent kills the worker after this long, whatever it is doing."""
    open_files: int = 64


def _limit(limits: Limits) -> None:
    """Runs in the child between fork and exec. (RLIMIT_NPROC is left alone: it counts threads
    and every process of the user, so a small value breaks unrelated work.)"""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class IsolatedAnalyser:
    """A drop-in for analyse_pdf that runs it in a limited, short-lived worker process."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()

    def __call__(self, data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> Analysis:
        request = {"trust": trust.to_dict(), "at": at.isoformat() if at else None}
        header = json.dumps(request).encode() + b"\n"
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}
        try:
            proc = subprocess.run(
                [sys.executable, "-B", "-m", "verify.sandbox"],
                input=header + data,
                capture_output=True,
                timeout=self.limits.wall_seconds,
                preexec_fn=lambda: _limit(self.limits),  # limits must be set before the interpreter starts
                env=env,
                cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                check=False,
            )
        except subprocess.TimeoutExpired:
            seconds = f"{self.limits.wall_seconds:.0f}"
            reason = Text(
                f"文件分析超过 {seconds} 秒，已拒绝",
                f"the file took longer than {seconds} s to analyse and was rejected",
            )
            return Analysis.refused(RuleId.ADMIT_LIMITS, reason)
        if proc.returncode != 0:
            return Analysis.refused(
                RuleId.ADMIT_LIMITS,
                Text(
                    "文件无法在服务的资源限制内完成分析",
                    "the file could not be analysed within the service's limits",
                ),
            )
        try:
            return _analysis_from_json(json.loads(proc.stdout))
        except (ValueError, KeyError, TypeError):
            return Analysis.refused(
                RuleId.ADMIT_LIMITS,
                Text(
                    "无法分析该文件",
                    "the file could not be analysed",
                ),
            )


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
    )


def _worker() -> None:
    raw = sys.stdin.buffer.read()
    header, _, data = raw.partition(b"\n")
    request = json.loads(header)
    at = dt.datetime.fromisoformat(request["at"]) if request["at"] else None
    analysis = analyse_pdf(data, TrustSettings.from_dict(request["trust"]), at)
    json.dump(asdict(analysis), sys.stdout)


if __name__ == "__main__":
    _worker()
