"""Decades in the archive, in frozen time: a B-LTA certificate issued today, re-time-stamped seven
years later by a rotated TSA, still validates offline ten years later with revocation checked;
the copy that was never re-time-stamped cannot be confirmed any more; `verify --at` judges as of
a past date.

The PKI services run in this process so that they share the travelled clock (time-machine patches
the clock of the whole process); the CLI runs in-process through click's runner for the same reason.
"""

import asyncio
import datetime as dt
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import time_machine
from aiohttp import web
from click.testing import CliRunner

from signing.services import PkiServices
from tests.conftest import Instance, make_instance, sample_session_doc, serve_pki
from titlecert.cli import main

YEAR = dt.timedelta(days=365)


@contextmanager
def pki_in_process(inst: Instance) -> Iterator[None]:
    """The instance's DEMO PKI services on its PKI URL, answered by this process's clock."""
    port = int(inst.pki_url.rsplit(":", 1)[1])
    services = PkiServices(inst.home / "pki", services_url=inst.pki_url)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(services.app())
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


def cli(inst: Instance, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=inst.env, catch_exceptions=False)
    return result.exit_code, result.output


def verify(inst: Instance, path: Path, *extra: str) -> dict[str, Any]:
    code, out = cli(inst, "verify", "--json", *extra, str(path))
    report: dict[str, Any] = json.loads(out)[0]
    return report


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Instance, Path, dt.datetime]]:
    """An instance that issued one B-LTA award today; yields it, the holder's certificate, and today."""
    base = tmp_path_factory.mktemp("archive")
    inst = make_instance(base / "home", TITLECERT_SIGNATURE_LEVEL="B-LTA")
    inst.run("init")
    doc = sample_session_doc()
    doc["applicants"] = doc["applicants"][1:2]
    session = base / "session.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with serve_pki(inst):
        issued = json.loads(inst.run("issue", str(session), "--out", str(base / "out"), "--json").stdout)
    certificate = next(d for d in issued["documents"] if d["kind"] == "certificate")
    yield inst, Path(certificate["path"]), dt.datetime.now(dt.UTC)


def test_ten_years_later_the_retimestamped_copy_validates_offline(
    archived: tuple[Instance, Path, dt.datetime],
) -> None:
    inst, holder_copy, today = archived
    archive_copy = inst.home / "archive" / "certificates" / holder_copy.name
    assert archive_copy.read_bytes() == holder_copy.read_bytes()

    # Seven years on, the TSA certificate (eight years) nears its end: rotate it and renew.
    with time_machine.travel(today + 7 * YEAR, tick=True):
        assert cli(inst, "pki", "rotate", "tsa")[0] == 0
        with pki_in_process(inst):
            code, out = cli(inst, "archive", "retimestamp")
        assert code == 0, out
        assert (
            "4 renewed, 0 still current, 0 failed" in out
        )  # the certificate, both review forms, the draft notice
        with pki_in_process(inst):
            assert "0 renewed, 4 still current" in cli(inst, "archive", "retimestamp")[1]
    assert archive_copy.read_bytes().startswith(holder_copy.read_bytes())  # appended, never rewritten

    # Ten years on, every certificate of the original seals has expired; nothing is online.
    with time_machine.travel(today + 10 * YEAR, tick=True):
        offline = verify(inst, archive_copy, "--offline")
        assert offline["verdict"] == "valid", offline["reasons"]
        assert len(offline["document_timestamps"]) == 2
        assert all(s["revocation_checked"] for s in offline["signatures"])
        assert [s["timestamp"][:10] for s in offline["signatures"]] == [today.date().isoformat()] * 2

        registered = verify(inst, archive_copy)
        assert (registered["verdict"], registered["status"]) == ("valid", "valid")

        stale = verify(inst, holder_copy)
        assert stale["verdict"] == "indeterminate"
        assert stale["status"] == "valid"  # still found: its sealed revision is the one registered
        assert any("re-time-stamped copy" in r for r in stale["reasons"])


def test_verify_at_a_past_date(archived: tuple[Instance, Path, dt.datetime]) -> None:
    inst, holder_copy, today = archived
    as_of_issue = verify(inst, holder_copy, "--offline", "--at", (today + dt.timedelta(hours=1)).isoformat())
    assert as_of_issue["verdict"] == "valid"
    assert as_of_issue["validation_time"].startswith((today + dt.timedelta(hours=1)).date().isoformat())
    before = verify(
        inst, holder_copy, "--offline", "--at", (today - 30 * dt.timedelta(days=1)).date().isoformat()
    )
    assert before["verdict"] == "invalid"
    assert "did not exist yet" in before["reasons"][0]
    code, out = cli(inst, "verify", "--at", "next tuesday", str(holder_copy))
    assert code == 2 and "not an ISO date" in out


def test_with_the_tsa_down_nothing_is_renewed_or_lost(archived: tuple[Instance, Path, dt.datetime]) -> None:
    inst, holder_copy, _ = archived  # the PKI services are not running now
    archive_copy = inst.home / "archive" / "certificates" / holder_copy.name
    before = archive_copy.read_bytes()
    code, out = cli(inst, "archive", "retimestamp", "--before", "2100-01-01")
    assert code == 1
    assert "0 renewed, 0 still current, 4 failed" in out
    assert out.count(f"the time-stamping authority at {inst.pki_url}/tsa does not answer") == 4, out
    assert archive_copy.read_bytes() == before
    assert verify(inst, archive_copy)["status"] == "valid"
