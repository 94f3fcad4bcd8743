import socket
import time

import pytest

from registry import db
from registry.db import Registry


def test_an_unanswering_postgresql_server_is_reported_down_within_the_connect_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A host that accepts TCP but never speaks (a hung server, a black-holing firewall) must not
    hold /healthz or the CLI for the operating system's minutes-long timeout."""
    monkeypatch.setattr(db, "CONNECT_TIMEOUT", 1)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes handshakes; nobody ever answers
        port = silent.getsockname()[1]
        registry = Registry(f"postgresql+psycopg://titlecert@127.0.0.1:{port}/test")
        started = time.monotonic()
        try:
            assert registry.ping() is False
        finally:
            registry.dispose()
        assert time.monotonic() - started < 4
