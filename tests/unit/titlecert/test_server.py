"""How `titlecert serve` runs gunicorn, from the settings."""

import os
import socket

import pytest
from gunicorn.config import Config

from titlecert.server import RedactingLogger, check_can_listen, gunicorn_options
from titlecert.settings import from_env
from titlecert.settings.web import WebServer
from verify.web.logs import token_ref


def test_web_server_settings_from_the_environment() -> None:
    default = from_env({}).web
    assert default.workers == 2 * (os.cpu_count() or 1) + 1 and default.threads == 4 and default.timeout == 60
    web = from_env(
        {"TITLECERT_WEB_WORKERS": "3", "TITLECERT_WEB_THREADS": "8", "TITLECERT_WEB_TIMEOUT": "90"}
    ).web
    assert web == WebServer(workers=3, threads=8, timeout=90)


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_bad_worker_count_is_refused(value: str) -> None:
    with pytest.raises(
        ValueError, match=f"TITLECERT_WEB_WORKERS must be a positive whole number, not '{value}'"
    ):
        from_env({"TITLECERT_WEB_WORKERS": value})


def test_gunicorn_options_keep_tokens_out_of_logs() -> None:
    options = gunicorn_options(
        WebServer(workers=3, threads=2, timeout=45), host="127.0.0.1", port=8080, name="t"
    )
    assert options["accesslog"] is None, "request lines carry QR tokens"
    assert options["forwarded_allow_ips"] == "", "only TITLECERT_TRUSTED_PROXIES decides whom to believe"
    assert (options["workers"], options["threads"], options["timeout"]) == (3, 2, 45)
    assert options["worker_class"] == "gthread" and options["bind"] == "127.0.0.1:8080"
    assert gunicorn_options(WebServer(), host="::1", port=8080, name="t")["bind"] == "[::1]:8080"


def test_gunicorn_logs_tokens_only_hashed(capsys: pytest.CaptureFixture[str]) -> None:
    token = "ATORV4FLLHQOUKU6QRPQOPSBQJ7DFZPI"
    config = Config()
    for key, value in gunicorn_options(WebServer(), host="127.0.0.1", port=8080, name="t").items():
        config.set(key, value)
    logger = config.logger_class(config)
    assert isinstance(logger, RedactingLogger) and logger.error_log.handlers
    logger.error("Error handling request /v/%s", token)
    err = capsys.readouterr().err
    assert f"Error handling request /v/<token:{token_ref(token)}>" in err and token not in err


def test_a_port_in_use_is_found_before_gunicorn_starts() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(OSError, match="in use"):
            check_can_listen("127.0.0.1", busy.getsockname()[1])
