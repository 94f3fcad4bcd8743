"""Keys on PKCS#11 tokens (HSMs, smart cards; SoftHSM2 in tests), through pyHanko's pkcs11 module.

A process opens one session per token, logs in once and builds each role's signer once; both roles
reuse them (`TokenPool`). `PROCESS_TOKENS` is the process's pool, closed at exit; nothing is opened
before a key is asked for. Every PKCS#11 failure leaves as a KeyLoadError that names the module,
the token and the label, and says what to do.
"""

import asyncio
import atexit
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pkcs11
from asn1crypto import x509
from pkcs11 import Attribute, Object, ObjectClass, Session, Token
from pkcs11.exceptions import (
    NoSuchToken,
    PinExpired,
    PinIncorrect,
    PinInvalid,
    PinLenRange,
    PinLocked,
    PKCS11Error,
)
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

from signing.errors import KeyLoadError

if TYPE_CHECKING:
    from pkcs11._pkcs11 import lib as Lib


@dataclass(frozen=True)
class TokenKeyRef:
    """Where one role's key and certificate are on a token."""

    module: Path
    """The PKCS#11 module (shared library) of the token's middleware."""
    token_label: str
    """The token's label (CKA_LABEL of the token, as `softhsm2-util --show-slots` lists it)."""
    key_label: str
    """The private key's CKA_LABEL."""
    cert_label: str
    """The X.509 certificate's CKA_LABEL."""

    @property
    def where(self) -> str:
        return f"token {self.token_label!r} (PKCS#11 module {self.module})"


class TokenPool:
    """Open sessions (one per token, logged in once) and built signers (one per key), reused."""

    def __init__(self) -> None:
        self._sessions: dict[tuple[Path, str], tuple[Session, bytes]] = {}
        self._signers: dict[TokenKeyRef, PKCS11Signer] = {}
        self._modules: dict[Path, Lib] = {}

    def session(self, module: Path, token_label: str, pin: str) -> Session:
        """The logged-in session on `token_label`, opened on first use.

        Raises KeyLoadError when the module cannot be loaded, no such token is present, the PIN is
        wrong or locked, or the token was already opened in this process with another PIN.
        """
        key, digest = (module, token_label), hashlib.sha256(pin.encode()).digest()
        cached = self._sessions.get(key)
        if cached is not None:
            if cached[1] != digest:
                raise KeyLoadError(
                    f"two different PINs were given for token {token_label!r} (PKCS#11 module {module}); "
                    "a token has one user PIN: give the same one for every role on it"
                )
            return cached[0]
        self._find(module, token_label)
        with _token_errors(module, token_label):
            session = open_pkcs11_session(
                str(module), token_criteria=TokenCriteria(label=token_label), user_pin=pin
            )
        self._sessions[key] = (session, digest)
        return session

    def signer(self, ref: TokenKeyRef, pin: str, chain: Sequence[x509.Certificate] = ()) -> PKCS11Signer:
        """The signer for the key and certificate `ref` names, built once; `chain` (issuing CAs) is
        embedded in signatures with the certificate.

        Raises KeyLoadError as `session` does, or when the key or certificate label is not on the
        token (or names several objects), or the certificate is not the key's.
        """
        cached = self._signers.get(ref)
        if cached is not None:
            return cached
        session = self.session(ref.module, ref.token_label, pin)
        with _token_errors(ref.module, ref.token_label):
            keys = list(
                session.get_objects(
                    {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: ref.key_label}
                )
            )
            certs = list(
                session.get_objects(
                    {Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: ref.cert_label}
                )
            )
            _one(keys, "private key", ref.key_label, ref, session)
            _one(certs, "certificate", ref.cert_label, ref, session)
            cert = x509.Certificate.load(certs[0][Attribute.VALUE])
            if not _pairs(keys[0], cert):
                raise KeyLoadError(
                    f"the certificate labelled {ref.cert_label!r} on {ref.where} is not the certificate "
                    f"of the private key labelled {ref.key_label!r}; give the matching certificate label"
                )
            signer = PKCS11Signer(
                session,
                key_label=ref.key_label,
                cert_label=ref.cert_label,
                signing_cert=cert,
                ca_chain=list(chain),
            )
            # Fetch the key handle now, so that a failure shows here rather than mid-batch.
            asyncio.run(signer.ensure_objects_loaded())  # type: ignore[no-untyped-call]  # untyped in pyHanko
        self._signers[ref] = signer
        return signer

    @contextmanager
    def writable(self, module: Path, token_label: str, pin: str) -> Iterator[Session]:
        """A read-write session on the token, for generating keys and storing certificates; the
        pool's own session on that token (and signers built on it) are closed first, since a token
        has one login per process. Raises KeyLoadError as `session` does."""
        self._close_token(module, token_label)
        token = self._find(module, token_label)
        with _token_errors(module, token_label):
            session = token.open(rw=True, user_pin=pin)
        try:
            yield session
        finally:
            with _token_errors(module, token_label):
                session.close()

    def close(self) -> None:
        """Log out and close every session, then finalise the modules (a later use re-opens them)."""
        for module, token_label in list(self._sessions):
            self._close_token(module, token_label)
        for lib in self._modules.values():
            lib.finalize()
        self._modules.clear()

    def _close_token(self, module: Path, token_label: str) -> None:
        cached = self._sessions.pop((module, token_label), None)
        self._signers = {
            r: s for r, s in self._signers.items() if (r.module, r.token_label) != (module, token_label)
        }
        if cached is not None:
            with _token_errors(module, token_label):
                cached[0].close()

    def _find(self, module: Path, token_label: str) -> Token:
        if not module.is_file():
            raise KeyLoadError(
                f"PKCS#11 module {module} not found; install the token's middleware (for SoftHSM: "
                "apt install softhsm2) and give the path of its module (.so)"
            )
        try:
            lib = pkcs11.lib(str(module))
        except PKCS11Error as e:
            raise KeyLoadError(
                f"cannot load {module} as a PKCS#11 module ({e}); give the token's module"
            ) from e
        self._modules[module] = lib
        with _token_errors(module, token_label):
            try:
                return lib.get_token(token_label=token_label)
            except NoSuchToken as e:
                present = sorted(s.get_token().label for s in lib.get_slots(token_present=True))
                named = ", ".join(repr(p) for p in present if p) or "none"
                raise KeyLoadError(
                    f"no token labelled {token_label!r} in PKCS#11 module {module}; tokens present: {named}. "
                    "Insert the token or correct its label (SoftHSM: softhsm2-util --show-slots)"
                ) from e


def token_certificates(session: Session) -> list[x509.Certificate]:
    """Every X.509 certificate on the session's token (for finding a signer's issuing chain)."""
    objects = session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE})
    return [x509.Certificate.load(o[Attribute.VALUE]) for o in objects]


def _pairs(key: Object, cert: x509.Certificate) -> bool:
    """Whether `cert` certifies the RSA private key `key` (true when the token does not say)."""
    if cert.public_key.algorithm != "rsa":
        return True
    try:
        modulus = key[Attribute.MODULUS]
    except PKCS11Error:
        return True
    n: int = cert.public_key["public_key"].parsed["modulus"].native
    return bool(int.from_bytes(modulus, "big") == n)


def _one(found: list[Object], kind: str, label: str, ref: TokenKeyRef, session: Session) -> None:
    if len(found) == 1:
        return
    object_class = ObjectClass.PRIVATE_KEY if kind == "private key" else ObjectClass.CERTIFICATE
    labels = sorted({str(o[Attribute.LABEL]) for o in session.get_objects({Attribute.CLASS: object_class})})
    if not found:
        raise KeyLoadError(
            f"no {kind} labelled {label!r} on {ref.where}; {kind} labels there: "
            f"{', '.join(map(repr, labels)) or 'none'}. Give one of them, or store the {kind} on the token"
        )
    raise KeyLoadError(f"{len(found)} objects are labelled {label!r} as {kind} on {ref.where}; relabel them")


@contextmanager
def _token_errors(module: Path, token_label: str) -> Iterator[None]:
    where = f"token {token_label!r} (PKCS#11 module {module})"
    try:
        yield
    except PinIncorrect as e:
        raise KeyLoadError(
            f"wrong user PIN for {where}; give the right one (tokens lock after a few wrong PINs)"
        ) from e
    except PinLocked as e:
        raise KeyLoadError(
            f"the user PIN of {where} is locked after wrong PINs; its security officer must reset it"
        ) from e
    except PinExpired as e:
        raise KeyLoadError(f"the user PIN of {where} has expired; set a new one on the token") from e
    except (PinInvalid, PinLenRange) as e:
        raise KeyLoadError(
            f"the PIN given for {where} is not a valid PIN for it (length or "
            "characters); give the token's user PIN"
        ) from e
    except PKCS11Error as e:
        raise KeyLoadError(f"{where}: {e.__class__.__name__} {e}".rstrip()) from e


PROCESS_TOKENS = TokenPool()
"""The process's pool: `titlecert` builds its token signers once and reuses them."""
atexit.register(PROCESS_TOKENS.close)
