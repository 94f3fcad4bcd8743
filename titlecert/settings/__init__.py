"""Settings: the one place that reads the environment.

`from_env` resolves every TITLECERT_* variable once, into frozen settings; a variable it does not
know stops it (a misspelled one would otherwise be ignored in silence), and every problem is one
ConfigError naming the variable and what it expects. The parts live beside this module: the keys,
the site, the pipeline, the store, and the list of variable names."""

import os
import pwd
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from signing.trust import RevocationSources
from titlecert.errors import ConfigError
from titlecert.settings.keys import ROLES, SIGNATURE_LEVELS, ConfiguredKey, TokenConfig, token_config
from titlecert.settings.pipeline import Pipeline, pipeline
from titlecert.settings.revocation import revocation_sources
from titlecert.settings.store import S3Location, store_location
from titlecert.settings.variables import check_variable_names
from titlecert.settings.web import WebServer, count, rate_limits, web_server
from verify.ratelimits import RateLimits


@dataclass(frozen=True)
class Settings:
    """Everything configurable, resolved once."""

    home: Path
    """TITLECERT_HOME: the instance folder (keys, trust settings, SQLite registry)."""
    database_url: str
    """TITLECERT_DATABASE_URL: SQLAlchemy URL; SQLite in the home by default."""
    public_url: str
    """TITLECERT_PUBLIC_URL: base URL printed into QR codes."""
    configured_keys: Mapping[str, ConfiguredKey]
    """TITLECERT_<ROLE>_PKCS12 (+ _PASSWORD, _SEAL_NAME): operator keys by role name."""
    trust_anchors: Path | None
    """TITLECERT_TRUST_ANCHORS: PEM file of trust anchors for configured keys."""
    seal_font: Path | None
    """TITLECERT_SEAL_FONT: a .ttf/.otf CJK font for seal text."""
    certificate_no_format: str
    """TITLECERT_CERTIFICATE_NO_FORMAT: e.g. CQZC{year}{seq:06d}."""
    licence_type_code: str
    """TITLECERT_LICENCE_TYPE_CODE: 证照类型代码 of the e-licence identifier (configure the real one)."""
    pki_url: str
    """TITLECERT_PKI_URL: where `titlecert pki serve` answers for the DEMO PKI (TSA, OCSP, CRL);
    written into the demo certificates at init."""
    signature_level: str
    """TITLECERT_SIGNATURE_LEVEL: B-B (default), B-T (each seal time-stamped by the TSA), B-LT (plus
    the chains' OCSP/CRL answers embedded) or B-LTA (plus a closing document time stamp)."""
    tsa_url: str
    """TITLECERT_TSA_URL: the RFC 3161 time-stamping authority; default the DEMO PKI's /tsa."""
    token: TokenConfig | None = None
    """TITLECERT_PKCS11_MODULE, _TOKEN and the roles' labels: the PKCS#11 token `init` configures."""
    pkcs11_pins: Mapping[str, str] = field(default_factory=dict)
    """TITLECERT_<ROLE>_PKCS11_PIN, else TITLECERT_PKCS11_PIN: the token's user PIN by role name
    (never written to disk for an operator's token)."""
    seal_names: Mapping[str, str] = field(default_factory=dict)
    """TITLECERT_<ROLE>_SEAL_NAME by role name: Chinese name drawn on each seal of a key on a token
    (default: the certificate's common name)."""
    web: WebServer = field(default_factory=WebServer)
    """TITLECERT_WEB_WORKERS, _THREADS, _TIMEOUT: how `titlecert serve` runs gunicorn."""
    redis_url: str | None = None
    """TITLECERT_REDIS_URL: Redis holding the rate-limit counters, shared by every process serving
    the site (e.g. redis://127.0.0.1:6379/0); default: in the memory of each gunicorn worker, which
    then counts apart (a client may get up to workers × the limit)."""
    rate_limits: RateLimits = field(default_factory=RateLimits)
    """TITLECERT_RATE_LIMIT_*: the public site's request limits."""
    trusted_proxies: int = 0
    """TITLECERT_TRUSTED_PROXIES: how many reverse proxies in front of `serve` set X-Forwarded-For
    and X-Forwarded-Proto; their values are believed (client address for the limits, HTTPS for
    HSTS) only then. 0: the connection's own address and scheme."""
    actor: str = "operator"
    """TITLECERT_ACTOR, else the OS user: who the audit log says ran a command (issue, revoke, ...)."""
    pipeline: Pipeline = field(default_factory=Pipeline)
    """TITLECERT_CONVERT_WORKERS, _SIGN_WORKERS: the issuing pipeline's parallelism."""
    store: S3Location | None = None
    """TITLECERT_STORE_URL (s3://bucket/prefix) and TITLECERT_S3_*: the document store on S3-compatible
    object storage, shared by every machine that issues; None: the folder `archive_dir`."""
    clerk_sso_header: str | None = None
    """TITLECERT_CLERK_SSO_HEADER: a request header naming the signed-in archive clerk, set by the
    reverse proxy's single sign-on; believed only with TITLECERT_TRUSTED_PROXIES (else ignored)."""
    revocation: RevocationSources = field(default_factory=RevocationSources)
    """TITLECERT_OCSP_URLS, TITLECERT_CRL_URLS, TITLECERT_REVOCATION_TIMEOUT: the OCSP responders
    and CRLs online verification consults about seals whose file carries no revocation data
    (default the DEMO PKI's /ocsp and /crl)."""

    @property
    def pki_dir(self) -> Path:
        return self.home / "pki"

    @property
    def keys_file(self) -> Path:
        return self.home / "keys.json"

    @property
    def trust_file(self) -> Path:
        return self.home / "trust.json"

    @property
    def archive_dir(self) -> Path:
        """The folder document store (the archive copy of every sealed PDF) when TITLECERT_STORE_URL
        is not set."""
        return self.home / "archive"

    @property
    def secret_file(self) -> Path:
        return self.home / "secret.key"

    @property
    def jobs_cache(self) -> Path:
        """Where a worker unpacks an issuing job's inputs (session and photos) from the document store."""
        return self.home / "jobs"

    @property
    def soffice_pool(self) -> Path:
        """The LibreOffice pool's profiles and work folders (one per instance)."""
        return self.home / "soffice-pool"

    @property
    def soffice_profile(self) -> Path:
        return self.home / "soffice-profile"

    @property
    def verify_domain(self) -> str:
        """The host (and port) of the public URL, printed on documents as text."""
        return urlsplit(self.public_url).netloc

    def verify_url(self, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/v/{token}"

    def holder_url(self, secret: str) -> str:
        """The holder's page: their certificate and who verified it."""
        return f"{self.public_url.rstrip('/')}/h/{secret}"


def from_env(env: Mapping[str, str] | None = None, *, default_level: str = "B-B") -> Settings:
    """Build settings from the environment (or a mapping, for tests); `default_level` is the PAdES
    level when TITLECERT_SIGNATURE_LEVEL is not set (the demo's is B-LTA)."""
    env = os.environ if env is None else env
    check_variable_names(env)
    home = Path(env.get("TITLECERT_HOME", "instance")).resolve()
    keys = {}
    for role in ROLES:
        prefix = f"TITLECERT_{role.upper()}"
        if env.get(f"{prefix}_PKCS12"):
            keys[role] = ConfiguredKey(
                pkcs12=Path(env[f"{prefix}_PKCS12"]).resolve(),
                passphrase=env.get(f"{prefix}_PASSWORD", "").encode(),
                seal_name=env.get(f"{prefix}_SEAL_NAME") or None,
            )
    anchors = env.get("TITLECERT_TRUST_ANCHORS")
    pki_url = env.get("TITLECERT_PKI_URL", "http://127.0.0.1:8081").rstrip("/")
    level = env.get("TITLECERT_SIGNATURE_LEVEL", default_level).upper()
    if level not in SIGNATURE_LEVELS:
        raise ConfigError(
            f"TITLECERT_SIGNATURE_LEVEL must be one of {', '.join(SIGNATURE_LEVELS)}, not {level!r}"
        )
    font = env.get("TITLECERT_SEAL_FONT")
    pins = {
        r: pin
        for r in ROLES
        if (pin := env.get(f"TITLECERT_{r.upper()}_PKCS11_PIN") or env.get("TITLECERT_PKCS11_PIN"))
    }
    token = token_config(
        env.get("TITLECERT_PKCS11_MODULE"),
        env.get("TITLECERT_PKCS11_TOKEN"),
        key_labels={r: v for r in ROLES if (v := env.get(f"TITLECERT_{r.upper()}_PKCS11_KEY"))},
        cert_labels={r: v for r in ROLES if (v := env.get(f"TITLECERT_{r.upper()}_PKCS11_CERT"))},
    )
    if token is not None and keys:
        raise ConfigError("configure the keys either as PKCS#12 files or on a PKCS#11 token, not both")
    return Settings(
        home=home,
        database_url=env.get("TITLECERT_DATABASE_URL") or f"sqlite:///{home / 'registry.sqlite3'}",
        public_url=env.get("TITLECERT_PUBLIC_URL", "http://127.0.0.1:8080").rstrip("/"),
        configured_keys=keys,
        trust_anchors=Path(anchors).resolve() if anchors else None,
        seal_font=Path(font) if font else None,
        certificate_no_format=env.get("TITLECERT_CERTIFICATE_NO_FORMAT", "CQZC{year}{seq:06d}"),
        # A placeholder: no national catalogue code for 职称证书 has been published to copy.
        licence_type_code=env.get("TITLECERT_LICENCE_TYPE_CODE", "11100000000013338W999"),
        pki_url=pki_url,
        signature_level=level,
        tsa_url=env.get("TITLECERT_TSA_URL") or f"{pki_url}/tsa",
        token=token,
        pkcs11_pins=pins,
        seal_names={r: v for r in ROLES if (v := env.get(f"TITLECERT_{r.upper()}_SEAL_NAME"))},
        web=web_server(env),
        redis_url=env.get("TITLECERT_REDIS_URL") or None,
        rate_limits=rate_limits(env),
        trusted_proxies=count(env, "TITLECERT_TRUSTED_PROXIES"),
        actor=env.get("TITLECERT_ACTOR") or _os_user(env),
        pipeline=pipeline(env),
        store=store_location(env),
        clerk_sso_header=env.get("TITLECERT_CLERK_SSO_HEADER") or None,
        revocation=revocation_sources(env, pki_url),
    )


def _os_user(env: Mapping[str, str]) -> str:
    """The login name of whoever runs titlecert, as getpass.getuser() finds it."""
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        if env.get(name):
            return env[name]
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid {os.getuid()}"


def with_token_options(
    settings: Settings,
    *,
    module: Path | None,
    token_label: str | None,
    key_labels: Mapping[str, str],
    cert_labels: Mapping[str, str],
) -> Settings:
    """`settings` with `init`'s token options over the environment's. Raises ConfigError as
    `token_config` does."""
    base = settings.token
    token = token_config(
        str(module or (base.module if base else "")) or None,
        token_label or (base.token_label if base else None),
        key_labels=key_labels or (base.key_labels if base else {}),
        cert_labels={**(base.cert_labels if base else {}), **cert_labels},
    )
    if token is not None and settings.configured_keys:
        raise ConfigError("configure the keys either as PKCS#12 files or on a PKCS#11 token, not both")
    return replace(settings, token=token)
