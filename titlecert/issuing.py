"""Issuing a session: validate it, open its job, run the job on this machine, report.

The whole session is validated first (including that every character can be printed and every
photo decodes), the keys loaded, every document's values built and each kind rendered in memory,
every applicant looked up among the review year's other sessions (one normal-channel application
a year, `titlecert.jobs.yearly`), and above B-B the TSA and OCSP responder asked once
(`titlecert.preflight`), so input and configuration errors stop everything before a job exists.
Then one transaction creates the job: every number allocated, one unit of work per award or
session document (`titlecert.jobs.plan`), every applicant recorded for the year. The units go
through overlapped stages (`titlecert.jobs.runner`) and each is registered on its own
(`titlecert.jobs.register`); a failing document fails its unit only. Running the same command
again resumes the job: what is registered stays, what is sealed is registered without sealing
again, the rest is made again.
"""

import datetime as dt
from pathlib import Path

from docgen.load import load_session
from registry.jobs import UNFINISHED_UNIT_STATES
from registry.models import OPEN_JOB_STATES
from templates import FONTS_CONF
from titlecert.bootstrap import bootstrap
from titlecert.errors import ApplicationError
from titlecert.jobs.convert import open_converter
from titlecert.jobs.inputs import inputs_of
from titlecert.jobs.lease import holding
from titlecert.jobs.opening import open_job
from titlecert.jobs.outcome import finish_job
from titlecert.jobs.plan import Supersession, issue_key
from titlecert.jobs.progress import NoProgress, Progress
from titlecert.jobs.result import IssuedDocument, IssueResult, read_manifest
from titlecert.jobs.runner import run_job
from titlecert.jobs.work import WorkContext
from titlecert.kinds import AWARD_UNIT
from titlecert.preflight import Registered, ServicesDown, preflight, service_problems
from titlecert.settings import Settings


def issue_session(
    session_path: Path,
    out_dir: Path,
    settings: Settings,
    *,
    supersede: Supersession | None = None,
    progress: Progress | None = None,
) -> IssueResult:
    """Issue every document of a session into `out_dir`, or finish the unfinished job of the same
    command. Raises, before any job exists: InputError on bad input or a document that cannot be
    made, the signing package's KeyLoadError when a key does not load, ServicesDown when the TSA or
    OCSP responder does not answer; the registry's errors when it cannot be reached; a document that
    fails is reported in the result's errors (its unit failed, the job failed, resumable).

    With `supersede` (a re-issue), the session must hold exactly one passed award, which may be
    the replaced certificate's own; only its certificate and review forms are issued. Raises
    ReissueError, or the registry's NotFound/Conflict when that certificate is not in force.
    """
    components = bootstrap(settings)
    calendar = components.calendar()
    loaded = load_session(session_path, calendar, fonts_conf=FONTS_CONF)
    inputs = inputs_of(loaded, calendar)
    # A re-issue corrects an application already counted: the one-a-year rule does not apply.
    registered = None if supersede else Registered(components, out_dir)
    try:
        across = preflight(loaded, settings, calendar, today=dt.date.today(), registered=registered)
    except BaseException:
        components.close()
        raise
    if across is not None and across.warnings:
        loaded = loaded.model_copy(update={"warnings": (*loaded.warnings, *across.warnings)})
    ctx = WorkContext.of(components)
    try:
        opened = open_job(
            settings,
            loaded,
            inputs,
            out_dir,
            registry=ctx.registry,
            store=ctx.store,
            secret=ctx.secret,
            supersede=supersede,
            today=dt.date.today(),
        )
        if opened.job_id is None:
            return IssueResult(warnings=opened.warnings, skipped=opened.skipped)
        return _run(ctx, opened.job_id, progress or NoProgress())
    finally:
        ctx.close()


def resume_job(settings: Settings, job_id: int, *, progress: Progress | None = None) -> IssueResult:
    """Finish an unfinished job from the registry and the document store alone (no session file).
    Raises NotFound, ApplicationError when the job is completed or abandoned, KeyLoadError,
    ServicesDown."""
    components = bootstrap(settings)
    if problems := service_problems(settings, components.keys):
        raise ServicesDown(settings.signature_level, problems)
    ctx = WorkContext.of(components)
    try:
        with ctx.registry.transaction() as ledger:
            job = ledger.jobs.job(job_id)
            if job.state not in OPEN_JOB_STATES:
                raise ApplicationError(f"job {job_id} is {job.state}: there is nothing to resume")
        return _run(ctx, job_id, progress or NoProgress())
    finally:
        ctx.close()


def _run(ctx: WorkContext, job_id: int, progress: Progress) -> IssueResult:
    """Run the job's unfinished units and close it, holding the job (JobBusy when another run does)."""
    with holding(ctx.registry, job_id):
        return _run_held(ctx, job_id, progress)


def _run_held(ctx: WorkContext, job_id: int, progress: Progress) -> IssueResult:
    with ctx.registry.transaction() as ledger:
        jobs = ledger.jobs
        out_dir = Path(jobs.job(job_id).out_dir)
        # An award is a certificate and two review-form copies; any other unit one document.
        documents = sum(3 if u.kind == AWARD_UNIT else 1 for u in jobs.units(job_id, UNFINISHED_UNIT_STATES))
    if ctx.settings.pipeline.broker_url:
        from titlecert.jobs.distributed import run_job_distributed  # Celery only when it is used

        tally = run_job_distributed(ctx, job_id, progress=progress)
    else:
        with open_converter(ctx.settings, documents=documents) as (converter, feeders):
            tally = run_job(
                ctx, job_id, out_dir=out_dir, converter=converter, feeders=feeders, progress=progress
            )
    progress.close(tally)
    return finish_job(ctx, job_id)


__all__ = [
    "IssueResult",
    "IssuedDocument",
    "Supersession",
    "issue_key",
    "issue_session",
    "read_manifest",
    "resume_job",
]
