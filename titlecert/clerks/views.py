"""The clerk pages: /p/<code> for a scanned page, the list, and the records on each copy."""

import datetime as dt
import logging
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response as BaseResponse

from registry.chinatime import china_today, parse_when
from registry.errors import RegistryError, Unavailable
from registry.models import DocumentRecord
from registry.paper import CopyState, EventKind, PaperCopy
from titlecert.clerks import auth, records
from titlecert.clerks.auth import SignedIn, services
from titlecert.clerks.codes import code_of, parse_code
from titlecert.clerks.records import DateRefused, IncompleteFiling, missing_boxes
from titlecert.errors import StoreError
from verify.service import verify_pdf
from verify.web.labels import VERDICT_LABELS
from verify.web.limits import Limited, limited

log = logging.getLogger(__name__)
bp = Blueprint("clerks", __name__, template_folder="templates")

STATE_LABELS = {
    CopyState.AWAITING_STAMPS: _l("待盖章"),
    CopyState.STAMPED: _l("已盖章"),
    CopyState.FILED: _l("已归档"),
    CopyState.VOID: _l("已作废"),
}
COPY_LABELS = {"personnel-file": _l("人事档案"), "unit-archive": _l("单位文书档案")}
KIND_LABELS = {
    EventKind.STAMPED: _l("盖章"),
    EventKind.FILED: _l("归档"),
    EventKind.LOST: _l("遗失（申请补发）"),
    EventKind.CORRECTION: _l("更正"),
}


@bp.errorhandler(CSRFError)
def _csrf_failed(_error: CSRFError) -> tuple[str, int]:
    return render_template("clerks/message.html", status=400), 400


def _refuse() -> tuple[str, int]:
    return render_template("clerks/message.html", status=403), 403


def _copy_view(copy_id: int, clerk: SignedIn | None, page: int | None) -> dict[str, Any] | None:
    """What the copy's page shows (None: no such copy); `clerk_ok` says whether the clerk may see
    the boxes and record."""
    with services().registry.transaction() as ledger:
        book = ledger.paper
        copy = book.copy(copy_id)
        if copy is None:
            return None
        form = book.form(copy.form_no)
        certificate = ledger.certificates.by_number(form.certificate_no) if form else None
        if form is None or certificate is None:
            return None
        state = book.state(copy)
        boxes = book.boxes(copy.form_no)
        copies = book.copies(copy.form_no)
        document = ledger.certificates.document(copy.document_id)
        replacement = next((c for c in copies if c.replaces_id == copy.id), None)
        replacement_url = (
            url_for("clerks.page_code", code=code_of(replacement.form_no, replacement.label, page or 1))
            if replacement is not None
            else None
        )
        return {
            "copy": copy,
            "form": form,
            "state": state,
            "boxes": boxes,
            "unstamped": missing_boxes(boxes, set(state.stamps)),
            "page": page,
            "copies": copies,
            "events": book.events(copy.id),
            "certificate_status": certificate.status,
            "replacement": replacement,
            "replacement_url": replacement_url,
            "document": document,
            "clerk": clerk,
            "clerk_ok": clerk is not None and form.unit_code in clerk.units,
        }


def _render(view: dict[str, Any], status: int = 200, **extra: Any) -> tuple[str, int]:
    return render_template(
        "clerks/copy.html",
        **view,
        **extra,
        states=STATE_LABELS,
        copy_labels=COPY_LABELS,
        kinds=KIND_LABELS,
        verdicts=VERDICT_LABELS,
        today=china_today(),
    ), status


@bp.get("/p/<code>")
@limited(Limited.LOOKUP)
def page_code(code: str) -> tuple[str, int]:
    """A scanned page: anyone learns whether it is a genuine page in force; its unit's clerks see
    the boxes and record. Malformed and unknown codes get the same 404."""
    ref = parse_code(code)
    if ref is None:
        abort(404)
    with services().registry.transaction() as ledger:
        copy = ledger.paper.copy_by_label(ref.form_no, ref.label)
        copy_id = copy.id if copy is not None and ref.page <= copy.pages else None
    view = _copy_view(copy_id, auth.current(), ref.page) if copy_id is not None else None
    if view is None:
        abort(404)
    if view["clerk"] is not None and not view["clerk_ok"]:
        return _render(view, 403)
    return _render(view, report=_report(view) if view["clerk_ok"] else None)


def _report(view: dict[str, Any], at: dt.datetime | None = None) -> Any:
    """The stored copy verified (as of `at`): its seals and registry status."""
    document: DocumentRecord = view["document"]
    s = services()
    try:
        data = s.store.get(document.storage_key) if document.storage_key else None
    except (KeyError, StoreError) as e:  # shown as "no stored copy to verify"; the operator reads why
        log.warning("stored copy %s unavailable: %s", document.storage_key, e)
        data = None
    if data is None:
        return None
    name = document.storage_key or document.number
    return verify_pdf(data, name=name, trust=s.trust, registry=s.registry, analyser=s.analyser, at=at)


def _guarded(copy_id: int) -> tuple[SignedIn, dict[str, Any]] | tuple[str, int] | BaseResponse:
    clerk = auth.current()
    if clerk is None:
        return redirect(url_for("clerks.login", next=request.path))
    view = _copy_view(copy_id, clerk, None)
    if view is None:
        abort(404)
    if not view["clerk_ok"]:
        return _refuse()
    return clerk, view


@bp.get("/clerk/copies/<int:copy_id>")
def copy_page(copy_id: int) -> Any:
    guarded = _guarded(copy_id)
    if not isinstance(guarded, tuple) or not isinstance(guarded[0], SignedIn):
        return guarded
    _, view = guarded
    at_text = request.args.get("at", "").strip()
    try:
        at = parse_when(at_text) if at_text else None
    except ValueError:
        return _render(view, 400, report=None, at_error=True, at_text=at_text)
    return _render(view, report=_report(view, at), at_text=at_text)


@bp.get("/clerk/copies/<int:copy_id>/pdf")
def copy_pdf(copy_id: int) -> Any:
    guarded = _guarded(copy_id)
    if not isinstance(guarded, tuple) or not isinstance(guarded[0], SignedIn):
        return guarded
    document: DocumentRecord = guarded[1]["document"]
    copy: PaperCopy = guarded[1]["copy"]
    try:
        data = services().store.get(document.storage_key or "")
    except (KeyError, StoreError) as e:
        log.warning("stored copy %s unavailable: %s", document.storage_key, e)
        abort(404)
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{copy.form_no}-{copy.label}.pdf"'},
    )


def _date(name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        return china_today()


@bp.post("/clerk/copies/<int:copy_id>/<action>")
def record(copy_id: int, action: str) -> Any:
    """stamp, file, lost (void, a replacement requested) or correct: each one new record, in the
    audit log too. Nothing is sealed here: the web site holds no seal keys."""
    guarded = _guarded(copy_id)
    if not isinstance(guarded, tuple) or not isinstance(guarded[0], SignedIn):
        return guarded
    clerk, view = guarded
    form, s = request.form, services()
    on = _date("on")
    try:
        if action == "stamp":
            body = form.get("body", "").strip()[:200]
            if not body:
                return _render(view, 400, report=None, missing="body")
            records.record(
                s.registry,
                copy_id,
                EventKind.STAMPED,
                actor=clerk.actor,
                on=on,
                box=int(form.get("box", "0") or 0),
                body=body,
                note=form.get("note", "")[:500],
            )
        elif action == "file":
            place = form.get("place", "").strip()[:200]
            if not place:
                return _render(view, 400, report=None, missing="place")
            records.record(
                s.registry,
                copy_id,
                EventKind.FILED,
                actor=clerk.actor,
                on=on,
                body=place,
                note=form.get("note", "")[:500],
                incomplete_reason=form.get("incomplete_reason", "")[:500] if form.get("incomplete") else "",
            )
        elif action == "correct":
            records.record(
                s.registry,
                copy_id,
                EventKind.CORRECTION,
                actor=clerk.actor,
                on=on,
                corrects=int(form.get("event", "0") or 0),
                note=form.get("note", "")[:500],
            )
        elif action == "lost":  # void at once; the committee office issues the replacement
            records.record(
                s.registry,
                copy_id,
                EventKind.LOST,
                actor=clerk.actor,
                on=on,
                note=form.get("note", "")[:500] or "遗失",
            )
        else:
            abort(404)
    except IncompleteFiling:
        return _render(view, 409, report=None, unconfirmed=True)
    except DateRefused as e:
        return _render(view, 400, report=None, date_refused=e)
    except Unavailable:
        raise  # the site's 503, not a refusal of the record
    except (RegistryError, ValueError) as e:
        log.info("clerk %s: %s on copy %s refused: %s", clerk.username, action, copy_id, e)
        return _render(view, 409, report=None, refused=True)
    back = request.form.get("back", "")
    target = back if back.startswith("/p/") else url_for("clerks.copy_page", copy_id=copy_id)
    return redirect(target, 303)
