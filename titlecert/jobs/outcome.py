"""Closing a run: what the job issued, written out and reported, and the job's final state.

Every registered unit's PDFs are made sure to be in the output folder (a run killed between a
commit and writing its files leaves them in the document store), the folder's manifest lists the
job's documents once, and the job becomes `completed` (its award secrets then cleared: the
manifest holds the URLs) or `failed` with the units that failed.

A completed job's staging folder is then deleted from the store (`titlecert.jobs.clean`).
"""

import datetime as dt
import hashlib
from pathlib import Path

from registry.models import IssueUnit, JobState, UnitState
from titlecert.jobs.clean import discard_staging
from titlecert.jobs.plan import JobPlan, award_of
from titlecert.jobs.register import issued_documents
from titlecert.jobs.result import IssueResult, update_manifest
from titlecert.jobs.work import SealedDocument, WorkContext, staging_key, write_out
from titlecert.kinds import AWARD_UNIT


def finish_job(ctx: WorkContext, job_id: int) -> IssueResult:
    """Write out what the job registered, update the manifest and settle the job's state.

    Raises NotFound for an unknown job, ApplicationError when a stored PDF or secret is gone.
    """
    with ctx.registry.transaction() as ledger:
        jobs = ledger.jobs
        job = jobs.job(job_id)
        plan = JobPlan.from_json(job.plan)
        out_dir = Path(job.out_dir)
        result = IssueResult(job=job_id, warnings=list(plan.warnings), skipped=list(plan.skipped))
        units = jobs.units(job_id)
        for unit in units:
            if unit.state == UnitState.REGISTERED:
                _write_missing(ctx, job_id, out_dir, SealedDocument.load(unit.documents))
                award = None
                if unit.kind == AWARD_UNIT and unit.secrets:
                    award = award_of(ctx.session_of(job), unit, plan.settings(ctx.settings), ctx.secret)
                result.documents += issued_documents(ctx, unit, plan, award, job.out_dir)
            elif unit.state == UnitState.FAILED:
                result.errors.append(unit.error or f"{unit.label}: failed")
    update_manifest(out_dir, result.documents)
    failed = len(result.errors)
    if failed:
        head = (
            f"job {job_id}: {failed} of {len(units)} units failed; fix the cause and run the same "
            f"command again (or `titlecert jobs resume {job_id}`) to finish it"
        )
        result.errors.insert(0, head)
    if _settle(ctx, job_id, failed=failed, summary="\n".join(result.errors[:21]) if failed else None):
        warning = discard_staging(ctx, job_id)
        if warning:
            result.warnings.append(warning)
    return result


def _write_missing(ctx: WorkContext, job_id: int, out_dir: Path, documents: list[SealedDocument]) -> None:
    missing = [d for d in documents if not _present(out_dir / d.out_name, d.sha256)]
    if missing:
        write_out(out_dir, missing, {d.sha256: ctx.store.get(staging_key(job_id, d.sha256)) for d in missing})


def _present(path: Path, sha256: str) -> bool:
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256


def _settle(ctx: WorkContext, job_id: int, *, failed: int, summary: str | None) -> bool:
    """Record the job failed or completed; True when it is completed."""
    now = dt.datetime.now(dt.UTC)
    with ctx.registry.transaction() as ledger:
        jobs = ledger.jobs
        job = jobs.job(job_id, lock=True)
        if job.state not in (JobState.RUNNING, JobState.FAILED):
            return job.state == JobState.COMPLETED
        units = jobs.units(job_id)
        if failed:
            job.state, job.error = JobState.FAILED.value, summary
        elif all(u.state in (UnitState.REGISTERED, UnitState.ABANDONED) for u in units):
            job.state, job.error, job.finished_at = JobState.COMPLETED.value, None, now
            _forget_secrets(units)
        job.updated_at = now
        return job.state == JobState.COMPLETED


def _forget_secrets(units: list[IssueUnit]) -> None:
    """The job is done and its URLs are in the manifest: the encrypted secrets go."""
    for unit in units:
        unit.secrets = None
