"""Online revocation's settings: the OCSP responders and CRLs verification may fetch, and how long
it waits."""

import math
from collections.abc import Mapping
from urllib.parse import urlsplit

from signing.trust import RevocationSources
from titlecert.errors import ConfigError

DEFAULT_TIMEOUT = 3.0


def _urls(env: Mapping[str, str], name: str, default: str) -> tuple[str, ...]:
    """A space- or comma-separated list of http(s) URLs (unset: `default`; empty or `none`: none)."""
    raw = env.get(name)
    if raw is None:
        urls: tuple[str, ...] = (default,)
    elif raw.strip().lower() == "none":
        urls = ()
    else:
        urls = tuple(u for u in raw.replace(",", " ").split() if u)
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"{name}: {url!r} is not an http:// or https:// URL")
    return urls


def revocation_sources(env: Mapping[str, str], pki_url: str) -> RevocationSources:
    """TITLECERT_OCSP_URLS and TITLECERT_CRL_URLS (default the DEMO PKI's /ocsp and /crl) and
    TITLECERT_REVOCATION_TIMEOUT (seconds, default 3). Raises ConfigError for a URL that is not
    http(s) or a timeout that is not a positive number."""
    ocsp_urls = _urls(env, "TITLECERT_OCSP_URLS", f"{pki_url}/ocsp")
    crl_urls = _urls(env, "TITLECERT_CRL_URLS", f"{pki_url}/crl")
    timeout_raw = env.get("TITLECERT_REVOCATION_TIMEOUT", "").strip()
    try:
        timeout = float(timeout_raw) if timeout_raw else DEFAULT_TIMEOUT
    except ValueError:
        timeout = -1.0
    if not (timeout > 0 and math.isfinite(timeout)):
        raise ConfigError(
            f"TITLECERT_REVOCATION_TIMEOUT must be a positive number of seconds, not {timeout_raw!r}"
        )
    return RevocationSources(ocsp_urls=ocsp_urls, crl_urls=crl_urls, timeout=timeout)
