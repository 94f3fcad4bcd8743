"""Who the clerk is: a signed session cookie after a password sign-in, or the SSO header a trusted
proxy sets. Every POST of the clerk pages carries a CSRF token (Flask-WTF)."""

import datetime as dt
import hmac
from dataclasses import dataclass, field
from hashlib import sha256

from flask import Flask, current_app, request, session
from flask_wtf.csrf import CSRFProtect

from docgen.workdays import WorkCalendar
from registry.audit import Actor
from registry.db import Registry
from registry.staff import StaffRole
from signing.trust import TrustSettings
from titlecert.settings import Settings
from titlecert.store import DocumentStore
from verify.cache import CachedAnalyser
from verify.checks import Analyser

EXTENSION = "titlecert.clerks"
SESSION_KEY = "clerk"
SESSION_HOURS = 8
csrf = CSRFProtect()


@dataclass(frozen=True)
class ClerkServices:
    """The clerk pages' view of the instance (titlecert.bootstrap), attached by the app factory."""

    settings: Settings
    registry: Registry
    store: DocumentStore
    trust: TrustSettings
    session_secret: bytes
    """The instance secret, from which the session cookies' key is derived."""
    workdays: WorkCalendar = field(default_factory=WorkCalendar)
    analyser: Analyser = field(default_factory=CachedAnalyser)
    """Analyses of stored copies, kept a while: a clerk scans a form page after page."""


@dataclass(frozen=True)
class SignedIn:
    """The clerk of the request and the units (credit codes) assigned to them."""

    username: str
    units: frozenset[str]

    @property
    def actor(self) -> Actor:
        return Actor(self.username, StaffRole.ARCHIVE_CLERK)


def services() -> ClerkServices:
    found: ClerkServices = current_app.extensions[EXTENSION]
    return found


def session_key(secret: bytes) -> bytes:
    """The key signing the clerks' session cookies, derived from the instance secret (so every
    worker process shares it, and it is no other key)."""
    return hmac.new(secret, b"titlecert clerk session cookie", sha256).digest()


def configure(app: Flask, services: ClerkServices) -> None:
    app.extensions[EXTENSION] = services
    app.secret_key = session_key(services.session_secret)
    https = services.settings.public_url.startswith("https://")
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=SESSION_HOURS),
        WTF_CSRF_CHECK_DEFAULT=False,  # only the clerk pages' POSTs: the public upload has no session
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
    )
    csrf.init_app(app)
    # An app-level hook: APIFlask's document generator expects only API blueprints to have their own.
    app.before_request(_protect)


def _protect() -> None:
    """Every POST to the clerk pages must carry the session's CSRF token (else a 400)."""
    if request.blueprint == "clerks" and request.method == "POST":
        csrf.protect()


def sso_user() -> str | None:
    """The user the trusted proxy names, when SSO is configured (and proxies are trusted)."""
    settings = services().settings
    if not settings.clerk_sso_header or settings.trusted_proxies < 1:
        return None
    return (request.headers.get(settings.clerk_sso_header) or "").strip() or None


def current() -> SignedIn | None:
    """The signed-in, enabled clerk of this request, or None."""
    username = sso_user() or session.get(SESSION_KEY)
    if not isinstance(username, str):
        return None
    with services().registry.transaction() as ledger:
        clerk = ledger.clerks.by_name(username)
        if clerk is None or clerk.disabled_at is not None:
            return None
        return SignedIn(clerk.username, frozenset(ledger.clerks.units_of(clerk)))


def sign_in(username: str) -> None:
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = username


def sign_out() -> None:
    session.clear()
