"""The verification log written off the request path (verify.logwriter): every entry queued is
written by the time the writer closes, from however many threads; a full queue makes the caller
write its own; a database that refuses is logged, never raised."""

import datetime as dt
import logging
import threading
from collections.abc import Iterator

import pytest

from registry.db import Registry
from registry.verifications import Verification
from tests.records import certificate_record
from verify.logwriter import VerificationWriter

NUMBER = "CQZC2026000373"


@pytest.fixture
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    registry = Registry(f"sqlite:///{tmp_path_factory.mktemp('logwriter') / 'registry.sqlite3'}")
    registry.migrate()
    with registry.transaction() as ledger:
        ledger.certificates.add(
            certificate_record(
                NUMBER, token="LOGWRITERTOKENABCDEFGHIJKLMNOPQR", approval_no="渝职改办〔2026〕373号"
            )
        )
    yield registry
    registry.dispose()


def entry(i: int = 0) -> Verification:
    return Verification(
        NUMBER,
        channel="scan",
        verdict="valid",
        requester=f"198.51.{i % 250}.0/24 · Chrome",
        at=dt.datetime.now(dt.UTC),
    )


def count(registry: Registry) -> int:
    with registry.transaction() as ledger:
        return ledger.verifications.count(NUMBER)


def test_every_entry_queued_from_many_threads_is_written_when_the_writer_closes(registry: Registry) -> None:
    writer = VerificationWriter(registry, batch=50)
    threads = [
        threading.Thread(target=lambda k=k: [writer.note(entry(k * 1000 + i)) for i in range(250)])
        for k in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.close()  # what the process's exit runs
    assert count(registry) == 8 * 250 == writer.written
    writer.close()  # again: nothing more to do


def test_flush_waits_for_what_was_queued(registry: Registry) -> None:
    writer = VerificationWriter(registry)
    for i in range(30):
        writer.note(entry(i))
    assert writer.flush(timeout=10)
    assert count(registry) == 30
    writer.close()


def test_a_full_queue_makes_the_caller_write_its_own(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = VerificationWriter(registry, capacity=2)
    stalled = threading.Event()
    monkeypatch.setattr(writer, "_run", stalled.wait)  # a writer that does not get to its queue
    for i in range(5):
        writer.note(entry(i))
    assert count(registry) == 3, "the two queued wait; the three that found the queue full are written"
    stalled.set()


def test_a_database_that_refuses_is_logged_not_raised(
    tmp_path_factory: pytest.TempPathFactory,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("verify.logwriter.RETRY_PAUSE", 0)
    broken = Registry(f"sqlite:///{tmp_path_factory.mktemp('gone') / 'no-such-folder' / 'registry.sqlite3'}")
    writer = VerificationWriter(broken)
    with caplog.at_level(logging.WARNING):
        writer.note(entry())
        writer.close()
    assert writer.written == 0
    assert f"could not note a scan verification of {NUMBER}" in caplog.text
