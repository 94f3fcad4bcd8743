"""Clerks' accounts: argon2id password hashes (argon2-cffi), unit assignments, the audit trail."""

import datetime as dt

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from docgen.identity import credit_code_problem
from registry.audit import Actor, AuditAction
from registry.errors import Conflict, NotFound
from registry.ledger import Ledger
from registry.paper import Clerk
from titlecert.errors import InvalidValue

HASHER = PasswordHasher()
"""argon2id with the library's defaults (RFC 9106's second recommended parameters: 64 MiB, t=3)."""
_DUMMY = HASHER.hash("not a password")
"""Checked against for an unknown user, so that a missing account takes as long as a wrong password."""
MIN_PASSWORD = 12


def _audit(ledger: Ledger, actor: Actor, username: str, change: str, **detail: object) -> None:
    ledger.audit.append(actor, AuditAction.CLERK_CHANGED, f"clerk {username}", {"change": change, **detail})


def create(ledger: Ledger, username: str, password: str | None, *, actor: Actor, at: dt.datetime) -> Clerk:
    """A new clerk (password None: SSO only). Raises Conflict if the name is taken, ValueError for a
    password shorter than MIN_PASSWORD."""
    if ledger.clerks.by_name(username) is not None:
        raise Conflict(f"a clerk named {username!r} exists already")
    clerk = ledger.clerks.add(
        Clerk(
            username=username, password_hash=_hash(password) if password is not None else None, created_at=at
        )
    )
    _audit(ledger, actor, username, "created", password=password is not None)
    return clerk


def _hash(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidValue(f"a clerk's password needs at least {MIN_PASSWORD} characters")
    return HASHER.hash(password)


def _get(ledger: Ledger, username: str) -> Clerk:
    clerk = ledger.clerks.by_name(username)
    if clerk is None:
        raise NotFound(f"no clerk named {username!r}")
    return clerk


def set_password(ledger: Ledger, username: str, password: str, *, actor: Actor) -> None:
    _get(ledger, username).password_hash = _hash(password)
    _audit(ledger, actor, username, "password")


def assign(ledger: Ledger, username: str, unit_code: str, *, actor: Actor, remove: bool = False) -> bool:
    """Give (or with `remove`, take away) the clerk the forms of the unit with this credit code;
    whether that changed anything. Raises NotFound, InvalidValue for a code that is not a unified
    social credit code (GB 32100: length, alphabet, check character) when assigning (a unit
    assigned before codes were checked can still be taken away)."""
    clerk = _get(ledger, username)
    if not remove and (problem := credit_code_problem(unit_code)) is not None:
        raise InvalidValue(
            f"unit {unit_code!r} is not a unified social credit code (统一社会信用代码): {problem}; "
            "copy it from the unit's business licence or registration certificate"
        )
    changed = ledger.clerks.unassign(clerk, unit_code) if remove else ledger.clerks.assign(clerk, unit_code)
    if changed:
        _audit(ledger, actor, username, "unassigned" if remove else "assigned", unit=unit_code)
    return changed


def disable(ledger: Ledger, username: str, *, actor: Actor, at: dt.datetime) -> None:
    """The clerk cannot sign in any more; their sessions end at their next request."""
    _get(ledger, username).disabled_at = at
    _audit(ledger, actor, username, "disabled")


def authenticate(ledger: Ledger, username: str, password: str) -> Clerk | None:
    """The clerk if the password is theirs and the account is enabled; rehashes an outdated hash."""
    clerk = ledger.clerks.by_name(username)
    stored = clerk.password_hash if clerk is not None and clerk.disabled_at is None else None
    try:
        HASHER.verify(stored or _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if clerk is None or stored is None:
        return None
    if HASHER.check_needs_rehash(stored):
        clerk.password_hash = HASHER.hash(password)
    return clerk
