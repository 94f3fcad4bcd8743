"""Benchmark: milliseconds to seal one certificate at each PAdES level (B-B, B-T, B-LT, B-LTA),
against the raw operations they are built from, all measured in the same run.

Usage: bench/run [--rounds N] [--no-profile]     (bench/run sets up the machine and .venv first;
       .venv/bin/python bench/seal.py takes the same arguments on a machine already set up)

It needs nothing prepared: in a temporary folder it runs `titlecert init` (a DEMO PKI whose
certificates name a free loopback port in TITLECERT_PKI_URL), starts `titlecert pki serve` on that
port in a separate process (its access log counts the HTTP requests of each level), issues one
certificate of the bundled sample with `titlecert issue` (LibreOffice, as in production) and seals
that certificate's unsealed first revision again and again. Sealing goes through
`titlecert.sealing.batch_sealing`, so every round is one more certificate of the same batch, sealed
exactly as `titlecert issue` seals it. With SoftHSM2 installed, the blank-page seal is also timed
with both keys on a throwaway PKCS#11 token, beside a raw C_Sign. Prints Markdown tables for
docs/performance.md.
"""

import argparse
import cProfile
import dataclasses
import datetime as dt
import logging
import os
import pstats
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from harness import (
    AccessLog,
    blank_page,
    cells,
    free_port,
    pki_services,
    timed,
    titlecert,
    unsealed_certificate,
)
from pyhanko.sign.timestamps import HTTPTimeStamper
from raw_operations import raw_rows
from token_keys import OnToken, softhsm_keys

from docgen.anchors import CERTIFICATE_SEAL_CAPTIONS, seal_boxes
from signing.pades import LongTerm, seal_pdf
from signing.profiles import SealPlacement
from signing.roles import Role
from titlecert.sealing import Sealing, batch_sealing
from titlecert.settings import Settings, from_env
from titlecert.settings.keys import SIGNATURE_LEVELS

ADDS = {
    "B-B": "2 PAdES signatures with visible seals",
    "B-T": "+ an RFC 3161 signature time stamp on each",
    "B-LT": "+ OCSP answers and certificates in the DSS",
    "B-LTA": "+ a closing document time stamp",
}


# ---------------------------------------------------------------- measuring


# ---------------------------------------------------------------- setting up


CATEGORIES = (
    ("waiting for the TSA/OCSP (epoll)", ("select.epoll", "selectors.py")),
    ("TLS CA bundle loads", ("load_verify_locations",)),
    ("ASN.1 (asn1crypto)", ("asn1crypto",)),
    ("PDF parsing and writing (pyhanko.pdf_utils, pypdf)", ("pyhanko/pdf_utils", "pypdf")),
    ("seal appearance: font subsetting (fontTools, harfbuzz)", ("fontTools", "uharfbuzz")),
    ("zlib", ("zlib",)),
    ("RSA and hashing (cryptography, hashlib)", ("cryptography", "_hashlib", "openssl")),
    ("chain validation (pyhanko_certvalidator)", ("pyhanko_certvalidator",)),
    ("aiohttp and asyncio", ("aiohttp", "asyncio", "yarl", "multidict")),
    ("images (PIL)", ("PIL", "ImagingDecoder", "ImagingEncoder")),
    ("XMP metadata (lxml)", ("lxml", "xmp_xml", "etree")),
    ("pyHanko signing logic", ("pyhanko/sign", "pyhanko/stamp")),
)


def profile_breakdown(seal: Callable[[], object], documents: int) -> dict[str, float]:
    """Own time (cProfile tottime) per library, in ms per certificate, profiler overhead included."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(documents):
        seal()
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    totals: Counter[str] = Counter()
    for (filename, _, function), (_, _, own, _, _) in stats.items():
        where = f"{filename}:{function}"
        name = next((n for n, keys in CATEGORIES if any(k in where for k in keys)), "other")
        totals[name] += own * 1000 / documents
    return dict(totals)


# ---------------------------------------------------------------- the run


def pyhanko_defaults(sealing: Sealing, settings: Settings) -> Sealing:
    """What issuing did before it shared one HTTP client set-up, validation context and size
    estimate per batch: pyHanko's defaults, a fresh HTTP session (with its TLS context) per request,
    a fresh validation context (so fresh OCSP requests) and a dummy signature to size each seal
    (`measured_once=False`)."""
    timestamper = HTTPTimeStamper(settings.tsa_url) if sealing.timestamper is not None else None
    long_term = None
    if sealing.long_term is not None:
        long_term = LongTerm(sealing.long_term.trust_roots, archive=sealing.long_term.archive)
    return dataclasses.replace(sealing, timestamper=timestamper, long_term=long_term)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rounds", type=int, default=30, help="certificates per batch after the first (default 30)"
    )
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile breakdown")
    args = parser.parse_args()
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # as the CLI: subsetting quirks of the seal font
    load_start = os.getloadavg()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="titlecert-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = {k: v for k, v in os.environ.items() if not k.startswith("TITLECERT_")}
        env.update(
            {
                "TITLECERT_HOME": str(tmp / "home"),
                "TITLECERT_PKI_URL": f"http://127.0.0.1:{free_port()}",
                "TITLECERT_PUBLIC_URL": "http://127.0.0.1:8080",
            }
        )
        titlecert(env, "init")
        log = tmp / "pki-serve.log"
        file_keys = batch_sealing(from_env(env)).keys
        with pki_services(env, log), softhsm_keys(file_keys) as on_token:
            run(env, tmp, log, args.rounds, profile=not args.no_profile, on_token=on_token)
    load_end = os.getloadavg()
    print(
        f"\nLoad average (1 min) {load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end; "
        f"the run took {time.perf_counter() - started:.0f} s."
    )


@dataclasses.dataclass
class Batch:
    """One way of sealing, timed certificate after certificate as one batch."""

    name: str
    adds: str
    seal: Callable[[], bytes]
    first_ms: float = 0.0
    samples: list[float] = dataclasses.field(default_factory=list)
    cpu: list[float] = dataclasses.field(default_factory=list)
    """This process's CPU ms per certificate (the PKI services' are another process's)."""
    first_requests: Counter[str] = dataclasses.field(default_factory=Counter)
    requests: Counter[str] = dataclasses.field(default_factory=Counter)
    """HTTP requests per certificate after the first."""
    size: int = 0


def per_certificate(requests: Counter[str], documents: int = 1) -> str:
    return ", ".join(f"{n / documents:g} {path[1:]}" for path, n in sorted(requests.items())) or "none"


SEAL_DATE = "2026-01-12"
"""The date under each seal, as issuing prints the certificate's dates there."""

COUNTED = 3
"""Certificates sealed, untimed, to count each batch's HTTP requests per certificate."""


def run(
    env: dict[str, str], tmp: Path, log: Path, rounds: int, *, profile: bool, on_token: OnToken | None
) -> None:
    base = from_env(env)
    certificate = unsealed_certificate(env, tmp)
    boxes = seal_boxes(certificate, dict(CERTIFICATE_SEAL_CAPTIONS))
    placements = [SealPlacement(Role(role), page, box, SEAL_DATE) for role, (page, box) in boxes.items()]

    def sealer(
        sealing: Sealing,
        pdf: bytes = certificate,
        where: list[SealPlacement] = placements,
        measured_once: bool = True,
    ) -> Callable[[], bytes]:
        return lambda: seal_pdf(
            pdf,
            placements=where,
            keys=sealing.keys,
            font_path=sealing.font,
            timestamper=sealing.timestamper,
            long_term=sealing.long_term,
            sizes=sealing.sizes if measured_once else None,
        )

    batches: list[Batch] = []
    for level in SIGNATURE_LEVELS:
        sealing = batch_sealing(dataclasses.replace(base, signature_level=level))
        batches.append(Batch(level, ADDS[level], sealer(sealing)))
        defaults = pyhanko_defaults(sealing, base)
        batches.append(
            Batch(f"{level}, pyHanko's defaults", ADDS[level], sealer(defaults, measured_once=False))
        )
    blank_sealing = batch_sealing(dataclasses.replace(base, signature_level="B-B"))
    blank_placements = [
        SealPlacement(Role.COMMITTEE, 0, (100, 60, 220, 196)),
        SealPlacement(Role.AUTHORITY, 0, (400, 60, 520, 196)),
    ]
    blank = blank_page()
    batches.append(
        Batch(
            "B-B on a blank page (the row of earlier runs)",
            ADDS["B-B"],
            sealer(blank_sealing, blank, blank_placements),
        )
    )
    if on_token is not None:
        token_sealing = dataclasses.replace(blank_sealing, keys=on_token.keys)
        batches.append(
            Batch(
                "B-B on a blank page, keys on SoftHSM2 (PKCS#11)",
                ADDS["B-B"],
                sealer(token_sealing, blank, blank_placements),
            )
        )

    access = AccessLog(log)
    access.since_last()
    for batch in batches:  # the first certificate of each batch: fonts, size-estimation token, caches
        batch.first_ms = timed(batch.seal, 1)[0]
        batch.first_requests = access.since_last()
    for _ in range(rounds):  # interleaved, so that load from elsewhere falls on every batch alike
        for batch in batches:
            started = time.process_time()
            batch.samples += timed(batch.seal, 1)
            batch.cpu.append((time.process_time() - started) * 1000)
    for batch in batches:
        access.since_last()
        for _ in range(COUNTED):
            batch.size = len(batch.seal())
        batch.requests = access.since_last()

    breakdowns = {}
    if profile:
        for batch in batches:
            if batch.name in SIGNATURE_LEVELS:
                breakdowns[batch.name] = profile_breakdown(batch.seal, max(5, rounds // 6))
    sealed_lta = next(b for b in batches if b.name == "B-LTA").seal()
    raw = raw_rows(
        base, batch_sealing(dataclasses.replace(base, signature_level="B-LTA")), sealed_lta, rounds
    )
    if on_token is not None:
        raw.insert(
            1,
            (
                "RSA-3072 signature on SoftHSM2 (C_Sign, SHA256_RSA_PKCS), one",
                timed(on_token.raw_sign, rounds * 4),
            ),
        )

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    print(
        f"Run of {dt.date.today().isoformat()}: {os.cpu_count()} cores ({cpu}); {rounds} certificates per "
        f"batch after the first; the certificate is {len(certificate) / 1024:.0f} KB unsealed.\n"
    )
    print("### Sealing one certificate, per level\n")
    print(
        "| level | adds | median ms | p90 ms | samples | median CPU ms | first of the batch ms | HTTP "
        "requests: first, then per certificate | sealed KB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for b in batches:
        requests = f"{per_certificate(b.first_requests)}; then {per_certificate(b.requests, COUNTED)}"
        print(
            f"| {b.name} | {b.adds} | {cells(b.samples)} | {statistics.median(b.cpu):.1f} | {b.first_ms:.0f} "
            f"| {requests} "
            f"| {b.size / 1024:.0f} |"
        )
    print("\n### The raw operations, same run\n")
    print("| operation | median ms | p90 ms | samples |")
    print("|---|---|---|---|")
    for name, samples in raw:
        print(f"| {name} | {cells(samples)} |")
    if breakdowns:
        print(
            "\n### Where the time goes (cProfile own time per library, ms per certificate, profiler overhead "
            "included)\n"
        )
        print("| | " + " | ".join(breakdowns) + " |")
        print("|---|" + "---|" * len(breakdowns))
        for name in [n for n, _ in CATEGORIES] + ["other"]:
            if any(b.get(name, 0) >= 0.5 for b in breakdowns.values()):
                print(
                    f"| {name} | " + " | ".join(f"{b.get(name, 0):.0f}" for b in breakdowns.values()) + " |"
                )
        print("| **total** | " + " | ".join(f"{sum(b.values()):.0f}" for b in breakdowns.values()) + " |")


if __name__ == "__main__":
    main()
