"""Replacements of lost printed copies: a clerk's `lost` record makes the copy void at once and its
replacement pending; the office's `issue` registers exactly one replacement per request, also when two
runs issue it at once (SQLite and PostgreSQL); and the web app records every clerk action without
ever loading a seal key.

Sealing itself is a fake here (`Reprint`): what is tested is the registry's side. The real sealing
of a replacement, run through the command line, is tests/e2e/test_clerks.py's.
"""

import hashlib
import io
import itertools
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select

from registry.audit import Actor, AuditAction
from registry.db import Registry
from registry.errors import NotFound, RegistryError
from registry.models import AuditEntry, DocumentRecord
from registry.paper import CopyState, EventKind, PaperCopy
from signing.fonts import find_seal_font
from tests.conftest import Instance, make_instance
from tests.integration.test_clerk_pages import PASSWORD, client, csrf_token
from tests.integration.test_clerk_records import ALICE, DAY, printed_form, state_of, together
from tests.integration.test_lifecycle_and_audit import AT
from titlecert.clerks import accounts
from titlecert.clerks.codes import code_of
from titlecert.clerks.records import record
from titlecert.clerks.replacements import (
    Issued,
    Reprint,
    Sealed,
    find_copy,
    issue,
    pending_requests,
    unsealed_replacement,
    unsealed_revision,
)
from titlecert.configured_store import open_store
from titlecert.settings import from_env

OFFICE = Actor("office", "cli")
ORIGINAL = "review-forms/PS2026000001-P.pdf"


class MemoryStore:
    """A document store in memory that remembers every put."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.puts: list[str] = []
        self._lock = threading.Lock()

    def put(self, key: str, data: bytes) -> None:
        with self._lock:
            self.data[key] = data
            self.puts.append(key)

    def get(self, key: str) -> bytes:
        return self.data[key]

    def exists(self, key: str) -> bool:
        return key in self.data


def stored_form(registry: Registry, store: Any) -> int:
    """printed_form's copy P, with its PDF in `store`; returns the copy's id."""
    copy_id = printed_form(registry)
    with registry.transaction() as ledger:
        copy = ledger.session.get(PaperCopy, copy_id)
        assert copy is not None
        document = ledger.session.get(DocumentRecord, copy.document_id)
        assert document is not None
        document.storage_key = ORIGINAL
    store.put(ORIGINAL, b"%PDF-1.7 the copy as issued")
    return copy_id


def fake_reprint(
    meet: threading.Barrier | None = None, calls: list[tuple[bytes, str, str]] | None = None
) -> Reprint:
    """A Reprint whose every run makes a different 'sealed' file; with `meet`, each run waits for the
    others there, so that concurrent runs all seal before any registers; `calls` gets each run's
    stored PDF, new label and lost copy's label."""
    runs = itertools.count()

    def reprint(stored: bytes, form_no: str, label: str, void: str, dates: Mapping[str, str]) -> Sealed:
        assert stored.startswith(b"%PDF")
        assert dates == {"committee": "2025-12-21", "authority": "2026-01-20"}  # the award's, not today
        if calls is not None:
            calls.append((stored, label, void))
        if meet is not None:
            meet.wait(timeout=30)
        pdf = f"%PDF-1.7 {form_no}-{label} run {next(runs)}".encode()
        return Sealed(pdf, hashlib.sha256(b"signed " + pdf).hexdigest())

    return reprint


def lose(registry: Registry, copy_id: int, reason: str = "邮寄途中遗失") -> None:
    record(registry, copy_id, EventKind.LOST, actor=ALICE, on=DAY, note=reason)


def replacements(registry: Registry) -> list[PaperCopy]:
    with registry.transaction() as ledger:
        return list(
            ledger.session.execute(select(PaperCopy).where(PaperCopy.replaces_id.is_not(None))).scalars()
        )


def actions(registry: Registry) -> list[str]:
    with registry.transaction() as ledger:
        return [e.action for e in ledger.audit.entries()]


def test_a_lost_copy_is_void_at_once_and_its_replacement_pending(registry: Registry) -> None:
    store = MemoryStore()
    copy = stored_form(registry, store)
    assert pending_requests(registry) == []
    lose(registry, copy)
    assert state_of(registry, copy) is CopyState.VOID
    with registry.transaction() as ledger:
        paper = ledger.paper.copy(copy)
        assert paper is not None and ledger.paper.is_void(paper.document_id)
    [request] = pending_requests(registry)
    assert (request.copy, request.copy_id, request.requested_by, request.requested_on, request.reason) == (
        "PS2026000001-P",
        copy,
        "alice",
        DAY,
        "邮寄途中遗失",
    )
    assert request.unit_code == "12500000965RMH3W7D"
    assert actions(registry) == [AuditAction.PAPER_REPLACEMENT_REQUESTED]
    assert replacements(registry) == [] and store.puts == [ORIGINAL]  # nothing sealed, nothing stored
    with pytest.raises(RegistryError, match="is void"):
        lose(registry, copy, "again")


def test_issue_registers_one_replacement_and_a_later_run_finds_it(registry: Registry) -> None:
    store = MemoryStore()
    copy = stored_form(registry, store)
    with pytest.raises(RegistryError, match="not recorded lost"):
        issue(registry, store, copy, reprint=fake_reprint(), actor=OFFICE)
    lose(registry, copy)
    assert (
        find_copy(registry, "ps2026000001-p") == find_copy(registry, code_of("PS2026000001", "P", 2)) == copy
    )
    with pytest.raises(NotFound, match="no printed copy 'PS2026000009-P'"):
        find_copy(registry, "PS2026000009-P")
    done = issue(registry, store, copy, reprint=fake_reprint(), actor=OFFICE)
    assert isinstance(done, Issued) and (done.void, done.new) == ("PS2026000001-P", "PS2026000001-P2")
    assert issue(registry, store, copy, reprint=fake_reprint(), actor=OFFICE) is None
    [new] = replacements(registry)
    assert (new.id, new.label, new.replaces_id, new.pages) == (done.copy_id, "P2", copy, 4)
    with registry.transaction() as ledger:
        document = ledger.session.get(DocumentRecord, new.document_id)
        assert document is not None and document.copy == "personnel-file-2"
        assert (
            document.sha256
            == done.sha256
            == hashlib.sha256(store.data[str(document.storage_key)]).hexdigest()
        )
        entries = ledger.audit.entries()
        assert entries[-1].action == AuditAction.PAPER_REPLACED and entries[-1].actor == "office"
        detail = json.loads(entries[-1].detail)
        assert (detail["void"], detail["new"], detail["reason"]) == ("P", "P2", "邮寄途中遗失")
        assert ledger.audit.verify().intact
    assert pending_requests(registry) == []
    assert state_of(registry, new.id) is CopyState.AWAITING_STAMPS
    # The replacement lost in turn is replaced by the next copy number.
    lose(registry, new.id)
    calls: list[tuple[bytes, str, str]] = []
    again = issue(registry, store, new.id, reprint=fake_reprint(calls=calls), actor=OFFICE)
    assert again is not None and again.new == "PS2026000001-P3"
    # Made from the first copy as issued (which bears no 补发 mark), saying it replaces P2.
    assert calls == [(store.data[ORIGINAL], "P3", "P2")]
    assert store.puts == [ORIGINAL, "review-forms/PS2026000001-P2.pdf", "review-forms/PS2026000001-P3.pdf"]


def test_two_runs_issuing_one_request_at_once_register_one_replacement(registry: Registry) -> None:
    store = MemoryStore()
    copy = stored_form(registry, store)
    lose(registry, copy)
    reprint = fake_reprint(threading.Barrier(2))  # both seal before either registers
    results: list[Issued | None] = []
    errors = together(
        *(
            (lambda: results.append(issue(registry, store, copy, reprint=reprint, actor=OFFICE)))
            for _ in range(2)
        )
    )
    assert not errors, errors
    assert sorted(results, key=lambda r: r is None) == [results[0] or results[1], None], results
    [new] = replacements(registry)
    assert new.label == "P2"
    assert store.puts == [ORIGINAL, "review-forms/PS2026000001-P2.pdf"]  # the loser stored nothing
    with registry.transaction() as ledger:
        assert ledger.session.scalar(select(func.count()).select_from(DocumentRecord)) == 2
        replaced = select(func.count()).where(AuditEntry.action == AuditAction.PAPER_REPLACED)
        assert ledger.session.scalar(replaced) == 1
        assert ledger.audit.verify().intact


# The web app: every clerk action without the seal keys.


@pytest.fixture
def keyless(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Instance, list[str]]]:
    """An instance whose seal keys are gone (keys.json and the PKCS#12 files moved away), with every
    way of loading keys in this process replaced by one that records the call and fails."""
    import signing.keys
    import titlecert.instance
    import titlecert.issuing

    inst = make_instance(tmp_path / "home")
    inst.run("init")
    vault = tmp_path / "vault"
    vault.mkdir()
    for path in [inst.home / "keys.json", *inst.home.glob("pki/*.p12")]:
        path.rename(vault / path.name)
    calls: list[str] = []

    def refuse(name: str) -> Any:
        def loader(*_args: object, **_kwargs: object) -> object:
            calls.append(name)
            raise AssertionError(f"the web app called {name}")

        return loader

    names = ("load_seal_keys", "load_keys", "load_pkcs12_signer", "batch_sealing")
    assert signing.keys and titlecert.instance and titlecert.issuing  # imported so they are patched
    for module in [m for m in list(sys.modules.values()) if m.__name__.startswith(("titlecert", "signing"))]:
        for name in names:
            if callable(getattr(module, name, None)):
                monkeypatch.setattr(module, name, refuse(f"{module.__name__}.{name}"))
    yield inst, calls


def test_the_web_app_records_every_clerk_action_without_seal_keys(
    keyless: tuple[Instance, list[str]],
) -> None:
    inst, calls = keyless
    settings = from_env(inst.env)
    registry = Registry(settings.database_url)
    copy = stored_form(registry, open_store(settings))
    web = client(inst)
    token = csrf_token(web.get("/clerk/login").text)
    with registry.transaction() as ledger:
        accounts.create(ledger, "alice", PASSWORD, actor=OFFICE, at=AT)
        accounts.assign(ledger, "alice", "12500000965RMH3W7D", actor=OFFICE)
    signed_in = web.post(
        "/clerk/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 303
    page = f"/clerk/copies/{copy}"
    token = csrf_token(web.get(page).text)

    def post(action: str, **fields: str) -> int:
        return web.post(f"{page}/{action}", data={"csrf_token": token, **fields}).status_code

    assert post("stamp", box="1", body="重庆某某中心", on="2026-03-03") == 303
    assert (
        post("file", place="单位档案室", on="2026-03-04", incomplete="1", incomplete_reason="主管部门另函")
        == 303
    )
    with registry.transaction() as ledger:
        filed = max(e.id for e in ledger.paper.events(copy))
    assert post("correct", event=str(filed), note="归档位置有误") == 303
    assert post("lost", note="邮寄途中遗失", back=f"/p/{code_of('PS2026000001', 'P', 3)}") == 303
    assert calls == []
    scanned = web.get(f"/p/{code_of('PS2026000001', 'P', 3)}")
    assert scanned.status_code == 200 and "此份评审表已作废" in scanned.text
    assert "已申请补发，新的一份尚待签发。" in scanned.text
    assert "（补发待办）" in web.get("/clerk/").text
    assert [r.copy for r in pending_requests(registry)] == ["PS2026000001-P"]
    # Issuing needs the keys: without them the office's command says so and changes nothing.
    usage = inst.run("clerk", "replacements", "issue", check=False)
    assert usage.returncode == 2 and "give one COPY" in usage.stderr
    keyless_run = inst.run("clerk", "replacements", "issue", "--all", check=False)
    assert keyless_run.returncode == 1 and "the seal keys cannot be loaded" in keyless_run.stderr
    listed = [json.loads(line) for line in inst.run("clerk", "replacements").stdout.splitlines()]
    assert [(r["copy"], r["requested_by"], r["reason"]) for r in listed] == [
        ("PS2026000001-P", "alice", "邮寄途中遗失")
    ]
    # Issued (here with the fake sealing), the old copy's pages link to the new copy's.
    done = issue(registry, open_store(settings), copy, reprint=fake_reprint(), actor=OFFICE)
    assert done is not None
    scanned = web.get(f"/p/{code_of('PS2026000001', 'P', 3)}")
    assert f'href="/p/{code_of("PS2026000001", "P2", 3)}"' in scanned.text and "（P2）" in scanned.text
    assert "（已补发 P2）" in web.get("/clerk/").text
    assert calls == []
    registry.dispose()


def test_a_replacement_says_补发_and_which_copy_it_replaces_in_every_pages_header_and_footer(
    tmp_path: Path,
) -> None:
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(595.3, 841.9)  # A4, as the review form
    original = io.BytesIO()
    writer.write(original)
    base = unsealed_replacement(
        original.getvalue(), "PS2026000001", "U2", "U", public_url="http://127.0.0.1", font=find_seal_font()
    )
    assert unsealed_revision(base) == base  # the marks are in the first revision, which seals keep
    path = tmp_path / "U2.pdf"
    path.write_bytes(base)
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True)
    pages = boxes.stdout.split("<page ")[1:]
    assert len(pages) == 3
    line = "补发 PS2026000001-U2 · 替代已作废的 PS2026000001-U"
    for page in pages:
        marks = [float(y) for y, text in re.findall(r'yMin="([\d.]+)"[^>]*>([^<]*)<', page) if "补发" in text]
        assert len(marks) == 2 and min(marks) < 50 and max(marks) > 780, page  # header and footer
        assert page.count(line) == 2
    text = [p.extract_text() for p in PdfReader(io.BytesIO(base)).pages]
    assert all(t.count(line) == 2 for t in text), text
