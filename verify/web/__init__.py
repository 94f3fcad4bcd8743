"""The public verify site and /api/v1: thin views over verify.service."""

import datetime as dt
import logging
from dataclasses import dataclass, field

from apiflask import APIFlask
from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import lazy_gettext as _l

from registry.db import Registry
from signing.trust import TrustSettings
from verify.checks import Analyser
from verify.sandbox import IsolatedAnalyser
from verify.service import lookup_successor, lookup_token, verify_pdf
from verify.transparency import Channel, note_verification
from verify.web import i18n
from verify.web.limits import Limited, RateLimits, limited
from verify.web.logs import token_ref

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
    id_key: bytes | None = None
    """The instance secret keying holder ID hashes, for the match check (None: ID checks answer 409)."""
    limits: RateLimits = field(default_factory=RateLimits)
    """The request limits and where their counters live."""


def init_app(app: APIFlask, services: VerifyServices) -> None:
    """Mount the site, /api/v1 (documented at /api/v1/openapi.json), problem+json errors, the
    request limits, the access log and the security headers."""
    from verify.web import api, limits, logs, problems  # they use this module's names

    app.extensions[EXTENSION] = services
    app.config.setdefault("MAX_CONTENT_LENGTH", MAX_UPLOAD_BYTES)
    logs.install(app)  # first: its after-request function runs last, seeing the final response
    app.register_blueprint(bp)
    i18n.init_app(app)
    api.install(app)
    problems.install(app)
    limits.install(app, services.limits)
    app.after_request(_security_headers)


bp = Blueprint(
    "verify", __name__, template_folder="templates", static_folder="static", static_url_path="/static/verify"
)


def current_services() -> VerifyServices:
    """The services of the app handling the request."""
    services: VerifyServices = current_app.extensions[EXTENSION]
    return services


_services = current_services


@bp.get("/v/<token>")
@limited(Limited.LOOKUP)
def scan_page(token: str) -> tuple[str, int]:
    services = _services()
    view = lookup_token(services.registry, token)
    log.info("scan token=%s found=%s", token_ref(token), view is not None)
    if view is not None:
        note(Channel.SCAN, view.certificate_no, view.status.value)
    return render_template(
        "verify/scan.html",
        view=view,
        labels=STATUS_LABELS,
        domain=services.verify_domain,
        token=token,
        checked_at=dt.datetime.now(dt.UTC),
    ), (200 if view else 404)


@bp.get("/v/<token>/successor")
@limited(Limited.LOOKUP)
def successor_page(token: str) -> tuple[str, int]:
    """The certificate re-issued in place of the one `token` names (its registered content)."""
    services = _services()
    view = lookup_successor(services.registry, token)
    log.info("successor token=%s found=%s", token_ref(token), view is not None)
    if view is not None:
        note(Channel.SCAN, view.certificate_no, view.status.value)
    return render_template(
        "verify/scan.html",
        view=view,
        labels=STATUS_LABELS,
        domain=services.verify_domain,
        token=token,
        checked_at=dt.datetime.now(dt.UTC),
        successor=True,
    ), (200 if view else 404)


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
    )
    note(Channel.UPLOAD, report.certificate_no, report.verdict.value)
    return render_template(
        "verify/report.html",
        report=report,
        domain=services.verify_domain,
        verdicts=VERDICT_LABELS,
        labels=STATUS_LABELS,
        roles=ROLE_LABELS,
    ), 200


def note(channel: Channel, certificate_no: str | None, verdict: str) -> None:
    """Note a verification of a registered certificate for its holder (never fails the request)."""
    if certificate_no:
        agent = request.headers.get("User-Agent")
        note_verification(
            current_services().registry,
            certificate_no,
            channel=channel,
            verdict=verdict,
            address=request.remote_addr,
            user_agent=agent,
        )


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
