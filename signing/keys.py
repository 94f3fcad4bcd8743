"""Signing keys: which PKCS#12 file seals for which role, loaded once per process.

The key settings file (written by `titlecert init`) maps each role to its key material:

    {"committee": {"pkcs12": "pki/committee.p12", "passphrase_file": "pki/committee.pass",
                   "seal_name": "重庆市…评审委员会", "seal_image": "pki/committee-seal.png"}, ...}

Paths are relative to the file's folder. An operator's passphrase is not stored: it is passed in
by the caller (from the environment) and `passphrase_file` is then omitted.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.sign import signers
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from signing.errors import KeyLoadError
from signing.roles import Role


@dataclass(frozen=True)
class SealKey:
    """A loaded signing identity for one role."""

    role: Role
    """The role it seals for."""
    signer: signers.Signer
    """pyHanko signer holding the key and chain."""
    seal_name: str
    """The Chinese name drawn on the visible seal."""
    seal_image: bytes
    """PNG of the seal drawn under the name."""

    @property
    def signer_cert(self) -> x509.Certificate:
        """The X.509 signing certificate."""
        cert = self.signer.signing_cert
        if cert is None:  # load_pkcs12 always sets it; a custom signer might not
            raise KeyLoadError(f"the {self.role.value} signer has no certificate")
        return cert


class CachedKeySigner(signers.SimpleSigner):
    """A SimpleSigner that parses its RSA private key once.

    pyHanko's SimpleSigner re-loads (and for RSA re-validates) the key inside every raw signature,
    dry runs for size estimation included: about 0.14 s per call for RSA-3072, over half the cost
    of sealing a document (measured here with cProfile).
    """

    _parsed: RSAPrivateKey | None = None

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            name = mechanism.signature_algo
        except ValueError:
            name = mechanism["algorithm"].native
        if name != "rsassa_pkcs1v15":
            return bytes(super().sign_raw(data, digest_algorithm))
        if self._parsed is None:
            key = serialization.load_der_private_key(self.signing_key.dump(), password=None)
            if not isinstance(key, RSAPrivateKey):
                return bytes(super().sign_raw(data, digest_algorithm))
            self._parsed = key
        return self._parsed.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


def load_pkcs12_signer(pkcs12_path: Path, passphrase: bytes) -> signers.SimpleSigner:
    """Load a PKCS#12 file into a pyHanko signer.

    Raises KeyLoadError naming the file when it is unreadable or the passphrase is wrong.
    """
    try:
        data = pkcs12_path.read_bytes()
    except OSError as e:
        raise KeyLoadError(f"{pkcs12_path}: cannot read PKCS#12 file ({e.strerror})") from e
    try:
        signer: signers.SimpleSigner | None = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=(), passphrase=passphrase
        )
    except ValueError:  # pyHanko raises for a wrong passphrase or foreign data
        signer = None
    if signer is None:
        raise KeyLoadError(f"{pkcs12_path}: not a PKCS#12 file with a key, or the passphrase is wrong")
    return CachedKeySigner(
        signing_cert=signer.signing_cert,
        signing_key=signer.signing_key,
        cert_registry=signer.cert_registry,
        signature_mechanism=signer.signature_mechanism,
    )


def load_seal_keys(path: Path, passphrases: Mapping[str, bytes] | None = None) -> dict[Role, SealKey]:
    """Read the key settings file and load every role's key; `passphrases` (by role name)
    override `passphrase_file`.

    Raises KeyLoadError naming the file and role on any problem.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise KeyLoadError(f"{path}: key settings not found; run `titlecert init`") from e
    except json.JSONDecodeError as e:
        raise KeyLoadError(f"{path}: not valid JSON ({e})") from e
    keys: dict[Role, SealKey] = {}
    for role in Role:
        spec = raw.get(role.value)
        if not isinstance(spec, dict):
            raise KeyLoadError(f"{path}: no key configured for role {role.value!r}")
        try:
            p12 = path.parent / spec["pkcs12"]
            if passphrases and role.value in passphrases:
                passphrase = passphrases[role.value]
            else:
                passphrase = (path.parent / spec["passphrase_file"]).read_bytes().strip()
            seal_image = (path.parent / spec["seal_image"]).read_bytes()
            seal_name = str(spec["seal_name"])
        except KeyError as e:
            raise KeyLoadError(f"{path}: {role.value}.{e.args[0]} is missing") from e
        except OSError as e:
            raise KeyLoadError(f"{path}: {role.value}: {e.filename}: {e.strerror}") from e
        keys[role] = SealKey(role, load_pkcs12_signer(p12, passphrase), seal_name, seal_image)
    return keys
