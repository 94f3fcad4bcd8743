"""What `titlecert init` left in the instance's home, read back: its secret, trust settings and
seal keys. Apart from `titlecert.instance` (which creates them, with the DEMO PKI, seal images and
tokens), so that reading trust settings to verify a file loads none of that."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from signing.roles import ISSUING_ROLES, Role
from signing.trust import TrustSettings, load_trust_settings
from titlecert.settings import Settings

if TYPE_CHECKING:
    from signing.keys import SealKey


def instance_secret(settings: Settings) -> bytes:
    """The instance secret that keys issue keys and holder ID hashes. Raises OSError when the
    instance was never initialised (`titlecert init` creates it)."""
    return settings.secret_file.read_text().strip().encode()


def load_trust(settings: Settings) -> TrustSettings:
    """The trust settings verification uses."""
    return load_trust_settings(settings.trust_file)


def load_keys(settings: Settings, roles: Sequence[Role] = ISSUING_ROLES) -> "dict[Role, SealKey]":
    """The sealing keys of `roles` (by default the two issuing needs), with configured passphrases
    and token PINs from the settings; keys on a token come from the process's pool, so they are
    opened once per process."""
    from signing.keys import load_seal_keys  # imported on use: pyHanko's signers and PKCS#11

    passphrases = {r: k.passphrase for r, k in settings.configured_keys.items()}
    return load_seal_keys(settings.keys_file, passphrases, settings.pkcs11_pins, roles=roles)


__all__ = ["instance_secret", "load_keys", "load_trust"]
