"""One application a year across sessions: "一个年度内通过正常申报渠道只能申报一次职称（“绿色通道”评定
未通过的除外）" (the notice, item 四(二)2; docs/domain.md, "One application a year").

The registry records every applicant of every session it issues, passed or not, by keyed hashes
only (`registry.applications`): `record` adds them in the transaction that creates the job (and
again, corrected, in the one that continues it), so nothing is recorded of a session no job
issues, and of two sessions racing only one commits. `check` runs before a job exists (`issue`'s
preflight, `titlecert check --services`): a normal-channel applicant already counted in the same
review year by another session is an error naming that session and the row here. Another session
is one of another identity (committee and 批准文号, as continuing a job has it): the same session
issued again, or corrected, is the same application. A job abandoned before it registered an
applicant's documents gives that applicant back (`release_abandoned`).

The same person is the same ID number. The same name, sex and birth date under another number
may be the same person under another ID document, or a namesake: a warning, except when both
numbers are of one type a person keeps for life (the GB 11643 numbers: resident ID, HMT residence
permit, 2023 permanent-resident ID), where two numbers are two people.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from docgen.errors import InputError
from docgen.findings import Findings
from docgen.identity import ID_TYPE_LABELS, IdType
from docgen.load import describe_findings
from docgen.models import ROUTE_LABELS, LoadedSession, Route
from docgen.outcomes import (
    OUTCOME_NAMES,
    Outcome,
    normal_channel,
    outcome,
    review_year,
    uses_the_years_application,
)
from registry.db import Registry
from registry.errors import Conflict, Unavailable
from registry.holders import holder_id_hmac, holder_person_hmac
from registry.ledger import Ledger
from registry.models import OPEN_JOB_STATES, UnitState, YearlyApplication
from titlecert.errors import ApplicationError
from titlecert.jobs.plan import session_identity

RULE = "一个年度内通过正常申报渠道只能申报一次职称（“绿色通道”评定未通过的除外）（通知第四(二)2项）"
LIFELONG = frozenset(
    {IdType.RESIDENT_ID, IdType.HMT_RESIDENCE_PERMIT, IdType.FOREIGN_PERMANENT_RESIDENT_2023}
)
"""ID types whose number a person keeps for life: two numbers of one of them are two people."""


@dataclass(frozen=True)
class AcrossSessions:
    """What `check` found: errors and warnings (each naming file, row and field), and how many
    applications of the review year the registry knew."""

    year: int
    recorded: int
    errors: list[str]
    warnings: list[str]


class Raced(ApplicationError):
    """Another session recorded the same person while this job was being created: nothing of it was."""


def check(registry: Registry, loaded: LoadedSession, secret: bytes, *, out: Path | None) -> AcrossSessions:
    """The session's applicants against every other session of the review year. With `out` (the
    folder `issue` writes to), the applications that issuing there gives back are not counted: those
    of the unfinished jobs writing there whose applicant has nothing registered, which opening the
    new job abandons. Raises Unavailable when the registry does not answer."""
    year = review_year(loaded.session)
    try:
        with registry.transaction() as ledger:
            given_back = _given_back(ledger, str(out.resolve())) if out is not None else set()
            findings = _findings(ledger, loaded, secret, given_back)
            recorded = ledger.applications.count(year)
    except Unavailable as e:
        raise Unavailable(f"one application a year across sessions cannot be checked: {e}") from e
    errors, warnings = describe_findings(loaded.source, findings)
    return AcrossSessions(year, recorded, errors, warnings)


def record(ledger: Ledger, loaded: LoadedSession, secret: bytes, job_id: int, *, now: dt.datetime) -> None:
    """In the transaction that creates (or continues) job `job_id`: refuse as `check` does
    (InputError; what else the transaction did is rolled back with it), then record each applicant
    this session has not recorded yet. Raises Raced when another transaction recorded one of them
    meanwhile (call `after_race`)."""
    ledger.applications.lock()
    errors, _ = describe_findings(loaded.source, _findings(ledger, loaded, secret, set()))
    if errors:
        raise InputError(errors, list(loaded.warnings))
    s = loaded.session
    identity = _identity(loaded)
    rows = _rows(loaded, secret, job_id, now)
    known = ledger.applications.of_people(review_year(s), {r.id_hmac for r in rows}, ())
    mine = {e.id_hmac for e in known if (e.committee, e.approval_no) == identity}
    try:
        ledger.applications.record([r for r in rows if r.id_hmac not in mine])
    except Conflict as e:
        raise Raced(str(e)) from e


def after_race(registry: Registry, loaded: LoadedSession, secret: bytes) -> Exception:
    """What to raise after Raced: the refusal naming the session that won, read anew."""
    found = check(registry, loaded, secret, out=None)
    if found.errors:
        return InputError(found.errors, [*loaded.warnings, *found.warnings])
    return ApplicationError(
        f"{loaded.source}: another session recorded some of these applicants at the same moment; "
        "nothing was issued: run the same command again"
    )


def replace(ledger: Ledger, loaded: LoadedSession, secret: bytes, job_id: int, *, now: dt.datetime) -> None:
    """Job `job_id` continued with a corrected session: its applications become the corrected ones."""
    ledger.applications.release(job_id)
    record(ledger, loaded, secret, job_id, now=now)


def release_abandoned(ledger: Ledger, job_id: int) -> None:
    """Job `job_id` is abandoned: give back the applicants it registered nothing of."""
    ledger.applications.release(job_id, keep=_registered_rows(ledger, job_id))


def _registered_rows(ledger: Ledger, job_id: int) -> set[int]:
    units = ledger.jobs.units(job_id, (UnitState.REGISTERED.value,))
    return {u.applicant for u in units if u.applicant is not None}


def _given_back(ledger: Ledger, out: str) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for job in ledger.jobs.open_for_folder(out):
        kept = _registered_rows(ledger, job.id)
        rows = ledger.applications.of_job(job.id)
        found |= {(job.id, e.applicant) for e in rows if e.applicant not in kept}
    return found


def _identity(loaded: LoadedSession) -> tuple[str, str]:
    return session_identity(
        loaded.session.model_dump(mode="json", include={"committee": {"name"}, "approval": {"document_no"}})
    )


def _rows(loaded: LoadedSession, secret: bytes, job_id: int, now: dt.datetime) -> list[YearlyApplication]:
    s = loaded.session
    committee, approval_no = _identity(loaded)
    return [
        YearlyApplication(
            year=review_year(s),
            id_hmac=holder_id_hmac(secret, a.id_number),
            person_hmac=holder_person_hmac(secret, a.name, a.sex.value, a.birth_date),
            normal_key=holder_id_hmac(secret, a.id_number) if normal_channel(a) else None,
            counts=uses_the_years_application(s, a),
            id_type=a.id_type.value,
            route=a.route.value,
            outcome=outcome(s, a).value,
            committee=committee,
            approval_no=approval_no,
            sitting_start=s.sitting.start,
            applicant=i,
            job_id=job_id,
            created_at=now,
        )
        for i, a in enumerate(s.applicants)
    ]


def _findings(
    ledger: Ledger, loaded: LoadedSession, secret: bytes, given_back: set[tuple[int, int]]
) -> Findings:
    """An error for each normal-channel applicant whose ID number another session of the year
    counted; a warning for one whose name, sex and birth date it counted under another number."""
    s = loaded.session
    year, identity = review_year(s), _identity(loaded)
    people = [
        (holder_id_hmac(secret, a.id_number), holder_person_hmac(secret, a.name, a.sex.value, a.birth_date))
        for a in s.applicants
    ]
    earlier = [
        e
        for e in ledger.applications.of_people(year, {p[0] for p in people}, {p[1] for p in people})
        if e.counts and (e.committee, e.approval_no) != identity and (e.job_id, e.applicant) not in given_back
    ]
    out = Findings()
    for i, (a, (id_hmac, person_hmac)) in enumerate(zip(s.applicants, people, strict=True)):
        if not normal_channel(a):
            continue  # the rule limits normal-channel applications; a green-channel one is not one
        same = next((e for e in earlier if e.id_hmac == id_hmac), None)
        if same is not None:
            out.error(("applicants", i, "id_number"), _refusal(ledger, year, same))
            continue
        two_people = {a.id_type.value} if a.id_type in LIFELONG else set()
        namesake = next(
            (e for e in earlier if e.person_hmac == person_hmac and e.id_type not in two_people), None
        )
        if namesake is not None:
            out.warn(("applicants", i), _maybe_the_same(year, namesake))
    return out


def _refusal(ledger: Ledger, year: int, e: YearlyApplication) -> str:
    green = e.route == Route.GREEN_CHANNEL.value
    how = "已经“绿色通道”评定通过" if green else "已通过正常申报渠道申报过一次职称"
    message = (
        f"同一证件号码本年度（{year}年）{how}：{_session(e)}。{RULE}，"
        "本评审会的此项申报不能签发（请从本文件删除该申报人）；"
        "如两份文件是同一评审会的同一批材料，其评委会名称和批准文号须一致"
    )
    job = ledger.jobs.job(e.job_id)
    if job.state in OPEN_JOB_STATES and e.applicant not in _registered_rows(ledger, job.id):
        message += (
            f"；签发任务 {job.id} 尚未完成（输出文件夹 {job.out_dir}）：如它签发的是本评审会材料的错误版本，"
            "请把更正后的文件签发到同一文件夹：该任务即被放弃，它未签发的申报人不再计入本年度"
        )
    return message


def _maybe_the_same(year: int, e: YearlyApplication) -> str:
    return (
        f"同名、同性别、同出生日期的申报人本年度（{year}年）已以另一证件（{_id_type(e.id_type)}）申报：{_session(e)}。"
        f"如为同一人以不同证件申报，{RULE}，请勿签发；如为同名同生日的另一人，可忽略此提示"
    )


def _session(e: YearlyApplication) -> str:
    route = ROUTE_LABELS[Route(e.route)] if e.route in set(Route) else e.route
    return (
        f"{e.committee} {e.sitting_start.isoformat()} 评审会（批准文号 {e.approval_no}，签发任务 {e.job_id}，"
        f"申报人第 {e.applicant + 1} 行，{route}，{_outcome(e.outcome)}）"
    )


def _outcome(value: str) -> str:
    return OUTCOME_NAMES[Outcome(value)] if value in set(Outcome) else value


def _id_type(value: str) -> str:
    return ID_TYPE_LABELS[IdType(value)] if value in set(IdType) else value


__all__ = ["AcrossSessions", "Raced", "after_race", "check", "record", "release_abandoned", "replace"]
