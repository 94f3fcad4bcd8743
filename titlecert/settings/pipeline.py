"""The issuing pipeline's settings: parallelism and the Celery broker."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from titlecert.errors import ConfigError


def default_pipeline_workers() -> int:
    """One per core: conversion and sealing are both CPU-bound."""
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Pipeline:
    """How `titlecert issue` overlaps its stages."""

    convert_workers: int = field(default_factory=default_pipeline_workers)
    """TITLECERT_CONVERT_WORKERS: documents converted at once (threads feeding LibreOffice)."""
    sign_workers: int = field(default_factory=default_pipeline_workers)
    """TITLECERT_SIGN_WORKERS: sealing processes, each loading the keys, the seal font and the
    network clients once."""
    broker_url: str | None = None
    """TITLECERT_BROKER_URL: a Celery broker (redis://..., amqp://...): `issue` sends the job's units
    there for `titlecert worker` processes, on any number of machines sharing the registry
    (PostgreSQL) and the document store (S3), to do. Unset: this machine does the work itself."""
    queue: str = "titlecert"
    """TITLECERT_BROKER_QUEUE: the broker queue of this instance's units (instances sharing a
    broker need different queues)."""
    redelivery_seconds: int = 900
    """TITLECERT_BROKER_REDELIVERY: seconds after which a unit delivered to a worker that has not
    acknowledged it (its machine lost or cut off) is delivered to another (Redis's visibility
    timeout). Longer than any unit takes: a unit redelivered while still being worked on is done
    once anyway, but twice the work."""


def pipeline(env: Mapping[str, str]) -> Pipeline:
    """The issuing pipeline's settings in `env`. Raises ConfigError for a worker count or redelivery
    time that is not a positive whole number."""
    values: dict[str, int] = {}
    variables = {
        "convert_workers": "TITLECERT_CONVERT_WORKERS",
        "sign_workers": "TITLECERT_SIGN_WORKERS",
        "redelivery_seconds": "TITLECERT_BROKER_REDELIVERY",
    }
    for name, variable in variables.items():
        raw = env.get(variable, "").strip()
        if raw:
            if not raw.isdigit() or int(raw) < 1:
                raise ConfigError(f"{variable} must be a positive whole number, not {raw!r}")
            values[name] = int(raw)
    broker = env.get("TITLECERT_BROKER_URL", "").strip() or None
    queue = env.get("TITLECERT_BROKER_QUEUE", "").strip() or "titlecert"
    return Pipeline(**values, broker_url=broker, queue=queue)
