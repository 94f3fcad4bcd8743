"""The web application factory: mounts verification on a Flask app. Nothing runs at import."""

from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider

from registry.db import Registry
from titlecert.admin.api import AdminServices, init_admin
from titlecert.instance import load_trust
from titlecert.settings import Settings
from verify.web import VerifyServices, init_app
from verify.web.transparency import bp as transparency_bp


class _ChineseJSON(DefaultJSONProvider):
    """JSON with Chinese text as characters, not as escape sequences."""

    ensure_ascii = False


def create_app(settings: Settings) -> Flask:
    """A Flask app serving the public verify site (with the holder pages) and the admin API for
    the instance in `settings`."""
    app = Flask(__name__)
    app.json = _ChineseJSON(app)
    registry = Registry(settings.database_url)
    init_app(
        app,
        VerifyServices(
            trust=load_trust(settings),
            registry=registry,
            verify_domain=settings.verify_domain,
        ),
    )
    app.add_url_rule("/healthz", "healthz", lambda: _health(registry))
    app.register_blueprint(transparency_bp)
    init_admin(app, AdminServices(registry))
    return app


def _health(registry: Registry) -> Response:
    """GET /healthz for load balancers: 200 `ok` when the registry answers, else 503."""
    up = registry.ping()
    response = Response("ok\n" if up else "registry unavailable\n", 200 if up else 503, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response
