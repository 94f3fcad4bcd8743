"""SoftHSM2 tokens for tests: each in its own temporary token directory, never the system one."""

import glob
import os
import shutil
import subprocess
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

USER_PIN = "246810"
SO_PIN = "13579111"


def softhsm_module() -> Path:
    """SoftHSM2's PKCS#11 module, wherever this Debian/Ubuntu release puts it; fails (setup
    installs SoftHSM) when there is none."""
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    candidates = [
        Path("/usr/lib/softhsm/libsofthsm2.so"),  # Debian and Ubuntu ship this path (a link on some releases)
        Path("/usr/lib") / multiarch / "softhsm/libsofthsm2.so",
        Path("/usr/lib64/softhsm/libsofthsm2.so"),
        Path("/usr/local/lib/softhsm/libsofthsm2.so"),
        *map(Path, sorted(glob.glob("/usr/lib*/*/softhsm/libsofthsm2.so"))),
    ]
    found = next((p for p in candidates if p.is_file()), None)
    if found is None or shutil.which("softhsm2-util") is None:
        pytest.fail("SoftHSM2 is not installed (libsofthsm2.so, softhsm2-util): run scripts/setup.sh")
    return found


@dataclass(frozen=True)
class SoftHsm:
    """A SoftHSM2 configuration whose tokens live in a temporary folder."""

    conf: Path
    """What SOFTHSM2_CONF must name."""
    module: Path

    @property
    def env(self) -> dict[str, str]:
        return {"SOFTHSM2_CONF": str(self.conf)}

    def init_token(self, label: str) -> None:
        subprocess.run(
            [
                "softhsm2-util",
                "--init-token",
                "--free",
                "--label",
                label,
                "--pin",
                USER_PIN,
                "--so-pin",
                SO_PIN,
            ],
            env={**os.environ, "SOFTHSM2_CONF": str(self.conf)},
            check=True,
            capture_output=True,
        )


def new_softhsm(folder: Path, *, copy_of: SoftHsm | None = None) -> SoftHsm:
    """A SoftHSM2 configuration in `folder`: empty, or holding a copy of `copy_of`'s tokens."""
    tokens = folder / "tokens"
    if copy_of is not None:
        shutil.copytree(copy_of.conf.parent / "tokens", tokens)
    else:
        tokens.mkdir(parents=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    return SoftHsm(conf, softhsm_module())
