"""Verifying without a camera: the home page's forms (a certificate's number with its verification
code; a review-form page code) and the scan page's match form. Plain HTML forms, no script (the
pages' policy forbids it), every POST guarded as same-origin (verify.web.forms).

- POST /code: the number and the code → 303 to the certificate's scan page, or one neutral 404
  for any mismatch (never which of the two was wrong). Counted like scan pages (Limited.LOOKUP).
- POST /page-code: a page code as typed → 303 to its /p/ page, which looks it up (and is limited)
  where it always was, in titlecert.clerks; a code not even of a page code's shape is a 404 here.
- POST /v/<token>/match: the API's match check (verify.web.services.match_and_note: the same rules,
  limits and note for the holder) answered on the scan page, 一致 or 不一致.
"""

import datetime as dt
import hmac
import logging
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response

from verify.certificates import lookup_token
from verify.errors import MatchUnavailable
from verify.match import MatchQuery
from verify.registered import CertificateView
from verify.typed import normalise_certificate_no, normalise_page_code, normalise_token
from verify.web.labels import STATUS_LABELS
from verify.web.limits import Limited, limited
from verify.web.logs import token_ref
from verify.web.receipts import lookup_receipt_form
from verify.web.schemas import MatchRequest
from verify.web.services import current_services, match_and_note

log = logging.getLogger(__name__)
bp = Blueprint("channels", __name__)

CODE_VIA = "code"
"""The scan page's `via` when the home page's number and code led there (noted as Channel.CODE)."""


def scan_page(view: CertificateView | None, token: str, status: int = 200, **extra: Any) -> tuple[str, int]:
    """The scan page of `view` (the not-found page for None, as a 404), with the download form of
    its receipt."""
    now = dt.datetime.now(dt.UTC)
    html = render_template(
        "verify/scan.html",
        view=view,
        labels=STATUS_LABELS,
        domain=current_services().verify_domain,
        token=token,
        checked_at=now,
        receipt_form=lookup_receipt_form(view, now) if view is not None else None,
        **extra,
    )
    return html, (status if view is not None else 404)


def _home(status: int, **extra: Any) -> tuple[str, int]:
    return render_template("verify/home.html", domain=current_services().verify_domain, **extra), status


@bp.post("/code")
@limited(Limited.LOOKUP)
def by_code() -> tuple[str, int] | Response:
    token = normalise_token(request.form.get("code", ""))
    number = normalise_certificate_no(request.form.get("certificate_no", ""))
    view = lookup_token(current_services().registry, token) if token else None
    found = view is not None and hmac.compare_digest(
        number.encode(), normalise_certificate_no(view.certificate_no).encode()
    )
    log.info("code lookup token=%s found=%s", token_ref(token or ""), found)
    if token is None or not found:
        return _home(404, code_not_found=True)
    # The scan page notes the verification (via=code), as the holder sees it: once, as typed.
    return redirect(url_for("verify.scan_page", token=token, via=CODE_VIA), 303)


@bp.post("/page-code")
def by_page_code() -> tuple[str, int] | Response:
    code = normalise_page_code(request.form.get("page_code", ""))
    if code is None:
        return _home(404, page_code_not_found=True)
    return redirect(f"/p/{code}", 303)  # the URL the page's own QR encodes


@bp.post("/v/<token>/match")
@limited(Limited.MATCH)
def match_form(token: str) -> tuple[str, int]:
    view = lookup_token(current_services().registry, token)
    if view is None:
        return scan_page(None, token)
    given = {k: v for k in ("name", "id_number") if (v := request.form.get(k, "").strip())}
    try:
        query = MatchRequest.model_validate(given)  # the API's rules: one or both, not too long
    except ValidationError:
        return scan_page(view, token, 400, match_invalid=True)
    try:
        answer = match_and_note(token, MatchQuery(query.name, query.id_number), via="page")
    except MatchUnavailable:
        return scan_page(view, token, 409, match_unavailable=True)
    if answer is None:  # removed from the registry since the lookup above
        return scan_page(None, token)
    return scan_page(view, token, match=answer)


__all__ = ["CODE_VIA", "bp", "scan_page"]
