"""The names of every TITLECERT_* variable, so that a misspelled one is an error, not ignored."""

import difflib
from collections.abc import Iterable, Mapping

from titlecert.errors import ConfigError
from titlecert.settings.keys import ROLES

PREFIX = "TITLECERT_"
_PER_ROLE = ("PKCS12", "PASSWORD", "SEAL_NAME", "PKCS11_KEY", "PKCS11_CERT", "PKCS11_PIN")

VARIABLES: frozenset[str] = frozenset(
    [
        "TITLECERT_HOME",
        "TITLECERT_DATABASE_URL",
        "TITLECERT_PUBLIC_URL",
        "TITLECERT_TRUST_ANCHORS",
        "TITLECERT_SEAL_FONT",
        "TITLECERT_CERTIFICATE_NO_FORMAT",
        "TITLECERT_LICENCE_TYPE_CODE",
        "TITLECERT_PKI_URL",
        "TITLECERT_SIGNATURE_LEVEL",
        "TITLECERT_TSA_URL",
        "TITLECERT_PKCS11_MODULE",
        "TITLECERT_PKCS11_TOKEN",
        "TITLECERT_PKCS11_PIN",
        "TITLECERT_WEB_WORKERS",
        "TITLECERT_WEB_THREADS",
        "TITLECERT_WEB_TIMEOUT",
        "TITLECERT_REDIS_URL",
        "TITLECERT_RATE_LIMIT_LOOKUP",
        "TITLECERT_RATE_LIMIT_MATCH",
        "TITLECERT_RATE_LIMIT_MATCH_CERTIFICATE",
        "TITLECERT_RATE_LIMIT_UPLOAD",
        "TITLECERT_RATE_LIMIT_RECEIPT",
        "TITLECERT_RATE_LIMIT_PREFIX",
        "TITLECERT_TRUSTED_PROXIES",
        "TITLECERT_ACTOR",
        "TITLECERT_CONVERT_WORKERS",
        "TITLECERT_SIGN_WORKERS",
        "TITLECERT_BROKER_URL",
        "TITLECERT_BROKER_QUEUE",
        "TITLECERT_BROKER_REDELIVERY",
        "TITLECERT_STORE_URL",
        "TITLECERT_S3_ENDPOINT_URL",
        "TITLECERT_S3_REGION",
        "TITLECERT_S3_ADDRESSING_STYLE",
        "TITLECERT_CLERK_SSO_HEADER",
        "TITLECERT_OCSP_URLS",
        "TITLECERT_CRL_URLS",
        "TITLECERT_REVOCATION_TIMEOUT",
        *(f"TITLECERT_{role.upper()}_{part}" for role in ROLES for part in _PER_ROLE),
    ]
)


def check_variable_names(env: Mapping[str, str]) -> None:
    """Raise ConfigError naming each TITLECERT_* variable in `env` that titlecert does not read,
    with the known name it most resembles."""
    unknown = sorted(name for name in env if name.startswith(PREFIX) and name not in VARIABLES)
    if unknown:
        raise ConfigError("; ".join(_explain(name, VARIABLES) for name in unknown))


def _explain(name: str, known: Iterable[str]) -> str:
    # Compared without the common prefix, which would make every name resemble every other.
    suffixes = {k.removeprefix(PREFIX): k for k in known}
    close = difflib.get_close_matches(name.removeprefix(PREFIX), sorted(suffixes), n=1, cutoff=0.7)
    hint = f"did you mean {suffixes[close[0]]}?" if close else "docs/configuration.md lists the variables"
    return f"{name} is not a titlecert setting: {hint}"
