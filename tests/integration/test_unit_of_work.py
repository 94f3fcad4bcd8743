"""The unit of work as a queue worker would run it: `process_unit(ctx, converter, unit_id)` in this
process, from ids alone (the session is read back from the document store), on SQLite and
PostgreSQL; running a unit again changes nothing."""

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from docgen.context import report_context
from docgen.errors import CalendarError
from docgen.load import load_session
from docgen.workdays import STATUTORY_DAYS_OFF, CalendarOverrides, WorkCalendar
from registry.db import Registry
from templates import FONTS_CONF
from tests.conftest import Instance, as_another_session, postgres_database, sample_session_doc
from titlecert.bootstrap import bootstrap, calendar_of
from titlecert.errors import ApplicationError
from titlecert.jobs.clean import clean_job
from titlecert.jobs.convert import ChunkConverter
from titlecert.jobs.inputs import inputs_of
from titlecert.jobs.opening import open_job
from titlecert.jobs.outcome import finish_job
from titlecert.jobs.process import process_unit
from titlecert.jobs.work import WorkContext, load_unit
from titlecert.settings import Settings, from_env
from titlecert.store import FolderStore


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, instance: Instance) -> Iterator[Settings]:
    """The demo instance's keys, with its registry (SQLite) or a fresh one on PostgreSQL."""
    if request.param == "sqlite":
        yield from_env(instance.env)
        return
    with postgres_database("titlecert_units") as url:
        registry = Registry(url)
        registry.migrate()
        registry.dispose()
        yield from_env({**instance.env, "TITLECERT_DATABASE_URL": url})


def test_any_worker_finishes_a_job_unit_by_unit_from_ids(settings: Settings, tmp_path: Path) -> None:
    doc = sample_session_doc()
    as_another_session(doc, "渝职改办〔2026〕58号")  # a new award (and applicant) on the shared instance
    doc["applicants"] = doc["applicants"][1:2]
    source = tmp_path / "one.json"
    source.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    loaded = load_session(source, calendar_of(settings), fonts_conf=FONTS_CONF)
    ctx = WorkContext.of(bootstrap(settings))
    try:
        inputs = inputs_of(loaded, calendar_of(settings))
        opened = open_job(
            settings,
            loaded,
            inputs,
            tmp_path / "out",
            registry=ctx.registry,
            store=ctx.store,
            secret=ctx.secret,
            supersede=None,
            today=dt.date.today(),
        )
        assert opened.job_id is not None
        source.unlink()  # nothing of the session file is needed from here on
        with ctx.registry.transaction() as ledger:
            units = [(u.id, u.kind) for u in ledger.jobs.units(opened.job_id)]
        assert [kind for _, kind in units] == [
            "award",
            "publicity-table",
            "results-list",
            "review-report",
            "draft-notice",
        ]
        worker = WorkContext.of(bootstrap(settings))  # another worker: its own registry handle and cache
        try:
            with ChunkConverter(
                profile_dir=settings.home / "soffice-units", fonts_conf=FONTS_CONF
            ) as converter:
                states = [process_unit(worker, converter, unit_id) for unit_id, _ in units]
                assert states == ["registered"] * 5
                with worker.registry.transaction() as ledger:
                    before = [u.documents for u in ledger.jobs.units(opened.job_id)]
                assert [process_unit(worker, converter, unit_id) for unit_id, _ in units] == states
                with worker.registry.transaction() as ledger:
                    assert [u.documents for u in ledger.jobs.units(opened.job_id)] == before
        finally:
            worker.close()
        staging = f"jobs/{opened.job_id}"
        assert ctx.store.exists(f"{staging}/session.json")
        with pytest.raises(ApplicationError, match="running: its staging folder is still needed"):
            clean_job(ctx, opened.job_id)
        # As if the results list were registered before session documents were archived: its
        # staging copy is then its only one, and is archived before the folder goes.
        results_key = f"session-documents/job-{opened.job_id}/results-list.pdf"
        results_pdf = ctx.store.get(results_key)
        assert isinstance(ctx.store, FolderStore)
        (ctx.store.root / results_key).unlink()
        result = finish_job(ctx, opened.job_id)
        assert not ctx.store.exists(f"{staging}/session.json")
        assert not (ctx.store.root / staging).exists() and not (settings.jobs_cache / staging).exists()
        session_documents = [d for d in result.documents if d.kind not in ("certificate", "review-form")]
        assert sorted(d.kind for d in session_documents) == [
            "draft-notice",
            "publicity-table",
            "results-list",
            "review-report",
        ]
        for doc in session_documents:
            name = Path(doc.path).relative_to((tmp_path / "out").resolve())
            assert doc.storage_key == f"session-documents/job-{opened.job_id}/{name}"
            assert ctx.store.get(doc.storage_key) == Path(doc.path).read_bytes()
        assert ctx.store.get(results_key) == results_pdf
    finally:
        ctx.close()
    assert result.errors == []
    [certificate] = result.certificates
    assert Path(certificate.path).is_file() and certificate.holder_url and certificate.verify_url
    assert len(result.documents) == 7  # certificate, two review forms, publicity table, list, report, draft


def test_a_job_keeps_the_calendar_it_was_opened_with(settings: Settings, tmp_path: Path) -> None:
    """calendar.json changed after the job was opened (or missing on a worker machine): the job's
    documents still count working days with the calendar the session was checked with. A worker
    that moves on to another job drops what it unpacked of jobs that have ended."""
    doc = sample_session_doc()
    as_another_session(doc, "渝职改办〔2026〕59号")  # a new award (and applicant) on the shared instance
    doc["applicants"] = doc["applicants"][1:2]
    del doc["results_publicity"]  # not counted: the results list leaves it blank
    source = tmp_path / "one.json"
    source.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    loaded = load_session(source, calendar_of(settings), fonts_conf=FONTS_CONF)
    ctx = WorkContext.of(bootstrap(settings))
    changed = settings.home / "calendar.json"

    def open_and_find_report(out: str) -> tuple[int, int]:
        opened = open_job(
            settings,
            loaded,
            inputs_of(loaded, calendar_of(settings)),
            tmp_path / out,
            registry=ctx.registry,
            store=ctx.store,
            secret=ctx.secret,
            supersede=None,
            today=dt.date.today(),
        )
        assert opened.job_id is not None
        with ctx.registry.transaction() as ledger:
            units = ledger.jobs.units(opened.job_id)
        return opened.job_id, next(u.id for u in units if u.kind == "review-report")

    def abandon(job_id: int) -> None:
        with ctx.registry.transaction() as ledger:
            jobs = ledger.jobs
            jobs.abandon(jobs.job(job_id), reason="test", at=dt.datetime.now(dt.UTC))

    try:
        first, report = open_and_find_report("out")
        changed.write_text(json.dumps({"holidays": ["2025-12-22", "2025-12-23"]}), encoding="utf-8")
        worker = WorkContext.of(bootstrap(settings))  # started after the change
        try:
            made = load_unit(worker, report).documents[0].context
            unpacked = settings.jobs_cache / "jobs" / str(first)
            assert (unpacked / "session.json").is_file()
            abandon(first)
            second, report = open_and_find_report("out-2")
            load_unit(worker, report)
            assert not unpacked.exists() and (settings.jobs_cache / "jobs" / str(second)).is_dir()
            abandon(second)
        finally:
            worker.close()
        session = loaded.session
        assert made == report_context(session, WorkCalendar())
        assert made["due"] == "2025年12月26日"  # the 5th working day after the review
        assert made != report_context(session, calendar_of(settings))  # what the changed file gives
    finally:
        changed.unlink(missing_ok=True)
        ctx.close()


def test_a_job_stopped_on_a_year_nobody_described_finishes_once_it_is_added(
    settings: Settings, tmp_path: Path
) -> None:
    """The year-end session (review on 28 December of the calendar's last year, results publicity
    and report date left to their defaults), opened past the preflight as the previous code did:
    its session documents stop on the next year. Once the home's calendar.json describes that year
    the same units finish; a day of a year the job already knew keeps its count, whatever the file
    says about it now."""
    uncovered = max(WorkCalendar().covered_years()) + 1
    doc = sample_session_doc()
    as_another_session(doc, "渝职改办〔2026〕68号")
    doc["approval"]["date"] = f"{uncovered}-01-20"
    doc["sitting"] |= {"start": f"{uncovered - 1}-12-27", "end": f"{uncovered - 1}-12-28"}
    doc["applicants"] = doc["applicants"][1:2]
    del doc["results_publicity"], doc["report_submitted_on"]
    source = tmp_path / "year-end.json"
    source.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    days_off = frozenset(dt.date(uncovered, m, d) for m, d in STATUTORY_DAYS_OFF)
    described = CalendarOverrides(holidays=days_off, years=frozenset({uncovered}))
    # Checked against a calendar that has the year, frozen with the home's that lacks it.
    loaded = load_session(source, WorkCalendar(described), fonts_conf=FONTS_CONF)
    ctx = WorkContext.of(bootstrap(settings))
    home_file = settings.home / "calendar.json"
    try:
        opened = open_job(
            settings,
            loaded,
            inputs_of(loaded, calendar_of(settings)),
            tmp_path / "out",
            registry=ctx.registry,
            store=ctx.store,
            secret=ctx.secret,
            supersede=None,
            today=dt.date.today(),
        )
        assert opened.job_id is not None
        with ctx.registry.transaction() as ledger:
            units = {u.kind: u.id for u in ledger.jobs.units(opened.job_id)}
        worker = WorkContext.of(bootstrap(settings))  # a long-lived worker: it sees the file change
        try:
            with ChunkConverter(
                profile_dir=settings.home / "soffice-year-end", fonts_conf=FONTS_CONF
            ) as converter:
                # the report's due date counts into the year (the results list leaves a period
                # not given blank, so it counts nothing)
                with pytest.raises(CalendarError, match=f"no working-day calendar for {uncovered}"):
                    process_unit(worker, converter, units["review-report"])
                changed_known_day = dt.date(uncovered - 1, 12, 30)  # a working day the job counted
                home_file.write_text(
                    json.dumps(
                        {
                            **described.to_json(),
                            "holidays": [changed_known_day.isoformat(), *described.to_json()["holidays"]],
                        }
                    )
                )
                made = load_unit(worker, units["review-report"]).documents[0].context
                states = {kind: process_unit(worker, converter, unit) for kind, unit in units.items()}
                assert set(states.values()) == {"registered"}, states
        finally:
            worker.close()
        assert finish_job(ctx, opened.job_id).errors == []
        session = loaded.session
        assert made == report_context(session, WorkCalendar().then(WorkCalendar(described)))
        assert made["due"].startswith(f"{uncovered}年")
        assert made != report_context(session, calendar_of(settings))  # 12-30 not taken as a day off
    finally:
        home_file.unlink(missing_ok=True)
        ctx.close()


def test_a_worker_that_kept_a_job_session_uses_the_corrected_one_once_the_job_is_continued(
    settings: Settings, tmp_path: Path
) -> None:
    doc = sample_session_doc()
    as_another_session(doc, "渝职改办〔2026〕57号")
    doc["applicants"] = doc["applicants"][1:2]
    source = tmp_path / "one.json"
    source.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    worker = WorkContext.of(
        bootstrap(settings)
    )  # a long-lived worker (a Celery worker process) keeps sessions
    try:

        def open_it() -> int:
            loaded = load_session(source, calendar_of(settings), fonts_conf=FONTS_CONF)
            opened = open_job(
                settings,
                loaded,
                inputs_of(loaded, calendar_of(settings)),
                tmp_path / "out",
                registry=worker.registry,
                store=worker.store,
                secret=worker.secret,
                supersede=None,
                today=dt.date.today(),
            )
            assert opened.job_id is not None
            return opened.job_id

        job_id = open_it()
        with worker.registry.transaction() as ledger:
            [award_id] = [u.id for u in ledger.jobs.units(job_id) if u.kind == "award"]
        work = load_unit(worker, award_id)
        assert work.award is not None and work.award.applicant.name == doc["applicants"][0]["name"]

        doc["applicants"][0]["name"] += "华"  # a typo corrected before anything was registered
        source.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        assert open_it() == job_id, "the same session corrected continues its job"
        work = load_unit(worker, award_id)
        assert work.award is not None and work.award.applicant.name == doc["applicants"][0]["name"]
        assert work.label.endswith(f"({doc['applicants'][0]['name']})")
    finally:
        with worker.registry.transaction() as ledger:  # the shared instance keeps no open job of ours
            jobs = ledger.jobs
            jobs.abandon(jobs.job(job_id), reason="test", at=dt.datetime.now(dt.UTC))
        worker.close()
