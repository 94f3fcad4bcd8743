"""Connecting to the registry and bringing its schema up to date with Alembic."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from registry.errors import RegistryError, Unavailable
from registry.ledger import Ledger
from registry.repository import PublicRecord, public_by_token

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
CONNECT_TIMEOUT = 5
"""Seconds to wait for a PostgreSQL server to accept a connection (unless the URL sets its own)."""


def _alembic_config(url: str) -> "Config":
    from alembic.config import Config  # imported on use: Alembic is slow to import

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class Registry:
    """A handle on one registry database. Connects lazily; nothing happens at construction."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, created on first use."""
        if self._engine is None:
            url = make_url(self.url)
            connect_args: dict[str, Any] = {}
            if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
                # libpq waits as long as the operating system does (minutes) for a host that does
                # not answer; /healthz and the CLI must say "unreachable" within seconds.
                connect_args["connect_timeout"] = CONNECT_TIMEOUT
            self._engine = create_engine(url, future=True, connect_args=connect_args)
            if self._engine.dialect.name == "sqlite":
                event.listen(self._engine, "connect", _sqlite_pragmas)
        return self._engine

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest revision (idempotent).

        Raises RegistryError when the database cannot be reached.
        """
        from alembic import command

        try:
            with self.engine.begin() as connection:
                cfg = _alembic_config(self.url)
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, "head")
        except SQLAlchemyError as e:
            raise RegistryError(
                f"cannot migrate the registry at {self.safe_url}: {e.__class__.__name__}: {e}"
            ) from e

    @property
    def safe_url(self) -> str:
        """The URL without its password, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Ledger]:
        """The ledger of one transaction: committed on success, rolled back on error.

        Raises Unavailable when the database cannot be reached or used (the driver's operational
        errors: refused or lost connections, a lock not granted in time), so every caller gets one
        error it can report or retry instead of a driver's exception."""
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield Ledger(session)
        except (OperationalError, InterfaceError) as e:
            raise self._unavailable(e) from e

    def public_by_token(self, token: str) -> PublicRecord | None:
        """The public columns of the certificate `token` names, read as they are now (no cache: a
        revocation shows on the next lookup). Raises Unavailable as `transaction` does."""
        try:
            with self.engine.connect() as connection:
                return public_by_token(connection, token)
        except (OperationalError, InterfaceError) as e:
            raise self._unavailable(e) from e

    def _unavailable(self, e: OperationalError | InterfaceError) -> Unavailable:
        reason = str(e.orig if e.orig is not None else e).strip().splitlines()[0]
        return Unavailable(f"the registry at {self.safe_url} cannot be used just now: {reason}")

    def ping(self) -> bool:
        """Whether the registry answers: the database is reachable and its certificates table readable."""
        try:
            with self.transaction() as ledger:
                ledger.certificates.any_certificate()
        except (SQLAlchemyError, RegistryError):
            return False
        return True

    def dispose(self) -> None:
        """Close every pooled connection."""
        if self._engine is not None:
            self._engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
