"""The web application factory: mounts verification on an APIFlask app. Nothing runs at import."""

import logging
import sys
import time

from apiflask import APIFlask
from flask import Response
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix

from registry.db import Registry
from titlecert.admin.api import AdminServices, init_admin
from titlecert.clerks.web import install as install_clerks
from titlecert.instance import instance_secret, load_trust
from titlecert.settings import Settings
from verify.web import VerifyServices, api, init_app
from verify.web.limits import RateLimits
from verify.web.logs import RedactTokens
from verify.web.transparency import bp as transparency_bp


class _ChineseJSON(DefaultJSONProvider):
    """JSON with Chinese text as characters, not as escape sequences."""

    ensure_ascii = False


def create_app(settings: Settings) -> APIFlask:
    """An app serving the public verify site (with the holder pages), /api/v1 and the admin API
    (/api/v1/admin) for the instance in `settings`."""
    app = APIFlask(
        __name__,
        title=api.TITLE,
        version=api.VERSION,
        spec_path=api.SPEC_PATH,
        docs_path=None,
        json_errors=False,
    )
    app.json = _ChineseJSON(app)
    if settings.trusted_proxies:
        # X-Forwarded-For and -Proto from that many proxies: the client address the limits count,
        # and request.is_secure, which decides HSTS.
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    registry = Registry(settings.database_url)
    install_clerks(app, settings, registry)  # before init_app, which applies the request limits
    limits = settings.rate_limits
    init_app(
        app,
        VerifyServices(
            trust=load_trust(settings),
            registry=registry,
            verify_domain=settings.verify_domain,
            id_key=instance_secret(settings) if settings.secret_file.exists() else None,
            limits=RateLimits(
                lookup=limits.lookup,
                match=limits.match,
                match_per_certificate=limits.match_per_certificate,
                upload=limits.upload,
                storage_uri=settings.redis_url or "memory://",
                key_prefix=limits.key_prefix,
            ),
        ),
    )
    health = app.doc(hide=True)(lambda: _health(registry))  # for load balancers, not in the API document
    app.add_url_rule("/healthz", "healthz", health)
    app.register_blueprint(transparency_bp)
    init_admin(app, AdminServices(registry))
    return app


def _health(registry: Registry) -> Response:
    """GET /healthz for load balancers: 200 `ok` when the registry answers, else 503."""
    up = registry.ping()
    response = Response("ok\n" if up else "registry unavailable\n", 200 if up else 503, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


def configure_logging() -> None:
    """Log INFO and above to stderr (`titlecert serve`): UTC times, tokens hashed in every line."""
    formatter = logging.Formatter("%(asctime)sZ %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
    for handler in root.handlers:
        handler.setFormatter(formatter)
        if not any(isinstance(f, RedactTokens) for f in handler.filters):
            handler.addFilter(RedactTokens())
    root.setLevel(logging.INFO)
