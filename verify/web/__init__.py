"""The public verify site and /api/v1: thin views over verify.service."""

import logging

from apiflask import APIFlask
from flask import Blueprint, Response, render_template, request

from verify.certificates import lookup_successor, lookup_token
from verify.committees import committee_list
from verify.service import verify_pdf
from verify.transparency import Channel
from verify.web import api, channels, forms, i18n, legacy, logs, problems, receipts, shares, transparency
from verify.web.labels import CASE_STYLES, ROLE_LABELS, STATUS_LABELS, VERDICT_LABELS
from verify.web.limits import Limited, limited
from verify.web.logs import token_ref
from verify.web.services import (
    EXTENSION,
    MAX_UPLOAD_BYTES,
    VerifyServices,
    current_services,
    note,
)
from verify.wording import Label

log = logging.getLogger(__name__)


def mount(app: APIFlask, services: VerifyServices) -> None:
    """Mount the site (its forms guarded as same-origin), the holder pages, /api/v1 (documented at
    /api/v1/openapi.json), problem+json errors, the access log and the security headers. The
    request limits are applied by the application once every feature is mounted
    (verify.web.limits.install)."""
    app.extensions[EXTENSION] = services
    app.config.setdefault("MAX_CONTENT_LENGTH", MAX_UPLOAD_BYTES)
    logs.install(app)  # first: its after-request function runs last, seeing the final response
    forms.install(app, services.session_secret)
    app.register_blueprint(bp)
    app.register_blueprint(channels.bp)
    app.register_blueprint(legacy.bp)
    forms.protect(app, channels.bp.name)
    app.register_blueprint(receipts.bp)
    forms.protect(app, receipts.bp.name)
    app.register_blueprint(transparency.bp)
    app.register_blueprint(shares.bp)
    i18n.init_app(app)
    api.install(app)
    problems.install(app)
    app.after_request(_security_headers)
    # The official domain, for the banner of every page (the clerk pages' too).
    app.context_processor(lambda: {"official_domain": services.verify_domain})


bp = Blueprint(
    "verify", __name__, template_folder="templates", static_folder="static", static_url_path="/static/verify"
)


_services = current_services

__all__ = [
    "EXTENSION",
    "MAX_UPLOAD_BYTES",
    "ROLE_LABELS",
    "STATUS_LABELS",
    "VERDICT_LABELS",
    "VerifyServices",
    "current_services",
    "mount",
    "note",
]


@bp.get("/v/<token>")
@limited(Limited.LOOKUP)
def scan_page(token: str) -> tuple[str, int]:
    """A certificate's registered content: the page its QR opens, and where the home page's number
    and verification code lead (`?via=code`, noted so)."""
    view = lookup_token(_services().registry, token)
    log.info("scan token=%s found=%s", token_ref(token), view is not None)
    if view is not None:
        typed = request.args.get("via") == channels.CODE_VIA
        note(Channel.CODE if typed else Channel.SCAN, view.certificate_no, view.status.value)
    return channels.scan_page(view, token)


@bp.get("/v/<token>/successor")
@limited(Limited.LOOKUP)
def successor_page(token: str) -> tuple[str, int]:
    """The certificate re-issued in place of the one `token` names (its registered content)."""
    view = lookup_successor(_services().registry, token)
    log.info("successor token=%s found=%s", token_ref(token), view is not None)
    if view is not None:
        note(Channel.SCAN, view.certificate_no, view.status.value)
    return channels.scan_page(view, token, successor=True)


@bp.get("/committees")
@limited(Limited.LOOKUP)
def committees_page() -> str:
    """The review committees, their mandates and seal certificates (docs/committees.md)."""
    listing = committee_list(_services().registry)
    return render_template("verify/committees.html", listing=listing, domain=_services().verify_domain)


@bp.get("/")
def home() -> str:
    return render_template("verify/home.html", domain=_services().verify_domain)


@bp.post("/verify")
@limited(Limited.UPLOAD)
def verify_form() -> tuple[str, int]:
    services = _services()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("verify/home.html", domain=services.verify_domain, missing=True), 400
    report = verify_pdf(
        upload.read(MAX_UPLOAD_BYTES + 1),
        name=upload.filename,
        trust=services.trust,
        registry=services.registry,
        analyser=services.analyser,
        revocation=services.revocation,
    )
    note(Channel.UPLOAD, report.certificate_no, report.verdict.value)
    return render_template(
        "verify/report.html",
        report=report,
        domain=services.verify_domain,
        styles=CASE_STYLES,
        label=Label,
        receipt_form=receipts.receipt_form_value(report.as_statement()),
    ), 200


def _security_headers(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    if request.is_secure:  # HTTPS to this server, or to a trusted proxy (TITLECERT_TRUSTED_PROXIES)
        response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return response
