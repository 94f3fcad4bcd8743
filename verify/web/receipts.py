"""Verification receipts on the site: the download form a report or scan page carries, and
POST /receipt, which makes the PDF (VerifyServices.receipts: titlecert.receipts in the app).

The form carries what the page said signed with the app's key (itsdangerous, as Flask's own
session is), so a receipt states what this site said, never what a visitor posts; the signature
lasts an hour, then the page must be verified again. A report page signs its whole statement. A
scan page, seen far more often, signs only what rebuilds its statement: the certificate's number,
the moment, the receipt's number and a fingerprint of the view shown. POST /receipt reads the
certificate again and makes the receipt only if the view is still the one the page showed (else
400, as for a stale form): the receipt states exactly what the page said.
"""

import datetime as dt
import logging

from flask import Blueprint, Response, abort, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import ValidationError

from verify.certificates import lookup_number
from verify.errors import ReceiptUnavailable
from verify.registered import CertificateView
from verify.statement import Statement, new_number
from verify.web.limits import Limited, limited
from verify.web.services import current_services

log = logging.getLogger(__name__)
bp = Blueprint("receipts", __name__)

SALT = "titlecert.receipt-statement"
_SERIALIZER = "titlecert.receipt-serializer"
MAX_AGE_SECONDS = 3600
"""How long a page's download form stays good."""


def _serializer() -> URLSafeTimedSerializer:
    """The app's serializer, made once per key (making one costs as much as signing with it)."""
    key = current_app.secret_key or b""
    cached = current_app.extensions.get(_SERIALIZER)
    if cached is None or cached[0] != key:
        cached = current_app.extensions[_SERIALIZER] = (key, URLSafeTimedSerializer(key, salt=SALT))
    serializer: URLSafeTimedSerializer = cached[1]
    return serializer


def receipt_form_value(statement: Statement) -> str | None:
    """The signed statement a page's download form posts; None when the site makes no receipts."""
    if current_services().receipts is None:
        return None
    return _serializer().dumps(statement.model_dump(mode="json"))


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
LOOKUP = "lookup"
"""The first item of a scan page's signed value (a report page's is the statement, an object)."""


def lookup_receipt_form(view: CertificateView, at: dt.datetime) -> str | None:
    """What a scan page's download form posts: enough to rebuild `Statement.of_lookup(view, at)`;
    None when the site makes no receipts."""
    if current_services().receipts is None:
        return None
    micros = (at - _EPOCH) // _MICROSECOND
    return _serializer().dumps([LOOKUP, view.certificate_no, micros, new_number(at), view.fingerprint()])


def _statement(raw: object) -> Statement | None:
    """The statement a verified form value stands for; None when a scan page's certificate has
    changed since (or is gone)."""
    if not isinstance(raw, list):
        return Statement.model_validate(raw)
    kind, certificate_no, micros, number, fingerprint = raw
    if kind != LOOKUP:
        raise ValueError(kind)
    view = lookup_number(current_services().registry, str(certificate_no))
    if view is None or view.fingerprint() != fingerprint:
        log.info("receipt %s not made: the certificate changed since its page", number)
        return None
    at = _EPOCH + int(micros) * _MICROSECOND
    return Statement.of_lookup(view, at=at, number=str(number))


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
        statement = _statement(raw)
    except (BadSignature, ValidationError, ValueError, TypeError):
        abort(400)
    if statement is None:  # the page is stale: verify again for what the registry says now
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


__all__ = ["MAX_AGE_SECONDS", "bp", "download", "lookup_receipt_form", "receipt_form_value"]
