"""The benchmark's keys on a throwaway SoftHSM2 token, when SoftHSM2 is installed."""

import dataclasses
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pkcs11 import Attribute, Mechanism, ObjectClass

from signing.devtoken import create_demo_pki_on_token
from signing.keys import SealKey
from signing.roles import Role
from signing.tokens import TokenPool

SOFTHSM_MODULES = ("/usr/lib/softhsm/libsofthsm2.so", *sorted(glob.glob("/usr/lib/*/softhsm/libsofthsm2.so")))


@dataclasses.dataclass
class OnToken:
    keys: dict[Role, SealKey]
    """Both roles' keys generated on a throwaway SoftHSM2 token, with the file keys' seals."""
    raw_sign: Callable[[], object]
    """One C_Sign (SHA256_RSA_PKCS) with the committee's key."""


@contextmanager
def softhsm_keys(keys: dict[Role, SealKey]) -> Iterator[OnToken | None]:
    """Keys on a throwaway SoftHSM2 token (PKCS#11) while the block runs; None without SoftHSM2."""
    module = next((Path(m) for m in SOFTHSM_MODULES if Path(m).is_file()), None)
    if module is None or shutil.which("softhsm2-util") is None:
        yield None
        return
    pin, label = "123456", "bench"
    with tempfile.TemporaryDirectory(prefix="titlecert-bench-softhsm-") as tmp:
        conf = Path(tmp) / "softhsm2.conf"
        (Path(tmp) / "tokens").mkdir()
        conf.write_text(
            f"directories.tokendir = {tmp}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n"
        )
        os.environ["SOFTHSM2_CONF"] = str(conf)
        subprocess.run(
            [
                "softhsm2-util",
                "--init-token",
                "--free",
                "--label",
                label,
                "--pin",
                pin,
                "--so-pin",
                "12345678",
            ],
            check=True,
            capture_output=True,
        )
        pool = TokenPool()
        try:
            _, made = create_demo_pki_on_token(
                Path(tmp) / "pki", pool, module=module, token_label=label, pin=pin
            )
            on_token = {
                role: SealKey(role, pool.signer(k.ref, pin), keys[role].seal_name, keys[role].seal_image)
                for role, k in made.items()
                if role in keys  # the roles the benchmark seals with, not the verification service
            }
            session = pool.session(module, label, pin)
            [handle] = session.get_objects(
                {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: "committee"}
            )
            data = b"x" * 1024
            yield OnToken(on_token, lambda: handle.sign(data, mechanism=Mechanism.SHA256_RSA_PKCS))
        finally:
            pool.close()


# ---------------------------------------------------------------- where the time goes
