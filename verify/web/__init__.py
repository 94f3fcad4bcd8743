"""The public verify site and /api/v1: thin views over verify.service."""

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l

from registry.db import Registry
from signing.trust import TrustSettings
from verify.checks import Analyser
from verify.sandbox import IsolatedAnalyser
from verify.service import lookup_successor, lookup_token, verify_pdf
from verify.transparency import Channel, note_verification
from verify.web import i18n

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
EXTENSION = "titlecert.verify"

STATUS_LABELS = {
    "valid": _l("有效"),
    "revoked": _l("已撤销"),
    "superseded": _l("已被新证书替代"),
    "unknown": _l("未找到"),
}


@dataclass(frozen=True)
class VerifyServices:
    """What the views need, attached to the app by the application's factory."""

    trust: TrustSettings
    registry: Registry
    verify_domain: str
    """The official domain, shown on every page."""
    analyser: Analyser = field(default_factory=IsolatedAnalyser)
    """How uploads are parsed: in an isolated, resource-limited worker by default."""


def init_app(app: Flask, services: VerifyServices) -> None:
    """Mount the verify blueprint with its services and security headers."""
    app.extensions[EXTENSION] = services
    app.config.setdefault("MAX_CONTENT_LENGTH", MAX_UPLOAD_BYTES)
    app.register_blueprint(bp)
    i18n.init_app(app)
    app.after_request(_security_headers)
    app.register_error_handler(404, lambda e: _error(404, "Not Found", "No certificate matches this code."))
    app.register_error_handler(
        413,
        lambda e: _error(
            413, "Content Too Large", f"Uploads are limited to {MAX_UPLOAD_BYTES // 2**20} MiB."
        ),
    )
    app.register_error_handler(
        405, lambda e: _error(405, "Method Not Allowed", "This URL does not accept that method.")
    )


bp = Blueprint(
    "verify", __name__, template_folder="templates", static_folder="static", static_url_path="/static/verify"
)


def _services() -> VerifyServices:
    services: VerifyServices = current_app.extensions[EXTENSION]
    return services


def _token_ref(token: str) -> str:
    """What logs see of a token: a short hash, never the capability itself."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()[:12]


@bp.get("/v/<token>")
def scan_page(token: str) -> tuple[str, int]:
    services = _services()
    view = lookup_token(services.registry, token)
    log.info("scan token=%s found=%s", _token_ref(token), view is not None)
    if view is not None:
        _note(Channel.SCAN, view.certificate_no, view.status.value)
    return render_template(
        "verify/scan.html", view=view, labels=STATUS_LABELS, domain=services.verify_domain,
        token=token, checked_at=dt.datetime.now(dt.UTC),
    ), (200 if view else 404)  # fmt: skip


@bp.get("/v/<token>/successor")
def successor_page(token: str) -> tuple[str, int]:
    """The certificate re-issued in place of the one `token` names (its registered content)."""
    services = _services()
    view = lookup_successor(services.registry, token)
    log.info("successor token=%s found=%s", _token_ref(token), view is not None)
    if view is not None:
        _note(Channel.SCAN, view.certificate_no, view.status.value)
    return render_template(
        "verify/scan.html", view=view, labels=STATUS_LABELS, domain=services.verify_domain,
        token=token, checked_at=dt.datetime.now(dt.UTC), successor=True,
    ), (200 if view else 404)  # fmt: skip


@bp.get("/api/v1/certificates/<token>")
def certificate_api(token: str) -> Response | tuple[Response, int]:
    view = lookup_token(_services().registry, token)
    log.info("api lookup token=%s found=%s", _token_ref(token), view is not None)
    if view is None:
        return _problem(404, "Not Found", "No certificate matches this code.")
    _note(Channel.API, view.certificate_no, view.status.value)
    return jsonify(view.to_json())


@bp.post("/api/v1/verify")
def verify_api() -> Response | tuple[Response, int]:
    upload = request.files.get("file")
    if upload is None:
        return _problem(400, "Bad Request", "Send the PDF as a multipart form field named 'file'.")
    services = _services()
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    report = verify_pdf(
        data,
        name=upload.filename or "upload.pdf",
        trust=services.trust,
        registry=services.registry,
        analyser=services.analyser,
    )
    _note(Channel.UPLOAD, report.certificate_no, report.verdict.value)
    return jsonify(report.to_json())


@bp.get("/")
def home() -> str:
    return render_template("verify/home.html", domain=_services().verify_domain)


VERDICT_LABELS = {
    "valid": _l("有效"),
    "invalid": _l("无效"),
    "modified": _l("已被修改"),
    "indeterminate": _l("无法确认"),
    "malformed": _l("无法识别"),
}
ROLE_LABELS = {"committee": _l("评委会"), "authority": _l("核准机构")}


@bp.post("/verify")
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
    )
    _note(Channel.UPLOAD, report.certificate_no, report.verdict.value)
    return render_template(
        "verify/report.html",
        report=report,
        domain=services.verify_domain,
        verdicts=VERDICT_LABELS,
        labels=STATUS_LABELS,
        roles=ROLE_LABELS,
    ), 200


def _note(channel: Channel, certificate_no: str | None, verdict: str) -> None:
    """Note a verification of a registered certificate for its holder (never fails the request)."""
    if certificate_no:
        agent = request.headers.get("User-Agent")
        note_verification(_services().registry, certificate_no, channel=channel, verdict=verdict,
                          address=request.remote_addr, user_agent=agent)  # fmt: skip


def _error(status: int, title: str, detail: str) -> tuple[Response, int] | tuple[str, int]:
    """problem+json for the API, a page in the reader's language for everything else."""
    if request.path.startswith("/api/"):
        return _problem(status, title, detail)
    return render_template(
        "verify/error.html", status=status, domain=_services().verify_domain,
        limit_mib=MAX_UPLOAD_BYTES // 2**20,
    ), status  # fmt: skip


def _problem(status: int, title: str, detail: str) -> tuple[Response, int]:
    """An RFC 9457 problem+json response."""
    response = jsonify({"type": "about:blank", "title": title, "status": status, "detail": detail})
    response.mimetype = "application/problem+json"
    return response, status


def _security_headers(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return response
