"""What online revocation's two sources (OCSP, verify.revocation; CRLs, verify.crl) share: the one
way out to the network, to an allow-listed URL only (no proxy, no redirect, a timeout, a size cap),
and the rules for believing what comes back."""

import datetime as dt
import http.client
import urllib.request

CLOCK_SKEW = dt.timedelta(minutes=5)
"""How far a responder's or CA's clock may run ahead of ours, or an answer's nextUpdate behind."""


class Unbelieved(Exception):
    """An OCSP response or a CRL that proves nothing about our certificate (the reason is for the log)."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would take the question to a URL nobody allowed."""

    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def fetch(
    url: str, *, timeout: float, limit: int, body: bytes | None = None, content_type: str = ""
) -> bytes:
    """GET `url`, or POST `body` to it; raises OSError (a timeout, a refused connection, an HTTP
    error status) or Unbelieved for a reply that is not HTTP or is over `limit` bytes."""
    headers = {"Content-Type": content_type} if content_type else {}
    request = urllib.request.Request(  # noqa: S310 - the settings admit only http(s) URLs
        url, data=body, headers=headers, method="GET" if body is None else "POST"
    )
    try:
        with _OPENER.open(request, timeout=timeout) as reply:
            data: bytes = reply.read(limit + 1)
    except http.client.HTTPException as e:  # a peer that does not speak HTTP, or stops mid-reply
        raise Unbelieved(f"not an HTTP reply ({type(e).__name__})") from e
    if len(data) > limit:
        raise Unbelieved("response too large")
    return data


__all__ = ["CLOCK_SKEW", "Unbelieved", "fetch"]
