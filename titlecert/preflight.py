"""Before a job exists: every document can be made, no applicant applies a second time this year
(with the registry: titlecert.jobs.yearly) and the services sealing calls answer.

`render_problems` builds every document's values as the job would and renders each kind (and
shape of values) in memory. Above B-B every seal asks the time-stamping authority for a token,
and at B-LT/B-LTA the OCSP responder named in each seal certificate for its status. If either is
down, a job would allocate numbers, publish the session's unsealed documents and fail every
sealed one; so `issue` (and `titlecert check --services`) sends one real request to each first,
through the clients sealing uses, with a short timeout (docs/preflight.md).
"""

import asyncio
import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from asn1crypto import ocsp, x509
from pyhanko_certvalidator.authority import AuthorityWithCert
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

from docgen.errors import DocgenError, InputError
from docgen.identifiers import certificate_number, new_token
from docgen.models import LoadedSession
from docgen.notices import delegation_rows
from docgen.outcomes import awarded
from docgen.workdays import WorkCalendar
from signing.batch import BatchTimeStamper, tls_context, tsa_unavailable
from signing.errors import ServiceUnavailable
from signing.keys import SealKey
from signing.roles import Role
from titlecert.bootstrap import Components
from titlecert.documents import (
    APPLICANT_KINDS,
    DELEGATOR_KINDS,
    SESSION_KINDS,
    Award,
    Job,
    award_jobs,
    unit_job,
)
from titlecert.errors import ApplicationError
from titlecert.home import load_keys, load_trust
from titlecert.jobs import mandate, yearly
from titlecert.jobs.plan import certificate_data
from titlecert.jobs.work import render_document
from titlecert.jobs.yearly import AcrossSessions
from titlecert.sealing import FinishError
from titlecert.settings import Settings

PROBE_TIMEOUT = 5
"""Seconds each probe waits: a service slower than this would stall every seal anyway."""


def service_problems(settings: Settings, keys: Mapping[Role, SealKey]) -> list[str]:
    """Why sealing at the configured level would fail for want of an answer, one line per service
    (empty at B-B, or when every service answers)."""
    level = settings.signature_level
    if level == "B-B":
        return []
    problems = []
    if (tsa := _probe_tsa(settings.tsa_url)) is not None:
        problems.append(_advice(settings, tsa))
    if level in ("B-LT", "B-LTA"):
        anchors = load_trust(settings).anchors
        unanswered: dict[str, tuple[ServiceUnavailable, list[str]]] = {}
        for key in keys.values():
            down, revoked = asyncio.run(_probe_ocsp(key, anchors))
            for d in down:  # both roles' certificates usually name the same responder: one line
                unanswered.setdefault(d.url, (d, []))[1].append(key.role.value)
            problems += revoked
        for d, roles in unanswered.values():
            plural = "s" if len(roles) > 1 else ""
            problems.append(
                _advice(settings, d) + f" (for the {' and '.join(roles)} seal certificate{plural})"
            )
    return problems


def _probe_tsa(url: str) -> ServiceUnavailable | None:
    stamper = BatchTimeStamper(url, tls_context(), timeout=PROBE_TIMEOUT)
    digest = hashlib.sha256(b"titlecert preflight").digest()
    try:
        asyncio.run(stamper.async_timestamp(digest, "sha256"))
    except Exception as e:  # pyHanko raises its own and aiohttp's types; the user needs the URL only
        return tsa_unavailable(url, e)
    return None


async def _probe_ocsp(
    key: SealKey, anchors: Sequence[x509.Certificate]
) -> tuple[list[ServiceUnavailable], list[str]]:
    """The OCSP responders of the key's certificate that do not answer, and what is wrong with the
    certificate by those that do (revoked: sealing would fail on every document)."""
    cert = key.signer_cert
    chain = [*anchors, *key.signer.cert_registry]
    issuer = next((c for c in chain if c.subject == cert.issuer), None)
    if issuer is None:
        return [], []  # the trust check reports a certificate without its issuer
    backend = AIOHttpFetcherBackend(per_request_timeout=PROBE_TIMEOUT)
    fetchers = backend.get_fetchers()
    down: list[ServiceUnavailable] = []
    revoked: list[str] = []
    try:
        for url in cert.ocsp_urls:
            try:
                answer = await fetchers.ocsp_fetcher.fetch(cert, AuthorityWithCert(issuer))
            except Exception:  # OCSPFetchError, aiohttp's and the socket's errors alike
                down.append(ServiceUnavailable(ServiceUnavailable.OCSP, url))
                continue
            if answer["response_status"].native != "successful":
                down.append(ServiceUnavailable(ServiceUnavailable.OCSP, url, refused=True))
            elif _status(answer) != "good":
                revoked.append(
                    f"the {key.role.value} seal certificate is {_status(answer)} according to the "
                    f"OCSP responder at {url}: it cannot seal; give the role a new certificate"
                )
    finally:
        await backend.close()  # type: ignore[no-untyped-call]  # untyped in pyhanko-certvalidator
    return down, revoked


def _status(answer: ocsp.OCSPResponse) -> str:
    """good, revoked or unknown: what the responder says of the one certificate asked about."""
    responses = answer["response_bytes"]["response"].parsed["tbs_response_data"]["responses"]
    return str(responses[0]["cert_status"].name) if len(responses) else "unknown"


def _advice(settings: Settings, down: ServiceUnavailable) -> str:
    """The message, with what to do: the DEMO PKI's services are this instance's to start."""
    demo = (settings.pki_dir / "root-ca.pem").is_file() and down.url.startswith(settings.pki_url)
    if demo:
        return f"{down}: start the DEMO PKI services with `titlecert pki serve` (on {settings.pki_url})"
    if down.service == ServiceUnavailable.TSA:
        return f"{down}: check that it runs and that TITLECERT_TSA_URL names it"
    return f"{down}: it is named in the seal certificate; ask the CA that runs it"


def render_problems(
    loaded: LoadedSession, settings: Settings, calendar: WorkCalendar, *, today: dt.date
) -> list[str]:
    """Every document the job would make, its values built as the job builds them (with stand-in
    numbers), and filled with docxtpl in memory once per kind and shape of its values: a document
    that cannot be made is named before any number is allocated.

    The text values are checked and escaped; what makes one document of a kind fail where another
    renders is its shape (an empty list, an absent current title) and its photo, which the session
    check decodes and reads as the template does (docgen.photos). Rendering every document would
    cost as long as the job's own rendering (docs/preflight.md has the numbers).
    """
    session = loaded.session
    year = session.approval.date.year
    documents: list[tuple[str, Job]] = []
    try:
        for i, a in enumerate(session.applicants):
            where = f"{loaded.source}: applicants row {i + 1} ({a.name})"
            if awarded(session, a):
                number = certificate_number(settings.certificate_no_format, year=year, seq=i + 1)
                token = new_token()
                data = certificate_data(loaded, a, number, token, settings)
                award = Award(i, a, data, token, "", f"PS{year}{i + 1:06d}")
                documents += [(where, job) for job in award_jobs(loaded, award, today=today)]
            documents += [(where, unit_job(loaded, kind, calendar, i)) for kind in APPLICANT_KINDS]
        documents += [(str(loaded.source), unit_job(loaded, kind, calendar)) for kind in SESSION_KINDS]
        for i in delegation_rows(session):  # a result letter per entrusting unit
            where = f"{loaded.source}: applicants row {i + 1} ({session.applicants[i].name})"
            documents += [(where, unit_job(loaded, kind, calendar, i)) for kind in DELEGATOR_KINDS]
    except (ValueError, DocgenError) as e:  # a value the documents print cannot be built
        return [f"{loaded.source}: the documents' values cannot be built: {e}"]
    problems, seen = [], set()
    for where, job in documents:
        shape = (job.kind, job.template, _shape(job.context), tuple(sorted(job.images)))
        if shape in seen:
            continue
        seen.add(shape)
        try:
            render_document(job)
        except FinishError as e:  # its numbers are stand-ins: the document is named by its kind
            why = str(e).removeprefix(f"{job.out_name}: ")
            named = why.startswith("applicants row ")
            problems.append(f"{loaded.source}: {why}" if named else f"{where}, {job.kind}: {why}")
    return problems


def _shape(value: object) -> object:
    """What of a context decides how a template renders, values aside: keys, types, empty or not."""
    if isinstance(value, Mapping):
        return tuple((k, _shape(v)) for k, v in sorted(value.items()))
    if isinstance(value, list | tuple):
        return ("list", bool(value), _shape(value[0]) if value else None)
    if isinstance(value, str):
        return ("str", bool(value))
    return type(value).__name__


class ServicesDown(ApplicationError):
    """Sealing at the configured level would fail: a service does not answer. Nothing was issued."""

    def __init__(self, level: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"cannot seal at {level}; nothing was issued:\\n  " + "\\n  ".join(problems))


@dataclass(frozen=True)
class Registered:
    """Where the session is checked against what the registry knows (`yearly.check`): the instance
    (its registry, and the secret the registry's hashes are keyed with), and the folder `issue`
    writes to (None for `titlecert check`)."""

    components: Components
    out: Path | None = None


def preflight(
    loaded: LoadedSession,
    settings: Settings,
    calendar: WorkCalendar,
    *,
    today: dt.date,
    registered: Registered | None = None,
) -> AcrossSessions | None:
    """What issuing checks after the session loaded and before its job exists: the keys load,
    every document can be made, with `registered` one normal-channel application a year across
    sessions (titlecert.jobs.yearly) and the committee's mandate (titlecert.jobs.mandate), the
    services sealing calls answer. Returns what the registry said (its warnings are not in
    `loaded`'s), None without `registered`. Raises KeyLoadError, InputError (each problem named),
    the registry's Unavailable, ServicesDown."""
    keys = load_keys(settings)
    problems = render_problems(loaded, settings, calendar, today=today)
    across = None
    if registered is not None:
        parts = registered.components
        across = yearly.check(parts.registry, loaded, parts.secret, out=registered.out)
        problems += across.errors
        remit_errors, remit_warnings = mandate.check(parts.registry, loaded)
        problems += remit_errors
        across = replace(across, warnings=[*across.warnings, *remit_warnings])
    if problems:
        raise InputError(problems, [*loaded.warnings, *(across.warnings if across else ())])
    if problems := service_problems(settings, keys):
        raise ServicesDown(settings.signature_level, problems)
    return across
