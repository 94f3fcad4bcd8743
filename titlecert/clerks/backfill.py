"""Review forms issued before the clerk pages existed: recorded afterwards from their session file
(the registry keeps no unit or reporting chain) and the stored copies."""

import datetime as dt
from pathlib import Path

from docgen.context import Copy, copy_label
from docgen.load import load_session
from templates import FONTS_CONF
from titlecert.bootstrap import running
from titlecert.jobs.paper import record_copy, record_form
from titlecert.jobs.plan import issue_key
from titlecert.kinds import DocumentKind
from titlecert.settings import Settings


def backfill(settings: Settings, session_path: Path) -> list[str]:
    """Record every registered review-form copy of the session's awards not yet known to the clerk
    pages; the copies recorded (`PS2026000001-P`). Raises InputError for a session that does not
    load, StoreError for a stored copy that cannot be read."""
    done, now = [], dt.datetime.now(dt.UTC)
    with running(settings) as components:
        loaded = load_session(session_path, components.calendar(), fonts_conf=FONTS_CONF)
        secret, store = components.secret, components.store
        with components.registry.transaction() as ledger:
            for a in loaded.session.applicants:
                certificate = ledger.certificates.by_issue_key(issue_key(secret, loaded.session, a))
                if certificate is None:
                    continue
                documents = ledger.paper.unrecorded_documents(
                    certificate.certificate_no, DocumentKind.REVIEW_FORM
                )
                for document in documents:
                    pdf = store.get(document.storage_key or "")
                    record_form(
                        ledger,
                        document.number,
                        a,
                        certificate_no=certificate.certificate_no,
                        approval_no=certificate.approval_no,
                        confirmed_on=certificate.issued_on,
                        pdf=pdf,
                        now=now,
                    )
                    record_copy(ledger, document, now)
                    done.append(f"{document.number}-{copy_label(Copy(document.copy or ''), 1)}")
    return done
