"""The holder's page: their certificate and who verified it. Thin views over
verify.transparency, mounted beside the verify blueprint, whose services (registry, domain) and
security headers they share.

- GET /h/<secret>: the holder's page (Chinese or English like every page, no JavaScript).
- GET /api/v1/holder/<secret>: the same as JSON.

Unknown and malformed secrets get the same 404 as an unknown QR token.
"""

from flask import Blueprint, Response, abort, current_app, jsonify, render_template
from flask_babel import lazy_gettext as _l

from verify.transparency import holder_view
from verify.web import EXTENSION, STATUS_LABELS, VERDICT_LABELS, VerifyServices

bp = Blueprint("transparency", __name__, template_folder="templates")

CHANNEL_LABELS = {
    "scan": _l("扫码查看"),
    "api": _l("接口查询"),
    "upload": _l("上传文件核验"),
    "match": _l("信息比对"),
}
RESULT_LABELS = {**VERDICT_LABELS, **STATUS_LABELS}
"""What a verifier was told: a certificate's status (scan, API) or an upload's verdict."""


def _services() -> VerifyServices:
    services: VerifyServices = current_app.extensions[EXTENSION]
    return services


def _not_found_page() -> tuple[str, int]:
    """Exactly what the scan page answers for an unknown QR token."""
    return render_template(
        "verify/scan.html", view=None, labels=STATUS_LABELS, domain=_services().verify_domain
    ), 404


@bp.get("/h/<secret>")
def holder_page(secret: str) -> tuple[str, int]:
    view = holder_view(_services().registry, secret)
    if view is None:
        return _not_found_page()
    return render_template(
        "verify/holder.html", holder=view, labels=STATUS_LABELS, channels=CHANNEL_LABELS,
        results=RESULT_LABELS, domain=_services().verify_domain,
    ), 200  # fmt: skip


@bp.get("/api/v1/holder/<secret>")
def holder_api(secret: str) -> Response:
    view = holder_view(_services().registry, secret)
    if view is None:
        abort(404)
    return jsonify(view.to_json())
