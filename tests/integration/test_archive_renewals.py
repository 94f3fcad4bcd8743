"""An archive copy survives its renewals: 30 consecutive `archive retimestamp` runs on a copy issued
at B-B (a certificate) and one issued at B-LTA (a review form) each leave a copy that verifies valid
offline and online, and the bytes as issued stay retrievable and valid; a renewal whose result
does not verify is counted as failed and the stored copy kept; admission still bounds the content
revisions strictly.

The library functions run in-process (the PKI services in a subprocess) to keep the 30 rounds
quick; the CLI runs in-process once, through click's runner, for what the operator reads.
"""

import datetime as dt
import hashlib
import io
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter

import titlecert.archive
from registry.db import Registry
from signing.keys import load_pkcs12_signer
from signing.profiles import PROFILES
from signing.roles import Role
from signing.trust import TrustSettings
from tests.conftest import (
    TITLECERT,
    Instance,
    as_another_session,
    make_instance,
    sample_session_doc,
    serve_pki,
)
from tests.integration.test_clerk_pages import PASSWORD, csrf_token
from tests.tamper import add_page_content
from titlecert.app import create_app
from titlecert.archive import issued_copy, retimestamp_archive
from titlecert.clerks.codes import code_of
from titlecert.cli import main
from titlecert.configured_store import open_store
from titlecert.home import load_trust
from titlecert.settings import Settings, from_env
from titlecert.store import DocumentStore
from verify.admission import MAX_CONTENT_REVISIONS
from verify.checks import Analysis, analyse_pdf
from verify.report import Verdict
from verify.service import verify_pdf

FAR = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
"""A cut-off every time stamp expires before: each run renews every stored copy."""
RENEWALS = 30
CHECKED = (1, 2, 10, RENEWALS)
"""Renewals after which the test verifies the copies itself (every renewal is verified by
`archive retimestamp` before it replaces the stored copy, and counted renewed only then)."""


@dataclass
class Archive:
    inst: Instance
    settings: Settings
    trust: TrustSettings
    store: DocumentStore
    registry: Registry
    issued: dict[str, bytes]
    """Storage key -> the holder's copy as issued, of the two copies renewed."""
    levels: dict[str, str]
    token: str
    """The B-B certificate's QR token."""
    form_no: str
    """The B-LTA review form's number (its personnel-file copy is renewed)."""


def _issue(inst: Instance, base: Path, level: str, document_no: str) -> list[dict[str, str]]:
    doc = sample_session_doc()
    doc["applicants"] = doc["applicants"][1:2]
    as_another_session(doc, document_no)  # and an applicant of its own: one application a year
    session = base / f"{level}.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    env = {**inst.env, "TITLECERT_SIGNATURE_LEVEL": level}
    run = Instance(inst.home, env, inst.public_url, inst.pki_url).run
    args = ("issue", str(session), "--out", str(base / level), "--json")
    proc = run(*args)
    documents: list[dict[str, str]] = json.loads(proc.stdout)["documents"]
    return [d for d in documents if d["kind"] in ("certificate", "review-form")]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    base = tmp_path_factory.mktemp("renewals")
    inst = make_instance(base / "home")
    inst.run("init")
    subprocess.run(
        [str(TITLECERT), "clerk", "add", "alice", "--password-stdin"],
        env=inst.env,
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        check=True,
    )
    inst.run("clerk", "assign", "alice", sample_session_doc()["applicants"][1]["employer"]["credit_code"])
    settings = from_env(inst.env)
    registry = Registry(settings.database_url)
    with serve_pki(inst):
        b_b = _issue(inst, base, "B-B", "渝职改办〔2026〕47号")
        b_lta = _issue(inst, base, "B-LTA", "渝职改办〔2026〕41号")
        chosen = {"B-B": b_b[0], "B-LTA": b_lta[1]}  # a certificate, a review form
        assert [chosen["B-B"]["kind"], chosen["B-LTA"]["kind"]] == ["certificate", "review-form"]
        keys = {d["storage_key"] for d in chosen.values()}
        # Only the two copies under test are renewed (each renewal is verified, which takes time):
        # the other copies are taken out of the store's listing.
        with registry.transaction() as ledger:
            for record in ledger.certificates.stored():
                if record.storage_key not in keys:
                    record.storage_key = None
        yield Archive(
            inst,
            settings,
            load_trust(settings),
            open_store(settings),
            registry,
            {d["storage_key"]: Path(d["path"]).read_bytes() for d in chosen.values()},
            {d["storage_key"]: level for level, d in chosen.items()},
            b_b[0]["verify_url"].rsplit("/", 1)[1],
            b_lta[1]["form_no"],
        )
    registry.dispose()


class Once:
    """analyse_pdf, once per file: `verify --offline` and `verify` judge the same analysis."""

    def __init__(self) -> None:
        self.seen: dict[str, Analysis] = {}

    def __call__(self, data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> Analysis:
        digest = hashlib.sha256(data).hexdigest()
        if digest not in self.seen:
            self.seen[digest] = analyse_pdf(data, trust, at)
        return self.seen[digest]


def _valid_both_ways(archive: Archive, data: bytes, name: str) -> list[str]:
    once = Once()
    offline = verify_pdf(data, name=name, trust=archive.trust, registry=None, analyser=once)
    assert offline.verdict is Verdict.VALID, (name, offline.reasons)
    online = verify_pdf(data, name=name, trust=archive.trust, registry=archive.registry, analyser=once)
    assert (online.verdict, online.status) == (Verdict.VALID, "valid"), (name, online.reasons)
    return online.document_timestamps


def test_thirty_renewals_each_leave_a_valid_copy_and_the_issued_bytes_stay(archive: Archive) -> None:
    keys = sorted(archive.issued)
    stamps_at_issue = {"B-B": 0, "B-LTA": 1}
    intermediate: dict[str, bytes] = {}
    for n in range(1, RENEWALS + 1):
        result = retimestamp_archive(archive.settings, before=FAR)
        assert (sorted(result.renewed), result.failed) == (keys, []), n
        if n not in CHECKED:
            continue
        for key in keys:
            copy = archive.store.get(key)
            stamps = _valid_both_ways(archive, copy, f"{key} after renewal {n}")
            assert len(stamps) == stamps_at_issue[archive.levels[key]] + n
            if n == 10:
                intermediate[key] = copy

    for key, holder_copy in archive.issued.items():
        with archive.registry.transaction() as ledger:
            record = ledger.certificates.stored_as(key)
            assert record is not None
            current_sha256, issued_sha256 = record.sha256, record.issued_sha256
            kept = issued_copy(archive.store, record)
        assert kept == holder_copy  # the issued bytes, retrievable after the 30th renewal
        assert issued_sha256 == hashlib.sha256(holder_copy).hexdigest() != current_sha256
        online = verify_pdf(holder_copy, name=key, trust=archive.trust, registry=archive.registry)
        assert (online.verdict, online.status) == (Verdict.VALID, "valid"), online.reasons
        assert not any("added after issue" in r for r in online.reasons)  # found by its own fingerprint
        # an earlier renewed copy someone kept is still found by the revision its seals signed
        older = verify_pdf(intermediate[key], name=key, trust=archive.trust, registry=archive.registry)
        assert (older.verdict, older.status) == (Verdict.VALID, "valid"), older.reasons
        assert any("added after issue" in r for r in older.reasons)

    # What people read: the scan page and the clerk's page name the issued file's fingerprint and,
    # apart, the renewed archive copy's.
    fingerprints = {}
    with archive.registry.transaction() as ledger:
        for record in ledger.certificates.stored():
            fingerprints[record.storage_key] = (record.issued_sha256, record.sha256)
    [b_b_key] = [k for k in keys if archive.levels[k] == "B-B"]
    [b_lta_key] = [k for k in keys if archive.levels[k] == "B-LTA"]
    web = create_app(archive.settings).test_client()
    scan = web.get(f"/v/{archive.token}")
    issued_sha256, current_sha256 = fingerprints[b_b_key]
    assert scan.status_code == 200
    assert f'<dd class="hash">{issued_sha256}</dd>' in scan.text
    assert f'<dd class="hash" id="archive-sha256">{current_sha256}</dd>' in scan.text
    login = csrf_token(web.get("/clerk/login").text)
    web.post("/clerk/login", data={"username": "alice", "password": PASSWORD, "csrf_token": login})
    page = web.get(f"/p/{code_of(archive.form_no, 'P', 1)}")
    issued_sha256, current_sha256 = fingerprints[b_lta_key]
    assert page.status_code == 200
    assert f'id="issued-sha256">{issued_sha256}</dd>' in page.text
    assert f'id="archive-sha256">{current_sha256}</dd>' in page.text
    assert "status-valid" in page.text and "有效" in page.text and "无法识别" not in page.text


def test_a_renewal_that_does_not_verify_is_failed_and_the_stored_copy_kept(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    renew = titlecert.archive.retimestamp

    def corrupting(pdf: bytes, **kwargs: object) -> bytes:  # a faulty renewal step
        return add_page_content(renew(pdf, **kwargs))  # type: ignore[arg-type]

    monkeypatch.setattr(titlecert.archive, "retimestamp", corrupting)
    before = {key: archive.store.get(key) for key in archive.issued}
    with archive.registry.transaction() as ledger:
        registered = {key: ledger.certificates.stored_as(key).sha256 for key in archive.issued}  # type: ignore[union-attr]

    result = CliRunner().invoke(  # the fixture's PKI services answer
        main,
        ["archive", "retimestamp", "--before", "2200-01-01"],
        env=archive.inst.env,
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert "0 renewed, 0 still current, 2 failed" in result.output
    for key in archive.issued:
        [line] = [ln for ln in result.output.splitlines() if ln.startswith(f"error: {key}: ")]
        assert line.startswith(f"error: {key}: the renewed copy does not verify (modified: "), line
        assert "the document was changed after the committee certified it" in line, line
        assert line.endswith("; the stored copy was kept"), line
        assert archive.store.get(key) == before[key]
    assert result.output.count("the stored copy was kept") == 2
    with archive.registry.transaction() as ledger:
        assert {key: ledger.certificates.stored_as(key).sha256 for key in archive.issued} == registered  # type: ignore[union-attr]


def _with_updates_before_the_approval(archive: Archive, updates: int) -> bytes:
    """The B-B certificate's certified revision, `updates` harmless revisions, then a genuine
    approval seal: a file whose content revisions number 3 + `updates`."""
    holder_copy = next(v for k, v in archive.issued.items() if archive.levels[k] == "B-B")
    committee = PdfFileReader(io.BytesIO(holder_copy)).embedded_signatures[0]
    data = holder_copy[: committee.byte_range[2] + committee.byte_range[3]]
    for n in range(updates):
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        writer.root["/Lang"] = generic.TextStringObject(f"zh-CN-x-{n}")
        writer.update_root()
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    pki = archive.inst.home / "pki"
    signer = load_pkcs12_signer(pki / "authority.p12", (pki / "authority.pass").read_bytes())
    field = PROFILES[Role.AUTHORITY].field_name
    out = io.BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name=field, subfilter=SigSeedSubFilter.PADES), signer
    ).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)), existing_fields_only=True, output=out)
    return out.getvalue()


def test_admission_still_rejects_a_file_with_nine_content_revisions(archive: Archive) -> None:
    nine = _with_updates_before_the_approval(archive, MAX_CONTENT_REVISIONS + 1 - 3)
    analysis = analyse_pdf(nine, archive.trust)
    assert analysis.verdict is Verdict.MALFORMED
    assert analysis.reasons == [
        f"the file has {MAX_CONTENT_REVISIONS + 1} revisions up to its last seal; "
        f"an issued document has at most {MAX_CONTENT_REVISIONS}"
    ]
    eight = analyse_pdf(_with_updates_before_the_approval(archive, MAX_CONTENT_REVISIONS - 3), archive.trust)
    assert not any("revisions" in r for r in eight.reasons), eight.reasons
