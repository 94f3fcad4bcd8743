"""The web application factory: mounts verification on a Flask app. Nothing runs at import."""

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from registry.db import Registry
from titlecert.instance import load_trust
from titlecert.settings import Settings
from verify.web import VerifyServices, init_app


class _ChineseJSON(DefaultJSONProvider):
    """JSON with Chinese text as characters, not as escape sequences."""

    ensure_ascii = False


def create_app(settings: Settings) -> Flask:
    """A Flask app serving the public verify site for the instance in `settings`."""
    app = Flask(__name__)
    app.json = _ChineseJSON(app)
    init_app(
        app,
        VerifyServices(
            trust=load_trust(settings),
            registry=Registry(settings.database_url),
            verify_domain=settings.verify_domain,
        ),
    )
    return app
