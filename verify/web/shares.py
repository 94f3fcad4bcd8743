"""A holder's share link opened (verify.shares): what the certificate's scan page shows, with the
holder's annotation.

- GET /s/<token>: the share page; every opening is noted in the holder's log (channel share,
  with the link). Expired, withdrawn, unknown and malformed links answer exactly as an unknown QR
  token does.
"""

import datetime as dt
import logging

from flask import Blueprint, render_template

from verify.shares import ShareView, share_view
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
        domain=current_services().verify_domain,
    ), 200


__all__ = ["bp", "open_share"]
