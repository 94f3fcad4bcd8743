"""The production WSGI server: gunicorn, run in-process with titlecert's settings.

Gunicorn's own configuration sources (gunicorn.conf.py in the working folder, GUNICORN_CMD_ARGS)
are not read: what `titlecert serve` does is what `titlecert/settings/` says.
"""

import socket
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from titlecert.settings.web import WebServer
from verify.web.logs import RedactTokens


class RedactingLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type information
    """gunicorn's own log with QR tokens hashed: its error lines may quote a request's path."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, RedactTokens) for f in handler.filters):
                    handler.addFilter(RedactTokens())


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type information
    """A gunicorn application serving one WSGI app object built before the server starts."""

    def __init__(self, app: Any, options: dict[str, object]) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._app


def gunicorn_options(web: WebServer, *, host: str, port: int, name: str) -> dict[str, object]:
    """The gunicorn settings for `web` listening on host:port.

    No gunicorn access log: request lines carry QR tokens; the app logs each request with them hashed.
    """
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": web.workers,
        "threads": web.threads,
        "worker_class": "gthread",
        "timeout": web.timeout,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,
        # Proxies are trusted in one place, the app's ProxyFix (TITLECERT_TRUSTED_PROXIES); gunicorn
        # by default believes X-Forwarded-Proto from 127.0.0.1 (or FORWARDED_ALLOW_IPS).
        "forwarded_allow_ips": "",
        "errorlog": "-",
        "logger_class": RedactingLogger,
        "loglevel": "warning",
        "proc_name": name,
        # The app is built once in the arbiter; its registry connects lazily, in each worker.
        "preload_app": True,
    }


def check_can_listen(host: str, port: int) -> None:
    """Raises OSError when host:port cannot be bound (in use, not an address of this machine),
    before gunicorn would retry and log it five times."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def run(app: Any, web: WebServer, *, host: str, port: int, name: str = "titlecert") -> None:
    """Serve the WSGI `app` with gunicorn until SIGTERM or SIGINT. Raises OSError when host:port
    cannot be bound."""
    check_can_listen(host, port)
    _Gunicorn(app, gunicorn_options(web, host=host, port=port, name=name)).run()


__all__ = ["check_can_listen", "gunicorn_options", "run"]
