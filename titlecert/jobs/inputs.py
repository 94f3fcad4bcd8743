"""An issuing job's inputs, kept in the document store so that any worker can rebuild its documents
from the job's id alone, and the award secrets the job must be able to hand out again.

The session is stored as loaded (the validated model as JSON, `jobs/<id>/session.json`) with each
photo beside it under its SHA-256 (`jobs/<id>/photos/<sha256>.<ext>`); a worker unpacks them into
its cache folder. The working-day calendar's overrides the session was checked with are frozen
beside them (`jobs/<id>/calendar.json`): every document of the job counts days alike, on any
worker machine, and after calendar.json in the home has changed; only a year the frozen calendar
lacks is taken from the current one (`WorkContext.calendar_of`). The QR token and holder secret
of each award are kept encrypted (AES-GCM under a key derived from the instance secret, bound to
the certificate number) until the job completes.
"""

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from docgen.load import photo_path
from docgen.models import LoadedSession, ReviewSession
from docgen.workdays import CalendarOverrides, WorkCalendar
from titlecert.errors import ApplicationError
from titlecert.store import DocumentStore

CALENDAR = "calendar.json"


@dataclass(frozen=True)
class JobInputs:
    """The loaded session as stored with a job."""

    document: dict[str, Any]
    """The validated session as JSON, each photo named `photos/<sha256>.<ext>`."""
    photos: Mapping[str, bytes]
    """The photos by those names."""
    calendar: CalendarOverrides = CalendarOverrides()
    """The instance's calendar overrides when the session was loaded (not in the fingerprint: a
    job resumed after calendar.json changed keeps its own)."""

    def fingerprint(self, options: Mapping[str, object]) -> str:
        """SHA-256 over the session (photos by digest) and the command's options."""
        canonical = json.dumps(
            {"session": self.document, "options": options},
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def inputs_of(loaded: LoadedSession, calendar: WorkCalendar) -> JobInputs:
    """The session, its photos and the calendar it was checked with, as a job keeps them. Raises
    ApplicationError when a photo cannot be read."""
    document = loaded.session.model_dump(mode="json")
    photos: dict[str, bytes] = {}
    for applicant in document["applicants"]:
        path = photo_path(loaded.source, applicant.get("photo") or "")
        if path is None:
            continue
        try:
            data = path.read_bytes()
        except OSError as e:
            raise ApplicationError(f"{path}: cannot read the photo ({e.strerror})") from e
        name = f"photos/{hashlib.sha256(data).hexdigest()}{path.suffix.lower()}"
        photos[name] = data
        applicant["photo"] = name
    return JobInputs(document, photos, calendar.overrides)


STAGING_ROOT = "jobs"
"""Where jobs' folders are, in the document store and in a worker's cache."""


def staging_folder(job_id: int) -> str:
    """The job's folder in the document store (its inputs and sealed PDFs) and in a worker's cache."""
    return f"{STAGING_ROOT}/{job_id}"


def save_inputs(store: DocumentStore, job_id: int, inputs: JobInputs) -> str:
    """Put the inputs in the store under `jobs/<job_id>/`; returns the session's key."""
    prefix = f"{staging_folder(job_id)}/"
    store.put(prefix + CALENDAR, json.dumps(inputs.calendar.to_json()).encode())
    return put_session(store, job_id, inputs)


def put_session(store: DocumentStore, job_id: int, inputs: JobInputs, *, name: str = "session.json") -> str:
    """Put the session as `name` and its photos (not the calendar, which stays as the job froze it)
    under `jobs/<job_id>/`; returns the session's key. A job continued with a corrected session
    keeps it under another name beside the first (`titlecert.jobs.continuation`). The session goes
    last: `jobs clean` finds a folder by its first session.json."""
    prefix = f"{staging_folder(job_id)}/"
    for photo, data in inputs.photos.items():
        store.put(prefix + photo, data)
    key = prefix + name
    store.put(key, json.dumps(inputs.document, ensure_ascii=False, sort_keys=True).encode())
    return key


def load_inputs(store: DocumentStore, key: str, cache: Path) -> LoadedSession:
    """Unpack a job's inputs into `cache` (once) and load the session from there.

    Raises ApplicationError when the store lacks them.
    """
    try:
        document = json.loads(store.get(key))
        folder = cache / key.rsplit("/", 1)[0]
        for applicant in document["applicants"]:
            name = applicant.get("photo")
            if name and not (folder / name).is_file():
                _write(folder / name, store.get(key.rsplit("/", 1)[0] + "/" + name))
        source = folder / key.rsplit("/", 1)[1]
        if not source.is_file():
            _write(source, json.dumps(document, ensure_ascii=False).encode())
    except KeyError as e:
        raise ApplicationError(f"the document store has lost the issuing job's input {e.args[0]}") from e
    return LoadedSession(source=source, session=ReviewSession.model_validate(document))


def load_calendar(store: DocumentStore, key: str) -> WorkCalendar | None:
    """The calendar frozen with the job whose session is stored under `key`; None for a job opened
    before calendars were frozen. Raises CalendarError when it does not read."""
    where = key.rsplit("/", 1)[0] + "/" + CALENDAR
    try:
        raw = json.loads(store.get(where))
    except KeyError:
        return None
    return WorkCalendar(CalendarOverrides.from_json(raw, f"the job's {where}"))


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    part.write_bytes(data)
    part.replace(path)


def _key(secret: bytes) -> AESGCM:
    return AESGCM(hmac.new(secret, b"titlecert issuing-job secrets v1", hashlib.sha256).digest())


def lock_secrets(secret: bytes, values: Mapping[str, str], *, bound_to: str) -> str:
    """`values` encrypted under the instance secret, bound to `bound_to` (e.g. a certificate number)."""
    nonce = os.urandom(12)
    sealed = _key(secret).encrypt(nonce, json.dumps(dict(values)).encode(), bound_to.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unlock_secrets(secret: bytes, blob: str, *, bound_to: str) -> dict[str, str]:
    """The values `lock_secrets` encrypted. Raises ApplicationError when they do not decrypt (another
    instance secret, or a blob moved to another unit)."""
    raw = base64.urlsafe_b64decode(blob.encode("ascii"))
    try:
        values = json.loads(_key(secret).decrypt(raw[:12], raw[12:], bound_to.encode()))
    except InvalidTag as e:
        raise ApplicationError(
            f"the secrets kept for {bound_to} do not decrypt with this instance's secret"
        ) from e
    return {str(k): str(v) for k, v in values.items()}
