"""A job as staff see it (the admin API and `titlecert jobs show`): states and counts, never secrets."""

import datetime as dt

from registry.chinatime import as_utc
from registry.models import IssueJob, IssueUnit, UnitState


def _iso(at: dt.datetime | None) -> str | None:
    if at is None:
        return None
    return as_utc(at).isoformat()


def job_json(
    job: IssueJob, counts: dict[str, int], units: list[IssueUnit] | None = None
) -> dict[str, object]:
    """The job, its units counted by state and, with `units`, each unit's state."""
    finished = counts[UnitState.REGISTERED] + counts[UnitState.FAILED] + counts[UnitState.ABANDONED]
    doc: dict[str, object] = {
        "id": job.id,
        "state": job.state,
        "out_dir": job.out_dir,
        "actor": job.actor,
        "error": job.error,
        "created_at": _iso(job.created_at),
        "updated_at": _iso(job.updated_at),
        "finished_at": _iso(job.finished_at),
        "total": sum(counts.values()),
        "done": finished,
        "runner": job.runner,
        "runner_seen": _iso(job.runner_seen),
        "units": counts,
    }
    if units is not None:
        doc["unit_list"] = [unit_json(u) for u in units]
    return doc


def unit_json(unit: IssueUnit) -> dict[str, object]:
    """One unit: what it makes, where it stands, why it last failed."""
    return {
        "seq": unit.seq,
        "kind": unit.kind,
        "label": unit.label,
        "state": unit.state,
        "certificate_no": unit.certificate_no,
        "form_no": unit.form_no,
        "attempts": unit.attempts,
        "error": unit.error,
        "updated_at": _iso(unit.updated_at),
    }
