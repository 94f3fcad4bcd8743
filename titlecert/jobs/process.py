"""One unit of work start to end in this process, as a queue worker runs it: made, converted,
sealed and registered, or registered from its stored PDFs when it was sealed already.
"""

from registry.models import UnitState
from titlecert.jobs.convert import Converter
from titlecert.jobs.register import StaleSeal, register_unit
from titlecert.jobs.work import (
    WorkContext,
    fail_unit,
    finish_specs,
    load_unit,
    record_sealed,
    render,
    reset_unit,
)
from titlecert.sealing import finish_in_process


def process_unit(ctx: WorkContext, converter: Converter, unit_id: int) -> str:
    """Make, seal and register one unit in this process; returns its state afterwards (registered,
    failed or abandoned). Safe to run again, and by any worker: what is done is not redone.

    A failing document marks the unit failed with its name and the reason; registry and store
    errors are raised (the unit stays as it was, to be retried).
    """
    work = load_unit(ctx, unit_id)
    if work.state in (UnitState.REGISTERED, UnitState.ABANDONED):
        return work.state
    if work.sealed:
        try:
            register_unit(ctx, unit_id)
            return UnitState.REGISTERED.value
        except StaleSeal:
            reset_unit(ctx, unit_id)
    try:
        docx = render(work)
        pdfs = [
            converter.convert(f"u{unit_id}-{job.stem}", d)
            for job, d in zip(work.documents, docx, strict=True)
        ]
        finished = finish_in_process(ctx.settings, finish_specs(work), pdfs)
    except Exception as e:  # the unit fails, named; the others go on
        fail_unit(ctx, unit_id, str(e))
        return UnitState.FAILED.value
    register_unit(ctx, unit_id, record_sealed(ctx, work, finished))
    return UnitState.REGISTERED.value
