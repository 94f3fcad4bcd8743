"""Benchmark: milliseconds to seal one certificate (committee + authority), against the raw
cryptographic operations measured in the same run.

Usage: .venv/bin/python bench/seal.py [--rounds N]   (needs an initialised instance: titlecert init)
Prints a Markdown table for docs/performance.md. Levels beyond B-B join when timestamps and
long-term validation land. With SoftHSM2 installed, the same seal with keys on a throwaway token.
"""

import argparse
import glob
import hashlib
import io
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pkcs11 import Attribute, Mechanism, ObjectClass
from pypdf import PdfWriter

from signing.devtoken import create_demo_pki_on_token
from signing.fonts import find_seal_font
from signing.keys import SealKey, load_seal_keys
from signing.pades import seal_pdf
from signing.profiles import SealPlacement
from signing.roles import Role
from signing.tokens import TokenPool
from titlecert.settings import from_env


def timed(fn, rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def row(name: str, samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=10)
    return f"| {name} | {statistics.median(samples):.1f} | {q[-1]:.1f} | {len(samples)} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    settings = from_env()
    keys = load_seal_keys(settings.keys_file)
    font = find_seal_font(settings.seal_font)
    writer = PdfWriter()
    writer.add_blank_page(842, 595)
    buf = io.BytesIO()
    writer.write(buf)
    blank = buf.getvalue()
    placements = [
        SealPlacement(Role.COMMITTEE, 0, (100, 60, 220, 196)),
        SealPlacement(Role.AUTHORITY, 0, (400, 60, 520, 196)),
    ]
    seal_pdf(blank, placements=placements, keys=keys, font_path=font)  # warm-up: fonts, key parsing
    sealed = timed(lambda: seal_pdf(blank, placements=placements, keys=keys, font_path=font), args.rounds)

    committee = keys[Role.COMMITTEE].signer
    key = serialization.load_der_private_key(committee.signing_key.dump(), password=None)
    digest = hashlib.sha256(b"x" * 1024).digest()
    raw_sign = timed(lambda: key.sign(digest, PKCS1v15(), hashes.SHA256()), args.rounds * 4)  # type: ignore[union-attr,call-arg]
    parse = timed(
        lambda: serialization.load_der_private_key(committee.signing_key.dump(), password=None), args.rounds
    )

    print(f"Machine: {os.cpu_count()} cores; {args.rounds} rounds; RSA-{key.key_size} keys.\n")  # type: ignore[union-attr]
    print("| operation | median ms | p90 ms | samples |")
    print("|---|---|---|---|")
    print(row("seal one certificate, B-B (2 PAdES signatures, visible seals)", sealed))
    print(row("raw RSA signature (cryptography), one", raw_sign))
    print(row("RSA private-key parse (what pyHanko's SimpleSigner repeats per signature)", parse))
    softhsm_rows(blank, placements, keys, font, args.rounds)


SOFTHSM_MODULES = ("/usr/lib/softhsm/libsofthsm2.so", *sorted(glob.glob("/usr/lib/*/softhsm/libsofthsm2.so")))


def softhsm_rows(blank: bytes, placements: list[SealPlacement], keys: dict[Role, SealKey], font: Path,
                 rounds: int) -> None:  # fmt: skip
    """The same seal with both keys generated on a throwaway SoftHSM2 token (PKCS#11), if installed."""
    module = next((Path(m) for m in SOFTHSM_MODULES if Path(m).is_file()), None)
    if module is None or shutil.which("softhsm2-util") is None:
        return
    pin, label = "123456", "bench"
    with tempfile.TemporaryDirectory(prefix="titlecert-bench-softhsm-") as tmp:
        conf = Path(tmp) / "softhsm2.conf"
        (Path(tmp) / "tokens").mkdir()
        conf.write_text(
            f"directories.tokendir = {tmp}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n"
        )
        os.environ["SOFTHSM2_CONF"] = str(conf)
        subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin,
                        "--so-pin", "12345678"], check=True, capture_output=True)  # fmt: skip
        pool = TokenPool()
        try:
            _, made = create_demo_pki_on_token(
                Path(tmp) / "pki", pool, module=module, token_label=label, pin=pin
            )
            on_token = {
                role: SealKey(role, pool.signer(k.ref, pin), keys[role].seal_name, keys[role].seal_image)
                for role, k in made.items()
            }
            seal_pdf(blank, placements=placements, keys=on_token, font_path=font)  # warm-up
            sealed = timed(
                lambda: seal_pdf(blank, placements=placements, keys=on_token, font_path=font), rounds
            )
            session = pool.session(module, label, pin)
            [handle] = session.get_objects(
                {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: "committee"}
            )
            data = b"x" * 1024
            raw = timed(lambda: handle.sign(data, mechanism=Mechanism.SHA256_RSA_PKCS), rounds * 4)
        finally:
            pool.close()
    print(row("seal one certificate, B-B, keys on SoftHSM2 (PKCS#11)", sealed))
    print(row("raw RSA signature on SoftHSM2 (C_Sign, SHA256_RSA_PKCS), one", raw))


if __name__ == "__main__":
    main()
