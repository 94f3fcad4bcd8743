"""Deleting the staging folders of jobs that have ended.

A job keeps its inputs and the sealed PDFs waiting to be registered under `jobs/<id>/` in the
document store. Once it has completed (or was abandoned), nothing reads them again: every registered
certificate and review form has its archive copy, and every session document too (`jobs/<id>/` is
checked for a session document without its archive copy, from jobs registered before those were
archived, which is copied first). A completed job's folder goes when it completes; `titlecert jobs
clean` deletes what is left of ended jobs (a run stopped in between, older jobs).
"""

from dataclasses import dataclass

from registry.models import ENDED_JOB_STATES, UnitState
from titlecert.errors import ApplicationError, StoreError
from titlecert.jobs.inputs import staging_folder
from titlecert.jobs.register import session_document_key
from titlecert.jobs.work import SealedDocument, WorkContext, staging_key
from titlecert.kinds import AWARD_UNIT


@dataclass(frozen=True)
class Cleaned:
    job_id: int
    archived: int
    """Session documents copied to their archive keys first."""
    deleted: int
    """Copies deleted from the staging folder."""


def discard_staging(ctx: WorkContext, job_id: int) -> str | None:
    """Delete an ended job's staging folder (after archiving any session document only it holds)
    and this worker's unpacked inputs. Returns a warning when the store refused (nothing issued is
    touched; `titlecert jobs clean` tries again)."""
    try:
        clean_job(ctx, job_id)
    except StoreError as e:
        return f"job {job_id} is complete; its staging copies stay in the store ({e}): `titlecert jobs clean`"
    return None


def clean_job(ctx: WorkContext, job_id: int) -> Cleaned:
    """Archive the ended job's unarchived session documents, then delete its staging folder.
    Raises ApplicationError for a job that has not ended, StoreError when the store refuses."""
    with ctx.registry.transaction() as ledger:
        jobs = ledger.jobs
        job = jobs.job(job_id)
        if job.state not in ENDED_JOB_STATES:
            raise ApplicationError(f"job {job_id} is {job.state}: its staging folder is still needed")
        session_documents = [
            doc
            for unit in jobs.units(job_id, [UnitState.REGISTERED])
            if unit.kind != AWARD_UNIT
            for doc in SealedDocument.load(unit.documents)
        ]
    archived = 0
    for doc in session_documents:
        key = session_document_key(job_id, doc)
        if ctx.store.exists(key):
            continue
        try:
            data = ctx.store.get(staging_key(job_id, doc.sha256))
        except KeyError:
            continue  # gone from both: nothing left to keep
        ctx.store.put(key, data)
        archived += 1
    ctx.forget(job_id)
    return Cleaned(job_id, archived, ctx.store.delete_folder(staging_folder(job_id)))


def clean_ended_jobs(ctx: WorkContext) -> list[Cleaned]:
    """`clean_job` for every ended job whose staging folder is still in the store (its session.json
    is there; S3 deletes a folder in key order, session.json after photos/ and sealed/)."""
    with ctx.registry.transaction() as ledger:
        ended = ledger.jobs.ended()
    left = [job_id for job_id in ended if ctx.store.exists(f"{staging_folder(job_id)}/session.json")]
    return [clean_job(ctx, job_id) for job_id in left]
