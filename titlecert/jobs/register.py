"""Registering a sealed unit: one transaction per unit, exactly once.

An award's certificate, both review-form copies, the audit entry (and, for a re-issue, the old
certificate's supersession) are registered together or not at all; the sealed PDFs are put under
their archive keys before the commit, so nothing is registered without its archive copy; a session
document's unit puts its PDF under `session_document_key`, and one the committee sealed
(Filing.SEALED) is registered as a document of no award. The unit's row is read FOR UPDATE and
registered only from `sealed`: a second worker finds it registered and does nothing.
"""

import datetime as dt
import hashlib
from pathlib import Path

from docgen.rules import mask_id
from registry import lifecycle
from registry.audit import Actor
from registry.holders import holder_id_hmac
from registry.ledger import Ledger
from registry.models import CertificateRecord, CertificateStatus, DocumentRecord, IssueUnit, UnitState
from registry.repository import hash_token
from titlecert.documents import Award, type_of
from titlecert.errors import ApplicationError, StoreIntegrityError
from titlecert.holder import holder_secret_hash
from titlecert.jobs.paper import record_copy, record_form
from titlecert.jobs.plan import JobPlan, award_of
from titlecert.jobs.result import IssuedDocument
from titlecert.jobs.work import SealedDocument, WorkContext, staging_key
from titlecert.kinds import AWARD_UNIT, Filing
from titlecert.store import DocumentStore


class StaleSeal(ApplicationError):
    """A sealed unit's PDFs are not in the document store as recorded: the unit must be made again."""


Registered = tuple[list[SealedDocument], dict[str, bytes]]
"""A registered unit's documents and their PDFs by SHA-256."""


def register_unit(ctx: WorkContext, unit_id: int, blobs: dict[str, bytes] | None = None) -> Registered | None:
    """Register a sealed unit (its PDFs from `blobs`, else from the store). Returns its documents
    and PDFs; None when there was nothing to do (registered already, abandoned, or not sealed).

    Raises StaleSeal when a stored PDF is missing or differs from what was recorded, StoreError
    when the store cannot be reached, the registry's
    Conflict when a number or fingerprint is registered already, NotFound when a re-issue's old
    certificate is gone.
    """
    with ctx.registry.transaction() as ledger:
        jobs = ledger.jobs
        unit = jobs.unit(unit_id, lock=True)
        documents = SealedDocument.load(unit.documents)
        if unit.state not in (UnitState.SEALED, UnitState.FAILED) or not documents:
            return None
        job = jobs.job(unit.job_id)
        pdfs = {d.sha256: _sealed_pdf(ctx.store, job.id, d, blobs or {}) for d in documents}
        now = dt.datetime.now(dt.UTC)
        if unit.kind == AWARD_UNIT:
            plan = JobPlan.from_json(job.plan)
            award = award_of(ctx.session_of(job), unit, plan.settings(ctx.settings), ctx.secret)
            register_award(
                ledger,
                award,
                documents,
                pdfs,
                plan,
                store=ctx.store,
                secret=ctx.secret,
                actor=Actor(job.actor, "cli"),
                at=now,
            )
        else:
            for doc in documents:
                key = session_document_key(job.id, doc)
                ctx.store.put(key, pdfs[doc.sha256])
                if type_of(doc.kind).filing is Filing.SEALED:
                    _record_session_document(ledger, doc, session_number(job.id, unit.applicant), key, now)
        unit.state, unit.error, unit.updated_at = UnitState.REGISTERED.value, None, now
    return documents, pdfs


def _sealed_pdf(store: DocumentStore, job_id: int, doc: SealedDocument, blobs: dict[str, bytes]) -> bytes:
    data = blobs.get(doc.sha256)
    if data is None:
        try:
            data = store.get(staging_key(job_id, doc.sha256))
        except KeyError as e:
            raise StaleSeal(f"{doc.out_name}: its sealed PDF is missing from the document store") from e
        except StoreIntegrityError as e:
            raise StaleSeal(f"{doc.out_name}: the stored sealed PDF is damaged ({e})") from e
    if hashlib.sha256(data).hexdigest() != doc.sha256:
        raise StaleSeal(f"{doc.out_name}: the stored sealed PDF is not the one recorded")
    return data


def session_document_key(job_id: int, doc: SealedDocument) -> str:
    """Where a session document's archive copy lives (a publicity table, the results list, the
    situation report, the draft notice, a result letter): under its job, by its name in the output
    folder."""
    return f"session-documents/job-{job_id}/{doc.out_name}"


def session_number(job_id: int, row: int | None) -> str:
    """The registry number of a sealed session document: its job's (`J12`, the draft notice), with
    the row it was made under for a result letter (`J12-R3`). The session numbers neither, and a
    job makes each once, so a later job of the same session registers its own."""
    return f"J{job_id}" + (f"-R{row + 1}" if row is not None else "")


def _record_session_document(
    ledger: Ledger, doc: SealedDocument, number: str, key: str, now: dt.datetime
) -> None:
    """A document of the committee's own (Filing.SEALED): a row of no award, so its upload verifies
    as issued (verify.binding) and `archive retimestamp` renews its archive copy."""
    ledger.certificates.add_document(
        DocumentRecord(
            kind=doc.kind,
            number=number,
            copy=None,
            certificate_no=None,
            sha256=doc.sha256,
            signed_sha256=doc.signed_sha256,
            storage_key=key,
            pages=doc.pages,
            created_at=now,
        )
    )


def archive_key(award: Award, doc: SealedDocument) -> str | None:
    """Where a registered document of the award keeps its archive copy (None: not registered)."""
    kind = type_of(doc.kind)
    return None if kind.filing in (Filing.SESSION, Filing.SEALED) else kind.archive_key(award, doc.copy)


def register_award(
    ledger: Ledger,
    award: Award,
    documents: list[SealedDocument],
    pdfs: dict[str, bytes],
    plan: JobPlan,
    *,
    store: DocumentStore,
    secret: bytes,
    actor: Actor,
    at: dt.datetime,
) -> None:
    """Register an award's sealed documents in `ledger`, as the document-type table files each, and
    put their archive copies in `store`; with a re-issue, the old certificate is superseded first."""
    number = award.certificate.certificate_no
    replaced = plan.supersede.certificate_no if plan.supersede else None
    if plan.supersede is not None:
        lifecycle.supersede(
            ledger,
            plan.supersede.certificate_no,
            by=number,
            reason=plan.supersede.reason,
            at=at,
            actor=actor,
            issue_key=award.issue_key,
        )
    for doc in documents:
        filing, key = type_of(doc.kind).filing, archive_key(award, doc)
        if filing is Filing.CERTIFICATE:
            _record_certificate(ledger, award, doc, key, at, secret)
        elif filing in (Filing.DOCUMENT, Filing.PRINTED):
            record = _record_document(ledger, award, doc, key, at)
            if filing is Filing.PRINTED:
                _record_printed(ledger, award, record, at, pdfs[doc.sha256])
        if key is not None:
            store.put(key, pdfs[doc.sha256])
        if filing is Filing.CERTIFICATE:
            lifecycle.record_issue(ledger, number, sha256=doc.sha256, actor=actor, at=at, supersedes=replaced)


def _record_certificate(
    ledger: Ledger,
    award: Award,
    doc: SealedDocument,
    key: str | None,
    now: dt.datetime,
    secret: bytes,
) -> None:
    """The certificate's registry row."""
    d = award.certificate
    ledger.certificates.add(
        CertificateRecord(
            certificate_no=d.certificate_no,
            licence_id=d.licence_id,
            token_hash=hash_token(award.token),
            issue_key=award.issue_key,
            holder_name=d.name,
            holder_id_masked=mask_id(d.id_number),
            holder_id_hmac=holder_id_hmac(secret, d.id_number),
            title=d.title,
            level=d.level,
            series=d.series,
            speciality=d.speciality,
            committee=d.committee,
            authority=d.authority,
            approval_no=d.approval_no,
            passed_on=d.passed_on,
            issued_on=d.issued_on,
            sha256=doc.sha256,
            signed_sha256=doc.signed_sha256,
            storage_key=key,
            status=CertificateStatus.VALID.value,
            created_at=now,
            holder_secret_hash=holder_secret_hash(award.holder_secret),
        )
    )


def _record_document(
    ledger: Ledger, award: Award, doc: SealedDocument, key: str | None, now: dt.datetime
) -> DocumentRecord:
    """A registered document of the award other than its certificate: its registry row."""
    return ledger.certificates.add_document(
        DocumentRecord(
            kind=doc.kind,
            number=type_of(doc.kind).number(award),
            copy=doc.copy,
            certificate_no=award.certificate.certificate_no,
            sha256=doc.sha256,
            signed_sha256=doc.signed_sha256,
            storage_key=key,
            pages=doc.pages,
            created_at=now,
        )
    )


def _record_printed(
    ledger: Ledger, award: Award, record: DocumentRecord, now: dt.datetime, pdf: bytes
) -> None:
    """For the clerk pages: the form (its unit and reporting chain, the boxes stamped by hand, once
    per form) and the printed copy this document is."""
    data = award.certificate
    record_form(
        ledger,
        record.number,
        award.applicant,
        certificate_no=data.certificate_no,
        approval_no=data.approval_no,
        confirmed_on=data.issued_on,
        pdf=pdf,
        now=now,
    )
    record_copy(ledger, record, now)


def issued_documents(
    ctx: WorkContext, unit: IssueUnit, plan: JobPlan, award: Award | None, out_dir: str
) -> list[IssuedDocument]:
    """What `issue` reports for a registered unit (verify and holder URLs from the award's secrets)."""
    out = []
    replaced = plan.supersede.certificate_no if plan.supersede else None
    for doc in SealedDocument.load(unit.documents):
        path = str((Path(out_dir) / doc.out_name).resolve())
        filing = type_of(doc.kind).filing
        if award is not None and filing is Filing.CERTIFICATE:
            d = award.certificate
            out.append(
                IssuedDocument(
                    doc.kind,
                    path,
                    doc.sha256,
                    certificate_no=d.certificate_no,
                    verify_url=d.verify_url,
                    storage_key=archive_key(award, doc),
                    holder_url=award.holder_url,
                    supersedes=replaced,
                )
            )
        elif award is not None and filing in (Filing.DOCUMENT, Filing.PRINTED):
            out.append(
                IssuedDocument(
                    doc.kind,
                    path,
                    doc.sha256,
                    certificate_no=award.certificate.certificate_no,
                    form_no=type_of(doc.kind).number(award) if filing is Filing.PRINTED else None,
                    copy=doc.copy,
                    pages=doc.pages,
                    storage_key=archive_key(award, doc),
                )
            )
        elif unit.kind != AWARD_UNIT:
            key = session_document_key(unit.job_id, doc)
            out.append(IssuedDocument(doc.kind, path, doc.sha256, pages=doc.pages, storage_key=key))
        else:
            out.append(IssuedDocument(doc.kind, path, doc.sha256, pages=doc.pages))
    return out
