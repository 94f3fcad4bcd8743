"""Continuing an unfinished job with a corrected session, instead of abandoning it.

After a fault (a bad photo, the TSA down) the operator corrects the session and runs the same
command. The corrected session is the job's own when it writes to the same output folder, with
the same re-issue option, and has the same **identity** (`plan.session_identity`): committee name
and 批准文号 (the approval is what the awards are issued under, and part of every award's key).
Such a job is continued:

- what is registered stays exactly as it is, so the correction must leave it alone: a registered
  award pins its applicant's row and the session-level facts (everything but the applicants),
  which its certificate, review forms and registry rows carry; a registered publicity table,
  results list or situation report pins what it prints (its template values rebuilt from both
  sessions must be equal);
- the job's awards were numbered from the vote: the applicants (their rows, in order) and who
  passes cannot change;
- every unregistered unit the correction touches is made again from the corrected session (an
  award keeps its numbers and QR token; a corrected ID number or title gives it a new award key,
  which must not be issued or being issued already);
- the corrected session and its photos go into the job's folder in the store beside the first
  (`session-<fingerprint>.json`), and the job's inputs and fingerprint point at them in the same
  transaction that resets the units and records the corrected applicants for the year
  (`titlecert.jobs.yearly`), so a run stopped in between leaves the job as it was.

Anything else is refused, naming the applicant or document and what to do, and the job is left
untouched. A session of another identity into the same folder abandons the job (`opening.open_job`).
"""

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from docgen.models import LoadedSession, ReviewSession
from docgen.outcomes import awarded
from docgen.workdays import WorkCalendar
from registry.db import Registry
from registry.jobs import JobRepository
from registry.ledger import Ledger
from registry.models import IssueUnit, UnitState
from titlecert.bootstrap import calendar_of
from titlecert.documents import Job, unit_job, unit_out_name
from titlecert.errors import ApplicationError
from titlecert.jobs import yearly
from titlecert.jobs.inputs import JobInputs, load_calendar, load_inputs, put_session
from titlecert.jobs.lease import holding
from titlecert.jobs.plan import JobPlan, Supersession, issue_key, session_identity
from titlecert.kinds import AWARD_UNIT
from titlecert.settings import Settings
from titlecert.store import DocumentStore


class CannotContinue(ApplicationError):
    """The corrected session changes what the job has registered, or what it was numbered from."""


def same_session_job(
    registry: Registry,
    store: DocumentStore,
    out: str,
    document: Mapping[str, Any],
    supersede: Supersession | None,
) -> int | None:
    """The unfinished job writing to `out` with the same re-issue option whose session has the
    identity of `document` (None: there is none)."""
    with registry.transaction() as ledger:
        for job in ledger.jobs.open_for_folder(out):
            if JobPlan.from_json(job.plan).supersede != supersede:
                continue
            try:
                stored = json.loads(store.get(job.inputs))
            except KeyError:  # its inputs are gone: it cannot be continued, it is abandoned
                continue
            if session_identity(stored) == session_identity(document):
                return job.id
    return None


def continue_job(
    settings: Settings,
    loaded: LoadedSession,
    inputs: JobInputs,
    job_id: int,
    fingerprint: str,
    *,
    registry: Registry,
    store: DocumentStore,
    secret: bytes,
) -> str:
    """Apply the corrected session to job `job_id`; returns the warning that says what is made
    again. Raises CannotContinue listing every correction that cannot be applied (the job is left
    as it was), JobBusy when another run works on the job."""
    with holding(registry, job_id), registry.transaction() as ledger:
        jobs = ledger.jobs
        job = jobs.job(job_id, lock=True)
        plan = JobPlan.from_json(job.plan)
        before = load_inputs(store, job.inputs, settings.jobs_cache)
        old: dict[str, Any] = json.loads(store.get(job.inputs))
        new = inputs.document
        _same_awards(loaded, before.session, job_id)
        calendar = load_calendar(store, job.inputs) or calendar_of(settings)
        facts = _changed(_facts(old), _facts(new))
        units = jobs.units(job_id)
        problems: list[str] = []
        remade: list[IssueUnit] = []
        registered = [u for u in units if u.kind == AWARD_UNIT and u.state == UnitState.REGISTERED]
        if facts and registered:
            numbers = ", ".join(u.certificate_no or "" for u in registered)
            problems.append(
                f"{loaded.source}: the correction changes the session's {', '.join(facts)}, which the "
                f"awards job {job_id} has registered carry ({numbers}): revert it and run the same command "
                f"to finish the job, then correct those certificates with `titlecert reissue`"
            )
        for unit in units:
            if unit.state == UnitState.ABANDONED:
                continue
            if unit.kind == AWARD_UNIT:
                assert unit.applicant is not None  # noqa: S101 - every award unit names its row
                changed = _changed(old["applicants"][unit.applicant], new["applicants"][unit.applicant])
                if not changed and not facts:
                    continue
                if unit.state == UnitState.REGISTERED:
                    if changed:
                        problems.append(_registered_award(loaded, unit, changed, job_id))
                    continue
                problems += _rekey(jobs, ledger, unit, loaded, secret, plan)
            else:
                printed = _printed(_documents(before, unit, calendar), _documents(loaded, unit, calendar))
                if not printed:
                    continue
                if unit.state == UnitState.REGISTERED:
                    problems.append(
                        f"{unit.label}: registered already by job {job_id}, and the correction changes what "
                        f"it prints ({', '.join(printed)}): revert that change and run the same command to "
                        f"finish the job"
                    )
                    continue
            remade.append(unit)
        if problems:
            raise CannotContinue(
                f"job {job_id} writing to {job.out_dir} cannot be continued with the corrected session:\n  "
                + "\n  ".join(problems)
            )
        now = dt.datetime.now(dt.UTC)
        if plan.supersede is None:  # a corrected ID number, name or route is recorded as corrected
            yearly.replace(ledger, loaded, secret, job_id, now=now)
        job.inputs = put_session(store, job_id, inputs, name=f"session-{fingerprint[:16]}.json")
        job.fingerprint, job.updated_at = fingerprint, now
        for unit in remade:
            _remake(unit, loaded, now)
        labels = ", ".join(u.label for u in remade[:10]) + (", …" if len(remade) > 10 else "")
        warning = (
            f"job {job_id} continued with the corrected session: {len(remade)} unit(s) made again "
            f"from it" + (f" ({labels})" if remade else "")
        )
        plan.warnings.append(warning)
        job.plan = plan.to_json()
        return warning


def _same_awards(loaded: LoadedSession, before: ReviewSession, job_id: int) -> None:
    """The job's awards were numbered from its applicants and vote: both must stay."""
    after = loaded.session
    if len(after.applicants) != len(before.applicants):
        raise CannotContinue(
            f"{loaded.source}: job {job_id} was opened with {len(before.applicants)} applicants, the "
            f"corrected session has {len(after.applicants)}: applicants cannot be added or removed by "
            f"continuing a job; revert to the job's applicants and run the same command to finish it, "
            f"then issue any new applicant from a session of their own into another folder"
        )
    moved = [
        f"applicants row {i + 1} ({a.name}) {'passes' if awarded(after, a) else 'no longer passes'}"
        for i, (a, b) in enumerate(zip(after.applicants, before.applicants, strict=True))
        if awarded(after, a) != awarded(before, b)
    ]
    if moved:
        raise CannotContinue(
            f"{loaded.source}: the correction changes who passes ({'; '.join(moved)}), and job {job_id} "
            f"numbered its awards from the vote as it was: revert it and run the same command to finish "
            f"the job; an award found wrong afterwards is revoked (`titlecert revoke`), a missing one issued "
            f"from a session of its own into another folder"
        )


def _facts(document: Mapping[str, Any]) -> dict[str, Any]:
    """The session-level facts: everything but the applicants."""
    return {k: v for k, v in document.items() if k != "applicants"}


def _changed(old: Any, new: Any, path: str = "") -> list[str]:
    """The fields that differ between two JSON values, named to the second level (`sitting.end`)."""
    if isinstance(old, dict) and isinstance(new, dict) and path.count(".") < 1:
        found = []
        for key in sorted(set(old) | set(new)):
            found += _changed(old.get(key), new.get(key), f"{path}.{key}" if path else key)
        return found
    return [] if old == new else [path or "value"]


def _registered_award(loaded: LoadedSession, unit: IssueUnit, changed: list[str], job_id: int) -> str:
    assert unit.applicant is not None  # noqa: S101
    a = loaded.session.applicants[unit.applicant]
    no = unit.certificate_no
    return (
        f"{loaded.source}: applicants row {unit.applicant + 1} ({a.name}): the correction changes "
        f"{', '.join(changed)}, but the award is registered already as {no} (job {job_id}): revert it and "
        f"run the same command to finish the job, then correct the certificate with `titlecert reissue {no} "
        f"--session CORRECTED.json --out DIR --reason …`"
    )


def _rekey(
    jobs: JobRepository,
    ledger: Ledger,
    unit: IssueUnit,
    loaded: LoadedSession,
    secret: bytes,
    plan: JobPlan,
) -> list[str]:
    """A corrected ID number or title is another award key: it must be neither issued nor being issued."""
    assert unit.applicant is not None  # noqa: S101
    a = loaded.session.applicants[unit.applicant]
    key = issue_key(secret, loaded.session, a)
    if key == unit.issue_key:
        return []
    label = f"{loaded.source}: applicants row {unit.applicant + 1} ({a.name})"
    existing = ledger.certificates.by_issue_key(key)
    if existing is not None and existing.certificate_no != (plan.supersede and plan.supersede.certificate_no):
        return [f"{label}: with the correction the award is one already issued as {existing.certificate_no}"]
    pending = jobs.open_unit_for_award(key)
    if pending is not None and pending.id != unit.id:
        return [
            f"{label}: with the correction the award is one job {pending.job_id} is issuing "
            f"as {pending.certificate_no}"
        ]
    unit.issue_key = key
    return []


def _documents(loaded: LoadedSession, unit: IssueUnit, calendar: WorkCalendar) -> list[Job]:
    return [unit_job(loaded, unit.kind, calendar, unit.applicant)]


def _printed(old: list[Job], new: list[Job]) -> list[str]:
    """What differs between the values two builds of a session document print (its output name
    and each template value), named."""
    found = []
    for a, b in zip(old, new, strict=True):
        if a.out_name != b.out_name:
            found.append("its name")
        for key in sorted(set(a.context) | set(b.context)):
            if _canonical(a.context.get(key)) != _canonical(b.context.get(key)):
                found.append(key)
    return found


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _remake(unit: IssueUnit, loaded: LoadedSession, now: dt.datetime) -> None:
    """Back to planned, its sealed PDFs forgotten, its label from the corrected session."""
    unit.state, unit.documents, unit.updated_at = UnitState.PLANNED.value, None, now
    if unit.applicant is not None:
        name = loaded.session.applicants[unit.applicant].name
        if unit.kind == AWARD_UNIT:
            unit.label = f"certificate {unit.certificate_no} ({name})"[:200]
        else:
            unit.label = unit_out_name(loaded, unit.kind, unit.applicant)[:200]
