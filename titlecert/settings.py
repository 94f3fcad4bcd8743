"""Settings: the one place that reads the environment."""

import os
import pwd
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from limits import parse_many

SIGNATURE_LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
ROLES = ("committee", "authority")


@dataclass(frozen=True)
class ConfiguredKey:
    """A PKCS#12 file supplied by the operator for one role."""

    pkcs12: Path
    """The PKCS#12 file."""
    passphrase: bytes
    """Its passphrase (from the environment; never written to disk by titlecert)."""
    seal_name: str | None
    """Chinese name drawn on the seal; defaults to the certificate's common name."""


@dataclass(frozen=True)
class TokenConfig:
    """The PKCS#11 token `titlecert init` puts the keys on (DEMO) or finds them on (operator)."""

    module: Path
    """TITLECERT_PKCS11_MODULE (`init --pkcs11-module`): the token middleware's PKCS#11 module."""
    token_label: str
    """TITLECERT_PKCS11_TOKEN (`init --pkcs11-token`): the token's label."""
    key_labels: Mapping[str, str]
    """TITLECERT_<ROLE>_PKCS11_KEY (`init --key-label ROLE=LABEL`): the operator's keys already on
    the token, by role name; empty: `init` generates DEMO keys on the token."""
    cert_labels: Mapping[str, str]
    """TITLECERT_<ROLE>_PKCS11_CERT (`init --cert-label ROLE=LABEL`): their certificates' labels
    where they differ from the key's."""


def default_web_workers() -> int:
    """Gunicorn's rule of thumb, 2 × cores + 1: 5 worker processes on 2 cores."""
    return 2 * (os.cpu_count() or 1) + 1


@dataclass(frozen=True)
class WebServer:
    """How `titlecert serve` (and `demo`) run the production WSGI server, gunicorn."""

    workers: int = field(default_factory=default_web_workers)
    """TITLECERT_WEB_WORKERS: worker processes (default 2 × cores + 1)."""
    threads: int = 4
    """TITLECERT_WEB_THREADS: threads per worker (gthread); an upload waits on its sandboxed parser
    in one thread while the others answer lookups."""
    timeout: int = 60
    """TITLECERT_WEB_TIMEOUT: seconds before a silent worker is killed and replaced (the sandbox's
    own wall-clock limit is shorter)."""


@dataclass(frozen=True)
class RateLimitSettings:
    """Request limits of the public site, per client address (an IPv6 client by its /64), in
    flask-limiter's notation: `10/minute`, `5 per 2 seconds`, several joined by `;`."""

    lookup: str = "60/minute"
    """TITLECERT_RATE_LIMIT_LOOKUP: scan pages and GET /api/v1/certificates/<token>, counted together."""
    match: str = "10/minute"
    """TITLECERT_RATE_LIMIT_MATCH: match checks; strict, since each answers a guess."""
    match_per_certificate: str = "50/day"
    """TITLECERT_RATE_LIMIT_MATCH_CERTIFICATE: match checks on one certificate from all clients
    together, so that many addresses cannot share out the guessing."""
    upload: str = "6/minute"
    """TITLECERT_RATE_LIMIT_UPLOAD: PDF uploads, the page's form and POST /api/v1/verify together."""
    key_prefix: str = "titlecert"
    """TITLECERT_RATE_LIMIT_PREFIX: prefix of the counters' keys (instances sharing one Redis differ)."""


def default_pipeline_workers() -> int:
    """One per core: conversion and sealing are both CPU-bound."""
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Pipeline:
    """How `titlecert issue` overlaps its stages."""

    convert_workers: int = field(default_factory=default_pipeline_workers)
    """TITLECERT_CONVERT_WORKERS: documents converted at once (threads feeding LibreOffice)."""
    sign_workers: int = field(default_factory=default_pipeline_workers)
    """TITLECERT_SIGN_WORKERS: sealing processes, each loading the keys, the seal font and the
    network clients once."""
    broker_url: str | None = None
    """TITLECERT_BROKER_URL: a Celery broker (redis://..., amqp://...): `issue` sends the job's units
    there for `titlecert worker` processes, on any number of machines sharing the registry
    (PostgreSQL) and the document store (S3), to do. Unset: this machine does the work itself."""
    queue: str = "titlecert"
    """TITLECERT_BROKER_QUEUE: the broker queue of this instance's units (instances sharing a
    broker need different queues)."""
    redelivery_seconds: int = 900
    """TITLECERT_BROKER_REDELIVERY: seconds after which a unit delivered to a worker that has not
    acknowledged it (its machine lost or cut off) is delivered to another (Redis's visibility
    timeout). Longer than any unit takes: a unit redelivered while still being worked on is done
    once anyway, but twice the work."""
    crash_after: str | None = None
    """TITLECERT_TEST_CRASH_AFTER, for tests only: `sealed:N` or `registered:N` makes the run kill
    itself (SIGKILL) once N units reached that state, to test resuming at a chosen point."""


AddressingStyle = Literal["auto", "path", "virtual"]
ADDRESSING_STYLES: dict[str, AddressingStyle] = {"auto": "auto", "path": "path", "virtual": "virtual"}


@dataclass(frozen=True)
class S3Location:
    """The document store in a bucket of S3-compatible object storage (TITLECERT_STORE_URL=s3://...).
    Credentials are never settings: boto3 finds them in its standard chain (AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY, AWS_PROFILE, the shared credentials file, an instance or task role)."""

    bucket: str
    """The bucket, which must exist (`titlecert init` checks it)."""
    prefix: str = ""
    """Prepended to every key: empty, or ending in `/` (several instances may share a bucket)."""
    endpoint_url: str | None = None
    """TITLECERT_S3_ENDPOINT_URL: a compatible server's URL (MinIO, Ceph, a cloud's S3 gateway);
    default: boto3's (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS S3 itself)."""
    region: str | None = None
    """TITLECERT_S3_REGION: the bucket's region; default: boto3's (AWS_REGION, AWS_DEFAULT_REGION,
    the profile's)."""
    addressing_style: AddressingStyle = "auto"
    """TITLECERT_S3_ADDRESSING_STYLE: `path` (http://host/bucket/key; the default with an endpoint
    URL, as MinIO wants), `virtual` (http://bucket.host/key) or `auto` (boto3 decides; the default
    for AWS)."""
    connect_timeout: float = 5.0
    """Seconds to wait for a connection to the endpoint."""
    read_timeout: float = 60.0
    """Seconds to wait for the endpoint to answer on an open connection."""
    attempts: int = 3
    """Tries per request, the first included (boto3's standard retry mode, with backoff)."""

    @property
    def url(self) -> str:
        """`s3://bucket/prefix`, as configured."""
        return f"s3://{self.bucket}/{self.prefix}"


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
    rate_limits: RateLimitSettings = field(default_factory=RateLimitSettings)
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
    home = Path(env.get("TITLECERT_HOME", "instance")).resolve()
    keys = {}
    for role in ("committee", "authority"):
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
        raise ValueError(
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
        raise ValueError("configure the keys either as PKCS#12 files or on a PKCS#11 token, not both")
    return Settings(
        home=home,
        database_url=env.get("TITLECERT_DATABASE_URL") or f"sqlite:///{home / 'registry.sqlite3'}",
        public_url=env.get("TITLECERT_PUBLIC_URL", "http://127.0.0.1:8080").rstrip("/"),
        configured_keys=keys,
        trust_anchors=Path(anchors).resolve() if anchors else None,
        seal_font=Path(font) if font else None,
        certificate_no_format=env.get("TITLECERT_CERTIFICATE_NO_FORMAT", "CQZC{year}{seq:06d}"),
        # Placeholder type code (the national catalogue's code for 职称证书 was not found; DOMAIN.md §2.2).
        licence_type_code=env.get("TITLECERT_LICENCE_TYPE_CODE", "11100000000013338W999"),
        pki_url=pki_url,
        signature_level=level,
        tsa_url=env.get("TITLECERT_TSA_URL") or f"{pki_url}/tsa",
        token=token,
        pkcs11_pins=pins,
        seal_names={r: v for r in ROLES if (v := env.get(f"TITLECERT_{r.upper()}_SEAL_NAME"))},
        web=web_server(env),
        redis_url=env.get("TITLECERT_REDIS_URL") or None,
        rate_limits=_rate_limits(env),
        trusted_proxies=_count(env, "TITLECERT_TRUSTED_PROXIES"),
        actor=env.get("TITLECERT_ACTOR") or _os_user(env),
        pipeline=pipeline(env),
        store=store_location(env),
        clerk_sso_header=env.get("TITLECERT_CLERK_SSO_HEADER") or None,
    )


_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_S3_VARIABLES = ("TITLECERT_S3_ENDPOINT_URL", "TITLECERT_S3_REGION", "TITLECERT_S3_ADDRESSING_STYLE")


def store_location(env: Mapping[str, str]) -> S3Location | None:
    """The S3 document store TITLECERT_STORE_URL names, or None (the folder store) when it is unset.

    Raises ValueError naming the variable: a URL that is not s3://BUCKET[/PREFIX], a bucket name S3
    would refuse, a prefix with `..` or empty segments, an endpoint URL that is not http(s)://host,
    an unknown addressing style, or TITLECERT_S3_* set without an s3:// store URL.
    """
    raw = env.get("TITLECERT_STORE_URL", "").strip()
    if not raw:
        given = [name for name in _S3_VARIABLES if env.get(name)]
        if given:
            raise ValueError(
                f"{', '.join(given)} set, but TITLECERT_STORE_URL is not: set it to s3://BUCKET/PREFIX"
            )
        return None
    url = urlsplit(raw)
    if url.scheme != "s3" or not url.netloc or url.query or url.fragment or {":", "@"} & set(url.netloc):
        raise ValueError(
            f"TITLECERT_STORE_URL must be s3://BUCKET or s3://BUCKET/PREFIX (unset: the folder "
            f"$TITLECERT_HOME/archive), not {raw!r}"
        )
    bucket = url.netloc
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise ValueError(
            f"TITLECERT_STORE_URL names the bucket {bucket!r}: a bucket name is 3-63 lower-case letters, "
            "digits, dots and hyphens, beginning and ending with a letter or digit"
        )
    prefix = url.path.strip("/")
    if prefix and any(part in ("", ".", "..") for part in prefix.split("/")):
        raise ValueError(f"TITLECERT_STORE_URL's prefix {prefix!r} must not have empty, '.' or '..' parts")
    endpoint = env.get("TITLECERT_S3_ENDPOINT_URL", "").strip().rstrip("/") or None
    if endpoint is not None:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"TITLECERT_S3_ENDPOINT_URL must be http(s)://HOST[:PORT] (e.g. http://127.0.0.1:9000 for "
                f"MinIO), not {endpoint!r}"
            )
    given_style = env.get("TITLECERT_S3_ADDRESSING_STYLE", "").strip().lower() or (
        "path" if endpoint else "auto"
    )
    style = ADDRESSING_STYLES.get(given_style)
    if style is None:
        raise ValueError(
            f"TITLECERT_S3_ADDRESSING_STYLE must be one of {', '.join(ADDRESSING_STYLES)}, "
            f"not {given_style!r}"
        )
    return S3Location(
        bucket=bucket,
        prefix=f"{prefix}/" if prefix else "",
        endpoint_url=endpoint,
        region=env.get("TITLECERT_S3_REGION", "").strip() or None,
        addressing_style=style,
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


def web_server(env: Mapping[str, str]) -> WebServer:
    """The gunicorn settings in `env`. Raises ValueError for a value that is not a positive integer."""
    values: dict[str, int] = {}
    for name in ("workers", "threads", "timeout"):
        variable = f"TITLECERT_WEB_{name.upper()}"
        raw = env.get(variable)
        if raw is None or raw == "":
            continue
        if not raw.isdigit() or int(raw) < 1:
            raise ValueError(f"{variable} must be a positive whole number, not {raw!r}")
        values[name] = int(raw)
    return WebServer(**values)


def pipeline(env: Mapping[str, str]) -> Pipeline:
    """The issuing pipeline's settings in `env`. Raises ValueError for a worker count or redelivery
    time that is not a positive whole number, or a crash point that is not `sealed:N` or `registered:N`."""
    values: dict[str, int] = {}
    variables = {
        "convert_workers": "TITLECERT_CONVERT_WORKERS",
        "sign_workers": "TITLECERT_SIGN_WORKERS",
        "redelivery_seconds": "TITLECERT_BROKER_REDELIVERY",
    }
    for name, variable in variables.items():
        raw = env.get(variable, "").strip()
        if raw:
            if not raw.isdigit() or int(raw) < 1:
                raise ValueError(f"{variable} must be a positive whole number, not {raw!r}")
            values[name] = int(raw)
    crash = env.get("TITLECERT_TEST_CRASH_AFTER") or None
    if crash is not None:
        state, _, count = crash.partition(":")
        if state not in ("sealed", "registered") or not count.isdigit():
            raise ValueError(f"TITLECERT_TEST_CRASH_AFTER must be sealed:N or registered:N, not {crash!r}")
    broker = env.get("TITLECERT_BROKER_URL", "").strip() or None
    queue = env.get("TITLECERT_BROKER_QUEUE", "").strip() or "titlecert"
    return Pipeline(**values, broker_url=broker, queue=queue, crash_after=crash)


_RATE_LIMIT_VARIABLES = {
    "lookup": "TITLECERT_RATE_LIMIT_LOOKUP",
    "match": "TITLECERT_RATE_LIMIT_MATCH",
    "match_per_certificate": "TITLECERT_RATE_LIMIT_MATCH_CERTIFICATE",
    "upload": "TITLECERT_RATE_LIMIT_UPLOAD",
}


def _rate_limits(env: Mapping[str, str]) -> RateLimitSettings:
    """The limits set in the environment over the defaults. Raises ValueError naming the variable
    whose value is not a rate limit."""
    given = {name: value for name, var in _RATE_LIMIT_VARIABLES.items() if (value := env.get(var))}
    for name, value in given.items():
        try:
            parse_many(value)
        except ValueError as e:
            raise ValueError(
                f"{_RATE_LIMIT_VARIABLES[name]} must be a rate limit such as '10/minute' "
                f"(several joined by ';'), not {value!r}"
            ) from e
    prefix = env.get("TITLECERT_RATE_LIMIT_PREFIX")
    return RateLimitSettings(**given, **({"key_prefix": prefix} if prefix else {}))


def _count(env: Mapping[str, str], name: str) -> int:
    """A whole number ≥ 0 from the environment (0 when unset). Raises ValueError otherwise."""
    value = env.get(name, "0").strip() or "0"
    if not value.isdigit():
        raise ValueError(f"{name} must be a whole number (0 or more), not {value!r}")
    return int(value)


def with_token_options(
    settings: Settings,
    *,
    module: Path | None,
    token_label: str | None,
    key_labels: Mapping[str, str],
    cert_labels: Mapping[str, str],
) -> Settings:
    """`settings` with `init`'s token options over the environment's. Raises ValueError as
    `token_config` does."""
    base = settings.token
    token = token_config(
        str(module or (base.module if base else "")) or None,
        token_label or (base.token_label if base else None),
        key_labels=key_labels or (base.key_labels if base else {}),
        cert_labels={**(base.cert_labels if base else {}), **cert_labels},
    )
    if token is not None and settings.configured_keys:
        raise ValueError("configure the keys either as PKCS#12 files or on a PKCS#11 token, not both")
    return replace(settings, token=token)


def token_config(
    module: str | None,
    token_label: str | None,
    *,
    key_labels: Mapping[str, str],
    cert_labels: Mapping[str, str],
) -> TokenConfig | None:
    """The token settings, or None when nothing names a token. Raises ValueError when the module
    or token label is missing, or only some roles' keys are named."""
    if not (module or token_label or key_labels or cert_labels):
        return None
    if not module or not token_label:
        raise ValueError(
            "a PKCS#11 token needs both its module (TITLECERT_PKCS11_MODULE, init --pkcs11-module) and "
            "its label (TITLECERT_PKCS11_TOKEN, init --pkcs11-token)"
        )
    unknown = sorted((set(key_labels) | set(cert_labels)) - set(ROLES))
    if unknown:
        raise ValueError(f"unknown role(s) {', '.join(unknown)}: the roles are {', '.join(ROLES)}")
    if (key_labels or cert_labels) and set(key_labels) != set(ROLES):
        missing = [r for r in ROLES if r not in key_labels]
        raise ValueError(
            "name the key of every role on the token, or none to generate DEMO keys on it; missing: "
            + ", ".join(f"TITLECERT_{r.upper()}_PKCS11_KEY (--key-label {r}=LABEL)" for r in missing)
        )
    return TokenConfig(Path(module).absolute(), token_label, dict(key_labels), dict(cert_labels))
