"""The unit of work: make, seal and register one award or session document of a job, from ids.

Everything a worker needs comes from the registry and the document store (`WorkContext`), never
from the process that created the job, so any worker can take any unit: the local runner spreads
a unit's stages over its pools, and a queue worker (e.g. a Celery task) calls `process.process_unit(ctx,
converter, unit_id)` for the whole unit. Every step is idempotent: a unit already sealed is
registered from its stored PDFs without sealing again; a unit already registered is left alone.
"""

import datetime as dt
import hashlib
import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from docgen.errors import DocgenError
from docgen.models import LoadedSession
from docgen.photos import photo_problem
from docgen.render import render_docx
from docgen.workdays import WorkCalendar
from registry.db import Registry
from registry.models import IssueJob, UnitState
from signing.ltv import last_seal_sha256
from titlecert.bootstrap import Components
from titlecert.documents import Award, Job, award_jobs, unit_job
from titlecert.jobs.convert import Converter
from titlecert.jobs.inputs import STAGING_ROOT, load_calendar, load_inputs, staging_folder
from titlecert.jobs.plan import JobPlan, award_of
from titlecert.kinds import AWARD_UNIT, DocumentKind
from titlecert.sealing import FinishError, FinishSpec
from titlecert.settings import Settings
from titlecert.store import DocumentStore

log = logging.getLogger(__name__)


@dataclass
class WorkContext:
    """A worker's view of the instance (titlecert.bootstrap) for any unit of any job; build it
    once per worker (`of`), `close` it."""

    components: Components
    calendar: WorkCalendar
    """The instance's calendar when the worker started (read again for each unit: `calendar_of`)."""
    _sessions: dict[int, tuple[str, LoadedSession]] = field(default_factory=dict)
    """By job: the fingerprint of the session unpacked (a continued job's corrected session has
    another) and the session."""
    _frozen: dict[int, WorkCalendar | None] = field(default_factory=dict)

    @classmethod
    def of(cls, components: Components) -> "WorkContext":
        """Raises OSError when the instance was never initialised, StoreError for a store that
        cannot be set up, CalendarError for a bad calendar."""
        components.secret, components.store  # noqa: B018 - fail now, not on the first unit
        return cls(components, components.calendar())

    @property
    def settings(self) -> Settings:
        return self.components.settings

    @property
    def registry(self) -> Registry:
        return self.components.registry

    @property
    def store(self) -> DocumentStore:
        return self.components.store

    @property
    def secret(self) -> bytes:
        return self.components.secret

    def session_of(self, job: IssueJob) -> LoadedSession:
        """The job's session, unpacked from the document store once per worker and again when the
        job was continued with a corrected session (a new job's first unpacks it after dropping
        what this worker kept of jobs that have ended since)."""
        kept = self._sessions.get(job.id)
        if kept is None or kept[0] != job.fingerprint:
            if kept is None:
                self._forget_ended_jobs()
            kept = job.fingerprint, load_inputs(self.store, job.inputs, self.settings.jobs_cache)
            self._sessions[job.id] = kept
        return kept[1]

    def _forget_ended_jobs(self) -> None:
        """A long-lived worker (a Celery worker process) sees many jobs: the unpacked inputs of those
        that completed or were abandoned go, from its cache folder and from memory."""
        cache = self.settings.jobs_cache / STAGING_ROOT
        kept = {int(p.name) for p in cache.iterdir() if p.name.isdigit()} if cache.is_dir() else set()
        kept |= set(self._sessions)
        if not kept:
            return
        with self.registry.transaction() as ledger:
            ended = kept & set(ledger.jobs.ended())
        for job_id in ended:
            self.forget(job_id)

    def forget(self, job_id: int) -> None:
        """Drop what this worker unpacked of a job, from its cache folder and from memory."""
        shutil.rmtree(self.settings.jobs_cache / staging_folder(job_id), ignore_errors=True)
        self._sessions.pop(job_id, None)
        self._frozen.pop(job_id, None)

    def calendar_of(self, job: IssueJob) -> WorkCalendar:
        """The calendar frozen with the job, then the instance's current one (calendar.json as it is
        now, the installed chinesecalendar) for the years the frozen one does not cover: a day the
        job could count never changes; a year added since is taken, so a job stopped on a year
        nobody had described finishes once it is added (docs/calendar.md). A job opened before
        calendars were frozen counts with the current one. Raises CalendarError for a bad file."""
        if job.id not in self._frozen:
            self._frozen[job.id] = load_calendar(self.store, job.inputs)
        current = self.components.calendar()
        frozen = self._frozen[job.id]
        return current if frozen is None else frozen.then(current)

    def close(self) -> None:
        self.components.close()


@dataclass(frozen=True)
class SealedDocument:
    """One document of a sealed unit, as `IssueUnit.documents` records it."""

    kind: str
    out_name: str
    sha256: str
    pages: int
    signed_sha256: str | None = None
    copy: str | None = None

    @staticmethod
    def load(text: str | None) -> list["SealedDocument"]:
        return [SealedDocument(**d) for d in json.loads(text or "[]")]


def staging_key(job_id: int, sha256: str) -> str:
    """Where a sealed PDF waits in the document store: by content, so no two attempts collide."""
    return f"{staging_folder(job_id)}/sealed/{sha256}.pdf"


@dataclass(frozen=True)
class UnitWork:
    """One unit's documents to make, rebuilt from the registry and the store."""

    job_id: int
    unit_id: int
    label: str
    state: str
    sealed: list[SealedDocument]
    """The documents recorded when the unit was sealed (empty before)."""
    documents: list[Job]
    """What to render, convert and finish (empty for a unit that is registered or abandoned)."""
    award: Award | None
    public_url: str


def load_unit(ctx: WorkContext, unit_id: int) -> UnitWork:
    """The unit's work. Raises NotFound, or ApplicationError when its inputs or secrets are gone."""
    with ctx.registry.transaction() as ledger:
        jobs = ledger.jobs
        unit = jobs.unit(unit_id)
        job = jobs.job(unit.job_id)
        plan = JobPlan.from_json(job.plan)
        sealed = SealedDocument.load(unit.documents)
        if unit.state in (UnitState.REGISTERED, UnitState.ABANDONED):
            return UnitWork(job.id, unit.id, unit.label, unit.state, sealed, [], None, plan.public_url)
        loaded = ctx.session_of(job)
        award, documents = None, []
        if unit.kind == AWARD_UNIT:
            award = award_of(loaded, unit, plan.settings(ctx.settings), ctx.secret)
            documents = award_jobs(loaded, award, today=plan.date)
        else:
            documents = [unit_job(loaded, unit.kind, ctx.calendar_of(job), unit.applicant)]
        return UnitWork(job.id, unit.id, unit.label, unit.state, sealed, documents, award, plan.public_url)


def render(work: UnitWork) -> list[bytes]:
    """The unit's documents as .docx. Raises FinishError naming the document that failed."""
    return [render_document(job) for job in work.documents]


def render_document(job: Job) -> bytes:
    """One document as .docx. Raises FinishError naming the document and, for an award's, the
    applicant (and the photo when it is the photo that cannot be read)."""
    try:
        return render_docx(job.template, job.context, images=job.images, must_contain=job.must_contain)
    except DocgenError as e:
        raise FinishError(f"{job.out_name}: {e}") from e
    except Exception as e:  # a broken photo or template fails this unit only, named
        log.warning("%s cannot be rendered", job.out_name, exc_info=True)
        raise FinishError(f"{job.out_name}: {_render_failure(job)}") from e


def _render_failure(job: Job) -> str:
    if job.award is None:
        return "cannot be rendered: check the session with `titlecert check`; the log (-v) has the details"
    a, row = job.award.applicant, job.award.index + 1
    who = f"applicants row {row} ({a.name})"
    photo = job.award.certificate.photo
    if job.kind == DocumentKind.CERTIFICATE and photo is not None:
        problem = photo_problem(photo) if photo.is_file() else "the file is gone"
        if problem:
            return f"{who}, photo: {a.photo}: {problem}"
    return f"{who}: the {job.kind} cannot be rendered; the log (-v) has the details"


def convert(converter: Converter, work: UnitWork, index: int, docx: bytes) -> bytes:
    """The PDF of the unit's `index`th document. Raises FinishError naming it."""
    job = work.documents[index]
    try:
        return converter.convert(f"u{work.unit_id}-{job.stem}", docx)
    except Exception as e:  # a conversion failure fails this unit only, named
        raise FinishError(f"{job.out_name}: {e}") from e


def finish_specs(work: UnitWork) -> list[FinishSpec]:
    return [FinishSpec.of(job, work.public_url) for job in work.documents]


def record_sealed(ctx: WorkContext, work: UnitWork, finished: list[tuple[bytes, int]]) -> dict[str, bytes]:
    """Put the unit's finished PDFs in the store and mark it sealed (unless another worker did
    first). Returns the PDFs by SHA-256, for registering without reading them back."""
    documents, blobs = [], {}
    for job, (pdf, pages) in zip(work.documents, finished, strict=True):
        digest = hashlib.sha256(pdf).hexdigest()
        signed = last_seal_sha256(pdf) if job.seal_captions else None
        ctx.store.put(staging_key(work.job_id, digest), pdf)
        copy = job.copy.value if job.copy is not None else None
        documents.append(SealedDocument(job.kind, job.out_name, digest, pages, signed, copy).__dict__)
        blobs[digest] = pdf
    with ctx.registry.transaction() as ledger:
        unit = ledger.jobs.unit(work.unit_id, lock=True)
        if unit.state in (UnitState.PLANNED, UnitState.FAILED):
            unit.documents = json.dumps(documents, ensure_ascii=False)
            unit.state, unit.error, unit.updated_at = UnitState.SEALED.value, None, dt.datetime.now(dt.UTC)
    return blobs


def fail_unit(ctx: WorkContext, unit_id: int, error: str) -> None:
    """Mark a unit failed (what was sealed stays recorded, to be registered on the next attempt)."""
    with ctx.registry.transaction() as ledger:
        unit = ledger.jobs.unit(unit_id, lock=True)
        if unit.state in (UnitState.PLANNED, UnitState.SEALED, UnitState.FAILED):
            unit.state, unit.error, unit.attempts = UnitState.FAILED.value, error[:4000], unit.attempts + 1
            unit.updated_at = dt.datetime.now(dt.UTC)


def reset_unit(ctx: WorkContext, unit_id: int) -> None:
    """Forget a unit's sealed PDFs (not in the store as recorded): it is made again."""
    with ctx.registry.transaction() as ledger:
        unit = ledger.jobs.unit(unit_id, lock=True)
        if unit.state in (UnitState.SEALED, UnitState.FAILED):
            unit.state, unit.documents = UnitState.PLANNED.value, None
            unit.updated_at = dt.datetime.now(dt.UTC)


def write_out(out_dir: Path, documents: list[SealedDocument], blobs: dict[str, bytes]) -> None:
    """Write documents into the output folder (a .part file renamed), skipping those already there."""
    for doc in documents:
        final = out_dir / doc.out_name
        if final.is_file() and hashlib.sha256(final.read_bytes()).hexdigest() == doc.sha256:
            continue
        final.parent.mkdir(parents=True, exist_ok=True)
        part = final.with_name(final.name + ".part")
        part.write_bytes(blobs[doc.sha256])
        part.replace(final)
