"""Errors as RFC 9457 problem details (application/problem+json) under /api/, a page in the
reader's language everywhere else. Bodies are fixed per status: nothing from the request is echoed."""

from typing import Any

from apiflask import APIFlask
from apiflask.exceptions import HTTPError
from flask import Response, current_app, json, render_template, request
from pydantic import BaseModel, Field
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from registry.errors import Unavailable
from verify.web.limits import UNAVAILABLE_RETRY_AFTER, retry_after_seconds
from verify.web.services import EXTENSION, MAX_UPLOAD_BYTES

MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/"
"""Errors of requests under this path are problems; of any other, pages (verify/error.html)."""


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str = Field(default="about:blank", description="Always about:blank: the status says what happened.")
    title: str = Field(description="The HTTP status phrase, e.g. Not Found.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What happened and what to do, in plain language.")
    errors: dict[str, list[str]] | None = Field(
        default=None, description="For 400 only: the messages for each request field that was not valid."
    )


def _detail(status: int) -> str:
    return DETAILS.get(status, "The request could not be answered.").format(mib=MAX_UPLOAD_BYTES // 2**20)


DETAILS = {
    400: "The request is not valid: see the errors for each field.",
    404: "No certificate matches this code.",
    405: "This URL does not accept that method.",
    409: "This check is not available for this certificate.",
    413: "Uploads are limited to {mib} MiB.",
    415: "Send the content type this operation documents (JSON, or a multipart form for uploads).",
    429: "Too many requests from this client: wait the seconds given in Retry-After, then try again.",
    500: "The service could not answer. Try again later.",
    503: "The registry cannot be reached just now: nothing was changed. Try again in a minute.",
}
"""The detail of each status, for the document and the responses alike."""


def problem(
    status: int, detail: str | None = None, *, errors: dict[str, list[str]] | None = None
) -> Response:
    """The problem+json response for `status` (detail defaults to the status's fixed one)."""
    body = Problem(
        title=HTTP_STATUS_CODES.get(status, "Error"),
        status=status,
        detail=detail or _detail(status),
        errors=errors,
    )
    response = current_app.response_class(
        json.dumps(body.model_dump(exclude_none=True)), status=status, mimetype=MEDIA_TYPE
    )
    return response


def install(app: APIFlask) -> None:
    """Answer every HTTP error, and APIFlask's validation errors, with problems (or pages)."""
    app.error_processor(_validation_error)  # APIFlask's own errors (it also claims werkzeug's: so first)
    app.register_error_handler(HTTPException, _http_error)  # unhandled exceptions arrive as 500s
    app.register_error_handler(Unavailable, _registry_unavailable)


def _registry_unavailable(error: Unavailable) -> Response:
    """The registry is down: 503 with Retry-After, the same for every view (never a traceback)."""
    current_app.logger.warning("%s", error)
    response = problem(503) if request.path.startswith(API_PREFIX) else _page(503)
    response.headers["Retry-After"] = UNAVAILABLE_RETRY_AFTER
    return response


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    return problem(status) if request.path.startswith(API_PREFIX) else _page(status)


def _validation_error(error: HTTPError) -> Response:
    """APIFlask's errors: a request field not valid (400), with the messages per field."""
    errors: dict[str, list[str]] = {}
    if isinstance(error.detail, dict):
        for fields in error.detail.values():  # {location: {field: [messages]}}
            if isinstance(fields, dict):
                for name, messages in fields.items():  # "_schema": the body as a whole
                    errors["body" if name == "_schema" else str(name)] = [
                        str(m) for m in (messages if isinstance(messages, list) else [messages])
                    ]
    if error.status_code == 400:
        return problem(400, errors=errors or None)
    return problem(error.status_code)


def _page(status: int) -> Response:
    html = render_template(
        "verify/error.html",
        status=status,
        limit_mib=MAX_UPLOAD_BYTES // 2**20,
        retry_after=retry_after_seconds(),
        domain=_domain(),
    )
    return current_app.response_class(html, status=status, mimetype="text/html")


def _domain() -> str:
    services = current_app.extensions.get(EXTENSION)
    return str(getattr(services, "verify_domain", request.host))


ResponsesDoc = dict[int | str, dict[str, str | dict[str, dict[str, Any]]]]
"""OpenAPI responses by status, as APIFlask's `doc(responses=...)` takes them."""


def responses(*statuses: int) -> ResponsesDoc:
    """The OpenAPI responses of these error statuses, for `@bp.doc(responses=...)`."""
    documented: ResponsesDoc = {}
    for status in statuses:
        documented[status] = {
            "description": DETAILS[status].format(mib=MAX_UPLOAD_BYTES // 2**20),
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        if status == 429:
            documented[status]["headers"] = {
                "Retry-After": {
                    "description": "Seconds until this client may send the request again.",
                    "schema": {"type": "integer", "minimum": 0},
                    "required": True,
                }
            }
    return documented
