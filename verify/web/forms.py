"""Same-origin form posts only: the one CSRF guard of the site's HTML forms (the public pages' and
the clerk pages'), Flask-WTF's token kept in the signed session cookie.

A protected POST must carry the token the page rendered into its form (`csrf_token()`), else a
400. Flask-WTF's HTTPS check of the Referer cannot work here: every page sends `Referrer-Policy:
no-referrer`, so browsers send none. In its place, a browser's own word on where a request comes
from (`Sec-Fetch-Site`, or an `Origin` other than `null`) must say this site when it is given.
The API takes no cookies and needs no token.
"""

import hashlib
import hmac
import os
import secrets
from hashlib import sha256
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from itsdangerous import URLSafeTimedSerializer

EXTENSION = "titlecert.forms"
TOKEN_HOURS = 8
"""How long a page's form stays valid (a clerk's working day)."""
csrf = CSRFProtect()


def session_key(secret: bytes) -> bytes:
    """The key signing the session cookie (the clerk's sign-in and the forms' tokens), derived from
    the instance secret (so every worker process shares it, and it is no other key)."""
    return hmac.new(secret, b"titlecert clerk session cookie", sha256).digest()


def install(app: Flask, secret: bytes | None) -> None:
    """Give `app` its session key and the CSRF guard; `protect` names the blueprints it guards.
    Without an instance secret the key lasts as long as this process."""
    app.secret_key = session_key(secret if secret is not None else secrets.token_bytes(32))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_CHECK_DEFAULT=False,  # only the guarded blueprints: the upload and the API have none
        WTF_CSRF_SSL_STRICT=False,  # no Referer to check (no-referrer): _same_origin checks instead
        WTF_CSRF_TIME_LIMIT=TOKEN_HOURS * 3600,
    )
    csrf.init_app(app)
    app.session_interface = _Sessions()
    # Flask-WTF offers its generate_csrf as a context processor, which a global cannot override.
    app.context_processor(lambda: {"csrf_token": csrf_token})
    app.extensions[EXTENSION] = set()
    # An app-level hook: APIFlask's document generator expects only API blueprints to have their own.
    app.before_request(_protect)


class _Sessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, its serializer made once per key instead of twice a request."""

    _made: tuple[object, Any] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made = self._made
        if made is None or made[0] != keys:
            made = self._made = (keys, super().get_signing_serializer(app))
        serializer: URLSafeTimedSerializer | None = made[1]
        return serializer


_CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's, which its check expects
_CSRF_FIELD = "csrf_token"


def csrf_token() -> str:
    """What a form carries: Flask-WTF's generate_csrf (the same token, the same session entry),
    its serializer made once per key instead of once a page."""
    token: str | None = g.get(_CSRF_FIELD)
    if token is None:
        if _CSRF_FIELD not in session:
            session[_CSRF_FIELD] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - as Flask-WTF
        token = _csrf_serializer().dumps(session[_CSRF_FIELD])
        setattr(g, _CSRF_FIELD, token)
    return token


def _csrf_serializer() -> URLSafeTimedSerializer:
    key = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    if not key:  # as Flask-WTF: install() always sets one
        raise RuntimeError("A secret key is required to use CSRF.")
    made = current_app.extensions.get("titlecert.csrf-serializer")
    if made is None or made[0] != key:
        made = current_app.extensions["titlecert.csrf-serializer"] = (
            key,
            URLSafeTimedSerializer(key, salt=_CSRF_SALT),
        )
    serializer: URLSafeTimedSerializer = made[1]
    return serializer


def protect(app: Flask, blueprint: str) -> None:
    """Every POST to `blueprint`'s views must carry the session's CSRF token and come from here."""
    guarded: set[str] = app.extensions[EXTENSION]
    guarded.add(blueprint)


def _protect() -> None:
    if request.method == "POST" and request.blueprint in current_app.extensions[EXTENSION]:
        csrf.protect()
        _same_origin()


def _same_origin() -> None:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):  # none: typed or bookmarked
        raise CSRFError(f"a form posted from another site ({site})")
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        raise CSRFError("a form posted from another origin")


__all__ = ["EXTENSION", "csrf", "csrf_token", "install", "protect", "session_key"]
