"""The paper-records form (`/legacy`): a title awarded on paper before this system, checked by its
number with the holder's full name or ID number (verify.legacy), answered 一致 with the title as
registered (masked) or 不一致, never anything else. Counted like the match check (Limited.MATCH:
per client, and per number from all clients)."""

import logging

from flask import Blueprint, render_template, request
from pydantic import ValidationError

from verify.errors import MatchUnavailable
from verify.legacy import LegacyView, match_legacy
from verify.match import MatchQuery
from verify.typed import normalise_certificate_no
from verify.web.limits import Limited, limited
from verify.web.logs import token_ref
from verify.web.schemas import MatchRequest
from verify.web.services import current_services

log = logging.getLogger(__name__)
bp = Blueprint("legacy", __name__)


def _page(status: int = 200, **extra: object) -> tuple[str, int]:
    return render_template("verify/legacy.html", domain=current_services().verify_domain, **extra), status


@bp.get("/legacy")
def legacy_form() -> tuple[str, int]:
    return _page()


@bp.post("/legacy")
@limited(Limited.MATCH)
def legacy_match() -> tuple[str, int]:
    number = request.form.get("certificate_no", "").strip()
    given = {k: v for k in ("name", "id_number") if (v := request.form.get(k, "").strip())}
    try:
        query = MatchRequest.model_validate(given)
    except ValidationError:
        return _page(400, match_invalid=True)
    if not normalise_certificate_no(number):
        return _page(400, match_invalid=True)
    try:
        view = legacy_answer(number, MatchQuery(query.name, query.id_number), via="page")
    except MatchUnavailable:
        return _page(409, match_unavailable=True)
    return _page(match=view is not None, view=view)


def legacy_answer(number: str, query: MatchQuery, *, via: str) -> LegacyView | None:
    """verify.legacy's answer, logged without the values asked (the number only as a short hash)."""
    services = current_services()
    view = match_legacy(services.registry, number, query, id_key=services.id_key)
    log.info(
        "%s legacy match number=%s name=%s id=%s match=%s",
        via,
        token_ref(normalise_certificate_no(number)),
        query.name is not None,
        query.id_number is not None,
        view is not None,
    )
    return view


__all__ = ["bp", "legacy_answer"]
