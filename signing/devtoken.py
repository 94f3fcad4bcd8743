"""The DEMO PKI with its role keys on a PKCS#11 token.

The committee's and authority's RSA key pairs are generated inside the token (sensitive, never
extractable), the demo CA certifies their public keys with the same profile and policy OIDs as the
PKCS#12 demo certificates, and each certificate is stored on the token beside its key (same label
and CKA_ID) and in the PKI folder. The CA and the time-stamping key stay in files: they belong to
the DEMO's own services, not to the office.
"""

import secrets
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pkcs11 import Attribute, KeyType, MechanismFlag, Object, Session
from pkcs11.exceptions import PKCS11Error
from pkcs11.util.x509 import decode_x509_certificate

from signing.devpki import DEMO_NAMES, DemoPki, certify_demo_key, create_demo_pki
from signing.errors import KeyLoadError
from signing.roles import Role
from signing.tokens import TokenKeyRef, TokenPool

# RSA-3072 like the PKCS#12 demo keys (devpki.py: ECDSA would bump the PDF to 2.0, not PDF/A-2b).
_KEY_BITS = 3072

PRIVATE_KEY_TEMPLATE: Mapping[Attribute, object] = {
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
    Attribute.PRIVATE: True,
}
"""What every generated private key is: its value never leaves the token, wrapped or not."""


@dataclass(frozen=True)
class DemoTokenKey:
    """One role's generated key on the token."""

    role: Role
    ref: TokenKeyRef
    """Where the key and its certificate are."""
    cert_path: Path
    """The certificate (PEM) in the PKI folder."""
    display_name: str
    """The Chinese name drawn on the seal."""


def create_demo_pki_on_token(
    directory: Path,
    pool: TokenPool,
    *,
    module: Path,
    token_label: str,
    pin: str,
    labels: Mapping[Role, str] | None = None,
    services_url: str | None = None,
) -> tuple[DemoPki, dict[Role, DemoTokenKey]]:
    """Create the demo CA and TSA in `directory` and each role's key pair on the token.

    `labels` names each role's key and certificate (default: the role's name). Raises KeyLoadError
    when the token cannot be opened (see TokenPool) or already holds an object with one of the
    labels; the keys made before a failure are destroyed again.
    """
    labels = labels or {role: role.value for role in Role}
    keys: dict[Role, DemoTokenKey] = {}
    created: list[Object] = []
    with pool.writable(module, token_label, pin) as session:
        for role in Role:
            _refuse_taken(session, labels[role], token_label)
        pki = create_demo_pki(directory, services_url=services_url, role_pkcs12=False)
        try:
            for role in Role:
                label, key_id = labels[role], secrets.token_bytes(16)
                public_key = _generate(session, label, key_id, created)
                cert_path = certify_demo_key(directory, role, public_key, services_url=services_url)
                der = x509.load_pem_x509_certificate(cert_path.read_bytes()).public_bytes(
                    serialization.Encoding.DER
                )
                attrs = {
                    **decode_x509_certificate(der),
                    Attribute.TOKEN: True,
                    Attribute.LABEL: label,
                    Attribute.ID: key_id,
                }
                created.append(session.create_object(attrs))
                ref = TokenKeyRef(module, token_label, key_label=label, cert_label=label)
                keys[role] = DemoTokenKey(role, ref, cert_path, DEMO_NAMES[role])
        except BaseException:
            for obj in created:
                with suppress(PKCS11Error):
                    obj.destroy()
            raise
    return pki, keys


def _refuse_taken(session: Session, label: str, token_label: str) -> None:
    if list(session.get_objects({Attribute.LABEL: label})):  # read to the end: that ends the search
        raise KeyLoadError(
            f"token {token_label!r} already holds objects labelled {label!r}; to seal with a key that is "
            "already there, name it (--key-label); otherwise use another token or delete them"
        )


def _generate(session: Session, label: str, key_id: bytes, created: list[Object]) -> rsa.RSAPublicKey:
    try:
        public, private = session.generate_keypair(
            KeyType.RSA,
            _KEY_BITS,
            id=key_id,
            label=label,
            store=True,
            capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY,
            private_template=dict(PRIVATE_KEY_TEMPLATE),
        )
    except PKCS11Error as e:
        raise KeyLoadError(
            f"token {session.token.label!r} could not generate an RSA-{_KEY_BITS} key pair ({e!r}); "
            "it must support CKM_RSA_PKCS_KEY_PAIR_GEN"
        ) from e
    created.extend((public, private))
    modulus = int.from_bytes(public[Attribute.MODULUS], "big")
    exponent = int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big")
    return rsa.RSAPublicNumbers(exponent, modulus).public_key()
