"""The web application factory: mounts verification on an APIFlask app. Nothing runs at import."""

import atexit
import datetime as dt
import logging
import sys
import time
from collections.abc import Callable
from functools import partial

from apiflask import APIFlask
from flask import Response
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix

import verify.web as verify_site
from registry.db import Registry
from titlecert.admin import api as admin
from titlecert.admin.api import AdminServices
from titlecert.archive import issued_certificate
from titlecert.bootstrap import Components, bootstrap
from titlecert.clerks import web as clerks
from titlecert.clerks.auth import ClerkServices
from titlecert.holder_copies import CopyDesk
from titlecert.receipts import ReceiptDesk, receipts_configured
from titlecert.settings import Settings
from verify.logwriter import VerificationWriter
from verify.shares import ShareSeen
from verify.web import VerifyServices, api, limits
from verify.web.logs import RedactTokens

log = logging.getLogger(__name__)


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
    components = bootstrap(settings)
    registry = components.registry
    verify_site.mount(app, _verify_services(components))
    clerks.mount(app, _clerk_services(components))
    admin.mount(app, AdminServices(registry))
    health = app.doc(hide=True)(lambda: _health(registry))  # for load balancers, not in the API document
    app.add_url_rule("/healthz", "healthz", health)
    limits.install(app, settings.rate_limits)  # last: it wraps the marked views of every feature
    return app


def _verify_services(components: Components) -> VerifyServices:
    settings = components.settings
    desk = _receipt_desk(settings)
    secret = components.secret_if_initialised
    if secret is None:  # no instance yet: sessions and forms then last as long as this process
        log.warning(
            "no instance secret at %s: clerk sessions and open forms will not survive a restart",
            settings.secret_file,
        )
    return VerifyServices(
        trust=components.trust,
        registry=components.registry,
        verify_domain=settings.verify_domain,
        id_key=secret,
        limits=settings.rate_limits,
        session_secret=secret,
        revocation=settings.revocation,
        receipts=desk.make if desk is not None else None,
        # Written by a thread of each worker (started there, flushed at its exit): a lookup does not
        # wait for the database's commit (docs/performance.md, "Lookups at the framework's speed").
        verifications=VerificationWriter(components.registry),
        # The holder's download: the store is opened on the first one (the site may run without).
        certificate_pdf=lambda number: issued_certificate(components.registry, components.store, number),
        holder_copies=_holder_copies(components, desk) if desk is not None else None,
    )


def _holder_copies(
    components: Components, desk: ReceiptDesk
) -> Callable[[str, ShareSeen, dt.datetime], bytes]:
    """The annotated-copy maker, sealing with the receipts' verification-service sealing."""
    read = partial(issued_certificate, components.registry, components.store)
    return CopyDesk(read, desk.sealing, domain=components.settings.verify_domain).make


def _receipt_desk(settings: Settings) -> ReceiptDesk | None:
    """The receipt maker, when the instance has the verification service's key (without it the
    site offers neither receipts nor annotated copies). Its LibreOffice starts with the first
    receipt and stops when the process exits."""
    if not receipts_configured(settings):
        log.info("no verification service key in %s: the site offers no receipts", settings.keys_file)
        return None
    desk = ReceiptDesk(settings, domain=settings.verify_domain)
    atexit.register(desk.close)
    return desk


def _clerk_services(components: Components) -> ClerkServices:
    return ClerkServices(
        components.settings,
        components.registry,
        components.store,
        components.trust,
        workdays=components.calendar(),
    )


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
