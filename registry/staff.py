"""Bearer tokens of the admin API: created with a role, stored only as SHA-256, revocable.

Every creation and revocation is recorded in the audit log in the same transaction.
"""

import datetime as dt
import secrets
from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.audit import Actor, AuditAction, AuditLog
from registry.errors import Conflict, NotFound
from registry.models import AdminToken
from registry.repository import hash_token

TOKEN_PREFIX = "tcadm_"  # noqa: S105 - a marker, not a secret
"""Marks an admin token as such (for secret scanners and for people)."""


class StaffRole(StrEnum):
    """What a token's holder is, in the offices of the notice."""

    COMMITTEE_OFFICE = "committee-office"
    """The review committee's office (评委会办公室): issues and re-issues."""
    APPROVAL_AUTHORITY = "approval-authority"
    """The approving authority (核准机构): revokes and supersedes."""
    ARCHIVE_CLERK = "archive-clerk"
    """An archive clerk (档案管理): reads."""


def new_admin_token() -> str:
    """256 random bits, URL-safe, with the `tcadm_` prefix."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class StaffTokens:
    """Admin tokens, within the caller's transaction."""

    def __init__(self, session: Session, audit: AuditLog | None = None) -> None:
        self.session = session
        self.audit = audit or AuditLog(session)

    def create(self, name: str, role: StaffRole, *, actor: Actor, at: dt.datetime) -> str:
        """Create a token and return it; only its hash is kept, so this is the one time it is seen.

        Raises Conflict if a token with this name exists (revoked ones included: names identify
        actors in the audit log).
        """
        token = new_admin_token()
        if self.by_name(name) is not None:
            raise Conflict(f"an admin token named {name!r} exists already; choose another name")
        self.session.add(AdminToken(name=name, role=role.value, token_hash=hash_token(token), created_at=at))
        try:
            self.session.flush()
        except IntegrityError as e:
            raise Conflict(f"an admin token named {name!r} exists already; choose another name") from e
        self.audit.append(actor, AuditAction.TOKEN_CREATED, name, {"role": role.value}, at=at)
        return token

    def revoke(self, name: str, *, actor: Actor, at: dt.datetime) -> AdminToken:
        """Revoke a token at once. Raises NotFound, or Conflict if it is revoked already."""
        row = self.by_name(name)
        if row is None:
            raise NotFound(f"no admin token named {name!r}")
        if row.revoked_at is not None:
            raise Conflict(f"admin token {name!r} was revoked already on {row.revoked_at:%Y-%m-%d}")
        row.revoked_at = at
        self.session.flush()
        self.audit.append(actor, AuditAction.TOKEN_REVOKED, name, {"role": row.role}, at=at)
        return row

    def by_name(self, name: str) -> AdminToken | None:
        return self.session.execute(select(AdminToken).where(AdminToken.name == name)).scalar_one_or_none()

    def authenticate(self, token: str) -> AdminToken | None:
        """The live (not revoked) token row for a presented token, else None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            return None
        row = self.session.execute(
            select(AdminToken).where(AdminToken.token_hash == hash_token(token))
        ).scalar_one_or_none()
        return row if row is not None and row.revoked_at is None else None

    def all(self) -> Sequence[AdminToken]:
        """Every token, oldest first."""
        return self.session.execute(select(AdminToken).order_by(AdminToken.id)).scalars().all()


__all__ = ["TOKEN_PREFIX", "StaffRole", "StaffTokens", "new_admin_token"]
