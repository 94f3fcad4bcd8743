"""The holder's page: their certificate and who verified it. Thin views over
verify.transparency, mounted beside the verify blueprint, whose services (registry, domain) and
security headers they share.

- GET /h/<secret>: the holder's page (Chinese or English like every page, no JavaScript); the same
  as JSON is GET /api/v1/holder/<secret> (verify.web.api).

Unknown and malformed secrets get the same 404 as an unknown QR token.
"""

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from verify.transparency import holder_view
from verify.web.labels import STATUS_LABELS, VERDICT_LABELS
from verify.web.limits import Limited, limited
from verify.web.services import current_services, noted_so_far

bp = Blueprint("transparency", __name__, template_folder="templates")

CHANNEL_LABELS = {
    "scan": _l("扫码查看"),
    "api": _l("接口查询"),
    "upload": _l("上传文件核验"),
    "match": _l("信息比对"),
    "code": _l("输入在线验证码查看"),
}
RESULT_LABELS = {**VERDICT_LABELS, **STATUS_LABELS, "match": _l("相符"), "mismatch": _l("不符")}
"""What a verifier was told: a certificate's status (scan, API), an upload's verdict, or a match
check's answer."""


def _not_found_page() -> tuple[str, int]:
    """Exactly what the scan page answers for an unknown QR token."""
    return render_template(
        "verify/scan.html", view=None, labels=STATUS_LABELS, domain=current_services().verify_domain
    ), 404


@bp.get("/h/<secret>")
@limited(Limited.LOOKUP)
def holder_page(secret: str) -> tuple[str, int]:
    noted_so_far()
    view = holder_view(current_services().registry, secret)
    if view is None:
        return _not_found_page()
    return render_template(
        "verify/holder.html",
        holder=view,
        labels=STATUS_LABELS,
        channels=CHANNEL_LABELS,
        results=RESULT_LABELS,
        domain=current_services().verify_domain,
    ), 200
