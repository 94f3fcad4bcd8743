"""Who the clerk is: a signed session cookie after a password sign-in, or the SSO header a trusted
proxy sets. Every POST of the clerk pages carries a CSRF token (verify.web.forms, the site's one
guard; it also holds the session cookie's key)."""

import datetime as dt
from dataclasses import dataclass, field

from flask import Flask, current_app, request, session

from docgen.workdays import WorkCalendar
from registry.audit import Actor
from registry.db import Registry
from registry.staff import StaffRole
from signing.trust import TrustSettings
from titlecert.settings import Settings
from titlecert.store import DocumentStore
from verify.cache import CachedAnalyser
from verify.checks import Analyser
from verify.web import forms

EXTENSION = "titlecert.clerks"
SESSION_KEY = "clerk"
SESSION_HOURS = forms.TOKEN_HOURS


@dataclass(frozen=True)
class ClerkServices:
    """The clerk pages' view of the instance (titlecert.bootstrap), attached by the app factory."""

    settings: Settings
    registry: Registry
    store: DocumentStore
    trust: TrustSettings
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


def configure(app: Flask, services: ClerkServices) -> None:
    """Attach the services and guard every POST of the clerk pages (after verify.web.mount, which
    gives the app its session key and the CSRF guard)."""
    app.extensions[EXTENSION] = services
    https = services.settings.public_url.startswith("https://")
    app.config.update(
        SESSION_COOKIE_SECURE=https, PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=SESSION_HOURS)
    )
    forms.protect(app, "clerks")


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
