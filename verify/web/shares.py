"""A holder's share link opened (verify.shares): what the certificate's scan page shows, with the
holder's annotation, and its annotated copy.

- GET /s/<token>: the share page; every opening is noted in the holder's log (channel share,
  with the link). Expired, withdrawn, unknown and malformed links answer exactly as an unknown QR
  token does.
- GET /s/<token>/copy.pdf: the certificate as issued with the annotation sealed onto it by the
  verification service (VerifyServices.annotated_copy), made once per link.
"""

import datetime as dt
import logging

from flask import Blueprint, Response, abort, render_template

from verify.errors import ReceiptUnavailable
from verify.shares import AnnotatedCopy, ShareView, share_view
from verify.transparency import Channel
from verify.web.labels import STATUS_LABELS
from verify.web.limits import Limited, limited
from verify.web.logs import token_ref
from verify.web.services import current_services, note
from verify.web.transparency import not_found_page

log = logging.getLogger(__name__)
bp = Blueprint("shares", __name__, template_folder="templates")


def open_share(token: str) -> ShareView | None:
    """The share `token` opens now, its opening noted for the holder."""
    view = share_view(current_services().registry, token, now=dt.datetime.now(dt.UTC))
    log.info("share token=%s found=%s", token_ref(token), view is not None)
    if view is not None:
        c = view.certificate
        note(Channel.SHARE, c.certificate_no, c.status.value, share_id=view.share_id)
    return view


@bp.get("/s/<token>")
@limited(Limited.LOOKUP)
def share_page(token: str) -> tuple[str, int]:
    view = open_share(token)
    if view is None:
        return not_found_page()
    return render_template(
        "verify/share.html",
        share=view,
        view=view.certificate,
        share_token=token,
        labels=STATUS_LABELS,
        checked_at=dt.datetime.now(dt.UTC),
        copies=current_services().annotated_copy is not None,
        domain=current_services().verify_domain,
    ), 200


@bp.get("/s/<token>/copy.pdf")
@limited(Limited.RECEIPT)
def annotated_copy(token: str) -> tuple[str, int] | Response:
    """The annotated copy; 404 as unknown for a link that does not open, a plain 404 when the site
    makes no copies or holds no issued PDF, 503 while copies cannot be sealed."""
    services = current_services()
    if services.annotated_copy is None or services.certificate_pdf is None:
        abort(404)
    view = open_share(token)
    if view is None:
        return not_found_page()
    number = view.certificate.certificate_no
    try:
        issued = services.certificate_pdf(number)
        pdf = services.annotated_copy(AnnotatedCopy(view.share_id, number, view.annotation, issued))
    except KeyError:
        log.warning("the store holds no copy of certificate %s", number)
        abort(404)
    except ReceiptUnavailable as e:
        log.error("annotated copy of share %d not made: %s", view.share_id, e)
        abort(503)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{number}-share{view.share_id}.pdf"'},
    )


__all__ = ["bp", "open_share"]
