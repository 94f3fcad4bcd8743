"""Verification receipts on the site: the download form a report or scan page carries, and
POST /receipt, which makes the PDF (VerifyServices.receipts: titlecert.receipts in the app).

The form carries the page's statement signed with the app's key (itsdangerous, as Flask's own
session is), so a receipt states what this site said, never what a visitor posts; the signature
lasts an hour, then the page must be verified again.
"""

import logging

from flask import Blueprint, Response, abort, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import ValidationError

from verify.errors import ReceiptUnavailable
from verify.statement import Statement
from verify.web.limits import Limited, limited
from verify.web.services import current_services

log = logging.getLogger(__name__)
bp = Blueprint("receipts", __name__)

SALT = "titlecert.receipt-statement"
MAX_AGE_SECONDS = 3600
"""How long a page's download form stays good."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or b"", salt=SALT)


def receipt_form_value(statement: Statement) -> str | None:
    """The signed statement a page's download form posts; None when the site makes no receipts."""
    if current_services().receipts is None:
        return None
    return _serializer().dumps(statement.model_dump(mode="json"))


@bp.post("/receipt")
@limited(Limited.RECEIPT)
def download() -> Response:
    """The sealed receipt of the statement the form carries: 400 for one that is forged or
    expired, 503 while receipts cannot be made."""
    make = current_services().receipts
    if make is None:
        abort(404)
    try:
        raw = _serializer().loads(request.form.get("statement", ""), max_age=MAX_AGE_SECONDS)
        statement = Statement.model_validate(raw)
    except (BadSignature, ValidationError):
        abort(400)
    try:
        pdf = make(statement)
    except ReceiptUnavailable as e:
        log.error("receipt %s not made: %s", statement.number, e)
        abort(503)
    log.info("receipt %s made (%s, %s)", statement.number, statement.via.value, statement.outcome.value)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="receipt-{statement.number}.pdf"'},
    )


__all__ = ["MAX_AGE_SECONDS", "bp", "download", "receipt_form_value"]
