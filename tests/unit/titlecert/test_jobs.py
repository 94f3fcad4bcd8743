"""Pieces of the issuing job that need no LibreOffice or keys: settings, secrets, progress."""

import io
import json

import pytest

from titlecert.errors import ApplicationError
from titlecert.jobs.inputs import lock_secrets, unlock_secrets
from titlecert.jobs.progress import BarProgress, JsonProgress, NoProgress, Tally, progress_for
from titlecert.settings import from_env
from titlecert.settings.pipeline import Pipeline


def test_pipeline_workers_default_to_the_cores_and_are_read_from_the_environment() -> None:
    assert from_env({}).pipeline == Pipeline()
    pipeline = from_env({"TITLECERT_CONVERT_WORKERS": "3", "TITLECERT_SIGN_WORKERS": "5"}).pipeline
    assert (pipeline.convert_workers, pipeline.sign_workers) == (3, 5)
    with pytest.raises(ValueError, match="TITLECERT_SIGN_WORKERS must be a positive whole number, not '0'"):
        from_env({"TITLECERT_SIGN_WORKERS": "0"})
    assert from_env({}).pipeline.redelivery_seconds == 900
    assert from_env({"TITLECERT_BROKER_REDELIVERY": "120"}).pipeline.redelivery_seconds == 120
    with pytest.raises(ValueError, match="TITLECERT_BROKER_REDELIVERY must be a positive whole number"):
        from_env({"TITLECERT_BROKER_REDELIVERY": "1h"})


def test_award_secrets_are_kept_encrypted_and_bound_to_their_certificate() -> None:
    secret = b"instance secret"
    blob = lock_secrets(secret, {"token": "T0KEN", "holder": "h0lder"}, bound_to="CQZC2026000001")
    assert "T0KEN" not in blob and "h0lder" not in blob
    assert unlock_secrets(secret, blob, bound_to="CQZC2026000001") == {"token": "T0KEN", "holder": "h0lder"}
    with pytest.raises(ApplicationError, match="the secrets kept for CQZC2026000002 do not decrypt"):
        unlock_secrets(secret, blob, bound_to="CQZC2026000002")
    with pytest.raises(ApplicationError, match="do not decrypt with this instance's secret"):
        unlock_secrets(b"another", blob, bound_to="CQZC2026000001")


def test_the_json_progress_stream_counts_units_by_state_to_the_total() -> None:
    tally = Tally.of(7, {"planned": 2, "registered": 1})
    stream = io.StringIO()
    progress = JsonProgress(stream)
    progress.update(tally)
    tally.move("planned", "sealed")
    tally.move("sealed", "registered")
    tally.move("planned", "failed")
    progress.close(tally)
    first, last = (json.loads(line) for line in stream.getvalue().splitlines())
    assert (first["job"], first["total"], first["done"], first["eta"]) == (7, 3, 1, None)
    assert {k: last[k] for k in ("total", "done", "planned", "sealed", "registered", "failed")} == {
        "total": 3,
        "done": 3,
        "planned": 0,
        "sealed": 0,
        "registered": 2,
        "failed": 1,
    }
    assert last["rate"] > 0 and last["eta"] == 0


def test_auto_progress_is_a_bar_on_a_terminal_only() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert isinstance(progress_for("auto", io.StringIO()), NoProgress)
    assert isinstance(progress_for("auto", Terminal()), BarProgress)
    assert isinstance(progress_for("json", io.StringIO()), JsonProgress)
    terminal = Terminal()
    bar = progress_for("bar", terminal)
    tally = Tally.of(3, {"planned": 1})
    bar.update(tally)
    tally.move("planned", "registered")
    bar.close(tally)
    assert "job 3" in terminal.getvalue() and "1/1" in terminal.getvalue()
