"""Logging without capabilities: QR tokens, holder secrets and share tokens appear in logs only
as short hashes.

`install` adds an access log (one line per request, the path's token hashed) and keeps
werkzeug's own request lines (development server) redacted too; `RedactTokens` is the filter
to put on any handler that may see a URL.
"""

import hashlib
import logging
import re
import time

from flask import Flask, Response, g, request

ACCESS = logging.getLogger("verify.web.access")
TOKEN_IN_TEXT = re.compile(r"(?<![A-Za-z2-7])[A-Z2-7]{32}(?![A-Za-z2-7])")
"""A QR token (160 bits of upper-case base32) wherever it appears in a line."""
HOLDER_IN_TEXT = re.compile(r"(/h/|/api/v1/holder/|/s/|/api/v1/shares/)([A-Za-z0-9_-]+)")
"""A holder secret or share token (URL-safe base64) in a holder or share page's, or their JSON's, path."""


def token_ref(token: str) -> str:
    """What logs see of a token: 12 hex digits of its SHA-256; whoever holds the token can find
    its lines, nobody can go from a line to the token."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()[:12]


def redact(text: str) -> str:
    """`text` with every token replaced by `<token:REF>`, every holder secret by `<secret:REF>`."""
    text = HOLDER_IN_TEXT.sub(lambda m: f"{m.group(1)}<secret:{token_ref(m.group(2))}>", text)
    return TOKEN_IN_TEXT.sub(lambda m: f"<token:{token_ref(m.group())}>", text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message with its tokens hashed (put it on handlers or loggers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # logging reports the broken record itself
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def _path() -> str:
    """The request path with the token of a token route hashed, whatever its form."""
    path = request.path
    for name in ("token", "secret"):
        capability = (request.view_args or {}).get(name)
        if isinstance(capability, str) and capability:
            path = path.replace(capability, f"<{name}:{token_ref(capability)}>")
    return redact(path)


def _start() -> None:
    g.titlecert_started = time.perf_counter()


def _access(response: Response) -> Response:
    started = g.get("titlecert_started")
    elapsed = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    size = response.calculate_content_length()
    ACCESS.info(
        "%s %s %s %d %sB %.0fms",
        request.remote_addr,
        request.method,
        _path(),
        response.status_code,
        "-" if size is None else size,
        elapsed,
    )
    return response


def install(app: Flask) -> None:
    """Log every request (after every other after-request function has run: install first)."""
    app.before_request(_start)
    app.after_request(_access)
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactTokens) for f in werkzeug.filters):
        werkzeug.addFilter(RedactTokens())
