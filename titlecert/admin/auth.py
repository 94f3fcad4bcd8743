"""Who may do what through the admin API: bearer tokens with a role, and the role's permissions.

Issuing needs the seal keys and stays on the command line (`titlecert issue`, `titlecert reissue`);
through the API the committee office supersedes (links a corrected certificate to the one it
replaces) and follows its issuing jobs, the approval authority suspends, reinstates, revokes and
supersedes, and every
role reads certificates and the audit log.
"""

from enum import StrEnum

from registry.audit import Actor
from registry.db import Registry
from registry.staff import StaffRole


class Permission(StrEnum):
    """What an endpoint needs."""

    READ = "read"
    """Read certificates (with the holder's full name) and the audit log."""
    REVOKE = "revoke"
    SUSPEND = "suspend"
    """Suspend a certificate pending an investigation, and reinstate it."""
    SUPERSEDE = "supersede"
    READ_JOBS = "read-jobs"
    """Follow issuing jobs (states, progress, which document failed): the office that issues."""


GRANTS: dict[str, frozenset[Permission]] = {
    StaffRole.COMMITTEE_OFFICE: frozenset({Permission.READ, Permission.SUPERSEDE, Permission.READ_JOBS}),
    StaffRole.APPROVAL_AUTHORITY: frozenset(
        {Permission.READ, Permission.REVOKE, Permission.SUSPEND, Permission.SUPERSEDE}
    ),
    StaffRole.ARCHIVE_CLERK: frozenset({Permission.READ}),
}


def may(actor: Actor, permission: Permission) -> bool:
    """Whether the actor's role grants `permission` (an unknown role grants nothing)."""
    return permission in GRANTS.get(actor.role, frozenset())


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, else None."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def authenticate(registry: Registry, authorization: str | None) -> Actor | None:
    """The staff member a request's Authorization header names, if the token is live."""
    token = bearer_token(authorization)
    if token is None:
        return None
    with registry.transaction() as ledger:
        row = ledger.staff.authenticate(token)
        return Actor(row.name, row.role) if row is not None else None
