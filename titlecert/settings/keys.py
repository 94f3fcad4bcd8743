"""The seal keys' settings: PKCS#12 files per role, or a PKCS#11 token, and the PAdES level."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from signing.roles import ISSUING_ROLES, Role
from titlecert.errors import ConfigError

SIGNATURE_LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
ROLES: tuple[str, ...] = tuple(role.value for role in Role)
"""The seal roles, in the order messages list them (signing.roles.Role is their home)."""
ISSUING: tuple[str, ...] = tuple(role.value for role in ISSUING_ROLES)
"""The roles whose keys an instance must have."""


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


def token_config(
    module: str | None,
    token_label: str | None,
    *,
    key_labels: Mapping[str, str],
    cert_labels: Mapping[str, str],
) -> TokenConfig | None:
    """The token settings, or None when nothing names a token. Raises ConfigError when the module
    or token label is missing, or only some roles' keys are named."""
    if not (module or token_label or key_labels or cert_labels):
        return None
    if not module or not token_label:
        raise ConfigError(
            "a PKCS#11 token needs both its module (TITLECERT_PKCS11_MODULE, init --pkcs11-module) and "
            "its label (TITLECERT_PKCS11_TOKEN, init --pkcs11-token)"
        )
    unknown = sorted((set(key_labels) | set(cert_labels)) - set(ROLES))
    if unknown:
        raise ConfigError(f"unknown role(s) {', '.join(unknown)}: the roles are {', '.join(ROLES)}")
    missing = [r for r in ISSUING if r not in key_labels]
    if (key_labels or cert_labels) and missing:
        raise ConfigError(
            "name the committee's and the authority's keys on the token (the verification service's "
            "is optional), or none to generate DEMO keys on it; missing: "
            + ", ".join(f"TITLECERT_{r.upper()}_PKCS11_KEY (--key-label {r}=LABEL)" for r in missing)
        )
    return TokenConfig(Path(module).absolute(), token_label, dict(key_labels), dict(cert_labels))
