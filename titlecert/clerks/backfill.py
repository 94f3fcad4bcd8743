"""Review forms issued before the clerk pages existed: recorded afterwards from their session file
(the registry keeps no unit or reporting chain) and the stored copies."""

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from docgen.context import Copy
from docgen.load import load_session
from registry.db import Registry
from registry.models import DocumentRecord
from registry.paper import PaperCopy
from templates import FONTS_CONF
from titlecert.clerks.codes import copy_label
from titlecert.clerks.register import record_copy, record_form
from titlecert.configured_store import open_store
from titlecert.instance import instance_secret
from titlecert.issuing import calendar_of, issue_key
from titlecert.kinds import DocumentKind
from titlecert.settings import Settings


def backfill(settings: Settings, session_path: Path) -> list[str]:
    """Record every registered review-form copy of the session's awards not yet known to the clerk
    pages; the copies recorded (`PS2026000001-P`). Raises InputError for a session that does not
    load, StoreError for a stored copy that cannot be read."""
    loaded = load_session(session_path, calendar_of(settings), fonts_conf=FONTS_CONF)
    secret, store, now = instance_secret(settings), open_store(settings), dt.datetime.now(dt.UTC)
    registry = Registry(settings.database_url)
    done = []
    try:
        with registry.transaction() as repo:
            s = repo.session
            for a in loaded.session.applicants:
                certificate = repo.by_issue_key(issue_key(secret, loaded.session, a))
                if certificate is None:
                    continue
                recorded = select(PaperCopy.document_id)
                documents = (
                    s.execute(
                        select(DocumentRecord)
                        .where(
                            DocumentRecord.kind == DocumentKind.REVIEW_FORM,
                            DocumentRecord.certificate_no == certificate.certificate_no,
                            DocumentRecord.id.not_in(recorded),
                        )
                        .order_by(DocumentRecord.id)
                    )
                    .scalars()
                    .all()
                )
                for document in documents:
                    pdf = store.get(document.storage_key or "")
                    record_form(
                        s,
                        document.number,
                        a,
                        certificate_no=certificate.certificate_no,
                        approval_no=certificate.approval_no,
                        confirmed_on=certificate.issued_on,
                        pdf=pdf,
                        now=now,
                    )
                    record_copy(s, document, now)
                    done.append(f"{document.number}-{copy_label(Copy(document.copy or ''), 1)}")
    finally:
        registry.dispose()
    return done
