"""The holder's page: their certificate, who verified it, and what the holder controls. Thin views
over verify.transparency and verify.shares, mounted beside the verify blueprint, whose services
(registry, domain) and security headers they share.

- GET /h/<secret>: the holder's page (Chinese or English like every page, no JavaScript); the same
  as JSON is GET /api/v1/holder/<secret> (verify.web.api).
- GET /h/<secret>/certificate.pdf: the archived PDF of the certificate in force, as issued.
- GET /h/<secret>/shares/<id>/copy.pdf: the annotated copy of a share link in force, made now.
- POST /h/<secret>/shares: a new share link (purpose, days); POST /h/<secret>/shares/<id>/withdraw.
- POST /h/<secret>/replace: a new secret for the page (shown once); the old one opens nothing.

These forms carry no CSRF token on purpose: the secret in the path is the capability, and a page
of another site that could name it could open the holder's page already; one that cannot cannot
post here either. Unknown and malformed secrets get the same 404 as an unknown QR token.
"""

import datetime as dt
import logging

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as WerkzeugResponse

from verify.errors import ReceiptUnavailable
from verify.share_terms import ShareState
from verify.shares import DAYS_DEFAULT, DAYS_MAX, DAYS_MIN, PURPOSE_MAX, MadeShare, ShareProblem, make_share
from verify.shares import withdraw_share as withdraw
from verify.transparency import HolderView, holder_view, replace_holder_secret
from verify.web.labels import STATUS_LABELS, VERDICT_LABELS
from verify.web.limits import Limited, limited
from verify.web.services import current_services, noted_so_far

log = logging.getLogger(__name__)
bp = Blueprint("transparency", __name__, template_folder="templates")

CHANNEL_LABELS = {
    "scan": _l("扫码查看"),
    "api": _l("接口查询"),
    "upload": _l("上传文件核验"),
    "match": _l("信息比对"),
    "code": _l("输入在线验证码查看"),
    "share": _l("分享链接查看"),
}
RESULT_LABELS = {**VERDICT_LABELS, **STATUS_LABELS, "match": _l("相符"), "mismatch": _l("不符")}
"""What a verifier was told: a certificate's status (scan, API), an upload's verdict, or a match
check's answer."""
SHARE_STATE_LABELS = {"active": _l("有效"), "expired": _l("已过期"), "withdrawn": _l("已撤回")}
SHARE_PROBLEMS = {
    ShareProblem.PURPOSE_MISSING: _l("请填写加注内容（用途），例如“仅供XX单位招聘使用”。"),
    ShareProblem.PURPOSE_TOO_LONG: _l("加注内容最多 %(n)d 个字。", n=PURPOSE_MAX),
    ShareProblem.DAYS_OUT_OF_RANGE: _l("有效期须为 %(low)d 至 %(high)d 天。", low=DAYS_MIN, high=DAYS_MAX),
}


def not_found_page() -> tuple[str, int]:
    """Exactly what the scan page answers for an unknown QR token."""
    return render_template(
        "verify/scan.html", view=None, labels=STATUS_LABELS, domain=current_services().verify_domain
    ), 404


def _holder_page(secret: str, view: HolderView, status: int = 200, **extra: object) -> tuple[str, int]:
    return render_template(
        "verify/holder.html",
        holder=view,
        secret=secret,
        labels=STATUS_LABELS,
        channels=CHANNEL_LABELS,
        results=RESULT_LABELS,
        share_states=SHARE_STATE_LABELS,
        days_default=DAYS_DEFAULT,
        days_max=DAYS_MAX,
        purpose_max=PURPOSE_MAX,
        downloads=current_services().certificate_pdf is not None,
        copies=current_services().holder_copies is not None,
        domain=current_services().verify_domain,
        **extra,
    ), status


@bp.get("/h/<secret>")
@limited(Limited.LOOKUP)
def holder_page(secret: str) -> tuple[str, int]:
    noted_so_far()
    view = holder_view(current_services().registry, secret)
    if view is None:
        return not_found_page()
    return _holder_page(secret, view)


@bp.get("/h/<secret>/certificate.pdf")
@limited(Limited.LOOKUP)
def certificate_pdf(secret: str) -> tuple[str, int] | Response:
    """The certificate in force as issued, from the document store; 404 (the not-found page)
    for an unknown secret, a 404 saying so when the site reads no store or it holds no copy."""
    view = holder_view(current_services().registry, secret)
    if view is None:
        return not_found_page()
    read = current_services().certificate_pdf
    number = view.certificates[0].certificate_no
    try:
        pdf = read(number) if read is not None else None
    except KeyError:
        log.warning("the store holds no copy of certificate %s", number)
        pdf = None
    if pdf is None:
        return render_template(
            "verify/holder_notice.html",
            heading=_l("无法下载证书文件"),
            message=_l("本站点未保存证书文件，无法下载。请使用发证时收到的 PDF 证书文件。"),
            domain=current_services().verify_domain,
        ), 404
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'},
    )


@bp.get("/h/<secret>/shares/<int:share_id>/copy.pdf")
@limited(Limited.RECEIPT)
def share_copy(secret: str, share_id: int) -> tuple[str, int] | Response:
    """The annotated copy of one of the holder's share links in force (titlecert.holder_copies),
    made now; the not-found page for an unknown secret or a link not theirs, expired or withdrawn."""
    view = holder_view(current_services().registry, secret)
    share = next((s for s in view.shares if s.id == share_id), None) if view is not None else None
    make = current_services().holder_copies
    if share is None or share.state is not ShareState.ACTIVE or make is None:
        return not_found_page()
    try:
        pdf = make(share.certificate_no, share, _now())
    except KeyError:
        log.warning("the store holds no copy of certificate %s", share.certificate_no)
        return _notice(_l("无法制作加注副本"), _l("本站点未保存证书文件，无法制作加注副本。"), 404)
    except ReceiptUnavailable as e:
        log.warning("annotated copy of share %d not made: %s", share_id, e)
        return _notice(
            _l("无法制作加注副本"), _l("暂时无法制作加注副本，请稍后再试；分享链接本身不受影响。"), 503
        )
    log.info("holder downloaded the annotated copy of share link %d", share_id)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{share.certificate_no}-{share_id}.pdf"'},
    )


def _notice(heading: str, message: str, status: int) -> tuple[str, int]:
    return render_template(
        "verify/holder_notice.html", heading=heading, message=message, domain=current_services().verify_domain
    ), status


@bp.post("/h/<secret>/shares")
@limited(Limited.LOOKUP)
def new_share(secret: str) -> tuple[str, int]:
    registry = current_services().registry
    made = make_share(
        registry, secret, request.form.get("purpose", ""), request.form.get("days", ""), now=_now()
    )
    view = holder_view(registry, secret)
    if view is None or made is None:
        return not_found_page()
    if isinstance(made, ShareProblem):
        return _holder_page(
            secret,
            view,
            400,
            share_problem=SHARE_PROBLEMS[made],
            typed_purpose=request.form.get("purpose", "")[:200],
            typed_days=request.form.get("days", "")[:10],
        )
    log.info("holder made share link %d", made.share.id)
    return _holder_page(secret, view, made=made, made_url=share_url(made))


def share_url(made: MadeShare) -> str:
    return url_for("shares.share_page", token=made.token, _external=True)


@bp.post("/h/<secret>/shares/<int:share_id>/withdraw")
@limited(Limited.LOOKUP)
def withdraw_share(secret: str, share_id: int) -> tuple[str, int] | WerkzeugResponse:
    if not withdraw(current_services().registry, secret, share_id, now=_now()):
        return not_found_page()
    log.info("holder withdrew share link %d", share_id)
    return redirect(url_for("transparency.holder_page", secret=secret) + "#shares", 303)


@bp.post("/h/<secret>/replace")
@limited(Limited.LOOKUP)
def replace_secret(secret: str) -> tuple[str, int]:
    new = replace_holder_secret(current_services().registry, secret, now=_now())
    if new is None:
        return not_found_page()
    log.info("holder replaced the link of their page")
    return render_template(
        "verify/holder_notice.html",
        heading=_l("本页链接已更换"),
        message=_l("旧链接已失效。新链接只显示这一次，请立即保存；您的分享链接继续有效。"),
        new_url=url_for("transparency.holder_page", secret=new, _external=True),
        domain=current_services().verify_domain,
    ), 200


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
