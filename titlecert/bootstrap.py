"""The composition root: the instance's parts, built once from its settings.

Every entry point — the web app (`titlecert.app`), the issuing workers (`WorkContext`), the Celery
tasks and the CLI's commands — calls `bootstrap(settings)` and hands each feature the view of the
parts it needs (`VerifyServices`, `ClerkServices`, `AdminServices`, `WorkContext`). A part is built
on first use and then kept: the verify site never loads seal keys, a worker opens one registry
engine however many units it takes. `close()` releases what was opened.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from titlecert.home import instance_secret, load_keys, load_trust
from titlecert.settings import Settings

# Each part's module is imported when the part is first built, so a command loads only what it uses:
# `titlecert verify --offline` neither SQLAlchemy nor the sealing stack (docs/performance.md).
if TYPE_CHECKING:
    from docgen.workdays import WorkCalendar
    from registry.db import Registry
    from registry.ledger import Ledger
    from signing.keys import SealKey
    from signing.roles import Role
    from signing.trust import TrustSettings
    from titlecert.sealing import Sealing
    from titlecert.store import DocumentStore


def calendar_of(settings: Settings) -> "WorkCalendar":
    """The working-day calendar with the instance's overrides (calendar.json in the home), as the
    file is now. Raises CalendarError for a file that does not load."""
    from docgen.workdays import WorkCalendar, load_overrides  # on use, as every part

    return WorkCalendar(load_overrides(settings.home / "calendar.json"))


class Components:
    """The parts of one instance. Each attribute is built when first read; errors are those of the
    part (StoreError, OSError for an instance never initialised, the signing package's errors)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def registry(self) -> "Registry":
        """The registry (connects lazily)."""
        from registry.db import Registry  # on use: SQLAlchemy takes a third of a second to import

        return Registry(self.settings.database_url)

    @cached_property
    def store(self) -> "DocumentStore":
        """The document store: a folder or an S3 bucket."""
        from titlecert.configured_store import open_store  # on use, as every part

        return open_store(self.settings)

    @cached_property
    def trust(self) -> "TrustSettings":
        """The trust anchors and the certificates' roles."""
        return load_trust(self.settings)

    @cached_property
    def secret(self) -> bytes:
        """The instance secret (QR tokens, holder ID hashes, clerk cookies). Raises OSError when the
        instance was never initialised."""
        return instance_secret(self.settings)

    @property
    def secret_if_initialised(self) -> bytes | None:
        """The instance secret, or None before `titlecert init` made one."""
        return self.secret if self.settings.secret_file.exists() else None

    @cached_property
    def keys(self) -> "dict[Role, SealKey]":
        """The committee's and the authority's seal keys."""
        return load_keys(self.settings)

    @cached_property
    def sealing(self) -> "Sealing":
        """Keys, seal font and network clients for sealing at the configured PAdES level."""
        from titlecert.sealing import batch_sealing  # on use: pyHanko's signers, fonts, docgen

        return batch_sealing(self.settings)

    def calendar(self) -> "WorkCalendar":
        """The instance's calendar as its file is now (read on every call: an operator may describe
        a new year while a worker runs)."""
        return calendar_of(self.settings)

    def close(self) -> None:
        """Release the registry's connections (if it was opened)."""
        if "registry" in self.__dict__:
            self.registry.dispose()


def bootstrap(settings: Settings) -> Components:
    """The instance's parts for `settings`; nothing is opened until it is used."""
    return Components(settings)


@contextmanager
def running(settings: Settings) -> Iterator[Components]:
    """The instance's parts for one command, closed when it ends."""
    components = bootstrap(settings)
    try:
        yield components
    finally:
        components.close()


@contextmanager
def transaction(settings: Settings) -> "Iterator[Ledger]":
    """One transaction on the instance's registry, for a command that needs nothing else."""
    with running(settings) as components, components.registry.transaction() as ledger:
        yield ledger


__all__ = ["Components", "bootstrap", "calendar_of", "running", "transaction"]
