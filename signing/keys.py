"""Signing keys: which PKCS#12 file or PKCS#11 token key seals for which role.

The key settings file (written by `titlecert init`) maps each role to its key material:

    {"committee": {"pkcs12": "pki/committee.p12", "passphrase_file": "pki/committee.pass",
                   "seal_name": "重庆市…评审委员会", "seal_image": "pki/committee-seal.png"},
     "authority": {"pkcs11": {"module": "/usr/lib/softhsm/libsofthsm2.so", "token_label": "titlecert",
                              "key_label": "authority", "cert_label": "authority"},
                   "chain": "pki/authority-chain.pem", "seal_name": ..., "seal_image": ...}}

Paths are relative to the file's folder. An operator's passphrase or PIN is not stored: it is passed
in by the caller (from the environment) and `passphrase_file` / `pin_file` are then omitted; only
the DEMO PKI keeps them in its pki/ folder. `chain` (PEM, optional) holds the CA certificates
embedded with a token's certificate. Token sessions and signers come from a `TokenPool`, by default
the process's own, so they are built once per process.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.sign import signers
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from signing.errors import KeyLoadError
from signing.roles import ISSUING_ROLES, Role
from signing.tokens import PROCESS_TOKENS, TokenKeyRef, TokenPool
from signing.trust import load_certificates


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


def load_seal_keys(
    path: Path,
    passphrases: Mapping[str, bytes] | None = None,
    pins: Mapping[str, str] | None = None,
    *,
    tokens: TokenPool | None = None,
    roles: Sequence[Role] = ISSUING_ROLES,
) -> dict[Role, SealKey]:
    """Read the key settings file and load the key of each of `roles` (by default those issuing
    needs); `passphrases` and token `pins` (by role name) override `passphrase_file` and `pin_file`.

    Raises KeyLoadError naming the file and role (and for a token its module, token and label) on
    any problem.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise KeyLoadError(f"{path}: key settings not found; run `titlecert init`") from e
    except json.JSONDecodeError as e:
        raise KeyLoadError(f"{path}: not valid JSON ({e})") from e
    keys: dict[Role, SealKey] = {}
    for role in roles:
        spec = raw.get(role.value)
        if not isinstance(spec, dict):
            raise KeyLoadError(f"{path}: no key configured for role {role.value!r}")
        try:
            seal_image = (path.parent / spec["seal_image"]).read_bytes()
            seal_name = str(spec["seal_name"])
            if "pkcs11" in spec:
                ref, pin = _token_spec(path, role, spec["pkcs11"], (pins or {}).get(role.value))
                chain = _chain(path, role, spec["chain"]) if "chain" in spec else []
                try:
                    signer: signers.Signer = (tokens or PROCESS_TOKENS).signer(ref, pin, chain)
                except KeyLoadError as e:
                    raise KeyLoadError(f"{path}: the {role.value} key: {e}") from e
            else:
                p12 = path.parent / spec["pkcs12"]
                if passphrases and role.value in passphrases:
                    passphrase = passphrases[role.value]
                else:
                    passphrase = (path.parent / spec["passphrase_file"]).read_bytes().strip()
                signer = load_pkcs12_signer(p12, passphrase)
        except KeyError as e:
            raise KeyLoadError(f"{path}: {role.value}.{e.args[0]} is missing") from e
        except OSError as e:
            raise KeyLoadError(f"{path}: {role.value}: {e.filename}: {e.strerror}") from e
        keys[role] = SealKey(role, signer, seal_name, seal_image)
    return keys


def _chain(path: Path, role: Role, name: object) -> list[x509.Certificate]:
    """The CA certificates in the PEM file `name` (relative to the settings file)."""
    try:
        return load_certificates((path.parent / str(name)).read_bytes())
    except ValueError as e:
        raise KeyLoadError(f"{path}: {role.value}.chain: {name} holds no PEM certificates ({e})") from e


_TOKEN_FIELDS = {"module", "token_label", "key_label", "cert_label", "pin_file"}


def _token_spec(path: Path, role: Role, conf: object, pin: str | None) -> tuple[TokenKeyRef, str]:
    """The token key a `pkcs11` entry names and its PIN (`pin`, else the DEMO's `pin_file`)."""
    if not isinstance(conf, dict):
        raise KeyLoadError(f"{path}: {role.value}.pkcs11 must be an object")
    unknown = sorted(set(conf) - _TOKEN_FIELDS)
    if unknown:
        raise KeyLoadError(f"{path}: {role.value}.pkcs11: unknown field(s) {', '.join(unknown)}")
    try:
        ref = TokenKeyRef(
            module=path.parent / str(conf["module"]),
            token_label=str(conf["token_label"]),
            key_label=str(conf["key_label"]),
            cert_label=str(conf.get("cert_label", conf["key_label"])),
        )
    except KeyError as e:
        raise KeyLoadError(f"{path}: {role.value}.pkcs11.{e.args[0]} is missing") from e
    if pin is None and "pin_file" in conf:
        pin = (path.parent / str(conf["pin_file"])).read_text(encoding="utf-8").strip()
    if pin is None:
        raise KeyLoadError(
            f"{path}: no user PIN for the {role.value} key on {ref.where}; set TITLECERT_PKCS11_PIN "
            f"(or TITLECERT_{role.value.upper()}_PKCS11_PIN)"
        )
    return ref, pin
