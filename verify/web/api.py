"""/api/v1: certificate lookup, match check and PDF verification, documented as OpenAPI 3.1
by APIFlask at /api/v1/openapi.json. Errors are problem+json (verify.web.problems)."""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from apiflask import APIBlueprint, APIFlask
from flask import Response, request

from registry.db import Registry
from verify.certificates import lookup_token
from verify.committees import CommitteeList, committee_list
from verify.errors import MatchUnavailable
from verify.match import MatchQuery
from verify.registered import CertificateView
from verify.report import VerificationReport
from verify.service import verify_pdf
from verify.shares import ShareView
from verify.transparency import Channel, HolderView, holder_view
from verify.web.legacy import legacy_answer
from verify.web.limits import Limited, limited
from verify.web.logs import token_ref
from verify.web.problems import Problem, ResponsesDoc, problem, responses
from verify.web.schemas import (
    Certificate,
    Committees,
    Holder,
    LegacyMatch,
    MatchRequest,
    MatchResult,
    Report,
    Share,
    Upload,
)
from verify.web.services import MAX_UPLOAD_BYTES, current_services, match_and_note, note, noted_so_far
from verify.web.shares import open_share

log = logging.getLogger(__name__)

TITLE = "titlecert verification API"
VERSION = "1.0.0"
SPEC_PATH = "/api/v1/openapi.json"
DESCRIPTION = """Look up a professional-title certificate by the code of its QR, check whether a
name or ID number belongs to its holder, or verify a sealed PDF.

Unknown and malformed codes get the same 404. Every error is an RFC 9457 problem
(application/problem+json). Requests are limited per client (and match checks per certificate);
limited responses carry X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset, and a 429
carries Retry-After."""

bp = APIBlueprint("api", __name__, url_prefix="/api/v1", tag="certificates")

_LIMIT_HEADERS: dict[str, dict[str, Any]] = {
    "X-RateLimit-Limit": {
        "description": "Requests allowed in the current window.",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in the current window.",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Reset": {
        "description": "When the current window ends (Unix time, seconds).",
        "schema": {"type": "integer"},
    },
}

F = TypeVar("F", bound=Callable[..., Any])


def accepts(media_type: str) -> Callable[[F], F]:
    """415 for a body of another media type (an empty body goes on, to be found missing: 400)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if (request.content_length or request.mimetype) and request.mimetype != media_type:
                return problem(415)
            return view(*args, **kwargs)

        return checked  # type: ignore[return-value]

    return decorate


def _documented(*statuses: int) -> ResponsesDoc:
    """The error responses, plus the rate-limit headers of the success response."""
    documented: ResponsesDoc = {200: {"headers": _LIMIT_HEADERS}}
    documented.update(responses(*statuses))
    return documented


@bp.get("/certificates/<token>")
@limited(Limited.LOOKUP)
@bp.output(Certificate, description="The certificate the code names: status first, holder masked.")
@bp.doc(responses=_documented(404, 429))
def get_certificate(token: str) -> CertificateView | Response:
    """Look up a certificate by its QR code

    What the scan page shows, as JSON: the registry's status (with the reason and date of a
    revocation), the holder masked, the award, and the SHA-256 of the issued PDF to compare with
    the file at hand."""
    view = lookup_token(_registry(), token)
    log.info("api lookup token=%s found=%s", token_ref(token), view is not None)
    if view is None:
        return problem(404)
    note(Channel.API, view.certificate_no, view.status.value)
    return view


@bp.post("/certificates/<token>/match")
@limited(Limited.MATCH)
@accepts("application/json")
@bp.input(MatchRequest, arg_name="query")
@bp.output(MatchResult, description="Whether every value given belongs to the holder.")
@bp.doc(
    summary="Check a name or ID number against the holder", responses=_documented(400, 404, 409, 415, 429)
)
def match_certificate(token: str, query: MatchRequest) -> MatchResult | Response:
    """Answers yes or no, never the stored value: both given, both must match. Names compare after
    NFKC normalisation with whitespace removed; ID numbers as keyed hashes, so the registry never
    holds them. Certificates issued before ID hashes were kept answer 409 to an ID number.
    Strictly limited, per client and per certificate, since every answer confirms or refutes a guess."""
    try:
        answer = match_and_note(token, MatchQuery(query.name, query.id_number), via="api")
    except MatchUnavailable as e:
        return problem(409, str(e))
    return problem(404) if answer is None else MatchResult(match=answer)


@bp.post("/legacy/<certificate_no>/match")
@limited(Limited.MATCH)
@accepts("application/json")
@bp.input(MatchRequest, arg_name="query")
@bp.output(
    LegacyMatch, description="Whether the number is registered with these values; the title only if so."
)
@bp.doc(
    summary="Check a title awarded on paper by its number and the holder's name or ID number",
    responses=_documented(400, 409, 415, 429),
    tags=["paper records"],
)
def match_legacy_title(certificate_no: str, query: MatchRequest) -> LegacyMatch | Response:
    """Titles awarded before this system, registered from paper records (据纸质档案登记; no
    electronic document exists). Never a lookup by number alone: an unknown number and a wrong
    name or ID number get the same `match: false` and nothing else; a match shows the title as
    registered, the holder masked. Limited per client and per number, as the match check."""
    try:
        view = legacy_answer(certificate_no, MatchQuery(query.name, query.id_number), via="api")
    except MatchUnavailable as e:
        return problem(409, str(e))
    return LegacyMatch(match=view is not None, title=view)


@bp.post("/verify")
@limited(Limited.UPLOAD)
@accepts("multipart/form-data")
@bp.input(Upload, location="files", arg_name="form")
@bp.output(Report, description="The report: the file's verdict, each seal, and the registry's status.")
@bp.doc(responses=_documented(400, 413, 415, 429))
def verify_upload(form: Upload) -> VerificationReport:
    """Verify a sealed PDF

    Checks both seals (integrity, signer, trust, later changes), the file's structure, and that
    this exact file was issued and is in force. The file is parsed in an isolated, resource-limited
    process; at most the configured size (20 MiB by default)."""
    services = current_services()
    report = verify_pdf(
        form.file.read(MAX_UPLOAD_BYTES + 1),
        name=form.file.filename or "upload.pdf",
        trust=services.trust,
        registry=services.registry,
        analyser=services.analyser,
        revocation=services.revocation,
    )
    note(Channel.UPLOAD, report.certificate_no, report.verdict.value)
    return report


@bp.get("/holder/<secret>")
@limited(Limited.LOOKUP)
@bp.output(Holder, description="The holder's certificates and every verification of them.")
@bp.doc(responses=_documented(404, 429), tags=["holders"])
def get_holder(secret: str) -> HolderView | Response:
    """Who verified my certificate

    For the holder, with the secret link handed to them with their certificate (the page
    /h/<secret> shows the same): their certificate and those it replaced or that replaced it,
    masked as on the scan page, and every scan, lookup, upload, match check and share-link
    opening of them, newest first, with the verifier's network (/24 or /48) and browser family,
    never their address; and their share links (purpose, expiry, state, uses). An unknown secret
    gets the same 404 as an unknown code."""
    noted_so_far()
    view = holder_view(_registry(), secret)
    return view if view is not None else problem(404)


@bp.get("/shares/<token>")
@limited(Limited.LOOKUP)
@bp.output(Share, description="The certificate the share link shows, and the holder's annotation.")
@bp.doc(responses=_documented(404, 429), tags=["holders"])
def get_share(token: str) -> ShareView | Response:
    """Open a holder's share link

    What the share page /s/<token> shows: the certificate as its QR's lookup shows it, and the
    annotation its holder wrote (its purpose and the last day the link opens). The opening is
    noted in the holder's log. An expired or withdrawn link gets the same 404 as an unknown code."""
    view = open_share(token)
    return view if view is not None else problem(404)


@bp.get("/committees")
@limited(Limited.LOOKUP)
@bp.output(Committees, description="Every committee's mandates and seal certificates, with their periods.")
@bp.doc(responses=_documented(429), tags=["committees"])
def get_committees() -> CommitteeList:
    """The review committees and their mandates

    As the human-resources departments publish 评委会备案: each committee's mandates (series,
    speciality, highest level, approving document, term) and its seal certificates (SHA-256 and
    subject) with the period each was authorised to seal in."""
    return committee_list(_registry())


def _registry() -> Registry:
    return current_services().registry


def install(app: APIFlask) -> None:
    """Register /api/v1 and complete its OpenAPI document."""
    app.config.update(
        # Every error is declared by its view, with the problem schema and media type.
        AUTO_404_RESPONSE=False,
        AUTO_VALIDATION_ERROR_RESPONSE=False,
        VALIDATION_ERROR_STATUS_CODE=400,
        DESCRIPTION=DESCRIPTION,
        INFO={"license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}},
    )
    app.register_blueprint(bp)
    app.spec_processor(_complete)


TOKEN_PARAMETER = {
    "description": "The code at the end of the certificate's QR URL: 32 characters, A-Z and 2-7. "
    "A malformed code gets the same 404 as an unknown one.",
    "examples": {"format": {"summary": "A code's form", "value": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"}},
}


def _complete(spec: dict[Any, Any] | str) -> dict[Any, Any] | str:
    """Add what the views cannot declare: the problem schema their errors refer to, that their
    bodies are required, and what the token in their paths is (not validated as a parameter: a
    malformed token is a 404, not a 400)."""
    if isinstance(spec, str):  # only with SPEC_PROCESSOR_PASS_OBJECT or a YAML format: not used
        return spec
    spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = Problem.model_json_schema()
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" in operation:
                operation["requestBody"]["required"] = True
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter.get("name") == "token":
                    parameter.update(TOKEN_PARAMETER)
    return spec
