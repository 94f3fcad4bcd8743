"""Opening an issuing job: one transaction that allocates every number and records the job, its
plan and one unit of work per award or session document; or finding the unfinished job of the
same command, to resume it, or the job of the same session, to continue it with corrected input.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from docgen.identifiers import certificate_number, new_token
from docgen.models import LoadedSession
from docgen.outcomes import not_issued_because
from registry import lifecycle
from registry.db import Registry
from registry.errors import NotFound
from registry.ledger import Ledger
from registry.models import IssueJob, IssueUnit, JobState, UnitState
from titlecert.documents import session_units, unit_out_name
from titlecert.errors import ReissueError
from titlecert.holder import new_holder_secret
from titlecert.jobs import yearly
from titlecert.jobs.continuation import continue_job, same_session_job
from titlecert.jobs.inputs import JobInputs, lock_secrets, save_inputs
from titlecert.jobs.plan import JobPlan, Supersession, issue_key
from titlecert.kinds import AWARD_UNIT
from titlecert.settings import Settings
from titlecert.store import DocumentStore


@dataclass(frozen=True)
class OpenedJob:
    """The job a command works on (None: nothing to issue), and what it skipped."""

    job_id: int | None
    plan: JobPlan | None
    skipped: list[str]
    warnings: list[str]
    resumed: bool = False


def open_job(
    settings: Settings,
    loaded: LoadedSession,
    inputs: JobInputs,
    out_dir: Path,
    *,
    registry: Registry,
    store: DocumentStore,
    secret: bytes,
    supersede: Supersession | None,
    today: dt.date,
) -> OpenedJob:
    """The unfinished job of this command (same session, photos, output folder and re-issue); else
    the unfinished job of the same session corrected, continued (`titlecert.jobs.continuation`;
    CannotContinue when the correction cannot be applied); else a new one, created in one
    transaction: an unfinished job writing to the same folder is abandoned (the applicants it
    registered nothing of given back), numbers are allocated, the job and its units recorded, every
    applicant recorded for the year (`titlecert.jobs.yearly`; InputError when another session of
    the year counted one meanwhile), its inputs put in the store.

    Raises ReissueError when a re-issue does not yield exactly one award, the registry's NotFound or
    Conflict when the certificate to replace is not in force.
    """
    out = str(out_dir.resolve())
    options = {"out": out, "supersede": [supersede.certificate_no, supersede.reason] if supersede else None}
    fingerprint = inputs.fingerprint(options)
    with registry.transaction() as ledger:
        found = ledger.jobs.open_by_fingerprint(fingerprint)
        if found is not None:
            plan = JobPlan.from_json(found.plan)
            return OpenedJob(found.id, plan, plan.skipped, plan.warnings, resumed=True)
    same = same_session_job(registry, store, out, inputs.document, supersede)
    if same is not None:  # the same session corrected: its job goes on
        try:
            continue_job(
                settings, loaded, inputs, same, fingerprint, registry=registry, store=store, secret=secret
            )
        except yearly.Raced:
            raise yearly.after_race(registry, loaded, secret) from None
        with registry.transaction() as ledger:
            plan = JobPlan.from_json(ledger.jobs.job(same).plan)
        return OpenedJob(same, plan, plan.skipped, plan.warnings, resumed=True)
    try:
        return _create(settings, loaded, inputs, out, fingerprint, registry, store, secret, supersede, today)
    except yearly.Raced:
        raise yearly.after_race(registry, loaded, secret) from None


def _create(
    settings: Settings,
    loaded: LoadedSession,
    inputs: JobInputs,
    out: str,
    fingerprint: str,
    registry: Registry,
    store: DocumentStore,
    secret: bytes,
    supersede: Supersession | None,
    today: dt.date,
) -> OpenedJob:
    """A new job, in one transaction (`open_job`)."""
    now = dt.datetime.now(dt.UTC)
    plan = JobPlan(
        today,
        settings.public_url,
        settings.licence_type_code,
        supersede is None,
        supersede,
        warnings=list(loaded.warnings),
    )
    with registry.transaction() as ledger:
        jobs = ledger.jobs
        for old in jobs.open_for_folder(out):
            gone = jobs.abandon(old, reason=f"replaced by a newer command writing to {out}", at=now)
            yearly.release_abandoned(ledger, old.id)
            lost = [u.certificate_no for u in gone if u.certificate_no]
            plan.warnings.append(
                f"unfinished job {old.id} writing to this folder was abandoned"
                + (f"; its unregistered numbers are skipped: {', '.join(lost)}" if lost else "")
            )
        units = _allocate(loaded, settings, ledger, secret, plan)
        awards = len(units)
        if supersede is not None and awards != 1:
            raise ReissueError(
                f"{loaded.source}: a re-issue needs exactly one passed applicant to issue, found {awards}"
                + "".join(f"; skipped {s}" for s in plan.skipped)
            )
        if not units:
            return OpenedJob(None, plan, plan.skipped, plan.warnings)
        if plan.session_documents:
            units += [
                _unit(kind, unit_out_name(loaded, kind, i), now, applicant=i)
                for kind, i in session_units(loaded)
            ]
        job = jobs.add(
            IssueJob(
                fingerprint=fingerprint,
                state=JobState.RUNNING.value,
                out_dir=out,
                inputs="",
                plan=plan.to_json(),
                actor=settings.actor,
                created_at=now,
                updated_at=now,
            ),
            units,
        )
        if supersede is None:  # a re-issue corrects an application already counted
            yearly.record(ledger, loaded, secret, job.id, now=now)
        job.inputs = save_inputs(store, job.id, inputs)
    return OpenedJob(job.id, plan, plan.skipped, plan.warnings)


def _unit(kind: str, label: str, now: dt.datetime, **values: object) -> IssueUnit:
    return IssueUnit(
        kind=kind, label=label[:200], state=UnitState.PLANNED.value, attempts=0, updated_at=now, **values
    )


def _allocate(
    loaded: LoadedSession, settings: Settings, ledger: Ledger, secret: bytes, plan: JobPlan
) -> list[IssueUnit]:
    """One unit per award to issue, with its numbers and secrets; why each other applicant is skipped
    goes to `plan.skipped`."""
    session, supersede = loaded.session, plan.supersede
    jobs = ledger.jobs
    units = []
    year = session.approval.date.year
    now = dt.datetime.now(dt.UTC)
    if supersede is not None:
        replaced = ledger.certificates.by_number(supersede.certificate_no)
        if replaced is None:
            raise NotFound(f"no certificate numbered {supersede.certificate_no}")
        lifecycle.require_in_force(replaced)
    for i, a in enumerate(session.applicants):
        label = f"{loaded.source}: applicants row {i + 1} ({a.name})"
        if (why := not_issued_because(session, a)) is not None:
            plan.skipped.append(f"{label}: {why}")
            continue
        key = issue_key(secret, session, a)
        existing = ledger.certificates.by_issue_key(key)
        if existing is not None and existing.certificate_no != (supersede and supersede.certificate_no):
            later = f" (superseded by {existing.superseded_by})" if existing.superseded_by else ""
            plan.skipped.append(f"{label}: already issued as {existing.certificate_no}{later}")
            continue
        pending = jobs.open_unit_for_award(key)
        if pending is not None:
            plan.skipped.append(
                f"{label}: being issued by job {pending.job_id} as {pending.certificate_no} "
                f"(titlecert jobs resume {pending.job_id})"
            )
            continue
        number = _next(ledger, settings.certificate_no_format, year)
        form_no = _next(ledger, "PS{year}{seq:06d}", year)
        secrets = {"token": new_token(), "holder": new_holder_secret()}
        units.append(
            _unit(
                AWARD_UNIT,
                f"certificate {number} ({a.name})",
                now,
                applicant=i,
                issue_key=key,
                certificate_no=number,
                form_no=form_no,
                secrets=lock_secrets(secret, secrets, bound_to=number),
            )
        )
    return units


def _next(ledger: Ledger, fmt: str, year: int) -> str:
    return certificate_number(
        fmt, year=year, seq=ledger.certificates.next_number(fmt.format(year=year, seq=0))
    )
