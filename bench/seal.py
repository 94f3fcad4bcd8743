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
import asyncio
import cProfile
import dataclasses
import datetime as dt
import glob
import hashlib
import http.client
import io
import json
import logging
import os
import pstats
import re
import secrets
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import certifi
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509 import ocsp
from pkcs11 import Attribute, Mechanism, ObjectClass
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pypdf import PdfWriter

from docgen.anchors import CERTIFICATE_SEAL_CAPTIONS, seal_boxes
from signing.devtoken import create_demo_pki_on_token
from signing.keys import SealKey
from signing.pades import LongTerm, seal_pdf
from signing.profiles import SealPlacement
from signing.roles import Role
from signing.services import PkiServices
from signing.tokens import TokenPool
from titlecert.sealing import Sealing, batch_sealing
from titlecert.settings import Settings, from_env
from titlecert.settings.keys import SIGNATURE_LEVELS

REPO = Path(__file__).resolve().parent.parent
TITLECERT = Path(sys.executable).parent / "titlecert"
ADDS = {
    "B-B": "2 PAdES signatures with visible seals",
    "B-T": "+ an RFC 3161 signature time stamp on each",
    "B-LT": "+ OCSP answers and certificates in the DSS",
    "B-LTA": "+ a closing document time stamp",
}


# ---------------------------------------------------------------- measuring


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def cells(samples: list[float]) -> str:
    p90 = statistics.quantiles(samples, n=10)[-1] if len(samples) > 1 else samples[0]
    return f"{statistics.median(samples):.1f} | {p90:.1f} | {len(samples)}"


# ---------------------------------------------------------------- setting up


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def titlecert(env: dict[str, str], *args: str) -> str:
    proc = subprocess.run([str(TITLECERT), *args], env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"titlecert {' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout


@contextmanager
def pki_services(env: dict[str, str], log: Path) -> Iterator[None]:
    """`titlecert -v pki serve` in its own process (-v: the access log counts requests)."""
    url = env["TITLECERT_PKI_URL"]
    port = str(urlsplit(url).port)
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [str(TITLECERT), "-v", "pki", "serve", "--port", port], env=env, stdout=sink, stderr=sink
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1).close()  # noqa: S310 - loopback
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"titlecert pki serve did not start:\n{log.read_text(errors='replace')}")
                time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def unsealed_certificate(env: dict[str, str], tmp: Path) -> bytes:
    """One certificate of the bundled sample as LibreOffice made it: issue one applicant at B-B,
    then keep the file's first revision (the seals are incremental updates after it)."""
    doc = json.loads((REPO / "examples" / "session.json").read_text(encoding="utf-8"))
    doc["applicants"] = doc["applicants"][1:2]  # one who passes the vote
    for applicant in doc["applicants"]:
        applicant["photo"] = str(REPO / "examples" / applicant["photo"])
    session = tmp / "one.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out = json.loads(
        titlecert(
            {**env, "TITLECERT_SIGNATURE_LEVEL": "B-B"},
            "issue",
            str(session),
            "--out",
            str(tmp / "issued"),
            "--json",
        )
    )
    sealed = Path(next(d["path"] for d in out["documents"] if d["kind"] == "certificate")).read_bytes()
    end = sealed.index(b"%%EOF") + len(b"%%EOF")
    while sealed[end : end + 1] in (b"\r", b"\n"):
        end += 1
    return sealed[:end]


def blank_page() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(842, 595)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


class AccessLog:
    """Counts the PKI service's requests by path from its access log."""

    def __init__(self, path: Path) -> None:
        self.path, self.seen = path, 0

    def since_last(self) -> Counter[str]:
        time.sleep(0.3)  # aiohttp logs a request just after answering it
        lines = self.path.read_text(errors="replace").splitlines()
        new, self.seen = lines[self.seen :], len(lines)
        return Counter(m.group(1) for line in new if (m := re.search(r'"(?:GET|POST) (/\w+)', line)))


# ---------------------------------------------------------------- the raw operations


def tsa_request(digest: bytes) -> bytes:
    return bytes(
        tsp.TimeStampReq(
            {
                "version": "v1",
                "nonce": secrets.randbits(63),
                "cert_req": True,
                "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
            }
        ).dump()
    )


def post(url: str, body: bytes, content_type: str) -> bytes:
    """One request on a new connection, as pyHanko makes them (a session per request)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.request("POST", parts.path, body=body, headers={"Content-Type": content_type})
        response = conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
        return data
    finally:
        conn.close()


def raw_rows(
    settings: Settings, sealing: Sealing, sealed: bytes, rounds: int
) -> list[tuple[str, list[float]]]:
    committee = sealing.keys[Role.COMMITTEE].signer
    key_der = committee.signing_key.dump()
    key = serialization.load_der_private_key(key_der, password=None)
    digest = hashlib.sha256(sealed).digest()
    services = PkiServices(settings.pki_dir, services_url=settings.pki_url)  # as `pki serve`, in process
    services.timestamp(tsa_request(digest))  # the running service has parsed its TSA key already
    ca = services.ca_cert
    leaf = x509.load_der_x509_certificate(sealing.keys[Role.COMMITTEE].signer_cert.dump())
    ocsp_req = ocsp.OCSPRequestBuilder().add_certificate(leaf, ca, hashes.SHA256()).build()
    ocsp_der = ocsp_req.public_bytes(serialization.Encoding.DER)
    tsa_url, ocsp_url = settings.tsa_url, f"{settings.pki_url}/ocsp"

    def tsa_round_trip() -> None:
        answer = tsp.TimeStampResp.load(post(tsa_url, tsa_request(digest), "application/timestamp-query"))
        if answer["status"]["status"].native != "granted":
            raise RuntimeError(f"{tsa_url}: no time stamp granted")

    def ocsp_round_trip() -> None:
        answer = ocsp.load_der_ocsp_response(post(ocsp_url, ocsp_der, "application/ocsp-request"))
        if answer.certificate_status is not ocsp.OCSPCertStatus.GOOD:
            raise RuntimeError(f"{ocsp_url}: the committee's certificate is not good")

    pyhanko_stamper = HTTPTimeStamper(tsa_url)
    tsa = services.timestamper
    as_is = DummyTimeStamper(tsa_cert=tsa.tsa_cert, tsa_key=tsa.tsa_key, certs_to_embed=tsa.certs_to_embed)
    many, few = rounds * 4, max(rounds, 10)
    rows: list[tuple[str, list[float]]] = []

    def add(name: str, fn: Callable[[], object], samples: int) -> None:
        rows.append((name, timed(fn, samples)))

    add("RSA-3072 signature (cryptography), one", lambda: key.sign(digest, PKCS1v15(), hashes.SHA256()), many)
    add(
        "RSA-3072 private-key parse (pyHanko's SimpleSigner and DummyTimeStamper repeat it per signature)",
        lambda: serialization.load_der_private_key(key_der, password=None),
        few,
    )
    add(
        f"SHA-256 of the sealed B-LTA certificate ({len(sealed) / 1024:.0f} KB)",
        lambda: hashlib.sha256(sealed).digest(),
        many,
    )
    add("TSA round trip: raw RFC 3161 request/response over HTTP, new connection", tsa_round_trip, few)
    add(
        "TSA, server side: one token (`PkiServices.timestamp`, in process)",
        lambda: services.timestamp(tsa_request(digest)),
        few,
    )
    add(
        "TSA, server side, pyHanko's `DummyTimeStamper` as it is (parses its key per token)",
        lambda: as_is.request_tsa_response(tsp.TimeStampReq.load(tsa_request(digest))),
        few,
    )
    add(
        "TSA round trip through pyHanko's `HTTPTimeStamper` (`asyncio.run`, a session per request)",
        lambda: asyncio.run(pyhanko_stamper.async_timestamp(digest, "sha256")),
        few,
    )
    add("OCSP round trip: raw request/response over HTTP, new connection", ocsp_round_trip, many)
    add(
        "OCSP, server side: one response (`PkiServices.ocsp`, in process)",
        lambda: services.ocsp(ocsp_der),
        many,
    )
    add(
        "TLS context from certifi's CA bundle (pyHanko's fetchers build one per HTTP session)",
        lambda: ssl.create_default_context(cafile=certifi.where()),
        few,
    )
    return rows


# ---------------------------------------------------------------- keys on a PKCS#11 token

SOFTHSM_MODULES = ("/usr/lib/softhsm/libsofthsm2.so", *sorted(glob.glob("/usr/lib/*/softhsm/libsofthsm2.so")))


@dataclasses.dataclass
class OnToken:
    keys: dict[Role, SealKey]
    """Both roles' keys generated on a throwaway SoftHSM2 token, with the file keys' seals."""
    raw_sign: Callable[[], object]
    """One C_Sign (SHA256_RSA_PKCS) with the committee's key."""


@contextmanager
def softhsm_keys(keys: dict[Role, SealKey]) -> Iterator[OnToken | None]:
    """Keys on a throwaway SoftHSM2 token (PKCS#11) while the block runs; None without SoftHSM2."""
    module = next((Path(m) for m in SOFTHSM_MODULES if Path(m).is_file()), None)
    if module is None or shutil.which("softhsm2-util") is None:
        yield None
        return
    pin, label = "123456", "bench"
    with tempfile.TemporaryDirectory(prefix="titlecert-bench-softhsm-") as tmp:
        conf = Path(tmp) / "softhsm2.conf"
        (Path(tmp) / "tokens").mkdir()
        conf.write_text(
            f"directories.tokendir = {tmp}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n"
        )
        os.environ["SOFTHSM2_CONF"] = str(conf)
        subprocess.run(
            [
                "softhsm2-util",
                "--init-token",
                "--free",
                "--label",
                label,
                "--pin",
                pin,
                "--so-pin",
                "12345678",
            ],
            check=True,
            capture_output=True,
        )
        pool = TokenPool()
        try:
            _, made = create_demo_pki_on_token(
                Path(tmp) / "pki", pool, module=module, token_label=label, pin=pin
            )
            on_token = {
                role: SealKey(role, pool.signer(k.ref, pin), keys[role].seal_name, keys[role].seal_image)
                for role, k in made.items()
            }
            session = pool.session(module, label, pin)
            [handle] = session.get_objects(
                {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: "committee"}
            )
            data = b"x" * 1024
            yield OnToken(on_token, lambda: handle.sign(data, mechanism=Mechanism.SHA256_RSA_PKCS))
        finally:
            pool.close()


# ---------------------------------------------------------------- where the time goes

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
    """What issuing did before it shared one HTTP client set-up and validation context per batch:
    pyHanko's defaults, a fresh HTTP session (with its TLS context) per request and a fresh
    validation context (so fresh OCSP requests) per seal."""
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
    first_requests: Counter[str] = dataclasses.field(default_factory=Counter)
    requests: Counter[str] = dataclasses.field(default_factory=Counter)
    """HTTP requests per certificate after the first."""
    size: int = 0


def per_certificate(requests: Counter[str], documents: int = 1) -> str:
    return ", ".join(f"{n / documents:g} {path[1:]}" for path, n in sorted(requests.items())) or "none"


COUNTED = 3
"""Certificates sealed, untimed, to count each batch's HTTP requests per certificate."""


def run(
    env: dict[str, str], tmp: Path, log: Path, rounds: int, *, profile: bool, on_token: OnToken | None
) -> None:
    base = from_env(env)
    certificate = unsealed_certificate(env, tmp)
    boxes = seal_boxes(certificate, dict(CERTIFICATE_SEAL_CAPTIONS))
    placements = [SealPlacement(Role(role), page, box) for role, (page, box) in boxes.items()]

    def sealer(
        sealing: Sealing, pdf: bytes = certificate, where: list[SealPlacement] = placements
    ) -> Callable[[], bytes]:
        return lambda: seal_pdf(
            pdf,
            placements=where,
            keys=sealing.keys,
            font_path=sealing.font,
            timestamper=sealing.timestamper,
            long_term=sealing.long_term,
        )

    batches: list[Batch] = []
    for level in SIGNATURE_LEVELS:
        sealing = batch_sealing(dataclasses.replace(base, signature_level=level))
        batches.append(Batch(level, ADDS[level], sealer(sealing)))
        if level != "B-B":
            defaults = pyhanko_defaults(sealing, base)
            batches.append(Batch(f"{level}, pyHanko's defaults", ADDS[level], sealer(defaults)))
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
            batch.samples += timed(batch.seal, 1)
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
        "| level | adds | median ms | p90 ms | samples | first of the batch ms | HTTP requests: first, "
        "then per certificate | sealed KB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for b in batches:
        requests = f"{per_certificate(b.first_requests)}; then {per_certificate(b.requests, COUNTED)}"
        print(
            f"| {b.name} | {b.adds} | {cells(b.samples)} | {b.first_ms:.0f} | {requests} "
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
