"""Shared, expensive fixtures: one demo instance, one issued session and one server per run."""

import dataclasses
import datetime as dt
import itertools
import json
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

TITLECERT = Path(sys.executable).parent / "titlecert"
REPO = Path(__file__).resolve().parent.parent
CRASHING = Path(__file__).resolve().parent / "crashing.py"
"""The CLI, killed at a chosen point of its run (tests/crashing.py)."""


_ports = itertools.count(random.randrange(20000, 30000))


def free_port() -> int:
    """A loopback port that is free now and stays free until the test binds it.

    Tests reserve a port long before they listen on it (an instance's PKI URL is written into its
    certificates, and its services start and stop several times). A port from bind(0) lies in the
    kernel's ephemeral range, where LibreOffice's UNO listeners and outgoing connections may take it
    in between; so ports come from below that range, each handed out once per run.
    """
    low, _high = (int(n) for n in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    for port in _ports:
        if port >= low:
            break
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port below the ephemeral range (starts at {low})")


@dataclass
class Instance:
    """A titlecert home with its environment."""

    home: Path
    env: dict[str, str]
    public_url: str
    pki_url: str
    """Where `titlecert pki serve` answers for this instance's DEMO PKI."""

    def run(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run the CLI as a user would."""
        proc = subprocess.run(
            [str(TITLECERT), *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"titlecert {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
        return proc


def make_instance(home: Path, **extra: str) -> Instance:
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TITLECERT_")}
    pki_url = f"http://127.0.0.1:{free_port()}"
    env.update(
        {
            "TITLECERT_HOME": str(home),
            "TITLECERT_PUBLIC_URL": public_url,
            "TITLECERT_PKI_URL": pki_url,
            # The instance's PKI services run only in the tests that start them (serve_pki): the
            # others would find its OCSP responder and CRL down and every B-B file "not confirmed".
            # Tests of online revocation name them (tests/integration/test_online_revocation.py).
            "TITLECERT_OCSP_URLS": "none",
            "TITLECERT_CRL_URLS": "none",
            **extra,
        }
    )
    return Instance(home, env, public_url, pki_url)


@pytest.fixture(scope="session")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    """An initialised demo instance (SQLite, DEMO PKI)."""
    inst = make_instance(tmp_path_factory.mktemp("instance") / "home")
    inst.run("init")
    return inst


@dataclass
class Issued:
    """The bundled sample session, issued once per run."""

    out: Path
    everything: list[dict[str, Any]]
    """Every document written, of every kind."""
    skipped: list[str]
    log: str = ""
    """What `demo -v` wrote to stderr, the DEMO PKI's access log included."""

    @property
    def documents(self) -> list[dict[str, Any]]:
        """The certificates, in issuing order."""
        return [d for d in self.everything if d["kind"] == "certificate"]

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [d for d in self.everything if d["kind"] == kind]

    def pdf(self, index: int = 0) -> bytes:
        return Path(self.documents[index]["path"]).read_bytes()


@pytest.fixture(scope="session")
def issued(instance: Instance, tmp_path_factory: pytest.TempPathFactory) -> Issued:
    out = tmp_path_factory.mktemp("issued")
    proc = instance.run("-v", "demo", "--no-serve", "--out", str(out))
    result = json.loads(proc.stdout)
    return Issued(out, result["documents"], result["skipped"], proc.stderr)


@contextmanager
def running(
    inst: Instance, args: list[str], *, probe_url: str, log_name: str, timeout: float
) -> Iterator[None]:
    """Run `titlecert ARGS` in the background until the block ends; wait until `probe_url` answers."""
    log = inst.home / log_name
    with log.open("wb") as sink:
        proc = subprocess.Popen([str(TITLECERT), *args], env=inst.env, stdout=sink, stderr=sink)
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(probe_url, timeout=1)  # noqa: S310 - loopback test server
            break
        except OSError as e:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(
                    f"titlecert {' '.join(args)} did not start: {log.read_text(errors='replace')}"
                ) from e
            time.sleep(0.2)
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)  # gunicorn lets open connections finish for up to its graceful_timeout (10 s)


GENEROUS_LIMITS = {
    f"TITLECERT_RATE_LIMIT_{name}": "100000/minute"
    for name in ("LOOKUP", "MATCH", "MATCH_CERTIFICATE", "UPLOAD", "RECEIPT")
}
"""The whole suite's requests come from one address: the shared server must not limit them (the
limits themselves are tested on apps of their own, tests/integration/test_rate_limits.py)."""

SERVE_LOG = "serve.log"


@pytest.fixture(scope="session")
def server(instance: Instance, issued: Issued) -> Iterator[str]:
    """`titlecert serve` (gunicorn) on the instance's public URL; yields the base URL. Its log is
    SERVE_LOG in the instance's home."""
    port = instance.public_url.rsplit(":", 1)[1]
    probe = instance.public_url + "/healthz"
    served = dataclasses.replace(instance, env={**instance.env, **GENEROUS_LIMITS})
    with running(served, ["serve", "--port", port], probe_url=probe, log_name=SERVE_LOG, timeout=30):
        yield instance.public_url


SAMPLE_SESSION = REPO / "examples" / "session.json"


def sample_session_doc() -> dict[str, Any]:
    """The bundled sample as a dict, photo paths made absolute so a copy can live anywhere."""
    doc: dict[str, Any] = json.loads(SAMPLE_SESSION.read_text(encoding="utf-8"))
    for applicant in doc["applicants"]:
        if applicant.get("photo"):
            applicant["photo"] = str(SAMPLE_SESSION.parent / applicant["photo"])
    return doc


def as_another_session(doc: dict[str, Any], document_no: str) -> dict[str, Any]:
    """`doc` (the sample, or a session made from it) as another session of the same year: approval
    number `document_no` (渝职改办〔2026〕N号, N below 499 and, as the suite's rule is, of its own on
    the registry it is issued into) and every applicant another ID number of the same type, birth
    date and sex, one of its own for N. Issued beside the sample on one registry, its applicants
    are not the sample's, so one normal-channel application a year (docs/domain.md) holds."""
    found = re.fullmatch(r".*〔\d{4}〕(\d+)号", document_no)
    assert found is not None and 0 < int(found[1]) < 499, document_no
    doc["approval"]["document_no"] = document_no
    for a in doc["applicants"]:
        a["id_number"] = another_id_number(a["id_type"], a["id_number"], int(found[1]))
    return doc


def another_id_number(id_type: str, number: str, n: int) -> str:
    """A valid ID number of `id_type` other than `number`, one for each `n` (0 <= n < 499): a GB
    11643 number keeps its address code, birth date and sex digit's parity and gets another
    sequence code (and so check character); any other keeps its form, its last three digits
    changed."""
    from docgen.identity import IdType, gb11643_check_char

    gb11643 = (IdType.RESIDENT_ID, IdType.HMT_RESIDENCE_PERMIT, IdType.FOREIGN_PERMANENT_RESIDENT_2023)
    if id_type in gb11643:
        seq = int(number[14:17])
        body = number[:14] + f"{2 * ((seq // 2 + 1 + n) % 500) + seq % 2:03d}"
        return body + gb11643_check_char(body)
    assert number[-3:].isdigit(), number
    return number[:-3] + f"{(int(number[-3:]) + 1 + n) % 1000:03d}"


def passed_applicants() -> list[dict[str, Any]]:
    """The sample's applicants who pass the vote (3A ≥ 2P) and whose application did not end
    otherwise, in order: the demo's certificates."""
    doc = sample_session_doc()
    present = doc["sitting"]["present"]
    return [
        a
        for a in doc["applicants"]
        if "ending" not in a and a.get("vote") and 3 * a["vote"]["agree"] >= 2 * present
    ]


def ended_applicants(kind: str) -> list[dict[str, Any]]:
    """The sample's applicants whose application ended so (terminated, not_accepted, objection_upheld)."""
    return [a for a in sample_session_doc()["applicants"] if a.get("ending", {}).get("kind") == kind]


def review_moved(doc: dict[str, Any], start: str, end: str) -> dict[str, Any]:
    """`doc` with its review held from `start` to `end`; an objection upheld during the results
    publicity is dated the day after the review, as it must follow it."""
    doc["sitting"] |= {"start": start, "end": end}
    after = (dt.date.fromisoformat(end) + dt.timedelta(days=1)).isoformat()
    for a in doc["applicants"]:
        if a.get("ending", {}).get("kind") == "objection_upheld":
            a["ending"]["decided_on"] = after
    return doc


def token_of(issued: Issued, index: int) -> str:
    """The QR token of the `index`th certificate issued."""
    return str(issued.documents[index]["verify_url"].rsplit("/", 1)[1])


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards; skips (saying why) when the
    server at TEST_POSTGRES_URL is unreachable."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as e:
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {str(e).splitlines()[0]}")
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def serve_pki(inst: Instance) -> Iterator[None]:
    """`titlecert pki serve` for the instance's DEMO PKI, on its TITLECERT_PKI_URL."""
    port = inst.pki_url.rsplit(":", 1)[1]
    with running(
        inst,
        ["pki", "serve", "--port", port],
        probe_url=inst.pki_url + "/healthz",
        log_name="pki-serve.log",
        timeout=20,
    ):
        yield
