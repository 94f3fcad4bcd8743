"""The clerk pages' list (with its Excel export) and sign-in, and their mounting on the app."""

import logging
from typing import Any

from flask import Flask, Response, redirect, render_template, request, url_for

from registry.chinatime import china_today
from titlecert.clerks import auth
from titlecert.clerks.accounts import authenticate
from titlecert.clerks.auth import ClerkServices, SignedIn, services
from titlecert.clerks.listing import UNSURE_NOTE, form_rows, workbook
from titlecert.clerks.views import COPY_LABELS, STATE_LABELS, bp
from verify.web.limits import Limited, limited

log = logging.getLogger(__name__)


@bp.get("/clerk/")
def listing() -> Any:
    clerk = auth.current()
    if clerk is None:
        return redirect(url_for("clerks.login", next=request.path))
    rows, args = _rows(clerk, with_state=False)
    overdue = sum(1 for r in rows if r.overdue)  # of the unit or session chosen, whatever their state
    rows = [r for r in rows if not args["state"] or r.has_copy_in(args["state"])]
    return render_template(
        "clerks/list.html",
        rows=rows,
        args=args,
        clerk=clerk,
        overdue=overdue,
        states=STATE_LABELS,
        copy_labels=COPY_LABELS,
        unsure_note=UNSURE_NOTE,
    )


def _rows(clerk: SignedIn, *, with_state: bool = True) -> tuple[list[Any], dict[str, str]]:
    args = {k: request.args.get(k, "").strip() for k in ("unit", "session", "state")}
    with services().registry.transaction() as ledger:
        book = ledger.paper
        forms = book.forms(
            sorted(clerk.units), session_ref=args["session"] or None, unit=args["unit"] or None
        )
        state = args["state"] if with_state else None
        return form_rows(book, forms, services().workdays, china_today(), state or None), args


@bp.get("/clerk/forms.xlsx")
def export() -> Any:
    clerk = auth.current()
    if clerk is None:
        return redirect(url_for("clerks.login", next=request.path))
    rows, _ = _rows(clerk)
    return Response(
        workbook(rows),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="review-forms.xlsx"'},
    )


@bp.route("/clerk/login", methods=["GET", "POST"])
@limited(Limited.LOOKUP)
def login() -> Any:
    """Sign-in; attempts draw on the scan pages' request limit (per client address)."""
    target = request.values.get("next", "")
    target = target if target.startswith(("/p/", "/clerk/")) else url_for("clerks.listing")
    if auth.current() is not None:
        return redirect(target, 303)
    if request.method == "GET":
        return render_template("clerks/login.html", next=target)
    with services().registry.transaction() as ledger:
        clerk = authenticate(ledger, request.form.get("username", "")[:100], request.form.get("password", ""))
        username = clerk.username if clerk else None
    if username is None:
        log.info("clerk sign-in refused")
        return render_template("clerks/login.html", next=target, failed=True), 401
    auth.sign_in(username)
    return redirect(target, 303)


@bp.post("/clerk/logout")
def logout() -> Any:
    auth.sign_out()
    return redirect(url_for("clerks.login"), 303)


def mount(app: Flask, services: ClerkServices) -> None:
    """Mount the clerk pages on the app (they use the verify site's languages and stylesheet)."""
    auth.configure(app, services)
    app.register_blueprint(bp)
