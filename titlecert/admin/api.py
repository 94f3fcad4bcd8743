"""The admin API under /api/v1/admin: a plain Flask blueprint (mountable on Flask or APIFlask).

Every request needs `Authorization: Bearer <token>` (`titlecert admin token create`): a missing,
unknown or revoked token gets 401, a role without the permission 403, both as RFC 9457
problem+json. Changes and reads of unmasked data are recorded in the audit log.

- GET  /certificates/<no>              read       the certificate as staff see it
- POST /certificates/<no>/revoke       revoke     {"reason": "..."}
- POST /certificates/<no>/suspend      suspend    {"reason": "..."}  pending an investigation
- POST /certificates/<no>/reinstate    suspend    {"reason": "..."}  a suspended one back in force
- POST /certificates/<no>/supersede    supersede  {"by": "<new no>", "reason": "..."}
- GET  /audit?after=<id>&limit=<n>     read       entries, oldest first, and the chain's check
- GET  /jobs?before=<id>&limit=<n>     read-jobs  issuing jobs, newest first, units counted by state
- GET  /jobs/<id>                      read-jobs  one job and each unit's state (never a secret)
"""

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Concatenate, ParamSpec

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from registry import lifecycle
from registry.audit import Actor, AuditAction
from registry.db import Registry
from registry.errors import Conflict, NotFound
from registry.ledger import Ledger
from titlecert.admin.auth import Permission, authenticate, may
from titlecert.admin.views import audit_entry_json, certificate_json
from titlecert.jobs.views import job_json

EXTENSION = "titlecert.admin"
MAX_REASON = 1000

bp = Blueprint("admin", __name__, url_prefix="/api/v1/admin")

P = ParamSpec("P")
View = Callable[P, Response | tuple[Response, int]]


@dataclass(frozen=True)
class AdminServices:
    """What the admin views need, attached by the application's factory."""

    registry: Registry


def mount(app: Flask, services: AdminServices) -> None:
    """Mount the admin API with its services."""
    app.extensions[EXTENSION] = services
    app.register_blueprint(bp)


def _registry() -> Registry:
    services: AdminServices = current_app.extensions[EXTENSION]
    return services.registry


def problem(status: int, title: str, detail: str) -> tuple[Response, int]:
    """An RFC 9457 problem+json response."""
    response = jsonify({"type": "about:blank", "title": title, "status": status, "detail": detail})
    response.mimetype = "application/problem+json"
    return response, status


def requires(
    permission: Permission,
) -> Callable[[Callable[Concatenate[Actor, P], Response | tuple[Response, int]]], View[P]]:
    """Authenticate the request's bearer token and check its role; the view gets the actor first."""

    def decorate(view: Callable[Concatenate[Actor, P], Response | tuple[Response, int]]) -> View[P]:
        @functools.wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> Response | tuple[Response, int]:
            actor = authenticate(_registry(), request.headers.get("Authorization"))
            if actor is None:
                response, status = problem(
                    401, "Unauthorized", "Send a live admin token: Authorization: Bearer <token>."
                )
                response.headers["WWW-Authenticate"] = 'Bearer realm="titlecert-admin"'
                return response, status
            if not may(actor, permission):
                return problem(403, "Forbidden", f"The role {actor.role} may not {permission.value}.")
            return view(actor, *args, **kwargs)

        return guarded

    return decorate


def _certificate(ledger: Ledger, certificate_no: str) -> dict[str, object]:
    record = ledger.certificates.by_number(certificate_no)
    if record is None:
        raise NotFound(f"no certificate numbered {certificate_no}")
    lineage = lifecycle.lineage(ledger.certificates, record)
    return certificate_json(
        record,
        documents=ledger.certificates.documents_of(certificate_no),
        supersedes=[r.certificate_no for r in lineage if r.superseded_by == certificate_no],
        verifications=ledger.verifications.count(certificate_no),
    )


def _registry_problem(e: NotFound | Conflict) -> tuple[Response, int]:
    if isinstance(e, NotFound):
        return problem(404, "Not Found", str(e))
    return problem(409, "Conflict", str(e))


def _text_field(body: object, name: str) -> str | None:
    value = body.get(name) if isinstance(body, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() and len(value) <= MAX_REASON else None


@bp.get("/certificates/<certificate_no>")
@requires(Permission.READ)
def get_certificate(actor: Actor, certificate_no: str) -> Response | tuple[Response, int]:
    try:
        with _registry().transaction() as ledger:
            doc = _certificate(ledger, certificate_no)
            ledger.audit.append(actor, AuditAction.CERTIFICATE_VIEWED, certificate_no)
    except NotFound as e:
        return _registry_problem(e)
    return jsonify(doc)


StatusChange = Callable[..., object]
"""registry.lifecycle's revoke, suspend or reinstate: (ledger, number, *, reason, at, actor)."""


def _change_status(
    change: StatusChange, actor: Actor, certificate_no: str
) -> Response | tuple[Response, int]:
    """Apply a status change that takes a reason; the certificate as staff see it, or a problem."""
    reason = _text_field(request.get_json(silent=True), "reason")
    if reason is None:
        return problem(400, "Bad Request", f'Send JSON {{"reason": "..."}} (1 to {MAX_REASON} characters).')
    try:
        with _registry().transaction() as ledger:
            change(ledger, certificate_no, reason=reason, at=dt.datetime.now(dt.UTC), actor=actor)
            doc = _certificate(ledger, certificate_no)
    except (NotFound, Conflict) as e:
        return _registry_problem(e)
    return jsonify(doc)


@bp.post("/certificates/<certificate_no>/revoke")
@requires(Permission.REVOKE)
def revoke(actor: Actor, certificate_no: str) -> Response | tuple[Response, int]:
    return _change_status(lifecycle.revoke, actor, certificate_no)


@bp.post("/certificates/<certificate_no>/suspend")
@requires(Permission.SUSPEND)
def suspend(actor: Actor, certificate_no: str) -> Response | tuple[Response, int]:
    return _change_status(lifecycle.suspend, actor, certificate_no)


@bp.post("/certificates/<certificate_no>/reinstate")
@requires(Permission.SUSPEND)
def reinstate(actor: Actor, certificate_no: str) -> Response | tuple[Response, int]:
    return _change_status(lifecycle.reinstate, actor, certificate_no)


@bp.post("/certificates/<certificate_no>/supersede")
@requires(Permission.SUPERSEDE)
def supersede(actor: Actor, certificate_no: str) -> Response | tuple[Response, int]:
    body = request.get_json(silent=True)
    by, reason = _text_field(body, "by"), _text_field(body, "reason")
    if by is None or reason is None:
        return problem(
            400,
            "Bad Request",
            'Send JSON {"by": "<number of the corrected certificate>", '
            f'"reason": "..."}} (each 1 to {MAX_REASON} characters).',
        )
    try:
        with _registry().transaction() as ledger:
            lifecycle.supersede(
                ledger, certificate_no, by=by, reason=reason, at=dt.datetime.now(dt.UTC), actor=actor
            )
            doc = _certificate(ledger, certificate_no)
    except (NotFound, Conflict) as e:
        return _registry_problem(e)
    return jsonify(doc)


@bp.get("/audit")
@requires(Permission.READ)
def audit(actor: Actor) -> Response | tuple[Response, int]:
    after = request.args.get("after", default=0, type=int) or 0
    limit = min(max(request.args.get("limit", default=100, type=int) or 100, 1), 1000)
    with _registry().transaction() as ledger:
        log = ledger.audit
        entries = [audit_entry_json(e) for e in log.entries(after=after, limit=limit)]
        chain = log.verify()
    return jsonify({"entries": entries, "chain": chain.to_json()})


@bp.get("/jobs")
@requires(Permission.READ_JOBS)
def jobs(actor: Actor) -> Response | tuple[Response, int]:
    before = request.args.get("before", default=None, type=int)
    limit = min(max(request.args.get("limit", default=50, type=int) or 50, 1), 500)
    with _registry().transaction() as ledger:
        found = ledger.jobs
        docs = [job_json(job, found.counts(job.id)) for job in found.recent(limit=limit, before=before)]
    return jsonify({"jobs": docs})


@bp.get("/jobs/<int:job_id>")
@requires(Permission.READ_JOBS)
def job(actor: Actor, job_id: int) -> Response | tuple[Response, int]:
    try:
        with _registry().transaction() as ledger:
            found = ledger.jobs
            doc = job_json(found.job(job_id), found.counts(job_id), found.units(job_id))
    except NotFound as e:
        return _registry_problem(e)
    return jsonify(doc)
